//! Ownership on Google Sheets at the worst moments: a holder's write held back by the request budget while a
//! supervisor force-releases the spool, and writes whose answer is lost when the audit cannot be read to
//! settle them (OUTCOME_UNKNOWN: the locks stay, and a retry writes nothing twice).

mod common;

use std::time::Duration;

use common::{quick, SheetsShop};
use spooltrack_core::LockService;
use spooltrack_domain::{Cell, ErrorCode, Grid, Operation};
use spooltrack_embedded::EmbeddedLock;
use spooltrack_sheets::Tuning;
use spooltrack_testkit::fixture::{self, ready, ARMADOR, ARMADOR_SOLDADOR, SUPERVISOR, SUPERVISOR_PIN};

fn audit_kinds(shop: &SheetsShop, tag: &str) -> Vec<String> {
    let grid = shop.fake.grid("Metadata");
    let column = |name: &str| grid.header.iter().position(|header| header == name).expect("column");
    let (tags, kinds) = (column("TAG_SPOOL"), column("Evento_Tipo"));
    grid.rows
        .iter()
        .filter(|row| row.get(tags).is_some_and(|cell| cell.display() == tag))
        .map(|row| row[kinds].display())
        .collect()
}

fn cell(grid: &Grid, tag: &str, column: &str) -> Cell {
    let row = grid.rows.iter().find(|row| row[0].display() == tag).expect("row");
    let column = grid.header.iter().position(|header| header == column).expect("column");
    row.get(column).cloned().unwrap_or(Cell::Empty)
}

fn shared_lock(shop: &SheetsShop) -> EmbeddedLock {
    EmbeddedLock::open(&shop.folder.path().join("locks.db")).expect("lock opens")
}

/// Waits for the mark of a write whose answer was lost to end with its window (the request deadline and a margin).
async fn mark_ends(lock: &EmbeddedLock, tag: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while lock.inspect(&[tag.to_string()]).await.expect("inspected")[0].as_ref().is_some_and(|held| held.writing) {
        assert!(std::time::Instant::now() < deadline, "the mark ends with its window");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_write_held_back_by_the_budget_is_refused_after_a_force_release() {
    let shop = SheetsShop::start(fixture::standard_shop()).await;
    // 12 writes a minute: a burst of 2, then one every 5 s, so the third write waits its turn.
    let holder = shop.station(Tuning { writes_per_minute: 12, ..quick() }).await;
    holder.tomar(&ready(1), ARMADOR, Operation::Arm).await.expect("taken");
    holder.tomar(&ready(2), ARMADOR, Operation::Arm).await.expect("taken");
    let pausing = tokio::spawn(async move { holder.pausar(&ready(1), ARMADOR).await });

    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(!pausing.is_finished(), "the PAUSAR waits for the budget, its rows already confirmed");
    let supervisor = shop.station(quick()).await;
    supervisor.liberar(&ready(1), SUPERVISOR, "se fue a casa", SUPERVISOR_PIN).await.expect("released");
    supervisor.tomar(&ready(1), ARMADOR_SOLDADOR, Operation::Arm).await.expect("taken by someone else");

    let late = pausing.await.expect("task").expect_err("the late write is refused");
    assert_eq!(late.code(), ErrorCode::LockLost);
    let grid = shop.fake.grid("Operaciones");
    assert_eq!(cell(&grid, &ready(1), "Ocupado_Por"), Cell::text("NR(94)"), "the new holder keeps the row");
    assert_eq!(audit_kinds(&shop, &ready(1)), ["TOMAR_SPOOL", "LIBERACION_FORZADA", "TOMAR_SPOOL"]);
    let lock = shared_lock(&shop).inspect(&[ready(1)]).await.expect("inspected").remove(0).expect("held");
    assert_eq!(lock.holder.worker_id, ARMADOR_SOLDADOR, "lock and row name the same holder");
}

#[tokio::test]
async fn a_pausar_whose_outcome_is_unknown_keeps_the_lock_and_its_retry_writes_nothing_twice() {
    let shop = SheetsShop::start(fixture::standard_shop()).await;
    let station = shop.station(quick()).await;
    station.tomar(&ready(3), ARMADOR, Operation::Arm).await.expect("taken");

    // The PAUSAR lands, its answer is lost, and the audit cannot be read to settle it.
    shop.fake.drop_next_write_answer_then_fail(20);
    let unknown = station.pausar(&ready(3), ARMADOR).await.expect_err("not known");
    assert_eq!(unknown.code(), ErrorCode::OutcomeUnknown);
    assert!(cell(&shop.fake.grid("Operaciones"), &ready(3), "Ocupado_Por").is_blank(), "it did land");
    let lock = shared_lock(&shop);
    assert!(lock.inspect(&[ready(3)]).await.expect("inspected")[0].is_some(), "the lock is kept");

    shop.fake.fail_next(0);
    let settled = station.pausar(&ready(3), ARMADOR).await.expect("the retry settles it");
    assert_eq!(settled.estado_detalle, "ARM pausado");
    assert_eq!(audit_kinds(&shop, &ready(3)), ["TOMAR_SPOOL", "PAUSAR_SPOOL"], "one PAUSAR row");
    assert!(lock.inspect(&[ready(3)]).await.expect("inspected")[0].is_none(), "and the lock is released");
}

#[tokio::test]
async fn a_tomar_whose_outcome_is_unknown_keeps_its_lock_and_a_retry_settles_it() {
    let shop = SheetsShop::start(fixture::standard_shop()).await;
    let station = shop.station(quick()).await;
    let lock = shared_lock(&shop);

    // Landed, answer lost, audit unreadable: the lock stays with the row that names its holder.
    shop.fake.drop_next_write_answer_then_fail(20);
    let unknown = station.tomar(&ready(4), ARMADOR, Operation::Arm).await.expect_err("not known");
    assert_eq!(unknown.code(), ErrorCode::OutcomeUnknown);
    shop.fake.fail_next(0);
    assert_eq!(cell(&shop.fake.grid("Operaciones"), &ready(4), "Ocupado_Por"), Cell::text("MR(93)"));
    let held = lock.inspect(&[ready(4)]).await.expect("inspected").remove(0).expect("the lock is kept");
    assert_eq!(held.holder.worker_id, ARMADOR);
    // While the lost write may still be landing its mark holds, so nothing can overtake it.
    let early = station.pausar(&ready(4), ARMADOR).await.expect_err("still in flight");
    assert_eq!(early.code(), ErrorCode::RowChanged);
    mark_ends(&lock, &ready(4)).await;
    station.pausar(&ready(4), ARMADOR).await.expect("the worker holds it and can pause it");

    // Not landed (the same faults, and the write undone as if it never arrived): a retry takes it once.
    let before = (shop.fake.grid("Operaciones"), shop.fake.grid("Metadata"));
    shop.fake.drop_next_write_answer_then_fail(20);
    let unknown = station.tomar(&ready(5), ARMADOR, Operation::Arm).await.expect_err("not known");
    assert_eq!(unknown.code(), ErrorCode::OutcomeUnknown);
    shop.fake.fail_next(0);
    shop.fake.edit("Operaciones", |grid| *grid = before.0.clone());
    shop.fake.edit("Metadata", |grid| *grid = before.1.clone());
    let early = station.tomar(&ready(5), ARMADOR, Operation::Arm).await.expect_err("still in flight");
    assert_eq!(early.code(), ErrorCode::SpoolOccupied, "the spool is being taken");
    mark_ends(&lock, &ready(5)).await;
    station.tomar(&ready(5), ARMADOR, Operation::Arm).await.expect("the retry takes it");
    assert_eq!(audit_kinds(&shop, &ready(5)), ["TOMAR_SPOOL"], "one TOMAR row");
    let held = lock.inspect(&[ready(5)]).await.expect("inspected").remove(0).expect("held");
    let version = cell(&shop.fake.grid("Operaciones"), &ready(5), "version");
    assert_eq!(version, Cell::Number(held.fence as f64), "row and lock carry the same grant");
}

#[tokio::test]
async fn a_release_whose_outcome_is_unknown_is_never_written_twice_from_another_station() {
    let shop = SheetsShop::start(fixture::standard_shop()).await;
    let here = shop.station(quick()).await;
    let there = shop.station(quick()).await;
    here.tomar(&ready(6), ARMADOR, Operation::Arm).await.expect("taken");
    there.list(&spooltrack_core::ListFilter::default()).await.expect("the other station keeps a copy");

    shop.fake.drop_next_write_answer_then_fail(12);
    let unknown = here.completar(&ready(6), ARMADOR, None).await.expect_err("not known");
    assert_eq!(unknown.code(), ErrorCode::OutcomeUnknown);
    shop.fake.fail_next(0);
    // The other station still has the row as occupied in its copy; its PAUSAR must not record a second end.
    let ended = there.pausar(&ready(6), ARMADOR).await.expect_err("the grant was already completed");
    assert_eq!(ended.code(), ErrorCode::NotOccupied);
    assert!(shared_lock(&shop).inspect(&[ready(6)]).await.expect("inspected")[0].is_none(), "and the lock is gone");
    assert_eq!(audit_kinds(&shop, &ready(6)), ["TOMAR_SPOOL", "COMPLETAR_ARM"], "one end of the grant");
}
