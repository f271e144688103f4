//! The README's recommended Redis ACL, applied as written to a real redis-server: a station under it does
//! everything Spooltrack needs (locks, scripts, heartbeats, leases, live updates, doctor), and nothing that could
//! wipe or read past its site. The ACL the README recommended before silently stopped live updates.

use std::{sync::Arc, time::Duration};

use spooltrack_core::{ChangeFeed, ForceAttempt, LockService, SpoolEvent, SpoolService, SystemClock};
use spooltrack_domain::{
    audit::{AuditEvent, EventKind},
    schema::TabNames,
    Operation,
};
use spooltrack_embedded::EmbeddedStore;
use spooltrack_redis::{RedisLock, RedisSettings};
use spooltrack_testkit::{fixture, RedisServer};

const PASSWORD: &str = "secreto-de-prueba";

/// The `ACL SETUSER spooltrack …` line of the README, word by word, with the test's password.
fn recommended_acl() -> Vec<String> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).expect("README");
    let line = readme
        .lines()
        .map(str::trim)
        .find(|line| line.starts_with("ACL SETUSER spooltrack"))
        .expect("the README recommends an ACL");
    line.split_whitespace().skip(1).map(|word| word.replace("CLAVE", PASSWORD)).collect()
}

async fn admin(server: &RedisServer) -> redis::aio::MultiplexedConnection {
    let client = redis::Client::open(server.url()).expect("client");
    client.get_multiplexed_async_connection().await.expect("connection")
}

async fn set_user(server: &RedisServer, rules: &[String]) {
    let _: String = redis::cmd("ACL").arg(rules).query_async(&mut admin(server).await).await.expect("ACL applied");
}

fn as_station(server: &RedisServer) -> (RedisLock, String) {
    let url = server.url().replace("redis://", &format!("redis://spooltrack:{PASSWORD}@"));
    (RedisLock::connect(&RedisSettings { url: url.clone(), prefix: "planta1".into() }).expect("lock"), url)
}

async fn doctor(lock: RedisLock) -> spooltrack_core::DoctorReport {
    let folder = tempfile::tempdir().expect("temp dir");
    let store = EmbeddedStore::open(&folder.path().join("shop.db"), TabNames::default()).expect("store");
    store.replace(fixture::standard_shop().grids()).await.expect("seeded");
    let feed = Arc::new(lock.feed());
    let service = SpoolService::new(
        Arc::new(store),
        Arc::new(lock),
        Arc::new(SystemClock),
        "estacion-acl",
        chrono_tz::America::Santiago,
    )
    .with_feed(feed);
    service.doctor().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_recommended_acl_allows_exactly_what_a_station_does() {
    let server = RedisServer::start();
    set_user(&server, &recommended_acl()).await;
    let (lock, url) = as_station(&server);

    let tag = "S-001".to_string();
    lock.mark_intact(0).await.expect("marker");
    let granted = lock.acquire(&[(tag.clone(), fixture::holder(93))]).await.expect("acquire");
    assert!(matches!(granted[0], spooltrack_core::Acquisition::Granted(_)));
    let held = lock.inspect(std::slice::from_ref(&tag)).await.expect("inspect").remove(0).expect("held");
    let grant = [(tag.clone(), held.token.clone())];
    let admitted = lock.begin_write(&grant, "estacion-acl", Duration::from_secs(5)).await.expect("begin_write");
    assert_eq!(admitted, vec![spooltrack_core::Admission::Admitted]);
    lock.end_write(&grant, "estacion-acl").await.expect("end_write");
    assert_eq!(lock.confirm(&grant).await.expect("confirm"), vec![true]);
    assert_eq!(lock.held_tags().await.expect("scan"), vec![tag.clone()]);
    let ForceAttempt::Released(released) = lock.force_release(&tag).await.expect("force_release") else {
        panic!("no write in flight")
    };
    assert!(lock.restore(&tag, &released.previous.expect("previous")).await.expect("restore"));
    assert_eq!(lock.release(&grant).await.expect("release"), vec![true]);
    assert!(lock.try_lead("reconcile", "estacion-acl", Duration::from_secs(5)).await.expect("lease"));
    let (leader, _) = lock.leader("reconcile").await.expect("lease asked").expect("led");
    assert_eq!(leader, "estacion-acl");
    let kept = Duration::from_secs(60);
    let tally = lock.pin_attempts("estacion-acl", spooltrack_core::PinAttempt::Wrong, kept).await.expect("counted");
    assert_eq!(tally.wrong, 1);
    lock.pin_attempts("estacion-acl", spooltrack_core::PinAttempt::Right, kept).await.expect("cleared");
    lock.beat("estacion-acl", chrono::Utc::now()).await.expect("heartbeat");
    assert!(lock.last_beats(&["estacion-acl".into()]).await.expect("beats")[0].is_some());

    // Live updates between two stations under the ACL.
    let other = RedisLock::connect(&RedisSettings { url, prefix: "planta1".into() }).expect("lock").feed();
    let mut heard = other.subscribe();
    server.wait_for_subscribers("planta1:events", 1);
    let event = SpoolEvent {
        tags: vec![tag],
        action: "TOMAR".into(),
        worker: "MR(93)".into(),
        station: "A".into(),
        ..SpoolEvent::default()
    };
    let feed = lock.feed();
    let seq = feed.publish(&event).await.expect("publish").expect("numbered");
    let got = tokio::time::timeout(Duration::from_secs(2), heard.recv()).await.expect("heard").expect("event");
    assert_eq!(got, SpoolEvent { seq: Some(seq), ..event });
    // The shared snapshot's log and checkpoint under the same ACL.
    let mut snapshot = spooltrack_core::Snapshot::default();
    snapshot.apply(seq, &spooltrack_core::SnapshotPatch::default());
    feed.checkpoint(&snapshot).await.expect("checkpoint");
    let log = other.snapshot_log().await.expect("log").expect("kept");
    assert_eq!((log.checkpoint.map(|kept| kept.seq), log.events.len()), (Some(seq), 0));
    // The shop's history and its word on the spreadsheet, the same.
    let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("valid");
    let row = AuditEvent {
        id: "e-1".into(),
        timestamp: day.and_hms_opt(10, 0, 0).expect("valid"),
        kind: EventKind::TomarSpool,
        tag: "T-1".into(),
        worker_id: 93,
        worker_name: "MR(93)".into(),
        operation: Some(Operation::Arm),
        fecha_operacion: day,
        metadata: serde_json::Value::Null,
    };
    feed.keep_history(std::slice::from_ref(&row)).await.expect("history kept");
    assert_eq!(other.history("T-1").await.expect("history"), Some(vec![row.clone()]));
    assert_eq!(other.latest(10).await.expect("latest events"), Some(vec![row]));
    feed.doubt_history().await.expect("history doubted");
    let since = chrono::DateTime::from_timestamp_millis(1_764_582_000_000);
    assert_eq!(other.sheets_outage(since, Duration::from_secs(5)).await.expect("outage said"), since);

    let report = doctor(lock).await;
    assert!(report.ok, "{report:?}");
    let feed = report.checks.iter().find(|check| check.name == "avisos entre estaciones").expect("checked");
    assert!(feed.detail.contains("publicar y escuchar"), "{feed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_recommended_acl_forbids_wiping_or_reading_past_the_site() {
    let server = RedisServer::start();
    set_user(&server, &recommended_acl()).await;
    let (_, url) = as_station(&server);
    let mut station = redis::Client::open(url).expect("client").get_multiplexed_async_connection().await.expect("in");
    let refused = |result: redis::RedisResult<redis::Value>| {
        assert_eq!(result.expect_err("refused").code(), Some("NOPERM"));
    };
    refused(redis::cmd("FLUSHALL").query_async(&mut station).await);
    refused(redis::cmd("KEYS").arg("*").query_async(&mut station).await);
    refused(redis::cmd("CONFIG").arg("GET").arg("*").query_async(&mut station).await);
    refused(redis::cmd("SET").arg("planta2:lock:S-001").arg("x").query_async(&mut station).await);
    refused(redis::cmd("PUBLISH").arg("planta2:events").arg("x").query_async(&mut station).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_says_when_live_updates_are_not_allowed() {
    let server = RedisServer::start();
    // The ACL this README recommended before: locks work, pub/sub is refused, and doctor used to say ok.
    let before: Vec<String> =
        format!("SETUSER spooltrack on >{PASSWORD} ~planta1:* &planta1:* -@all +@read +@write +@scripting +ping +info")
            .split_whitespace()
            .map(str::to_string)
            .collect();
    set_user(&server, &before).await;
    let (lock, _) = as_station(&server);
    let report = doctor(lock).await;
    let feed = report.checks.iter().find(|check| check.name == "avisos entre estaciones").expect("checked");
    assert!(!feed.ok && !report.ok, "{report:?}");
    assert!(feed.detail.contains("NOPERM"), "{feed:?}");
}
