//! The demo shop a fresh embedded store starts with.

use std::sync::Arc;

use chrono::NaiveDate;
use spooltrack_core::{ListFilter, ListScope, SpoolService, SystemClock};
use spooltrack_domain::{schema::TabNames, Operation};
use spooltrack_embedded::{demo, EmbeddedLock, EmbeddedStore};

#[tokio::test]
async fn a_new_store_is_seeded_once_with_a_realistic_shop() {
    let folder = tempfile::tempdir().expect("temp dir");
    let path = folder.path().join("nested").join("spooltrack.db");
    let now = NaiveDate::from_ymd_opt(2025, 3, 7).and_then(|day| day.and_hms_opt(9, 0, 0)).expect("valid");
    assert!(demo::seed_if_empty(&path, &TabNames::default(), now, "demo").await.expect("seeded"));
    assert!(!demo::seed_if_empty(&path, &TabNames::default(), now, "demo").await.expect("second start"), "seeded once");

    let store = Arc::new(EmbeddedStore::open(&path, TabNames::default()).expect("store"));
    let lock = Arc::new(EmbeddedLock::open(&path).expect("lock"));
    let service = SpoolService::new(store, lock, Arc::new(SystemClock), "demo", chrono_tz::America::Santiago);

    let spools = service.list(&ListFilter::default()).await.expect("list");
    assert!(spools.len() >= 300);
    assert!(spools.iter().all(|spool| spool.problema.is_none()), "the demo reads cleanly");
    let workers = service.workers().await.expect("workers");
    assert!(workers.len() >= 12);
    assert!(workers.iter().any(|worker| !worker.activo));
    assert!(workers.iter().any(|worker| worker.roles.len() > 1));

    let occupied = service.list(&ListFilter { scope: ListScope::Occupied, ..Default::default() }).await.expect("board");
    assert!(!occupied.is_empty());
    assert!(occupied.iter().all(|spool| spool.estacion.is_some()), "every occupied demo spool has its lock");
    let paused = spools.iter().filter(|spool| spool.pausado.is_some()).count();
    let for_sold = service
        .list(&ListFilter { operation: Some(Operation::Sold), scope: ListScope::Available, ..Default::default() })
        .await
        .expect("list");
    assert!(paused > 0 && !for_sold.is_empty());

    // The occupied demo spools behave like any other: their holder can pause them.
    let first = &occupied[0];
    let holder =
        spooltrack_domain::worker::id_from_display_name(first.ocupado_por.as_deref().expect("holder")).expect("id");
    service.pausar(&first.tag, holder).await.expect("holder pauses");
}
