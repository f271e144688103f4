//! The Sheets store through the real google-sheets4 client against the fake: what each read and write costs,
//! rows and columns moved by people, missing columns and tabs, dates, 429 storms, lost answers and the budget.

mod common;

use std::time::{Duration, Instant};

use common::{quick, SheetsShop};
use spooltrack_core::{ListFilter, Store};
use spooltrack_domain::{
    layout::ShopLayout,
    schema::{ops, ColumnMap, Tab},
    spool::find_row,
    Cell, ErrorCode, Grid, Operation, SpoolError,
};
use spooltrack_sheets::Tuning;
use spooltrack_testkit::fixture::{self, ready, ready_tags, ARMADOR, HELD_IN_SHEET};

fn row_of(grid: &Grid, tag: &str, column: &str) -> Cell {
    let map = ColumnMap::of(Tab::Operaciones, "Operaciones", grid).expect("schema");
    let row = find_row(grid, &map, tag).expect("row");
    let column = grid.header.iter().position(|name| name == column).expect("column");
    grid.cell(row, column).clone()
}

/// The tags of the rows that hold `text` in any cell, in the tab's order.
fn tags_of_rows_with(grid: &Grid, text: &str) -> Vec<String> {
    let wanted = Cell::text(text);
    grid.rows.iter().filter(|row| row.contains(&wanted)).map(|row| row[0].display()).collect()
}

fn audit_rows_for(shop: &SheetsShop, tag: &str) -> usize {
    let grid = shop.fake.grid("Metadata");
    let column = grid.header.iter().position(|name| name == "TAG_SPOOL").expect("column");
    grid.rows.iter().filter(|row| row.get(column).is_some_and(|cell| cell.display() == tag)).count()
}

#[tokio::test]
async fn every_tab_comes_in_one_batch_get_and_people_are_kept() {
    let shop = SheetsShop::start(fixture::standard_shop()).await;
    let store = shop.store(quick()).await;
    let grids = store.read(&Tab::ALL).await.expect("read");
    assert_eq!(shop.fake.calls(), ["POST token", "GET spreadsheets.get", "GET values.batchGet"]);
    assert_eq!(grids[1].rows[0][0], Cell::Number(f64::from(ARMADOR)));
    let operaciones = &grids[0];
    assert_eq!(row_of(operaciones, HELD_IN_SHEET, "Fecha_Ocupacion"), Cell::Number(45658.75), "serial, unformatted");

    shop.fake.clear_calls();
    store.read(&[Tab::Trabajadores, Tab::Roles]).await.expect("read");
    assert!(shop.fake.calls().is_empty(), "workers and roles are kept");
    store.read(&[Tab::Metadata, Tab::Roles]).await.expect("read");
    assert_eq!(shop.fake.calls(), ["GET values.batchGet"], "the audit is always read, in one call");
}

#[tokio::test]
async fn a_batch_tomar_of_50_costs_one_write_and_at_most_one_read() {
    let shop = SheetsShop::start(fixture::standard_shop()).await;
    let station = shop.station(Tuning::default()).await;
    station.list(&ListFilter::default()).await.expect("the worker sees the list first");
    shop.fake.clear_calls();

    let outcome = station.tomar_batch(&ready_tags(50), ARMADOR, Operation::Arm).await.expect("batch");
    assert_eq!(outcome.succeeded, 50);
    assert_eq!(shop.writes(), 1, "one batchUpdate for 50 rows and 50 audit rows: {:?}", shop.fake.calls());
    assert!(shop.reads() <= 1, "{:?}", shop.fake.calls());
    let grid = shop.fake.grid("Operaciones");
    for tag in ready_tags(50) {
        assert_eq!(row_of(&grid, &tag, "Ocupado_Por"), Cell::text("MR(93)"));
        assert_eq!(audit_rows_for(&shop, &tag), 1);
    }
}

#[tokio::test]
async fn rows_sorted_and_inserted_by_a_person_are_found_again() {
    let shop = SheetsShop::start(fixture::standard_shop()).await;
    let station = shop.station(quick()).await;
    station.list(&ListFilter::default()).await.expect("list kept in memory");
    shop.fake.edit("Operaciones", |grid| {
        grid.rows.reverse();
        grid.rows.insert(0, vec![Cell::text("S-NUEVO"), Cell::text("NV-900")]);
    });

    station.tomar(&ready(10), ARMADOR, Operation::Arm).await.expect("taken");
    let grid = shop.fake.grid("Operaciones");
    assert_eq!(row_of(&grid, &ready(10), "Ocupado_Por"), Cell::text("MR(93)"));
    let held: Vec<String> = tags_of_rows_with(&grid, "MR(93)")
        .into_iter()
        .filter(|tag| tag != fixture::ARM_DONE && tag != fixture::BOTH_DONE && tag != HELD_IN_SHEET)
        .collect();
    assert_eq!(held, [ready(10)], "no other row was touched");
}

#[tokio::test]
async fn rows_a_person_inserts_while_a_write_waits_its_turn_are_never_written_over() {
    let shop = SheetsShop::start(fixture::standard_shop()).await;
    // One write at once, then one every 3 s: the second TOMAR waits for its turn in the budget.
    let tuning = Tuning { writes_per_minute: 6, quota_window: Duration::from_secs(15), ..quick() };
    let station = std::sync::Arc::new(shop.station(tuning).await);
    station.tomar(&ready(1), ARMADOR, Operation::Arm).await.expect("the first write fits the budget");
    let waiting = {
        let station = station.clone();
        tokio::spawn(async move { station.tomar(&ready(10), ARMADOR, Operation::Arm).await })
    };
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(!waiting.is_finished(), "the second write waits its turn");
    shop.fake.edit("Operaciones", |grid| grid.rows.insert(0, vec![Cell::text("S-NUEVO"), Cell::text("NV-900")]));

    waiting.await.expect("task").expect("taken");
    let grid = shop.fake.grid("Operaciones");
    assert_eq!(row_of(&grid, &ready(10), "Ocupado_Por"), Cell::text("MR(93)"));
    let held = tags_of_rows_with(&grid, "MR(93) trabajando ARM");
    assert_eq!(held, [ready(1), ready(10)], "the rows found after the wait, no other");
}

#[tokio::test]
async fn a_column_inserted_since_the_last_read_is_never_written() {
    let shop = SheetsShop::start(fixture::standard_shop()).await;
    let station = shop.station(quick()).await;
    station.list(&ListFilter::default()).await.expect("list kept in memory");
    shop.fake.edit("Operaciones", |grid| {
        let position = grid.header.iter().position(|name| name == "Ocupado_Por").expect("column");
        grid.insert_column(position, "Observaciones");
    });

    station.tomar(&ready(3), ARMADOR, Operation::Arm).await.expect("taken");
    let grid = shop.fake.grid("Operaciones");
    assert_eq!(row_of(&grid, &ready(3), "Ocupado_Por"), Cell::text("MR(93)"));
    assert_eq!(row_of(&grid, &ready(3), "Observaciones"), Cell::Empty);
}

#[tokio::test]
async fn split_and_an_accented_qc_header_are_the_same_columns() {
    let mut layout = fixture::standard_shop();
    for name in &mut layout.operaciones.header {
        match name.as_str() {
            "TAG_SPOOL" => *name = "SPLIT".into(),
            "Fecha_QC_Metrologia" => *name = "Fecha_QC_Metrología".into(),
            _ => {}
        }
    }
    let qc = layout.operaciones.header.iter().position(|name| name == "Fecha_QC_Metrología").expect("column");
    layout.operaciones.rows[0][qc] = Cell::text("2025-02-10");
    let shop = SheetsShop::start(layout).await;
    let station = shop.station(quick()).await;

    assert_eq!(station.status(&ready(1)).await.expect("status").fecha_qc_metrologia.as_deref(), Some("10-02-2025"));
    station.tomar(&ready(1), ARMADOR, Operation::Arm).await.expect("taken");
    assert_eq!(station.status(&ready(1)).await.expect("status").ocupado_por.as_deref(), Some("MR(93)"));
}

#[tokio::test]
async fn a_critical_column_lost_since_the_last_read_is_schema_drift_and_nothing_is_written() {
    let shop = SheetsShop::start(fixture::standard_shop()).await;
    let station = shop.station(quick()).await;
    station.list(&ListFilter::default()).await.expect("list kept in memory");
    shop.fake.edit("Operaciones", |grid| {
        let position = grid.header.iter().position(|name| name == "Ocupado_Por").expect("column");
        grid.header[position] = "Ocupado".into();
    });
    let audit_before = shop.fake.grid("Metadata").rows.len();
    shop.fake.clear_calls();

    let error = station.tomar(&ready(2), ARMADOR, Operation::Arm).await.expect_err("drift");
    assert_eq!(error, SpoolError::SchemaDrift { tab: "Operaciones".into(), column: "Ocupado_Por".into() });
    assert_eq!(shop.writes(), 0);
    assert_eq!(shop.fake.grid("Metadata").rows.len(), audit_before);
    let listed = station.list(&ListFilter::default()).await.map(|views| views.len());
    assert_eq!(listed.map_err(|error| error.code()), Err(ErrorCode::SchemaDrift), "reads refuse the tab too");
}

#[tokio::test]
async fn a_deleted_tab_is_schema_drift_naming_it() {
    let shop = SheetsShop::start(fixture::standard_shop()).await;
    let station = shop.station(quick()).await;
    shop.fake.delete_tab("Metadata");
    let error = station.history(&ready(1)).await.expect_err("no audit tab");
    assert_eq!(error, SpoolError::SchemaDrift { tab: "Metadata".into(), column: "(pestaña completa)".into() });
}

#[tokio::test]
async fn dates_read_back_from_serials_text_and_typed_cells() {
    let mut layout = ShopLayout::default();
    layout.add_worker(ARMADOR, "Mauricio", "Rodriguez", true, &[spooltrack_domain::Role::Armador]);
    let materiales = [
        ("D-SERIAL", Cell::Number(45672.0)),
        ("D-FRACCION", Cell::Number(45672.6875)),
        ("D-GUION", Cell::text("15-01-2025")),
        ("D-BARRA", Cell::text("15/1/2025")),
        ("D-CORTO", Cell::text("15/1/25")),
        ("D-ISO", Cell::text("2025-01-15")),
        ("D-MES", Cell::text("15-Ene-2025")),
        ("D-HORA", Cell::text("15-01-2025 16:30:00")),
        ("D-ESCRITO", Cell::Empty),
        ("D-ENTERO", Cell::Empty),
    ];
    for (tag, cell) in &materiales {
        layout.add_ready_spool(tag, "NV-1", "OT-1", cell.clone());
    }
    let shop = SheetsShop::start(layout).await;
    let store = shop.store(quick()).await;
    // A person types a date into a date cell (USER_ENTERED makes it a serial number with a date format), and
    // another tool writes a bare integer into one (RAW).
    let hub = store.client().hub();
    let typed = google_sheets4::api::ValueRange { values: Some(vec![vec!["15/01/2025".into()]]), ..Default::default() };
    hub.spreadsheets()
        .values_update(typed, common::SPREADSHEET, "Operaciones!F10")
        .value_input_option("USER_ENTERED")
        .doit()
        .await
        .expect("typed");
    let integer = google_sheets4::api::ValueRange { values: Some(vec![vec![45672.into()]]), ..Default::default() };
    hub.spreadsheets()
        .values_update(integer, common::SPREADSHEET, "Operaciones!F11")
        .value_input_option("RAW")
        .doit()
        .await
        .expect("written");
    assert_eq!(row_of(&shop.fake.grid("Operaciones"), "D-ESCRITO", "Fecha_Materiales"), Cell::Number(45672.0));

    let station = shop.station(quick()).await;
    for (tag, _) in &materiales {
        let view = station.status(tag).await.expect("status");
        assert_eq!(view.fecha_materiales.as_deref(), Some("15-01-2025"), "{tag}");
        assert!(view.problema.is_none(), "{tag}");
    }
}

#[tokio::test]
async fn a_storm_of_429s_ends_in_success_and_writes_once() {
    let shop = SheetsShop::start(fixture::standard_shop()).await;
    let station = shop.station(quick()).await;
    station.list(&ListFilter::default()).await.expect("list");
    shop.fake.throttle_next(4);

    station.tomar(&ready(5), ARMADOR, Operation::Arm).await.expect("taken after the storm");
    assert_eq!(audit_rows_for(&shop, &ready(5)), 1);
    assert_eq!(row_of(&shop.fake.grid("Operaciones"), &ready(5), "Ocupado_Por"), Cell::text("MR(93)"));
}

#[tokio::test]
async fn a_storm_longer_than_the_retries_is_sheets_quota_and_the_spool_stays_free() {
    let shop = SheetsShop::start(fixture::standard_shop()).await;
    let station = shop.station(quick()).await;
    station.list(&ListFilter::default()).await.expect("list");
    shop.fake.throttle_next(1_000);

    let error = station.tomar(&ready(6), ARMADOR, Operation::Arm).await.expect_err("gives up");
    assert_eq!(error, SpoolError::SheetsQuota);
    shop.fake.throttle_next(0);
    assert_eq!(audit_rows_for(&shop, &ready(6)), 0);
    assert_eq!(row_of(&shop.fake.grid("Operaciones"), &ready(6), "Ocupado_Por"), Cell::Empty);
    station.tomar(&ready(6), ARMADOR, Operation::Arm).await.expect("the lock was given back");
}

#[tokio::test]
async fn a_dropped_answer_after_tomar_leaves_one_audit_row_and_one_holder() {
    let shop = SheetsShop::start(fixture::standard_shop()).await;
    let station = shop.station(quick()).await;
    station.list(&ListFilter::default()).await.expect("list");
    shop.fake.drop_next_write_answers(1);
    shop.fake.clear_calls();

    station.tomar(&ready(8), ARMADOR, Operation::Arm).await.expect("taken");
    assert_eq!(shop.fake.count("spreadsheets.batchUpdate"), 1, "never sent twice: {:?}", shop.fake.calls());
    assert_eq!(audit_rows_for(&shop, &ready(8)), 1);
    assert_eq!(row_of(&shop.fake.grid("Operaciones"), &ready(8), "Ocupado_Por"), Cell::text("MR(93)"));
    let other = station.tomar(&ready(8), fixture::ARMADOR_SOLDADOR, Operation::Arm).await.expect_err("held once");
    assert_eq!(other.code(), ErrorCode::SpoolOccupied);
}

#[tokio::test]
async fn a_500_that_did_not_apply_is_retried_once_the_audit_shows_it_missing() {
    let shop = SheetsShop::start(fixture::standard_shop()).await;
    let station = shop.station(quick()).await;
    station.list(&ListFilter::default()).await.expect("list");
    station.tomar(&ready(9), ARMADOR, Operation::Arm).await.expect("taken");
    shop.fake.clear_calls();
    // The confirmation read passes; the write meets the 500.
    let tag = ready(9);
    let pausing = station.pausar(&tag, ARMADOR);
    let failing = async {
        while shop.fake.count("values.batchGet") == 0 {
            tokio::task::yield_now().await;
        }
        shop.fake.fail_next(1);
    };
    let (paused, ()) = tokio::join!(pausing, failing);
    paused.expect("paused after the retry");
    assert_eq!(shop.fake.count("spreadsheets.batchUpdate"), 2, "{:?}", shop.fake.calls());
    let pauses = shop.fake.grid("Metadata").rows.iter().filter(|row| row.contains(&Cell::text("PAUSAR_SPOOL"))).count();
    assert_eq!(pauses, 1);
}

#[tokio::test]
async fn the_budget_makes_bursts_wait_and_gives_up_with_sheets_quota() {
    let shop = SheetsShop::start(fixture::standard_shop()).await;
    // 60 a minute: a burst of 10, then one a second.
    let patient = shop.store(Tuning { reads_per_minute: 60, ..quick() }).await;
    let started = Instant::now();
    for _ in 0..12 {
        patient.read(&[Tab::Metadata]).await.expect("waits its turn");
    }
    assert!(started.elapsed() >= Duration::from_millis(900), "the burst waited: {:?}", started.elapsed());

    // 12 a minute: a burst of 2 (the spreadsheet's properties and the first read), then one every 5 s.
    let hurried = shop.store(Tuning { reads_per_minute: 12, budget_wait: Duration::from_millis(50), ..quick() }).await;
    hurried.read(&[Tab::Metadata]).await.expect("the first read fits the budget");
    let error = hurried.read(&[Tab::Metadata]).await.expect_err("the budget is spent");
    assert_eq!(error, SpoolError::SheetsQuota);
}

#[tokio::test]
async fn a_fence_moved_on_in_the_sheet_is_lock_lost() {
    let shop = SheetsShop::start(fixture::standard_shop()).await;
    let station = shop.station(quick()).await;
    station.tomar(&ready(12), ARMADOR, Operation::Arm).await.expect("taken");
    shop.fake.edit("Operaciones", |grid| {
        let map = ColumnMap::of(Tab::Operaciones, "Operaciones", grid).expect("schema");
        let row = find_row(grid, &map, &ready(12)).expect("row");
        grid.set(row, map.position(&ops::VERSION).expect("version"), Cell::Number(9_999.0));
    });
    let error = station.completar(&ready(12), ARMADOR, None).await.expect_err("fenced out");
    assert_eq!(error.code(), ErrorCode::LockLost);
}

#[tokio::test]
async fn spools_are_kept_for_seconds_and_forgotten_when_another_station_announces_a_change() {
    let shop = SheetsShop::start(fixture::standard_shop()).await;
    let here = shop.station(quick()).await;
    let there = shop.station(quick()).await;
    let occupied = |views: Vec<spooltrack_core::SpoolView>| {
        views.into_iter().any(|view| view.tag == ready(20) && view.ocupado_por.is_some())
    };

    assert!(!occupied(here.list(&ListFilter::default()).await.expect("list")));
    there.tomar(&ready(20), ARMADOR, Operation::Arm).await.expect("taken at the other station");
    shop.fake.clear_calls();
    assert!(!occupied(here.list(&ListFilter::default()).await.expect("list")), "served from memory");
    assert_eq!(shop.reads(), 0);

    let announced = spooltrack_core::SpoolEvent {
        tags: vec![ready(20)],
        action: "TOMAR".into(),
        worker: "MR(93)".into(),
        station: "otra-estacion".into(),
        ..Default::default()
    };
    here.hear(announced).await;
    assert!(occupied(here.list(&ListFilter::default()).await.expect("list")), "read again after the announcement");
    assert_eq!(shop.reads(), 1);
}

#[tokio::test]
async fn google_s_per_minute_quota_ends_in_sheets_quota_with_nothing_written() {
    let shop = SheetsShop::start(fixture::standard_shop()).await;
    let station = shop.station(quick()).await;
    station.list(&ListFilter::default()).await.expect("list");
    // Google's own quota, lower than this station's budget: every read past the third this minute is a 429.
    shop.fake.set_quota_per_minute(Some(3));
    shop.fake.clear_calls();
    let mut outcomes = Vec::new();
    for number in 30..34 {
        outcomes.push(station.tomar(&ready(number), ARMADOR, Operation::Arm).await.map_err(|error| error.code()));
    }
    assert!(outcomes.contains(&Err(ErrorCode::SheetsQuota)), "{outcomes:?}");
    for (number, outcome) in (30..34).zip(&outcomes) {
        let written = audit_rows_for(&shop, &ready(number));
        assert_eq!(written, usize::from(outcome.is_ok()), "{} written once or not at all", ready(number));
    }
}

/// The station's doctor, one entry point in the core: the spreadsheet's own checks first, every tab when the
/// spreadsheet opens, and no tab waited on when it does not.
#[tokio::test]
async fn the_station_s_doctor_reads_the_tabs_only_when_the_spreadsheet_opens() {
    let shop = SheetsShop::start(fixture::standard_shop()).await;
    let station = shop.station(quick()).await;
    let names = |report: &spooltrack_core::DoctorReport| -> Vec<String> {
        report.checks.iter().map(|check| check.name.clone()).collect()
    };
    let report = station.doctor().await;
    assert!(report.ok, "{report:?}");
    let opened = names(&report);
    assert!(opened.starts_with(&[
        "clave de la cuenta de servicio".into(),
        "token de acceso".into(),
        "planilla".into()
    ]));
    assert!(opened.contains(&"pestaña Operaciones".to_string()) && opened.contains(&"bloqueos".to_string()));

    shop.fake.fail_next(10_000);
    let report = station.doctor().await;
    let failed = names(&report);
    assert!(!report.ok && failed.contains(&"planilla".to_string()), "{report:?}");
    assert!(!failed.iter().any(|name| name.starts_with("pestaña")), "no tab waited on: {failed:?}");
    assert!(failed.contains(&"bloqueos".to_string()), "the lock service is still checked: {failed:?}");
}

#[tokio::test]
async fn doctor_checks_the_token_the_spreadsheet_and_its_time_zone() {
    let shop = SheetsShop::start(fixture::standard_shop()).await;
    let store = shop.store(quick()).await;
    let diagnosis = store.doctor("America/Santiago").await;
    assert!(diagnosis.reachable && diagnosis.checks.iter().all(|check| check.ok), "{diagnosis:?}");
    let opened =
        |check: &spooltrack_core::DoctorCheck| check.detail.contains("Operaciones, Trabajadores, Roles, Metadata");
    assert!(diagnosis.checks.iter().any(opened));
    let check = |diagnosis: &spooltrack_core::SourceDiagnosis, name: &str| {
        diagnosis.checks.iter().find(|check| check.name == name).cloned().unwrap_or_else(|| panic!("no {name}"))
    };
    // Without the shop's Redis, the quota is this station's own: its calls so far (the token is no call).
    let quota = check(&diagnosis, "cuota de Google Sheets");
    assert!(quota.detail.contains("desde que abrió: 1 de lectura y 0 de escritura"), "{quota:?}");
    assert!(quota.detail.contains("cupo de esta estación"), "{quota:?}");

    shop.fake.set_time_zone("Europe/Madrid");
    let diagnosis = store.doctor("America/Santiago").await;
    let zone = check(&diagnosis, "zona horaria de la planilla");
    assert!(diagnosis.reachable && !zone.ok && zone.detail.contains("Europe/Madrid"), "{zone:?}");
}

#[tokio::test]
async fn a_tomar_decided_on_a_stale_copy_is_decided_again_on_the_row_as_it_is() {
    let shop = SheetsShop::start(fixture::standard_shop()).await;
    let here = shop.station(Tuning::default()).await;
    let there = shop.station(quick()).await;
    here.list(&ListFilter::default()).await.expect("this station keeps the spools for a few seconds");
    // Meanwhile, at another station whose announcement this one missed: S-025 is assembled start to end.
    there.tomar(&ready(25), fixture::ARMADOR_SOLDADOR, Operation::Arm).await.expect("taken there");
    there.completar(&ready(25), fixture::ARMADOR_SOLDADOR, None).await.expect("completed there");
    let before = shop.fake.grid("Operaciones");

    let error = here.tomar(&ready(25), ARMADOR, Operation::Arm).await.expect_err("ARM is done");
    assert_eq!(error.code(), ErrorCode::AlreadyCompleted, "decided again on the fresh row: {error:?}");
    assert_eq!(shop.fake.grid("Operaciones"), before, "the completed row was not overwritten");
    assert_eq!(audit_rows_for(&shop, &ready(25)), 2, "the other station's TOMAR and COMPLETAR only");
}

#[tokio::test]
async fn a_write_confirms_only_the_columns_it_needs() {
    let shop = SheetsShop::start(fixture::standard_shop()).await;
    let station = shop.station(quick()).await;
    station.list(&ListFilter::default()).await.expect("the header is learnt from a full read");
    shop.fake.clear_calls();

    station.tomar(&ready(4), ARMADOR, Operation::Arm).await.expect("taken");
    let reads = shop.fake.read_ranges();
    assert_eq!(reads.len(), 1, "one confirmation read: {reads:?}");
    let (columns, audit): (Vec<&String>, Vec<&String>) =
        reads[0].iter().partition(|range| range.starts_with("Operaciones!"));
    assert_eq!(audit, ["Metadata!1:1"], "the audit's header only");
    // The header row (where the written columns are now), then the tag, version and the occupation: not the
    // whole tab, nor the written columns.
    assert_eq!(columns.first().map(|range| range.as_str()), Some("Operaciones!1:1"), "{columns:?}");
    assert_eq!(columns.len(), 4, "{columns:?}");
    for range in &columns[1..] {
        let (start, end) = range["Operaciones!".len()..].split_once(':').expect("a column range");
        assert!(start == end && start.chars().all(|letter| letter.is_ascii_uppercase()), "{range}");
    }
    let grid = shop.fake.grid("Operaciones");
    assert_eq!(row_of(&grid, &ready(4), "Ocupado_Por"), Cell::text("MR(93)"));
    assert_eq!(row_of(&grid, &ready(4), "Armador"), Cell::text("MR(93)"));
}

#[tokio::test]
async fn one_access_token_serves_reads_writes_and_doctor() {
    let shop = SheetsShop::start(fixture::standard_shop()).await;
    let store = std::sync::Arc::new(shop.store(quick()).await);
    let lock = spooltrack_embedded::EmbeddedLock::open(&shop.folder.path().join("locks.db")).expect("lock");
    let station = spooltrack_core::SpoolService::new(
        store.clone(),
        std::sync::Arc::new(lock),
        std::sync::Arc::new(spooltrack_core::SystemClock),
        "estacion-A",
        chrono_tz::America::Santiago,
    );
    station.list(&ListFilter::default()).await.expect("read");
    station.tomar(&ready(5), ARMADOR, Operation::Arm).await.expect("written");
    assert!(store.doctor("America/Santiago").await.checks.iter().all(|check| check.ok));
    assert_eq!((shop.fake.count("POST token"), shop.fake.issued_tokens().len()), (1, 1));
}
