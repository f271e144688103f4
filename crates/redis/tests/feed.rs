//! Live updates through Redis pub/sub between two stations on one real redis-server.

use std::{sync::Arc, time::Duration};

use spooltrack_core::{ChangeFeed, SpoolEvent, SpoolService, SystemClock};
use spooltrack_domain::{
    audit::{AuditEvent, EventKind},
    schema::TabNames,
    Operation,
};
use spooltrack_embedded::EmbeddedStore;
use spooltrack_redis::{RedisLock, RedisSettings, LATEST_KEPT};
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

fn audit_row(id: &str, tag: &str, minute: u32) -> AuditEvent {
    audit_row_at(id, tag, minute * 60)
}

/// An audit row `seconds` after ten o'clock.
fn audit_row_at(id: &str, tag: &str, seconds: u32) -> AuditEvent {
    let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("valid");
    AuditEvent {
        id: id.into(),
        timestamp: day.and_hms_opt(10, 0, 0).expect("valid") + chrono::Duration::seconds(seconds.into()),
        kind: EventKind::TomarSpool,
        tag: tag.into(),
        worker_id: 93,
        worker_name: "MR(93)".into(),
        operation: Some(Operation::Arm),
        fecha_operacion: day,
        metadata: serde_json::Value::Null,
    }
}

fn published(rows: Vec<AuditEvent>) -> SpoolEvent {
    SpoolEvent {
        tags: rows.iter().map(|row| row.tag.clone()).collect(),
        action: "TOMAR".into(),
        audit: rows,
        ..SpoolEvent::default()
    }
}

/// The history a feed keeps: its published events' audit rows, whole only once the spreadsheet's audit was
/// given, each event kept once however often it was given, and in doubt again when a station says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shop_history_keeps_each_event_once_and_is_whole_once_given_the_audit() {
    let server = RedisServer::start();
    let settings = RedisSettings { url: server.url(), prefix: "historia".into() };
    let feed = RedisLock::connect(&settings).expect("lock").feed();

    feed.publish(&published(vec![audit_row("e-2", "S-1", 2)])).await.expect("published");
    assert!(!feed.history_is_whole().await.expect("asked"));
    assert_eq!(feed.history("S-1").await.expect("asked"), None, "not whole: the audit is read instead");

    // The spreadsheet's audit holds the published event too, and one from before the shop's Redis.
    let audit = vec![audit_row("e-1", "S-1", 1), audit_row("e-2", "S-1", 2), audit_row("e-9", "S-2", 3)];
    feed.keep_history(&audit).await.expect("kept");
    feed.publish(&published(vec![audit_row("e-3", "S-1", 4), audit_row("e-9", "S-2", 3)])).await.expect("published");
    let ids = |rows: Option<Vec<AuditEvent>>| rows.expect("whole").into_iter().map(|row| row.id).collect::<Vec<_>>();
    assert_eq!(ids(feed.history("S-1").await.expect("asked")), ["e-2", "e-1", "e-3"]);
    assert_eq!(ids(feed.history("S-2").await.expect("asked")), ["e-9"]);
    assert_eq!(ids(feed.history("S-3").await.expect("asked")), Vec::<String>::new());
    let heard = feed.snapshot_log().await.expect("log").expect("kept").events;
    assert!(heard.iter().all(|event| event.audit.is_empty()), "audit rows are not announced");

    feed.doubt_history().await.expect("doubted");
    assert!(!feed.history_is_whole().await.expect("asked"));
    feed.keep_history(&audit).await.expect("kept again");
    assert_eq!(ids(feed.history("S-1").await.expect("asked")), ["e-2", "e-1", "e-3"], "nothing doubled");
}

/// The shop's latest events: none until the history is whole, then newest first by their time (not by when
/// Redis was given them), each once however often given, and only the newest `LATEST_KEPT` kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_latest_events_are_the_newest_each_once() {
    let server = RedisServer::start();
    let settings = RedisSettings { url: server.url(), prefix: "ultimos".into() };
    let feed = RedisLock::connect(&settings).expect("lock").feed();
    let ids = |rows: Option<Vec<AuditEvent>>| rows.expect("whole").into_iter().map(|row| row.id).collect::<Vec<_>>();

    feed.publish(&published(vec![audit_row("e-3", "S-1", 3)])).await.expect("published");
    assert_eq!(feed.latest(10).await.expect("asked"), None, "not whole: the audit is read instead");
    let audit = vec![audit_row("e-1", "S-1", 1), audit_row("e-2", "S-2", 2), audit_row("e-3", "S-1", 3)];
    feed.keep_history(&audit).await.expect("kept");
    assert_eq!(ids(feed.latest(10).await.expect("asked")), ["e-3", "e-2", "e-1"]);
    assert_eq!(ids(feed.latest(2).await.expect("asked")), ["e-3", "e-2"]);

    let burst: Vec<AuditEvent> =
        (0..LATEST_KEPT as u32 + 50).map(|second| audit_row_at(&format!("r-{second}"), "S-9", 600 + second)).collect();
    for rows in burst.chunks(25) {
        feed.publish(&published(rows.to_vec())).await.expect("published");
    }
    let kept = ids(feed.latest(LATEST_KEPT + 100).await.expect("asked"));
    assert_eq!(kept.len(), LATEST_KEPT);
    assert_eq!(kept.first().map(String::as_str), Some(format!("r-{}", LATEST_KEPT + 49).as_str()));
    assert_eq!(kept.last().map(String::as_str), Some("r-50"), "the oldest dropped first");
    // An old event given again (the reader's audit) is dropped at once: it is older than every one kept.
    feed.keep_history(&audit).await.expect("kept again");
    assert_eq!(ids(feed.latest(LATEST_KEPT + 100).await.expect("asked")), kept);
    let mut connection =
        redis::Client::open(server.url()).expect("client").get_multiplexed_async_connection().await.expect("in");
    let entries: usize =
        redis::cmd("HLEN").arg("ultimos:latest_events").query_async(&mut connection).await.expect("hlen");
    assert_eq!(entries, LATEST_KEPT, "no entry outlives its place");
}
