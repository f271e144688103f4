//! Redis losing all its data (FLUSHALL, or a restart without persistence) is detected and repaired from the
//! rows, and every repair is audited.

use std::sync::Arc;

use spooltrack_core::{SpoolService, Store, SystemClock};
use spooltrack_domain::{
    schema::{Tab, TabNames},
    ErrorCode, Operation,
};
use spooltrack_embedded::EmbeddedStore;
use spooltrack_redis::{RedisLock, RedisSettings};
use spooltrack_testkit::{fixture, RedisServer};

/// A station on the standard shop (embedded store) with its locks in `server`.
async fn shop(server: &RedisServer) -> (SpoolService, Arc<EmbeddedStore>, tempfile::TempDir) {
    let folder = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(EmbeddedStore::open(&folder.path().join("shop.db"), TabNames::default()).expect("store"));
    store.replace(fixture::standard_shop().grids()).await.expect("seeded");
    let lock =
        Arc::new(RedisLock::connect(&RedisSettings { url: server.url(), prefix: "planta".into() }).expect("lock"));
    let service = SpoolService::new(store.clone(), lock, Arc::new(SystemClock), "A", chrono_tz::America::Santiago);
    (service, store, folder)
}

#[tokio::test]
async fn flushall_is_detected_and_every_lock_rebuilt_from_the_rows() {
    let server = RedisServer::start();
    let (service, store, _folder) = shop(&server).await;
    let first = service.reconcile().await.expect("first run");
    assert!(first.lock_data_lost, "a brand-new Redis has no mark yet");
    // Twenty grants before: rows keep fences the counter will not remember once Redis loses its data.
    let earlier: Vec<String> = (21..=40).map(fixture::ready).collect();
    service.tomar_batch(&earlier, fixture::ARMADOR, Operation::Arm).await.expect("taken");
    service.pausar_batch(&earlier, fixture::ARMADOR).await.expect("paused");

    let taken = fixture::ready_tags(3);
    service.tomar_batch(&taken, fixture::ARMADOR, Operation::Arm).await.expect("taken");

    let client = redis::Client::open(server.url()).expect("client");
    let mut connection = client.get_multiplexed_async_connection().await.expect("connection");
    let _: () = redis::cmd("FLUSHALL").query_async(&mut connection).await.expect("flushed");
    // With its data gone, Redis would let anyone take a held spool were it not for the sheet…
    assert_eq!(
        service
            .tomar(&taken[0], fixture::ARMADOR_SOLDADOR, Operation::Arm)
            .await
            .expect_err("the row says occupied")
            .code(),
        ErrorCode::SpoolOccupied
    );

    let versions_before: Vec<i64> = {
        let grid = store.read(&[Tab::Operaciones]).await.expect("readable").remove(0);
        let column = grid.header.iter().position(|name| name == "version").expect("column");
        grid.rows.iter().filter_map(|row| row.get(column)?.as_integer().ok().flatten()).collect()
    };
    let report = service.reconcile().await.expect("repaired");
    assert!(report.lock_data_lost, "the lost mark is detected");
    let next = service.tomar(&fixture::ready(9), fixture::ARMADOR, Operation::Arm).await.expect("taken");
    let fence = store.read(&[Tab::Operaciones]).await.expect("readable").remove(0);
    let column = fence.header.iter().position(|name| name == "version").expect("column");
    let row = fence.rows.iter().find(|row| row[0].display() == next.tag).expect("row");
    let new_fence = row[column].as_integer().expect("number").expect("set");
    assert!(
        versions_before.iter().all(|old| *old < new_fence),
        "a fence no row carried: {new_fence} vs {versions_before:?}"
    );
    let mut expected = taken.clone();
    expected.push(fixture::HELD_IN_SHEET.to_string());
    expected.sort();
    assert_eq!(report.rebuilt, expected);
    let corrections = service.history(&taken[0]).await.expect("history");
    assert_eq!(corrections.len(), 1, "the TOMAR session only; the correction is not a work session");

    // …and the holders carry on as if nothing happened.
    let paused = service.pausar_batch(&taken, fixture::ARMADOR).await.expect("paused");
    assert_eq!(paused.succeeded, 3);
    let audit = service.reconcile().await.expect("clean");
    assert!(!audit.lock_data_lost && audit.rebuilt.is_empty() && audit.released.is_empty());
}

#[tokio::test]
async fn redis_stopped_mid_run_writes_nothing_and_the_same_service_recovers() {
    let mut server = RedisServer::start();
    let (service, store, _folder) = shop(&server).await;
    let taken = fixture::ready_tags(3);
    service.tomar_batch(&taken, fixture::ARMADOR, Operation::Arm).await.expect("taken");
    let audit_rows = || async { store.read(&[Tab::Metadata]).await.expect("readable")[0].rows.len() };
    let before = audit_rows().await;

    server.stop();
    let started = std::time::Instant::now();
    let error = service.tomar(&fixture::ready(4), fixture::ARMADOR, Operation::Arm).await.expect_err("Redis is down");
    assert_eq!(error.code(), ErrorCode::LockUnavailable);
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "{:?}", started.elapsed());
    assert_eq!(service.pausar(&taken[0], fixture::ARMADOR).await.expect_err("down").code(), ErrorCode::LockUnavailable);
    assert_eq!(audit_rows().await, before, "nothing half-written");
    assert_eq!(service.status(&taken[0]).await.expect("viewing still works").ocupado_por.as_deref(), Some("MR(93)"));

    server.restart(); // empty: no persistence
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let report = loop {
        match service.reconcile().await {
            Ok(report) => break report,
            Err(_) if std::time::Instant::now() < deadline => {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await
            }
            Err(error) => panic!("never recovered: {error}"),
        }
    };
    assert!(report.lock_data_lost);
    assert!(taken.iter().all(|tag| report.rebuilt.contains(tag)), "every lock rebuilt from the rows");
    assert_eq!(service.pausar_batch(&taken, fixture::ARMADOR).await.expect("ran").succeeded, 3);
    service.tomar(&fixture::ready(4), fixture::ARMADOR, Operation::Arm).await.expect("works again without a restart");
}

#[tokio::test]
async fn a_tomar_after_redis_lost_its_data_restores_the_locks_first() {
    let server = RedisServer::start();
    let (service, store, _folder) = shop(&server).await;
    let earlier: Vec<String> = (21..=40).map(fixture::ready).collect();
    service.tomar_batch(&earlier, fixture::ARMADOR, Operation::Arm).await.expect("taken");
    service.pausar_batch(&earlier, fixture::ARMADOR).await.expect("paused");
    service.tomar(&fixture::ready(1), fixture::ARMADOR, Operation::Arm).await.expect("held");

    let client = redis::Client::open(server.url()).expect("client");
    let mut connection = client.get_multiplexed_async_connection().await.expect("connection");
    let _: () = redis::cmd("FLUSHALL").query_async(&mut connection).await.expect("flushed");

    // No reconcile run in between: the next TOMAR restores the locks and the fence before it takes.
    let taken = service.tomar(&fixture::ready(21), fixture::ARMADOR_SOLDADOR, Operation::Arm).await.expect("taken");
    let grid = store.read(&[Tab::Operaciones]).await.expect("readable").remove(0);
    let version = grid.header.iter().position(|name| name == "version").expect("column");
    let fence_of = |tag: &str| {
        let row = grid.rows.iter().find(|row| row[0].display() == tag).expect("row");
        row[version].as_integer().expect("number").expect("set")
    };
    assert!(fence_of(&taken.tag) > fence_of(&fixture::ready(40)), "a fence no row carried before");
    assert_eq!(
        service.tomar(&fixture::ready(1), fixture::ARMADOR_SOLDADOR, Operation::Arm).await.expect_err("held").code(),
        ErrorCode::SpoolOccupied
    );
    service.pausar(&fixture::ready(1), fixture::ARMADOR).await.expect("the holder carries on");
}
