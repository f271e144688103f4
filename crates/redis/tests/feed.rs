//! Live updates through Redis pub/sub between two stations on one real redis-server.

use std::{sync::Arc, time::Duration};

use spooltrack_core::{ChangeFeed, SpoolEvent, SpoolService, SystemClock};
use spooltrack_domain::{schema::TabNames, Operation};
use spooltrack_embedded::EmbeddedStore;
use spooltrack_redis::{RedisLock, RedisSettings};
use spooltrack_testkit::{fixture, RedisServer};
use tokio::{sync::broadcast::Receiver, time::timeout};

/// The next event heard, past the reconciler's (the first action rebuilds the locks of spools held in the sheet).
async fn next(receiver: &mut Receiver<SpoolEvent>) -> SpoolEvent {
    loop {
        let event =
            timeout(Duration::from_secs(1), receiver.recv()).await.expect("heard within a second").expect("an event");
        if event.action != "RECONCILIAR" {
            return event;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_station_hears_the_other_within_a_second() {
    let server = RedisServer::start();
    let folder = tempfile::tempdir().expect("temp dir");
    let path = folder.path().join("shop.db");
    EmbeddedStore::open(&path, TabNames::default())
        .expect("store")
        .replace(fixture::standard_shop().grids())
        .await
        .expect("seeded");
    let settings = RedisSettings { url: server.url(), prefix: "feed".into() };
    let station = |name: &str| {
        let store = Arc::new(EmbeddedStore::open(&path, TabNames::default()).expect("store"));
        let lock = RedisLock::connect(&settings).expect("lock");
        let feed = Arc::new(lock.feed());
        let lock = Arc::new(lock);
        SpoolService::new(store, lock, Arc::new(SystemClock), name, chrono_tz::America::Santiago).with_feed(feed)
    };
    let (a, b) = (station("A"), station("B"));
    let (mut heard_by_a, mut heard_by_b) = (a.changes(), b.changes());
    server.wait_for_subscribers("feed:events", 2);

    a.tomar(&fixture::ready(1), fixture::ARMADOR, Operation::Arm).await.expect("taken at A");
    let event = next(&mut heard_by_b).await;
    assert_eq!(event.tags, vec![fixture::ready(1)]);
    assert_eq!((event.action.as_str(), event.worker.as_str(), event.station.as_str()), ("TOMAR", "MR(93)", "A"));
    assert_eq!(next(&mut heard_by_a).await.station, "A", "a station hears itself too");

    b.pausar(&fixture::ready(1), fixture::ARMADOR).await.expect("paused at B");
    let event = next(&mut heard_by_a).await;
    assert_eq!((event.action.as_str(), event.station.as_str()), ("PAUSAR", "B"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_listener_comes_back_after_redis_does_and_asks_for_a_full_refresh() {
    let mut server = RedisServer::start();
    let settings = RedisSettings { url: server.url(), prefix: "gap".into() };
    let (speaker, listener) =
        (RedisLock::connect(&settings).expect("lock").feed(), RedisLock::connect(&settings).expect("lock").feed());
    let mut heard = listener.subscribe();
    server.wait_for_subscribers("gap:events", 2);

    server.restart();
    let refresh = timeout(Duration::from_secs(10), heard.recv()).await.expect("reconnected").expect("event");
    assert!(refresh.tags.is_empty(), "after a gap, screens refresh everything");

    let event = SpoolEvent {
        tags: vec!["T-1".into()],
        action: "TOMAR".into(),
        worker: "MR(93)".into(),
        station: "A".into(),
        ..SpoolEvent::default()
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    let seq = loop {
        match speaker.publish(&event).await {
            Ok(seq) => break seq,
            Err(_) => assert!(tokio::time::Instant::now() < deadline, "publisher reconnects"),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(next(&mut heard).await, SpoolEvent { seq, ..event });
}
