//! Who holds a spool when several stations, the reconciler and a supervisor act at the worst moment: each
//! request keeps its own holder, a holder's write in flight is never overtaken, a force-release racing a
//! reconcile run still wins, and an occupation's operation is read from the row, never guessed.

use std::{sync::Arc, time::Duration};

use spooltrack_core::{Acquisition, Admission, ForceAttempt, HeldLock, LockService, LockToken};
use spooltrack_domain::{audit::EventKind, Cell, ErrorCode, Operation};

use super::{code, standard};
use crate::{fixture::*, Backend, Harness};

/// Removes a spool's lock and nothing else, as Redis losing its data would.
pub(super) async fn lose_lock(lock: &dyn LockService, tag: &str) {
    let ForceAttempt::Released(_) = lock.force_release(tag).await.expect("lock service answers") else {
        panic!("no write of {tag} was in flight")
    };
}

/// Older than the reconciler's grace for actions still on their way.
pub(super) const OLD: Duration = Duration::from_secs(180);

/// Makes a spool's lock look granted [`OLD`] ago by the lock service's clock, carrying `fence` when given.
pub(super) async fn age_lock(lock: &dyn LockService, tag: &str, fence: Option<u64>) -> HeldLock {
    let current = lock.inspect(&[tag.to_string()]).await.expect("inspected").remove(0).expect("held");
    lose_lock(lock, tag).await;
    let old = HeldLock { age: OLD, fence: fence.unwrap_or(current.fence), ..current };
    assert!(lock.restore(tag, &old).await.expect("staged"));
    old
}

pub async fn every_request_keeps_its_own_holder(backend: &dyn Backend) {
    let shop = standard(backend).await;
    let lock = shop.lock().await;
    let armador = holder(ARMADOR);
    let soldador = spooltrack_core::Holder { operation: Operation::Sold, ..holder(SOLDADOR) };
    let answers = lock.acquire(&[(ready(41), armador.clone()), (ready(42), soldador.clone())]).await.expect("granted");
    assert!(answers.iter().all(|answer| matches!(answer, Acquisition::Granted(_))));
    let held = lock.inspect(&[ready(41), ready(42)]).await.expect("inspected");
    let holders: Vec<_> = held.into_iter().map(|lock| lock.expect("held").holder).collect();
    assert_eq!(holders, vec![armador, soldador], "one call, each spool its own holder and operation");
}

pub async fn a_write_mark_holds_off_force_release_until_the_write_is_answered(backend: &dyn Backend) {
    let shop = standard(backend).await;
    let lock = shop.lock().await;
    let tag = ready(49);
    let Acquisition::Granted(grant) =
        lock.acquire(&[(tag.clone(), holder(ARMADOR))]).await.expect("acquired").remove(0)
    else {
        panic!("free spool")
    };
    let mine = [(tag.clone(), grant.token.clone())];
    let stranger = [(tag.clone(), LockToken::random())];
    let long = Duration::from_secs(30);
    let begin = |grants: &[(String, LockToken)], writer: &str, window| {
        let (lock, grants, writer) = (Arc::clone(&lock), grants.to_vec(), writer.to_string());
        async move { lock.begin_write(&grants, &writer, window).await.expect("answered") }
    };
    assert_eq!(begin(&stranger, "otro", long).await, vec![Admission::Lost]);
    assert!(lock.inspect(std::slice::from_ref(&tag)).await.expect("inspected")[0].as_ref().is_some_and(|l| !l.writing));

    assert_eq!(begin(&mine, "A", long).await, vec![Admission::Admitted]);
    assert!(lock.inspect(std::slice::from_ref(&tag)).await.expect("inspected")[0].as_ref().is_some_and(|l| l.writing));
    assert_eq!(begin(&mine, "A", long).await, vec![Admission::Admitted], "a writer's own retry");
    assert_eq!(begin(&mine, "B", long).await, vec![Admission::Busy], "the same grant written from elsewhere");
    assert_eq!(lock.force_release(&tag).await.expect("answered"), ForceAttempt::WriteInFlight);
    assert_eq!(lock.confirm(&mine).await.expect("answered"), vec![true], "nothing was changed meanwhile");
    lock.end_write(&mine, "B").await.expect("answered");
    assert_eq!(begin(&mine, "B", long).await, vec![Admission::Busy], "another writer cannot end A's mark");
    lock.end_write(&mine, "A").await.expect("closed");
    assert_eq!(begin(&mine, "B", long).await, vec![Admission::Admitted], "once answered, the next writer");
    lock.end_write(&mine, "B").await.expect("closed");
    let ForceAttempt::Released(released) = lock.force_release(&tag).await.expect("answered") else {
        panic!("the write was answered")
    };
    let previous = released.previous.expect("the holder's lock");
    assert_eq!((previous.holder.worker_id, previous.fence), (ARMADOR, grant.fence));
    assert!(released.fence > grant.fence, "the fence moved on");
    assert_eq!(begin(&mine, "A", long).await, vec![Admission::Lost], "a late write");

    // A mark whose window passed holds nothing off: a writer that vanished cannot keep a spool forever.
    assert!(lock.restore(&tag, &previous).await.expect("put back"));
    assert!(!lock.restore(&tag, &previous).await.expect("answered"), "only onto a free spool");
    assert_eq!(begin(&mine, "A", Duration::from_millis(50)).await, vec![Admission::Admitted]);
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert_eq!(begin(&mine, "B", long).await, vec![Admission::Admitted], "an expired mark admits another writer");
    lock.end_write(&mine, "B").await.expect("closed");
    assert!(matches!(lock.force_release(&tag).await.expect("answered"), ForceAttempt::Released(_)));
}

pub async fn rebuilt_locks_name_each_rows_own_holder_and_operation(backend: &dyn Backend) {
    let shop = standard(backend).await;
    shop.service.tomar(&ready(43), ARMADOR, Operation::Arm).await.expect("MR takes ARM");
    shop.service.tomar(ARM_DONE, SOLDADOR, Operation::Sold).await.expect("CP takes SOLD");
    let lock = shop.lock().await;
    for tag in [ready(43), ARM_DONE.to_string()] {
        lose_lock(lock.as_ref(), &tag).await;
    }

    let report = shop.service.reconcile().await.expect("reconciled");
    assert!(report.rebuilt.contains(&ready(43)) && report.rebuilt.contains(&ARM_DONE.to_string()));
    let held = lock.inspect(&[ready(43), ARM_DONE.to_string()]).await.expect("inspected");
    let holders: Vec<(u32, Operation)> = held
        .into_iter()
        .map(|lock| lock.expect("rebuilt"))
        .map(|lock| (lock.holder.worker_id, lock.holder.operation))
        .collect();
    assert_eq!(holders, vec![(ARMADOR, Operation::Arm), (SOLDADOR, Operation::Sold)]);

    assert_eq!(code(shop.service.pausar(ARM_DONE, ARMADOR).await), ErrorCode::NotOwner, "MR cannot pause CP's spool");
    let paused = shop.service.pausar(ARM_DONE, SOLDADOR).await.expect("CP pauses his own");
    assert_eq!(paused.estado_detalle, "SOLD pausado");
    shop.service.completar(&ready(43), ARMADOR, None).await.expect("MR completes his own");
    let row = shop.row(&ready(43)).await;
    assert!(!row["Fecha_Armado"].is_blank() && row["Fecha_Soldadura"].is_blank());
}

pub async fn a_write_in_flight_is_never_overtaken_by_a_force_release(backend: &dyn Backend) {
    let shop = standard(backend).await;
    shop.service.tomar(&ready(44), ARMADOR, Operation::Arm).await.expect("taken");
    let supervisor = Arc::new(shop.station("estacion-supervisor").await);
    let released = {
        let supervisor = Arc::clone(&supervisor);
        let (sender, receiver) = tokio::sync::oneshot::channel();
        shop.store.during_next_write(Box::new(move || {
            Box::pin(async move {
                let task =
                    tokio::spawn(
                        async move { supervisor.liberar(&ready(44), SUPERVISOR, "se fue", SUPERVISOR_PIN).await },
                    );
                // The holder's write stays in flight a while: the force-release must wait for it.
                tokio::time::sleep(Duration::from_millis(400)).await;
                assert!(!task.is_finished(), "the force-release waits for the write in flight");
                let _ = sender.send(task);
            })
        }));
        let paused = shop.service.pausar(&ready(44), ARMADOR).await;
        assert!(paused.is_ok(), "the holder's write in flight lands: {paused:?}");
        receiver.await.expect("hook ran").await.expect("task")
    };
    assert_eq!(code(released), ErrorCode::NotOccupied, "after the PAUSAR there is nothing left to release");
    let kinds: Vec<EventKind> =
        shop.events().await.into_iter().filter(|event| event.tag == ready(44)).map(|event| event.kind).collect();
    assert_eq!(kinds, vec![EventKind::TomarSpool, EventKind::PausarSpool]);
    assert!(shop.lock().await.inspect(&[ready(44)]).await.expect("inspected")[0].is_none());
}

pub async fn a_force_release_racing_a_reconcile_rebuild_wins(backend: &dyn Backend) {
    let shop = standard(backend).await;
    shop.service.tomar(&ready(45), ARMADOR, Operation::Arm).await.expect("taken");
    let lock = shop.lock().await;
    lose_lock(lock.as_ref(), &ready(45)).await;
    // The supervisor releases the spool after the reconciler read the row and before it rebuilds the lock.
    let supervisor = Arc::new(shop.station("estacion-supervisor").await);
    shop.store.after_next_read(Box::new(move || {
        Box::pin(async move {
            supervisor
                .liberar(&ready(45), SUPERVISOR, "cambio de turno", SUPERVISOR_PIN)
                .await
                .expect("released meanwhile");
        })
    }));
    let report = shop.service.reconcile().await.expect("reconciled");
    assert!(!report.rebuilt.contains(&ready(45)), "the rebuild of a row that moved on is given back");
    assert!(lock.inspect(&[ready(45)]).await.expect("inspected")[0].is_none(), "no lock names the old holder");
    assert_eq!(code(shop.service.completar(&ready(45), ARMADOR, None).await), ErrorCode::NotOccupied);
    assert!(shop.row(&ready(45)).await["Fecha_Armado"].is_blank(), "the old holder's late COMPLETAR never lands");
}

pub async fn a_reconcile_rebuild_racing_a_force_release_loses(backend: &dyn Backend) {
    let shop = standard(backend).await;
    shop.service.tomar(&ready(46), ARMADOR, Operation::Arm).await.expect("taken");
    let lock = shop.lock().await;
    lose_lock(lock.as_ref(), &ready(46)).await;
    // A reconcile run rebuilds the old holder's lock while the supervisor's release is on its way.
    let reconciler = Arc::new(shop.station("estacion-reconciliadora").await);
    shop.store.before_next_write(Box::new(move || {
        Box::pin(async move {
            let report = reconciler.reconcile().await.expect("reconciled meanwhile");
            assert!(report.rebuilt.contains(&ready(46)), "the old holder's lock rebuilt from the row");
        })
    }));
    shop.service.liberar(&ready(46), SUPERVISOR, "cambio de turno", SUPERVISOR_PIN).await.expect("the release wins");
    assert!(lock.inspect(&[ready(46)]).await.expect("inspected")[0].is_none(), "no lock names the old holder");
    assert!(shop.row(&ready(46)).await["Ocupado_Por"].is_blank());
    assert_eq!(code(shop.service.completar(&ready(46), ARMADOR, None).await), ErrorCode::NotOccupied);
}

pub async fn a_failed_force_release_leaves_the_holder_holding(backend: &dyn Backend) {
    let shop = standard(backend).await;
    shop.service.tomar(&ready(47), ARMADOR, Operation::Arm).await.expect("taken");
    let lock = shop.lock().await;
    let before = lock.inspect(&[ready(47)]).await.expect("inspected").remove(0).expect("held");
    shop.store.fail_next_writes(1);
    assert_eq!(
        code(shop.service.liberar(&ready(47), SUPERVISOR, "se fue", SUPERVISOR_PIN).await),
        ErrorCode::SheetsUnavailable
    );
    let after = lock.inspect(&[ready(47)]).await.expect("inspected").remove(0).expect("the lock is back");
    assert_eq!((after.holder, after.fence), (before.holder, before.fence));
    shop.service.pausar(&ready(47), ARMADOR).await.expect("the holder carries on");
}

pub async fn an_occupation_operation_is_read_from_the_row_never_guessed(backend: &dyn Backend) {
    let shop = Harness::start(backend, hand_edited_shop()).await;
    // Estado_Detalle blanked by a person: the holder is the row's Soldador, so the work is SOLD.
    let status = shop.service.status(HELD_BLANK_ESTADO).await.expect("status");
    assert_eq!(status.operacion_en_curso, Some(Operation::Sold));
    shop.service.completar(HELD_BLANK_ESTADO, SOLDADOR, None).await.expect("completed");
    let row = shop.row(HELD_BLANK_ESTADO).await;
    assert!(!row["Fecha_Soldadura"].is_blank(), "SOLD completed");
    assert!(row["Fecha_Armado"].is_blank(), "never the other operation's date");

    // Nothing in the row says which operation: refused, naming the row, and nothing written.
    let before = shop.audit_rows().await;
    let refused = shop.service.pausar(HELD_AMBIGUOUS, ARMADOR_SOLDADOR).await.expect_err("cannot tell");
    assert_eq!(refused.code(), ErrorCode::DataCorrupt);
    assert_eq!(refused.details().tag.as_deref(), Some(HELD_AMBIGUOUS));
    assert_eq!(shop.audit_rows().await, before);
    let report = shop.service.reconcile().await.expect("reconciled");
    assert!(report.unreadable.contains(&HELD_AMBIGUOUS.to_string()), "the reconciler leaves it to a person");

    // Releasing checks the roles as TOMAR does.
    assert_eq!(code(shop.service.pausar(HELD_WITHOUT_ROLE, ARMADOR).await), ErrorCode::RoleNotAllowed);
    assert_eq!(shop.row(HELD_WITHOUT_ROLE).await["Ocupado_Por"], Cell::text("MR(93)"));
}

pub async fn audit_rows_name_workers_as_the_shop_does(backend: &dyn Backend) {
    let shop = standard(backend).await;
    shop.service.tomar(&ready(48), ARMADOR, Operation::Arm).await.expect("taken");
    let event = shop.events().await.pop().expect("audited");
    assert_eq!(event.worker_name, "MR(93)", "INICIALES(ID), as the shop's Metadata rows");
    assert_eq!(event.metadata["nombre"], "Mauricio Rodriguez", "the full name rides in Metadata_JSON");
}

pub async fn a_lock_left_behind_frees_its_spool_for_the_next_tomar(backend: &dyn Backend) {
    let shop = standard(backend).await;
    let lock = shop.lock().await;
    // Processes that ended between their lock and their write (a command-line run killed): one three minutes
    // ago, one just now (it may still be on its way).
    let (left, young) = (ready(57), ready(58));
    lock.acquire(&[(left.clone(), holder(AYUDANTE)), (young.clone(), holder(AYUDANTE))]).await.expect("locked");
    age_lock(lock.as_ref(), &left, None).await;

    let outcome = shop.service.tomar_batch(&[left.clone(), young.clone()], ARMADOR, Operation::Arm).await.expect("ok");
    let answers: Vec<_> =
        outcome.details.iter().map(|entry| (entry.tag.clone(), entry.code, entry.holder.clone())).collect();
    assert_eq!(
        answers,
        vec![(left.clone(), None, None), (young.clone(), Some(ErrorCode::SpoolOccupied), Some("W104(104)".into()))],
        "no reconcile run needed for the stale lock; the young one may be an action still on its way"
    );
    assert_eq!(shop.row(&left).await["Ocupado_Por"], Cell::text("MR(93)"));
    let held = lock.inspect(std::slice::from_ref(&left)).await.expect("inspected").remove(0).expect("held");
    assert_eq!(held.holder.worker_id, ARMADOR, "the lock names who took it now");
    shop.service.pausar(&left, ARMADOR).await.expect("and he can pause it");
}

pub async fn a_batch_keeps_what_it_took_when_deciding_again_fails(backend: &dyn Backend) {
    let shop = standard(backend).await;
    let (free, own) = (ready(39), ready(40));
    shop.service.tomar(&own, ARMADOR, Operation::Arm).await.expect("MR holds one already");
    // The batch writes the free spool; then the sheet cannot be read to decide again on MR's own one.
    let store = Arc::clone(&shop.store);
    shop.store.during_next_write(Box::new(move || Box::pin(async move { store.fail_next_reads(10) })));

    let outcome =
        shop.service.tomar_batch(&[free.clone(), own.clone()], ARMADOR, Operation::Arm).await.expect("answered");
    let answers: Vec<_> = outcome.details.iter().map(|entry| (entry.tag.clone(), entry.code)).collect();
    assert_eq!(answers, vec![(free.clone(), None), (own, Some(ErrorCode::SheetsUnavailable))], "each its own answer");
    shop.store.fail_next_reads(0);
    assert_eq!(shop.row(&free).await["Ocupado_Por"], Cell::text("MR(93)"), "what was taken is said taken");
}
