//! The behaviour suite of SPEC §3-4: one set of tests that every store and lock pair must pass, so the
//! embedded default, Google Sheets and Redis cannot drift apart. Backends instantiate it with
//! [`behaviour_suite!`](crate::behaviour_suite).

use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use spooltrack_core::Clock;
use spooltrack_core::{
    sessions_csv, ExportFilter, HeldLock, Holder, ListFilter, ListScope, LockToken, SessionEnd, SpoolState,
};
use spooltrack_domain::{audit::EventKind, schema::Tab, Cell, ErrorCode, Operation, SpoolError};

use crate::{
    fixture::{self, *},
    Backend, Harness,
};

mod hand_edits;
mod ownership;
mod pins;
pub use hand_edits::*;
pub use ownership::*;
pub use pins::*;

async fn standard(backend: &dyn Backend) -> Harness {
    Harness::start(backend, fixture::standard_shop()).await
}

fn code<T: std::fmt::Debug>(result: Result<T, SpoolError>) -> ErrorCode {
    result.expect_err("the action should be refused").code()
}

pub async fn tomar_writes_the_row_and_one_audit_row(backend: &dyn Backend) {
    let shop = standard(backend).await;
    let before = shop.audit_rows().await;
    let done = shop.service.tomar(&ready(1), ARMADOR, Operation::Arm).await.expect("taken");
    assert_eq!(done.estado_detalle, "MR(93) trabajando ARM");

    let row = shop.row(&ready(1)).await;
    assert_eq!(row["Ocupado_Por"], Cell::text("MR(93)"));
    assert_eq!(row["Fecha_Ocupacion"], Cell::text("07-03-2025 08:15:00"));
    assert_eq!(row["Estado_Detalle"], Cell::text("MR(93) trabajando ARM"));
    assert_eq!(row["Armador"], Cell::text("MR(93)"));
    assert!(matches!(row["version"], Cell::Number(fence) if fence >= 1.0));
    assert_eq!(shop.audit_rows().await, before + 1);
    let event = shop.events().await.pop().expect("an audit row");
    assert_eq!((event.kind, event.tag.as_str(), event.worker_id), (EventKind::TomarSpool, ready(1).as_str(), ARMADOR));
    assert_eq!(event.operation, Some(Operation::Arm));

    let status = shop.service.status(&ready(1)).await.expect("status");
    assert_eq!(status.ocupado_por.as_deref(), Some("MR(93)"));
    assert_eq!(status.operacion_en_curso, Some(Operation::Arm));
    assert_eq!(status.estacion.as_deref(), Some("estacion-A"));
}

pub async fn twenty_concurrent_tomar_have_exactly_one_winner(backend: &dyn Backend) {
    let shop = standard(backend).await;
    let mut stations = Vec::new();
    for id in CONTENDERS {
        stations.push((id, Arc::new(shop.station(&format!("estacion-{id}")).await)));
    }
    let tasks: Vec<_> = stations
        .into_iter()
        .map(|(id, station)| tokio::spawn(async move { (id, station.tomar(&ready(7), id, Operation::Arm).await) }))
        .collect();
    let mut winners = Vec::new();
    let mut losers = Vec::new();
    for task in tasks {
        match task.await.expect("task finished") {
            (id, Ok(_)) => winners.push(id),
            (_, Err(error)) => losers.push(error),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one winner");
    let holder = format!("AT({})", winners[0]);
    assert_eq!(losers.len(), 19);
    for error in losers {
        assert_eq!(error.code(), ErrorCode::SpoolOccupied);
        assert_eq!(error.holder(), Some(holder.as_str()), "every loser is told who holds it");
    }
    assert_eq!(shop.row(&ready(7)).await["Ocupado_Por"], Cell::text(holder));
    let takes = shop.events().await.into_iter().filter(|event| event.tag == ready(7)).count();
    assert_eq!(takes, 1);
}

pub async fn every_failed_check_has_its_own_code_and_writes_nothing(backend: &dyn Backend) {
    let shop = standard(backend).await;
    let service = &shop.service;
    assert_eq!(code(service.tomar(&ready(1), 999, Operation::Arm).await), ErrorCode::WorkerNotFound);
    assert_eq!(code(service.tomar(&ready(1), INACTIVE, Operation::Arm).await), ErrorCode::WorkerInactive);
    assert_eq!(code(service.tomar(&ready(1), SOLDADOR, Operation::Arm).await), ErrorCode::RoleNotAllowed);
    assert_eq!(code(service.tomar(&ready(1), METROLOGO, Operation::Sold).await), ErrorCode::RoleNotAllowed);
    assert_eq!(code(service.tomar("NO-EXISTE", ARMADOR, Operation::Arm).await), ErrorCode::SpoolNotFound);
    assert_eq!(code(service.tomar(NO_MATERIALS, ARMADOR, Operation::Arm).await), ErrorCode::PrerequisiteMissing);
    assert_eq!(code(service.tomar(ARM_DONE, ARMADOR, Operation::Arm).await), ErrorCode::AlreadyCompleted);
    assert_eq!(code(service.tomar(BOTH_DONE, SOLDADOR, Operation::Sold).await), ErrorCode::AlreadyCompleted);
    assert_eq!(code(service.tomar(&ready(1), SOLDADOR, Operation::Sold).await), ErrorCode::PrerequisiteMissing);
    assert_eq!(code(service.tomar(HELD_IN_SHEET, ARMADOR_SOLDADOR, Operation::Sold).await), ErrorCode::SpoolOccupied);
    assert_eq!(code(service.tomar(CORRUPT, ARMADOR, Operation::Arm).await), ErrorCode::DataCorrupt);
    assert_eq!(shop.store.writes(), 0, "no failed check reaches the store");
    assert_eq!(shop.audit_rows().await, 0);
    // Nothing was locked either: every spool is still free for a qualified worker.
    service.tomar(&ready(1), AYUDANTE, Operation::Arm).await.expect("still free");
    service.tomar(ARM_DONE, AYUDANTE, Operation::Sold).await.expect("ARM done, SOLD free");
}

pub async fn an_occupied_spool_names_its_holder_and_since_when(backend: &dyn Backend) {
    let shop = standard(backend).await;
    shop.service.tomar(&ready(2), ARMADOR, Operation::Arm).await.expect("taken");
    let error = shop.service.tomar(&ready(2), ARMADOR_SOLDADOR, Operation::Arm).await.expect_err("occupied");
    assert_eq!(error.code(), ErrorCode::SpoolOccupied);
    let details = error.details();
    assert_eq!(details.holder.as_deref(), Some("MR(93)"));
    assert_eq!(details.since.as_deref(), Some("07-03-2025 08:15:00"));
    let sheet_only = shop.service.tomar(HELD_IN_SHEET, ARMADOR_SOLDADOR, Operation::Sold).await.expect_err("occupied");
    assert_eq!(sheet_only.details().holder.as_deref(), Some("CP(101)"));
    assert_eq!(sheet_only.details().since.as_deref(), Some("01-01-2025 18:00:00"));
}

pub async fn completar_sold_writes_fecha_soldadura_and_never_fecha_armado(backend: &dyn Backend) {
    let shop = standard(backend).await;
    let armado_before = shop.row(ARM_DONE).await["Fecha_Armado"].clone();
    shop.service.tomar(ARM_DONE, SOLDADOR, Operation::Sold).await.expect("taken");
    let fecha = NaiveDate::from_ymd_opt(2025, 3, 6);
    let done = shop.service.completar(ARM_DONE, SOLDADOR, fecha).await.expect("completed");
    assert_eq!(done.estado_detalle, "SOLD completado");
    let row = shop.row(ARM_DONE).await;
    assert_eq!(row["Fecha_Soldadura"], Cell::text("06-03-2025"));
    assert_eq!(row["Fecha_Armado"], armado_before);
    assert_eq!(row["Soldador"], Cell::text("CP(101)"));
    assert!(row["Ocupado_Por"].is_blank() && row["Fecha_Ocupacion"].is_blank());
    assert_eq!(shop.events().await.pop().map(|event| event.kind), Some(EventKind::CompletarSold));
    // The spool is free and SOLD is finished for good.
    assert_eq!(
        code(shop.service.tomar(ARM_DONE, ARMADOR_SOLDADOR, Operation::Sold).await),
        ErrorCode::AlreadyCompleted
    );
}

pub async fn completar_arm_defaults_to_today(backend: &dyn Backend) {
    let shop = standard(backend).await;
    shop.service.tomar(&ready(3), ARMADOR, Operation::Arm).await.expect("taken");
    let done = shop.service.completar(&ready(3), ARMADOR, None).await.expect("completed");
    assert_eq!(done.estado_detalle, "ARM completado, SOLD pendiente");
    let row = shop.row(&ready(3)).await;
    assert_eq!(row["Fecha_Armado"], Cell::text("07-03-2025"));
    assert!(row["Fecha_Soldadura"].is_blank());
    assert_eq!(shop.events().await.pop().map(|event| event.kind), Some(EventKind::CompletarArm));
}

pub async fn a_failed_tomar_write_leaves_no_audit_row_and_no_lock(backend: &dyn Backend) {
    let shop = standard(backend).await;
    shop.store.fail_next_writes(1);
    let error = shop.service.tomar(&ready(4), ARMADOR, Operation::Arm).await.expect_err("write fails");
    assert_eq!(error.code(), ErrorCode::SheetsUnavailable);
    assert_eq!(shop.audit_rows().await, 0);
    assert!(shop.row(&ready(4)).await["Ocupado_Por"].is_blank());
    // The lock was given back: someone else takes the spool at once.
    shop.service.tomar(&ready(4), ARMADOR_SOLDADOR, Operation::Arm).await.expect("lock was released");
}

pub async fn a_failed_pausar_write_keeps_the_spool_with_its_holder(backend: &dyn Backend) {
    let shop = standard(backend).await;
    shop.service.tomar(&ready(5), ARMADOR, Operation::Arm).await.expect("taken");
    shop.store.fail_next_writes(1);
    assert_eq!(code(shop.service.pausar(&ready(5), ARMADOR).await), ErrorCode::SheetsUnavailable);
    assert_eq!(shop.row(&ready(5)).await["Ocupado_Por"], Cell::text("MR(93)"));
    assert_eq!(code(shop.service.tomar(&ready(5), ARMADOR_SOLDADOR, Operation::Arm).await), ErrorCode::SpoolOccupied);
    shop.service.pausar(&ready(5), ARMADOR).await.expect("the retry succeeds");
    assert_eq!(shop.audit_rows().await, 2, "one TOMAR and one PAUSAR, nothing from the failed try");
}

pub async fn only_the_holder_may_pause(backend: &dyn Backend) {
    let shop = standard(backend).await;
    assert_eq!(code(shop.service.pausar(&ready(6), ARMADOR).await), ErrorCode::NotOccupied);
    shop.service.tomar(&ready(6), ARMADOR, Operation::Arm).await.expect("taken");
    let error = shop.service.pausar(&ready(6), ARMADOR_SOLDADOR).await.expect_err("not the holder");
    assert_eq!(error.code(), ErrorCode::NotOwner);
    assert_eq!(error.holder(), Some("MR(93)"));
    assert_eq!(code(shop.service.completar(&ready(6), ARMADOR_SOLDADOR, None).await), ErrorCode::NotOwner);
    assert_eq!(code(shop.service.cancelar(&ready(6), ARMADOR_SOLDADOR).await), ErrorCode::NotOwner);
    let sheet_only = shop.service.pausar(HELD_IN_SHEET, ARMADOR).await.expect_err("held in the sheet by CP(101)");
    assert_eq!(sheet_only.holder(), Some("CP(101)"));
}

pub async fn pausar_frees_the_spool_and_keeps_the_previous_worker(backend: &dyn Backend) {
    let shop = standard(backend).await;
    shop.service.tomar(&ready(8), ARMADOR, Operation::Arm).await.expect("taken");
    let done = shop.service.pausar(&ready(8), ARMADOR).await.expect("paused");
    assert_eq!(done.estado_detalle, "ARM pausado");
    let row = shop.row(&ready(8)).await;
    assert!(row["Ocupado_Por"].is_blank() && row["Fecha_Ocupacion"].is_blank());
    assert_eq!(row["Armador"], Cell::text("MR(93)"));
    assert_eq!(shop.events().await.pop().map(|event| event.kind), Some(EventKind::PausarSpool));

    let status = shop.service.status(&ready(8)).await.expect("status");
    assert_eq!((status.pausado, status.trabajo_previo.as_deref()), (Some(Operation::Arm), Some("MR(93)")));
    // Immediately free for anyone qualified; the first worker stays recorded as Armador.
    shop.service.tomar(&ready(8), ARMADOR_SOLDADOR, Operation::Arm).await.expect("free again");
    assert_eq!(shop.row(&ready(8)).await["Armador"], Cell::text("MR(93)"));
    // A paused spool held in the sheet only (no lock) is paused by its holder too.
    shop.service.pausar(HELD_IN_SHEET, SOLDADOR).await.expect("holder per the sheet");
}

pub async fn cancelar_puts_the_row_back_as_it_was(backend: &dyn Backend) {
    let shop = standard(backend).await;
    let before = shop.row(ARM_DONE).await;
    shop.service.tomar(ARM_DONE, SOLDADOR, Operation::Sold).await.expect("taken");
    shop.service.cancelar(ARM_DONE, SOLDADOR).await.expect("cancelled");
    let after = shop.row(ARM_DONE).await;
    for column in ["Ocupado_Por", "Fecha_Ocupacion", "Estado_Detalle", "Soldador", "Armador", "Fecha_Armado"] {
        assert_eq!(after[column].display(), before[column].display(), "{column} restored");
    }
    assert_eq!(shop.events().await.pop().map(|event| event.kind), Some(EventKind::CancelarSpool));
    shop.service.tomar(ARM_DONE, ARMADOR_SOLDADOR, Operation::Sold).await.expect("free again");
}

/// Each spool of a CANCELAR batch goes back as its own TOMAR found it (one a first ARM, one an ARM on a spool
/// paused before by someone else), in one write; a spool nobody holds fails alone.
pub async fn cancelar_in_batch_puts_each_row_back_in_one_write(backend: &dyn Backend) {
    let shop = standard(backend).await;
    let (fresh, paused) = (ready(9), ready(10));
    shop.service.tomar(&paused, ARMADOR_SOLDADOR, Operation::Arm).await.expect("taken");
    shop.service.pausar(&paused, ARMADOR_SOLDADOR).await.expect("paused");
    let before = [shop.row(&fresh).await, shop.row(&paused).await];
    shop.service.tomar_batch(&[fresh.clone(), paused.clone()], ARMADOR, Operation::Arm).await.expect("taken");

    let writes = shop.store.writes();
    let tags = [fresh.clone(), paused.clone(), ready(11)];
    let outcome = shop.service.cancelar_batch(&tags, ARMADOR).await.expect("batch ran");
    assert_eq!((outcome.succeeded, outcome.failed), (2, 1));
    assert_eq!(outcome.details[2].code, Some(ErrorCode::NotOccupied));
    assert_eq!(shop.store.writes() - writes, 1, "one store write for the whole batch");
    for (tag, before) in [&fresh, &paused].into_iter().zip(before) {
        let after = shop.row(tag).await;
        for column in ["Ocupado_Por", "Fecha_Ocupacion", "Estado_Detalle", "Armador"] {
            assert_eq!(after[column].display(), before[column].display(), "{tag}: {column} restored");
        }
    }
}

pub async fn a_batch_succeeds_or_fails_spool_by_spool_in_one_write(backend: &dyn Backend) {
    let shop = standard(backend).await;
    let other = shop.station("estacion-B").await;
    other.tomar(&ready(12), ARMADOR_SOLDADOR, Operation::Arm).await.expect("taken elsewhere");
    other.tomar(&ready(15), ARMADOR_SOLDADOR, Operation::Arm).await.expect("taken elsewhere");
    let mut tags = ready_tags(8);
    tags.extend([ready(12), ready(15), NO_MATERIALS.to_string()]);
    tags.remove(0);

    let (reads, writes) = (shop.store.reads(), shop.store.writes());
    let outcome = shop.service.tomar_batch(&tags, ARMADOR, Operation::Arm).await.expect("batch ran");
    assert_eq!((outcome.total, outcome.succeeded, outcome.failed), (10, 7, 3));
    assert_eq!(shop.store.writes() - writes, 1, "one store write for the whole batch");
    assert_eq!(shop.store.reads() - reads, 1, "one store read for the whole batch");
    let failed: Vec<_> = outcome.details.iter().filter(|entry| !entry.success).collect();
    assert_eq!(failed[0].code, Some(ErrorCode::SpoolOccupied));
    assert_eq!(failed[0].holder.as_deref(), Some("NR(94)"));
    assert_eq!(failed[2].code, Some(ErrorCode::PrerequisiteMissing));
    let events = shop.events().await;
    assert_eq!(events.iter().filter(|event| event.worker_id == ARMADOR).count(), 7);

    let paused = shop.service.pausar_batch(&tags[..7], ARMADOR).await.expect("batch ran");
    assert_eq!(paused.succeeded, 7);
    let completed = shop.service.completar_batch(&[ready(12), ready(15)], ARMADOR_SOLDADOR, None).await.expect("ran");
    assert_eq!(completed.succeeded, 2);
}

pub async fn malformed_batches_are_refused_before_any_work(backend: &dyn Backend) {
    let shop = standard(backend).await;
    let service = &shop.service;
    assert_eq!(code(service.tomar_batch(&[], ARMADOR, Operation::Arm).await), ErrorCode::InvalidInput);
    assert_eq!(code(service.tomar_batch(&ready_tags(51), ARMADOR, Operation::Arm).await), ErrorCode::BatchTooLarge);
    let repeated = vec![ready(1), ready(2), ready(1)];
    assert_eq!(code(service.tomar_batch(&repeated, ARMADOR, Operation::Arm).await), ErrorCode::DuplicateTags);
    assert_eq!(code(service.pausar_batch(&repeated, ARMADOR).await), ErrorCode::DuplicateTags);
    assert_eq!((shop.store.reads(), shop.store.writes()), (0, 0));
    let fifty = service.tomar_batch(&ready_tags(50), ARMADOR, Operation::Arm).await.expect("fifty is allowed");
    assert_eq!(fifty.succeeded, 50);
}

pub async fn force_release_needs_a_supervisor_and_a_reason(backend: &dyn Backend) {
    let shop = standard(backend).await;
    shop.service.tomar(&ready(9), ARMADOR, Operation::Arm).await.expect("taken");
    assert_eq!(
        code(shop.service.liberar(&ready(9), ARMADOR_SOLDADOR, "se fue", SUPERVISOR_PIN).await),
        ErrorCode::RoleNotAllowed
    );
    assert_eq!(code(shop.service.liberar(&ready(9), SUPERVISOR, "  ", SUPERVISOR_PIN).await), ErrorCode::InvalidInput);
    assert_eq!(
        code(shop.service.liberar(&ready(10), SUPERVISOR, "nadie", SUPERVISOR_PIN).await),
        ErrorCode::NotOccupied
    );

    shop.service.liberar(&ready(9), SUPERVISOR, "terminó el turno", SUPERVISOR_PIN).await.expect("released");
    let event = shop.events().await.pop().expect("audited");
    assert_eq!((event.kind, event.worker_id), (EventKind::LiberacionForzada, SUPERVISOR));
    assert_eq!(event.metadata["motivo"], "terminó el turno");
    assert_eq!(event.metadata["holder_anterior"], "MR(93)");
    assert!(shop.row(&ready(9)).await["Ocupado_Por"].is_blank());
    // The old holder's late PAUSAR finds nothing to pause; the spool is free for others.
    assert_eq!(code(shop.service.pausar(&ready(9), ARMADOR).await), ErrorCode::NotOccupied);
    shop.service.tomar(&ready(9), ARMADOR_SOLDADOR, Operation::Arm).await.expect("free");
    // A spool held only in the sheet is released too.
    shop.service.liberar(HELD_IN_SHEET, SUPERVISOR, "sin bloqueo", SUPERVISOR_PIN).await.expect("released");
}

pub async fn a_holder_force_released_while_writing_is_refused(backend: &dyn Backend) {
    let shop = standard(backend).await;
    shop.service.tomar_batch(&[ready(11), ready(12)], ARMADOR, Operation::Arm).await.expect("taken");
    let supervisor = Arc::new(shop.station("estacion-supervisor").await);
    shop.store.before_next_write(Box::new(move || {
        Box::pin(async move {
            supervisor
                .liberar(&ready(11), SUPERVISOR, "se fue a casa", SUPERVISOR_PIN)
                .await
                .expect("released meanwhile");
        })
    }));
    let outcome = shop.service.pausar_batch(&[ready(11), ready(12)], ARMADOR).await.expect("batch ran");
    assert_eq!(outcome.details[0].code, Some(ErrorCode::LockLost), "the in-flight write of the released spool");
    assert!(outcome.details[1].success, "the other spool is paused as asked");

    let row = shop.row(&ready(11)).await;
    assert_eq!(row["Estado_Detalle"], Cell::text("ARM liberado por supervisor"), "the row keeps the new state");
    assert!(row["Ocupado_Por"].is_blank());
    let kinds: Vec<EventKind> =
        shop.events().await.into_iter().filter(|event| event.tag == ready(11)).map(|event| event.kind).collect();
    assert_eq!(kinds, vec![EventKind::TomarSpool, EventKind::LiberacionForzada], "no PAUSAR of the old holder");
    assert_eq!(shop.row(&ready(12)).await["Estado_Detalle"], Cell::text("ARM pausado"));
}

pub async fn a_column_inserted_before_ocupado_por_changes_nothing(backend: &dyn Backend) {
    let mut layout = fixture::standard_shop();
    let position = layout.operaciones.header.iter().position(|name| name == "Ocupado_Por").expect("column");
    layout.operaciones.insert_column(position, "Observaciones");
    let shop = Harness::start(backend, layout).await;
    shop.service.tomar(&ready(1), ARMADOR, Operation::Arm).await.expect("taken");
    let row = shop.row(&ready(1)).await;
    assert_eq!(row["Ocupado_Por"], Cell::text("MR(93)"));
    assert!(row["Observaciones"].is_blank(), "the inserted column is never written");
    let status = shop.service.status(HELD_IN_SHEET).await.expect("status");
    assert_eq!(status.ocupado_por.as_deref(), Some("CP(101)"));
}

pub async fn a_missing_critical_column_is_schema_drift_and_nothing_is_written(backend: &dyn Backend) {
    let mut layout = fixture::standard_shop();
    let position = layout.operaciones.header.iter().position(|name| name == "Fecha_Ocupacion").expect("column");
    layout.operaciones.header[position] = "Fecha Ocupación Antigua".into();
    let shop = Harness::start(backend, layout).await;
    let error = shop.service.tomar(&ready(1), ARMADOR, Operation::Arm).await.expect_err("drift");
    assert_eq!(error, SpoolError::SchemaDrift { tab: "Operaciones".into(), column: "Fecha_Ocupacion".into() });
    assert_eq!(code(shop.service.status(&ready(1)).await), ErrorCode::SchemaDrift);
    assert_eq!(shop.store.writes(), 0);
}

pub async fn a_known_column_twice_is_schema_drift_and_nothing_is_written(backend: &dyn Backend) {
    let mut layout = fixture::standard_shop();
    layout.operaciones.insert_column(1, "Ocupado Por");
    let shop = Harness::start(backend, layout).await;
    let error = shop.service.tomar(&ready(1), ARMADOR, Operation::Arm).await.expect_err("which column?");
    assert_eq!(error.code(), ErrorCode::SchemaDrift);
    assert!(error.to_string().contains("dos veces") && error.to_string().contains("Ocupado_Por"), "{error}");
    assert_eq!(shop.store.writes(), 0);
}

pub async fn doctor_says_when_rows_cannot_carry_the_fence(backend: &dyn Backend) {
    let fenced = standard(backend).await.service.doctor().await;
    let check = |report: &spooltrack_core::DoctorReport| {
        report.checks.iter().find(|check| check.name == "cercado de escrituras").cloned().expect("checked")
    };
    assert!(check(&fenced).ok, "{fenced:?}");

    let mut layout = fixture::standard_shop();
    let position = layout.operaciones.header.iter().position(|name| name == "version").expect("column");
    layout.operaciones.header[position] = "Notas".into();
    let unfenced = Harness::start(backend, layout).await.service.doctor().await;
    assert!(!check(&unfenced).ok && check(&unfenced).detail.contains("version"), "{unfenced:?}");
    assert!(!unfenced.ok, "doctor says so");
}

pub async fn dates_in_any_format_read_back(backend: &dyn Backend) {
    let shop = standard(backend).await;
    let held = shop.service.status(HELD_IN_SHEET).await.expect("status");
    assert_eq!(held.ocupado_desde.as_deref(), Some("01-01-2025 18:00:00"), "serial Fecha_Ocupacion");
    let done = shop.service.status(BOTH_DONE).await.expect("status");
    assert_eq!(done.fecha_materiales.as_deref(), Some("01-12-2024"));
    assert_eq!(done.fecha_armado.as_deref(), Some("03-01-2025"));
    assert_eq!(done.fecha_soldadura.as_deref(), Some("05-01-2025"));
    assert_eq!(shop.service.status(ARM_DONE).await.expect("status").fecha_armado.as_deref(), Some("03-01-2025"));
}

pub async fn a_corrupt_cell_is_data_corrupt_never_not_found(backend: &dyn Backend) {
    let shop = standard(backend).await;
    let error = shop.service.status(CORRUPT).await.expect_err("corrupt");
    assert_eq!(
        error,
        SpoolError::DataCorrupt { tag: CORRUPT.into(), column: "Fecha_Materiales".into(), raw: "ayer".into() }
    );
    let listed = shop.service.list(&ListFilter::default()).await.expect("list");
    let entry = listed.iter().find(|view| view.tag == CORRUPT).expect("still listed");
    assert_eq!(entry.problema.as_ref().map(|problem| problem.code), Some(ErrorCode::DataCorrupt));
    assert_eq!(code(shop.service.tomar(CORRUPT, ARMADOR, Operation::Arm).await), ErrorCode::DataCorrupt);
}

/// The state a list shows and whether a spool can be ticked to take it are the core's answer, the same for the
/// window and the CLI: an unreadable row before all, then its holder, then a paused operation, else free.
pub async fn each_listed_spool_says_its_state_and_whether_it_can_be_taken(backend: &dyn Backend) {
    let shop = standard(backend).await;
    shop.service.tomar(&ready(1), ARMADOR, Operation::Arm).await.expect("taken");
    shop.service.tomar(&ready(2), ARMADOR, Operation::Arm).await.expect("taken");
    shop.service.pausar(&ready(2), ARMADOR).await.expect("paused");
    shop.service.tomar(&ready(3), ARMADOR, Operation::Arm).await.expect("taken");
    shop.service.pausar(&ready(3), ARMADOR).await.expect("paused");
    shop.service.tomar(&ready(3), ARMADOR_SOLDADOR, Operation::Arm).await.expect("taken again");
    let listed = shop.service.list(&ListFilter::default()).await.expect("list");
    let state = |tag: &str| {
        let view = listed.iter().find(|view| view.tag == tag).unwrap_or_else(|| panic!("{tag} listed"));
        (view.estado, view.tomable)
    };
    assert_eq!(state(&ready(1)), (SpoolState::Ocupado, false));
    assert_eq!(state(&ready(2)), (SpoolState::Pausado, true));
    // Held again after a pause: its holder comes first.
    assert_eq!(state(&ready(3)), (SpoolState::Ocupado, false));
    assert_eq!(state(&ready(4)), (SpoolState::Libre, true));
    assert_eq!(state(CORRUPT), (SpoolState::Problema, false));
}

/// How long a holder has had a spool, in real minutes as of the answer, for the board's "hace 1 h 15 min".
pub async fn an_occupied_spool_says_for_how_long(backend: &dyn Backend) {
    let shop = standard(backend).await;
    shop.service.tomar(&ready(1), ARMADOR, Operation::Arm).await.expect("taken");
    shop.clock.advance(Duration::minutes(75));
    let board = shop.service.list(&ListFilter { scope: ListScope::Occupied, ..ListFilter::default() }).await;
    let view = board.expect("board").into_iter().find(|view| view.tag == ready(1)).expect("on the board");
    assert_eq!(view.ocupado_minutos, Some(75));
    let free = shop.service.status(&ready(2)).await.expect("status");
    assert_eq!(free.ocupado_minutos, None);
}

/// The board's *Trabajadores*: who holds what (the sheet's own occupations included, known by the id in the
/// row), the busiest first, then everyone who could work and holds nothing; nobody inactive, nobody whose roles
/// take no spools.
pub async fn the_crew_says_who_works_on_what_and_who_holds_nothing(backend: &dyn Backend) {
    let shop = standard(backend).await;
    shop.service.tomar(&ready(1), ARMADOR, Operation::Arm).await.expect("taken");
    shop.clock.advance(Duration::minutes(10));
    shop.service.tomar(&ready(2), ARMADOR, Operation::Arm).await.expect("taken");
    let crew = shop.service.crew().await.expect("crew");
    let of = |id: u32| crew.iter().find(|member| member.worker.id == id);
    let tags = |id: u32| of(id).map(|member| member.spools.iter().map(|view| view.tag.clone()).collect::<Vec<_>>());
    assert_eq!(tags(ARMADOR), Some(vec![ready(1), ready(2)]), "the longest held first");
    assert_eq!(tags(SOLDADOR), Some(vec![HELD_IN_SHEET.to_string()]), "an occupation only the sheet knows");
    assert_eq!(tags(ARMADOR_SOLDADOR), Some(vec![]), "listed though holding nothing");
    assert!(of(INACTIVE).is_none() && of(SUPERVISOR).is_none() && of(METROLOGO).is_none(), "{crew:?}");
    let holding: Vec<bool> = crew.iter().map(|member| !member.spools.is_empty()).collect();
    assert!(holding.windows(2).all(|pair| pair[0] >= pair[1]), "those holding spools come first: {holding:?}");
}

/// The board's *Pausados*: each paused spool with who paused it and for how long it has waited (from its last
/// PAUSAR), the longest waiting first; taken again, it is no longer paused.
pub async fn paused_spools_say_who_paused_them_and_since_when(backend: &dyn Backend) {
    let shop = standard(backend).await;
    for tag in [ready(1), ready(2)] {
        shop.service.tomar(&tag, ARMADOR, Operation::Arm).await.expect("taken");
    }
    shop.service.pausar(&ready(1), ARMADOR).await.expect("paused");
    shop.clock.advance(Duration::minutes(30));
    shop.service.pausar(&ready(2), ARMADOR).await.expect("paused");
    shop.clock.advance(Duration::minutes(15));
    let paused = shop.service.paused().await.expect("paused");
    let summary: Vec<(String, Option<String>, Option<u32>)> = paused
        .iter()
        .map(|entry| (entry.spool.tag.clone(), entry.pausado_por.clone(), entry.pausado_minutos))
        .collect();
    assert_eq!(
        summary,
        [(ready(1), Some("MR(93)".into()), Some(45)), (ready(2), Some("MR(93)".into()), Some(15))],
        "the longest waiting first"
    );
    assert_eq!(paused[0].pausado_desde.as_deref(), Some("07-03-2025 08:15:00"));
    shop.service.tomar(&ready(1), ARMADOR_SOLDADOR, Operation::Arm).await.expect("taken again");
    let tags: Vec<String> =
        shop.service.paused().await.expect("paused").into_iter().map(|entry| entry.spool.tag).collect();
    assert_eq!(tags, [ready(2)]);
}

/// The day's work out of the audit: a session across midnight belongs to both days, a spool taken twice gives
/// two sessions each with its own worker, a session in progress counts up to now, and the CSV carries it all.
pub async fn an_export_holds_the_sessions_of_the_days_asked_across_midnight(backend: &dyn Backend) {
    let shop = standard(backend).await;
    let day = |day: u32| NaiveDate::from_ymd_opt(2025, 3, day).expect("a date");
    let export = |desde: u32, hasta: u32, worker: Option<u32>| {
        let filter = ExportFilter { desde: day(desde), hasta: day(hasta), operation: None, worker };
        let service = &shop.service;
        async move { service.export_sessions(&filter).await.expect("exported") }
    };
    // The clock starts at 07-03-2025 08:15: the first session runs from 22:30 to 01:15 the next day.
    shop.clock.advance(Duration::minutes(14 * 60 + 15));
    shop.service.tomar(&ready(1), ARMADOR, Operation::Arm).await.expect("taken");
    shop.clock.advance(Duration::minutes(165));
    shop.service.pausar(&ready(1), ARMADOR).await.expect("paused");
    shop.clock.advance(Duration::minutes(30));
    shop.service.tomar(&ready(1), ARMADOR_SOLDADOR, Operation::Arm).await.expect("taken again");

    let first_day = export(7, 7, None).await;
    assert_eq!(first_day.len(), 1, "{first_day:?}");
    let session = &first_day[0].session;
    assert_eq!((first_day[0].tag.as_str(), session.worker.as_str()), (ready(1).as_str(), "MR(93)"));
    assert_eq!(
        (session.desde.as_str(), session.hasta.as_deref()),
        ("07-03-2025 22:30:00", Some("08-03-2025 01:15:00"))
    );
    assert_eq!((session.duracion_minutos, session.fin), (Some(165), SessionEnd::Pausado));
    let second_day = export(8, 8, None).await;
    let workers: Vec<&str> = second_day.iter().map(|shop_session| shop_session.session.worker.as_str()).collect();
    assert_eq!(workers, ["MR(93)", "NR(94)"]);
    assert_eq!(second_day[1].session.fin, SessionEnd::EnCurso);
    assert!(export(9, 9, None).await.is_empty(), "a session in progress reaches up to now, not later");
    let theirs = export(7, 8, Some(ARMADOR_SOLDADOR)).await;
    assert_eq!(
        theirs.iter().map(|shop_session| shop_session.session.worker_id).collect::<Vec<_>>(),
        [ARMADOR_SOLDADOR]
    );
    let backwards = ExportFilter { desde: day(8), hasta: day(7), operation: None, worker: None };
    assert_eq!(code(shop.service.export_sessions(&backwards).await), ErrorCode::InvalidInput);

    let csv = String::from_utf8(sessions_csv(&second_day)).expect("UTF-8");
    let rows: Vec<&str> = csv.strip_prefix('\u{feff}').expect("a byte-order mark for Excel").split("\r\n").collect();
    assert!(rows[0].starts_with("TAG_SPOOL;NV;OT;Operación;Trabajador;Fecha inicio;Hora inicio;"), "{}", rows[0]);
    let first: Vec<&str> = rows[1].split(';').collect();
    assert_eq!(first[..2], [ready(1).as_str(), "NV-100"]);
    assert_eq!(first[3..11], ["ARM", "MR(93)", "07-03-2025", "22:30:00", "08-03-2025", "01:15:00", "165", "Pausado"]);
}

/// The progress bars' numbers: each spool in one stage, the parts of a bar adding up to its spools, an OT's
/// bars adding up to their NV's, every spool of the shop in some NV, and each action moving one spool along.
pub async fn progress_counts_each_spool_once_in_the_stage_it_reached(backend: &dyn Backend) {
    let shop = standard(backend).await;
    let nv_100 = || async {
        let orders = shop.service.progress().await.expect("progress");
        let listed = shop.service.list(&ListFilter::default()).await.expect("list").len() as u32;
        assert_eq!(orders.iter().map(|order| order.counts.total).sum::<u32>(), listed, "every spool in some NV");
        for order in &orders {
            let counts = order.counts;
            let parts = counts.pendientes
                + counts.arm_en_curso
                + counts.arm_hecho
                + counts.sold_en_curso
                + counts.sold_hecho
                + counts.ilegibles;
            assert_eq!(parts, counts.total, "{order:?}");
            assert_eq!(order.ots.iter().map(|ot| ot.counts.total).sum::<u32>(), counts.total, "{order:?}");
        }
        orders.into_iter().find(|order| order.nv.as_deref() == Some("NV-100")).expect("NV-100").counts
    };
    let before = nv_100().await;
    shop.service.tomar(&ready(1), ARMADOR, Operation::Arm).await.expect("taken");
    let taken = nv_100().await;
    assert_eq!((taken.pendientes, taken.arm_en_curso), (before.pendientes - 1, before.arm_en_curso + 1));
    shop.service.completar(&ready(1), ARMADOR, None).await.expect("assembled");
    let assembled = nv_100().await;
    assert_eq!((assembled.arm_en_curso, assembled.arm_hecho), (before.arm_en_curso, before.arm_hecho + 1));
    shop.service.tomar(&ready(1), ARMADOR_SOLDADOR, Operation::Sold).await.expect("welding");
    let welding = nv_100().await;
    assert_eq!((welding.arm_hecho, welding.sold_en_curso), (before.arm_hecho, before.sold_en_curso + 1));
    shop.service.completar(&ready(1), ARMADOR_SOLDADOR, None).await.expect("welded");
    let welded = nv_100().await;
    assert_eq!(
        (welded.sold_en_curso, welded.sold_hecho, welded.total),
        (before.sold_en_curso, before.sold_hecho + 1, before.total)
    );
}

pub async fn lists_answer_available_occupied_and_mine(backend: &dyn Backend) {
    let shop = standard(backend).await;
    shop.service.tomar(&ready(1), ARMADOR, Operation::Arm).await.expect("taken");
    shop.service.tomar(&ready(40), ARMADOR, Operation::Arm).await.expect("taken");
    let service = &shop.service;
    let list = |filter: ListFilter| async move { service.list(&filter).await.expect("list") };
    let tags = |views: Vec<spooltrack_core::SpoolView>| views.into_iter().map(|view| view.tag).collect::<Vec<_>>();

    let available = tags(
        list(ListFilter { operation: Some(Operation::Arm), scope: ListScope::Available, ..Default::default() }).await,
    );
    assert_eq!(available.len(), READY_SPOOLS - 2);
    assert!(!available.contains(&ready(1)) && !available.contains(&NO_MATERIALS.to_string()));
    let needing_arm = tags(list(ListFilter { operation: Some(Operation::Arm), ..Default::default() }).await);
    assert!(needing_arm.contains(&ready(1)), "occupied spools stay in the list, to be greyed out");
    let sold = tags(
        list(ListFilter { operation: Some(Operation::Sold), scope: ListScope::Available, ..Default::default() }).await,
    );
    assert_eq!(sold, vec![ARM_DONE.to_string()]);

    let board = list(ListFilter { scope: ListScope::Occupied, ..Default::default() }).await;
    assert_eq!(tags(board.clone()), vec![ready(1), ready(40), HELD_IN_SHEET.to_string()]);
    assert_eq!(board[2].operacion_en_curso, Some(Operation::Sold));
    assert_eq!(
        tags(list(ListFilter { scope: ListScope::Worker(ARMADOR), ..Default::default() }).await),
        vec![ready(1), ready(40)]
    );

    let nv =
        list(ListFilter { scope: ListScope::Worker(ARMADOR), nv: Some("nv-200".into()), ..Default::default() }).await;
    assert_eq!(tags(nv), vec![ready(40)]);
    let text = list(ListFilter { text: Some("s-05".into()), ..Default::default() }).await;
    assert_eq!(text.len(), 10);
    assert_eq!(list(ListFilter { ot: Some("OT-4".into()), ..Default::default() }).await.len(), 10);
}

pub async fn history_is_rebuilt_as_sessions_from_the_audit(backend: &dyn Backend) {
    let shop = standard(backend).await;
    let tag = ready(20);
    shop.service.tomar(&tag, ARMADOR, Operation::Arm).await.expect("taken");
    shop.clock.advance(Duration::minutes(30));
    shop.service.pausar(&tag, ARMADOR).await.expect("paused");
    shop.clock.advance(Duration::minutes(10));
    shop.service.tomar(&tag, ARMADOR_SOLDADOR, Operation::Arm).await.expect("taken again");
    shop.clock.advance(Duration::hours(2));
    shop.service.completar(&tag, ARMADOR_SOLDADOR, None).await.expect("completed");
    shop.service.tomar(&tag, SOLDADOR, Operation::Sold).await.expect("sold taken");
    shop.clock.advance(Duration::minutes(5));
    shop.service.liberar(&tag, SUPERVISOR, "cambio de turno", SUPERVISOR_PIN).await.expect("released");
    shop.service.tomar(&tag, SOLDADOR, Operation::Sold).await.expect("sold again");

    let sessions = shop.service.history(&tag).await.expect("history");
    let summary: Vec<_> =
        sessions.iter().map(|s| (s.worker.as_str(), s.operation, s.duracion_minutos, s.fin)).collect();
    assert_eq!(
        summary,
        vec![
            ("MR(93)", Some(Operation::Arm), Some(30), SessionEnd::Pausado),
            ("NR(94)", Some(Operation::Arm), Some(120), SessionEnd::Completado),
            ("CP(101)", Some(Operation::Sold), Some(5), SessionEnd::Liberado),
            ("CP(101)", Some(Operation::Sold), None, SessionEnd::EnCurso),
        ]
    );
    assert_eq!(sessions[0].desde, "07-03-2025 08:15:00");
    assert_eq!(sessions[0].hasta.as_deref(), Some("07-03-2025 08:45:00"));
    assert_eq!(sessions[2].nota.as_deref(), Some("CR(109): cambio de turno"));
    assert_eq!(code(shop.service.history("NO-EXISTE").await), ErrorCode::SpoolNotFound);
}

/// The board's *Actividad*: the shop's latest events from every station, newest first, each with who (as the
/// shop names them), where, how long ago and why; never more than the feed shows.
pub async fn the_activity_lists_the_shop_s_latest_events_newest_first(backend: &dyn Backend) {
    let shop = standard(backend).await;
    let other = shop.station("estacion-B").await;
    shop.service.tomar(&ready(20), ARMADOR, Operation::Arm).await.expect("taken");
    shop.clock.advance(Duration::minutes(30));
    other.pausar(&ready(20), ARMADOR).await.expect("paused at B");
    shop.clock.advance(Duration::minutes(5));
    other.tomar(&ready(21), ARMADOR_SOLDADOR, Operation::Arm).await.expect("taken at B");
    shop.clock.advance(Duration::minutes(1));
    shop.service.liberar(&ready(21), SUPERVISOR, "cambio de turno", SUPERVISOR_PIN).await.expect("released");
    shop.clock.advance(Duration::minutes(10));

    let activity = shop.service.activity().await.expect("activity");
    // The first action rebuilds the locks of spools held in the sheet, on a lock service that lost them.
    let summary: Vec<_> = activity
        .iter()
        .filter(|entry| entry.evento != EventKind::Reconciliacion)
        .map(|entry| (entry.evento, entry.tag.clone(), entry.worker.as_str(), entry.estacion.as_deref(), entry.minutos))
        .collect();
    assert_eq!(
        summary,
        vec![
            (EventKind::LiberacionForzada, ready(21), "CR(109)", Some("estacion-A"), 10),
            (EventKind::TomarSpool, ready(21), "NR(94)", Some("estacion-B"), 11),
            (EventKind::PausarSpool, ready(20), "MR(93)", Some("estacion-B"), 16),
            (EventKind::TomarSpool, ready(20), "MR(93)", Some("estacion-A"), 46),
        ]
    );
    assert_eq!(activity[0].nota.as_deref(), Some("cambio de turno"));
    assert_eq!(activity[0].operation, Some(Operation::Arm));
    let first = activity.iter().find(|entry| entry.evento == EventKind::TomarSpool && entry.tag == ready(20));
    assert_eq!(first.expect("listed").cuando, "07-03-2025 08:15:00");

    let many = ready_tags(READY_SPOOLS).split_off(30);
    shop.service.tomar_batch(&many, ARMADOR, Operation::Arm).await.expect("taken in batch");
    shop.clock.advance(Duration::minutes(1));
    shop.service.pausar_batch(&many, ARMADOR).await.expect("paused in batch");
    let activity = shop.service.activity().await.expect("activity");
    assert_eq!(activity.len(), spooltrack_core::ACTIVITY_LIMIT);
    assert!(activity.iter().take(30).all(|entry| entry.evento == EventKind::PausarSpool), "the newest first");
}

pub async fn two_stations_see_each_other(backend: &dyn Backend) {
    let shop = standard(backend).await;
    let other = shop.station("estacion-B").await;
    other.tomar(&ready(30), ARMADOR, Operation::Arm).await.expect("taken at B");
    let seen = shop.service.status(&ready(30)).await.expect("status at A");
    assert_eq!((seen.ocupado_por.as_deref(), seen.estacion.as_deref()), (Some("MR(93)"), Some("estacion-B")));
    // The holder may pause from any station.
    shop.service.pausar(&ready(30), ARMADOR).await.expect("paused at A");
    assert!(other.status(&ready(30)).await.expect("status at B").ocupado_por.is_none());
}

pub async fn a_silent_station_shows_on_the_board_and_keeps_its_spools(backend: &dyn Backend) {
    let shop = standard(backend).await;
    let (b, c) = (shop.station("estacion-B").await, shop.station("estacion-C").await);
    shop.service.heartbeat().await.expect("A beats");
    b.heartbeat().await.expect("B beats");
    shop.service.tomar(&ready(21), ARMADOR, Operation::Arm).await.expect("taken at A");
    b.tomar(&ready(22), ARMADOR_SOLDADOR, Operation::Arm).await.expect("taken at B");
    c.tomar(&ready(23), ARMADOR_SOLDADOR, Operation::Arm).await.expect("taken at C, which never beats");
    let service = &shop.service;
    let silence = |tag: String| async move { service.status(&tag).await.expect("status").estacion_sin_senal_desde };
    assert_eq!(silence(ready(21)).await, None);
    assert_eq!(silence(ready(22)).await, None);
    assert_eq!(silence(ready(23)).await.as_deref(), Some("07-03-2025 08:15:00"), "silent since it took the spool");

    shop.clock.advance(Duration::minutes(2));
    shop.service.heartbeat().await.expect("A beats again, B does not");
    assert_eq!(silence(ready(21)).await, None);
    assert_eq!(silence(ready(22)).await.as_deref(), Some("07-03-2025 08:15:00"), "B's last beat");
    // Silence never frees a spool.
    assert_eq!(code(shop.service.tomar(&ready(22), ARMADOR, Operation::Arm).await), ErrorCode::SpoolOccupied);
}

pub async fn the_reconciler_rebuilds_lost_locks_and_releases_stale_ones(backend: &dyn Backend) {
    let shop = standard(backend).await;
    let lock = shop.lock().await;
    let stray = |tag: String, worker_id| {
        let since = shop.clock.now().with_timezone(&chrono_tz::America::Santiago).naive_local();
        let holder =
            Holder { worker_id, worker: "MR(93)".into(), operation: Operation::Arm, station: "X".into(), since };
        (tag, holder)
    };
    // Ages are the lock service's own (stations' clocks differ): a lock granted three minutes ago is staged.
    let (tag, holder) = stray(ready(31), ARMADOR);
    let age = std::time::Duration::from_secs(180);
    let old = HeldLock { holder, token: LockToken::random(), fence: 1, age, writing: false };
    assert!(lock.restore(&tag, &old).await.expect("staged"), "a lock whose row never got written");
    shop.clock.advance(Duration::minutes(3));
    lock.acquire(&[stray(ready(32), ARMADOR)]).await.expect("a lock of a TOMAR still writing its row");
    let audit_before = shop.audit_rows().await;

    let report = shop.service.reconcile().await.expect("reconciled");
    assert_eq!(report.released, vec![ready(31)], "stale lock released, the young one left alone");
    assert_eq!(report.rebuilt, vec![HELD_IN_SHEET.to_string()], "the occupied row got its lock back");
    assert_eq!(shop.audit_rows().await, audit_before + 2, "each correction audited");
    assert!(shop.events().await.iter().rev().take(2).all(|event| event.kind == EventKind::Reconciliacion));

    // The rebuilt lock guards the spool, and its holder can still pause it (the row carries the new fence).
    assert_eq!(
        code(shop.service.tomar(HELD_IN_SHEET, ARMADOR_SOLDADOR, Operation::Sold).await),
        ErrorCode::SpoolOccupied
    );
    shop.service.pausar(HELD_IN_SHEET, SOLDADOR).await.expect("the holder pauses");
    shop.service.tomar(&ready(31), ARMADOR_SOLDADOR, Operation::Arm).await.expect("free again");

    let again = shop.service.reconcile().await.expect("reconciled again");
    assert_eq!((again.released.len(), again.rebuilt.len(), again.lock_data_lost), (0, 0, false), "nothing left to fix");
    assert_eq!(shop.service.history(HELD_IN_SHEET).await.expect("history").len(), 0, "corrections are nobody's work");
}

pub async fn workers_carry_their_roles(backend: &dyn Backend) {
    let shop = standard(backend).await;
    let workers = shop.service.workers().await.expect("workers");
    let both = workers.iter().find(|worker| worker.id == ARMADOR_SOLDADOR).expect("present");
    assert_eq!(both.iniciales, "NR(94)");
    assert_eq!(both.operaciones, vec![Operation::Arm, Operation::Sold]);
    assert!(workers.iter().find(|worker| worker.id == SUPERVISOR).expect("present").supervisor);
    assert!(!workers.iter().find(|worker| worker.id == INACTIVE).expect("present").activo);
    let tab = shop.grid(Tab::Trabajadores).await;
    assert_eq!(workers.len(), tab.rows.len());
}

/// Instantiates every test of the suite for a backend expression (`&dyn Backend`-able).
#[macro_export]
macro_rules! behaviour_suite {
    ($backend:expr) => {
        $crate::behaviour_suite!(@tests $backend;
            tomar_writes_the_row_and_one_audit_row,
            twenty_concurrent_tomar_have_exactly_one_winner,
            every_failed_check_has_its_own_code_and_writes_nothing,
            an_occupied_spool_names_its_holder_and_since_when,
            completar_sold_writes_fecha_soldadura_and_never_fecha_armado,
            completar_arm_defaults_to_today,
            a_failed_tomar_write_leaves_no_audit_row_and_no_lock,
            a_failed_pausar_write_keeps_the_spool_with_its_holder,
            only_the_holder_may_pause,
            pausar_frees_the_spool_and_keeps_the_previous_worker,
            cancelar_puts_the_row_back_as_it_was,
            cancelar_in_batch_puts_each_row_back_in_one_write,
            a_batch_succeeds_or_fails_spool_by_spool_in_one_write,
            malformed_batches_are_refused_before_any_work,
            force_release_needs_a_supervisor_and_a_reason,
            force_release_needs_the_supervisor_s_pin,
            wrong_pins_make_the_station_wait,
            supervisors_set_and_change_pins,
            the_shop_s_first_pin_needs_no_authorizer,
            reads_never_carry_pin_hashes,
            a_holder_force_released_while_writing_is_refused,
            a_column_inserted_before_ocupado_por_changes_nothing,
            a_missing_critical_column_is_schema_drift_and_nothing_is_written,
            a_known_column_twice_is_schema_drift_and_nothing_is_written,
            doctor_says_when_rows_cannot_carry_the_fence,
            dates_in_any_format_read_back,
            a_corrupt_cell_is_data_corrupt_never_not_found,
            each_listed_spool_says_its_state_and_whether_it_can_be_taken,
            an_export_holds_the_sessions_of_the_days_asked_across_midnight,
            an_occupied_spool_says_for_how_long,
            the_crew_says_who_works_on_what_and_who_holds_nothing,
            paused_spools_say_who_paused_them_and_since_when,
            progress_counts_each_spool_once_in_the_stage_it_reached,
            lists_answer_available_occupied_and_mine,
            history_is_rebuilt_as_sessions_from_the_audit,
            the_activity_lists_the_shop_s_latest_events_newest_first,
            two_stations_see_each_other,
            a_silent_station_shows_on_the_board_and_keeps_its_spools,
            the_reconciler_rebuilds_lost_locks_and_releases_stale_ones,
            workers_carry_their_roles,
            every_request_keeps_its_own_holder,
            a_write_mark_holds_off_force_release_until_the_write_is_answered,
            rebuilt_locks_name_each_rows_own_holder_and_operation,
            a_write_in_flight_is_never_overtaken_by_a_force_release,
            a_force_release_racing_a_reconcile_rebuild_wins,
            a_reconcile_rebuild_racing_a_force_release_loses,
            a_failed_force_release_leaves_the_holder_holding,
            an_occupation_operation_is_read_from_the_row_never_guessed,
            audit_rows_name_workers_as_the_shop_does,
            a_tomar_never_overwrites_an_occupation_typed_by_hand,
            a_holder_gives_way_to_the_worker_a_person_put_in_the_row,
            the_reconciler_gives_the_lock_to_the_holder_the_row_names,
            the_reconciler_never_releases_a_lock_whose_write_is_in_flight,
            a_lock_left_behind_frees_its_spool_for_the_next_tomar,
            a_replaced_lock_stays_audited_when_its_rebuild_is_refused,
            a_force_release_names_the_holder_the_row_names,
            the_worker_a_person_put_in_the_row_releases_it_over_a_lock_left_behind,
            a_batch_keeps_what_it_took_when_deciding_again_fails,
        );
    };
    (@tests $backend:expr; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() {
                $crate::suite::$name(&$backend).await;
            }
        )*
    };
}
