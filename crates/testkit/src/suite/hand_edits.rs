//! A person in the sheet, at the worst moment: an occupation typed while a station's TOMAR is on its way, a spool
//! given by hand to another worker while its holder still has the lock, and the reconciler settling locks that
//! disagree with their rows (the sheet is the truth) without ever overtaking a write still in flight.

use std::time::Duration;

use spooltrack_core::{Acquisition, Admission, HeldLock};
use spooltrack_domain::{audit::EventKind, schema::Tab, Cell, ErrorCode, Operation};

use super::{code, ownership::age_lock, standard};
use crate::{fixture::*, Backend};

pub async fn a_tomar_never_overwrites_an_occupation_typed_by_hand(backend: &dyn Backend) {
    let shop = standard(backend).await;
    let tag = ready(51);
    // The person types after the station decided on a free row and before its write reaches the sheet: the
    // row's version does not move.
    let (site, typed) = (shop.site(), occupied_by_hand(&tag, "PS(104)", Operation::Arm));
    shop.store.before_next_write(Box::new(move || Box::pin(async move { site.edit(Tab::Operaciones, typed).await })));

    let refused = shop.service.tomar(&tag, ARMADOR, Operation::Arm).await.expect_err("the person was first");
    assert_eq!((refused.code(), refused.holder()), (ErrorCode::SpoolOccupied, Some("PS(104)")));
    assert_eq!(shop.row(&tag).await["Ocupado_Por"], Cell::text("PS(104)"), "never overwritten");
    assert!(shop.events().await.iter().all(|event| event.tag != tag), "nothing audited");
    assert!(shop.lock().await.inspect(std::slice::from_ref(&tag)).await.expect("inspected")[0].is_none());
    shop.service.pausar(&tag, AYUDANTE).await.expect("the worker the person named holds it");
}

pub async fn a_holder_gives_way_to_the_worker_a_person_put_in_the_row(backend: &dyn Backend) {
    let shop = standard(backend).await;
    let (given, kept) = (ready(52), ready(53));
    shop.service.tomar_batch(&[given.clone(), kept.clone()], ARMADOR, Operation::Arm).await.expect("taken");
    shop.edit(Tab::Operaciones, occupied_by_hand(&given, "NR(94)", Operation::Arm)).await;
    let before = shop.audit_rows().await;

    let outcome = shop.service.pausar_batch(&[given.clone(), kept.clone()], ARMADOR).await.expect("answered");
    assert_eq!((outcome.succeeded, outcome.failed), (1, 1), "{outcome:?}");
    let refused = outcome.details.iter().find(|entry| entry.tag == given).expect("an entry");
    assert_eq!((refused.code, refused.holder.as_deref()), (Some(ErrorCode::NotOwner), Some("NR(94)")));
    assert_eq!(shop.row(&given).await["Ocupado_Por"], Cell::text("NR(94)"), "the person's edit stands");
    assert!(shop.row(&kept).await["Ocupado_Por"].is_blank(), "the rest of the batch is written");
    assert_eq!(shop.audit_rows().await, before + 1);
    // The sheet is the truth: MR's lock went back, and the worker the row names completes it.
    assert!(shop.lock().await.inspect(std::slice::from_ref(&given)).await.expect("inspected")[0].is_none());
    shop.service.completar(&given, ARMADOR_SOLDADOR, None).await.expect("NR(94) completes");
}

pub async fn the_worker_a_person_put_in_the_row_releases_it_over_a_lock_left_behind(backend: &dyn Backend) {
    let shop = standard(backend).await;
    let lock = shop.lock().await;
    let (old, young) = (ready(49), ready(50));
    shop.service.tomar_batch(&[old.clone(), young.clone()], ARMADOR, Operation::Arm).await.expect("taken");
    for tag in [&old, &young] {
        shop.edit(Tab::Operaciones, occupied_by_hand(tag, "NR(94)", Operation::Arm)).await;
    }
    age_lock(lock.as_ref(), &old, None).await;

    let outcome = shop.service.pausar_batch(&[old.clone(), young.clone()], ARMADOR_SOLDADOR).await.expect("answered");
    let answers: Vec<_> =
        outcome.details.iter().map(|entry| (entry.tag.clone(), entry.code, entry.holder.clone())).collect();
    assert_eq!(
        answers,
        vec![(old.clone(), None, None), (young.clone(), Some(ErrorCode::NotOwner), Some("MR(93)".into()))],
        "the sheet names NR(94); a young lock of MR(93) may still be an action on its way"
    );
    assert!(shop.row(&old).await["Ocupado_Por"].is_blank(), "paused by the worker the row named");
    assert!(lock.inspect(std::slice::from_ref(&old)).await.expect("inspected")[0].is_none());
}

pub async fn a_force_release_names_the_holder_the_row_names(backend: &dyn Backend) {
    let shop = standard(backend).await;
    let tag = ready(60);
    shop.service.tomar(&tag, ARMADOR, Operation::Arm).await.expect("taken");
    shop.edit(Tab::Operaciones, occupied_by_hand(&tag, "NR(94)", Operation::Arm)).await;
    shop.service.liberar(&tag, SUPERVISOR, "cambio de turno", SUPERVISOR_PIN).await.expect("released");
    let event = shop.events().await.pop().expect("audited");
    assert_eq!(event.kind, EventKind::LiberacionForzada);
    assert_eq!(event.metadata["holder_anterior"], "NR(94)", "whom the sheet named, not the lock left behind");
    assert!(shop.row(&tag).await["Ocupado_Por"].is_blank());
}

pub async fn the_reconciler_gives_the_lock_to_the_holder_the_row_names(backend: &dyn Backend) {
    let shop = standard(backend).await;
    let lock = shop.lock().await;
    let (given, orphaned) = (ready(54), ready(55));
    shop.service.tomar_batch(&[given.clone(), orphaned.clone()], ARMADOR, Operation::Arm).await.expect("taken");
    // A person gave one spool to NR(94); the other's lock carries a grant its row never got (a rebuild whose
    // row write and lock release both failed).
    shop.edit(Tab::Operaciones, occupied_by_hand(&given, "NR(94)", Operation::Arm)).await;
    let young = shop.service.reconcile().await.expect("reconciled");
    assert!(young.released.is_empty(), "a young lock may still be an action on its way: {young:?}");

    age_lock(lock.as_ref(), &given, None).await;
    let stray = age_lock(lock.as_ref(), &orphaned, Some(9_999)).await;
    lock.acquire(&[(CORRUPT.to_string(), holder(ARMADOR))]).await.expect("a lock on a row nobody can read");
    age_lock(lock.as_ref(), CORRUPT, None).await;
    let report = shop.service.reconcile().await.expect("reconciled");
    let both = vec![given.clone(), orphaned.clone()];
    assert_eq!((&report.released, &report.rebuilt), (&both, &both), "the unreadable row's lock is left to a person");
    let held: Vec<HeldLock> =
        lock.inspect(&both).await.expect("inspected").into_iter().map(|lock| lock.expect("rebuilt")).collect();
    let holders: Vec<_> = held.iter().map(|lock| (lock.holder.worker_id, lock.holder.operation)).collect();
    assert_eq!(holders, vec![(ARMADOR_SOLDADOR, Operation::Arm), (ARMADOR, Operation::Arm)]);
    assert_ne!(held[1].fence, stray.fence);
    for (tag, lock) in both.iter().zip(&held) {
        assert_eq!(shop.row(tag).await["version"], Cell::Number(lock.fence as f64), "the row carries the new grant");
    }

    assert_eq!(code(shop.service.pausar(&given, ARMADOR).await), ErrorCode::NotOwner);
    shop.service.pausar(&given, ARMADOR_SOLDADOR).await.expect("the worker the row names pauses it");
    shop.service.pausar(&orphaned, ARMADOR).await.expect("the holder pauses his own again");
    let again = shop.service.reconcile().await.expect("reconciled again");
    assert_eq!(again.corrections(), 0, "nothing left to fix: {again:?}");
}

pub async fn a_replaced_lock_stays_audited_when_its_rebuild_is_refused(backend: &dyn Backend) {
    let shop = standard(backend).await;
    let lock = shop.lock().await;
    let tag = ready(59);
    shop.service.tomar(&tag, ARMADOR, Operation::Arm).await.expect("taken");
    shop.service.reconcile().await.expect("the shop's own occupations settled first");
    shop.edit(Tab::Operaciones, occupied_by_hand(&tag, "NR(94)", Operation::Arm)).await;
    age_lock(lock.as_ref(), &tag, None).await;
    // The person changes their mind while the reconciler writes: the rebuild for NR(94) is refused.
    let (site, retyped) = (shop.site(), occupied_by_hand(&tag, "PS(104)", Operation::Arm));
    shop.store.before_next_write(Box::new(move || Box::pin(async move { site.edit(Tab::Operaciones, retyped).await })));

    let report = shop.service.reconcile().await.expect("reconciled");
    assert_eq!((report.released, report.rebuilt), (vec![tag.clone()], Vec::new()), "released, not rebuilt");
    let corrections: Vec<String> = shop
        .events()
        .await
        .into_iter()
        .filter(|event| event.tag == tag && event.kind == EventKind::Reconciliacion)
        .map(|event| event.metadata["correccion"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        corrections,
        ["bloqueo liberado: la fila nombra a otro titular o a otra toma"],
        "the release is audited"
    );
    assert!(lock.inspect(std::slice::from_ref(&tag)).await.expect("inspected")[0].is_none(), "nothing rebuilt");
    shop.service.pausar(&tag, AYUDANTE).await.expect("the worker the row names now");
}

pub async fn the_reconciler_never_releases_a_lock_whose_write_is_in_flight(backend: &dyn Backend) {
    let shop = standard(backend).await;
    let lock = shop.lock().await;
    let tag = ready(56);
    // A TOMAR granted three minutes ago whose row write is being sent only now (it waited for the budget).
    let Acquisition::Granted(grant) =
        lock.acquire(&[(tag.clone(), holder(ARMADOR))]).await.expect("acquired").remove(0)
    else {
        panic!("free spool")
    };
    age_lock(lock.as_ref(), &tag, None).await;
    let mine = [(tag.clone(), grant.token)];
    assert_eq!(lock.begin_write(&mine, "A", Duration::from_secs(30)).await.expect("marked"), vec![Admission::Admitted]);
    assert_eq!(lock.release_idle(&mine).await.expect("answered"), vec![false], "not while the write is in flight");

    let report = shop.service.reconcile().await.expect("reconciled");
    assert!(report.released.is_empty(), "the row read free before the write lands: {report:?}");
    assert!(lock.inspect(std::slice::from_ref(&tag)).await.expect("inspected")[0].is_some());

    lock.end_write(&mine, "A").await.expect("answered");
    let report = shop.service.reconcile().await.expect("reconciled");
    assert_eq!(report.released, vec![tag], "answered, and the row still free: the lock goes");
}
