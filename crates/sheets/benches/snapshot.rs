//! What the shop's shared snapshot saves and costs, on the Sheets fake (Google-like latency on every call) and a
//! real redis-server: Sheets reads per action and per minute at rest for 1, 10 and 30 stations; the time from
//! a hand edit to every station's copy; the time to a first screen with data from this PC's kept copy and
//! cold; the snapshot's size in Redis for 5,000 spools × 70 columns and the time to fetch and apply it.
//! `cargo bench -p spooltrack-sheets --bench snapshot`; figures are recorded in BENCHMARKS.md.

#[path = "../tests/common/mod.rs"]
mod common;

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use common::SheetsShop;
use spooltrack_core::{ListFilter, SpoolService, SystemClock};
use spooltrack_domain::{
    schema::{ops, ColumnMap, Tab},
    Cell, Operation,
};
use spooltrack_embedded::KeptSnapshot;
use spooltrack_redis::{RedisLock, RedisSettings};
use spooltrack_sheets::Tuning;
use spooltrack_testkit::{
    production::{production_shop, AN_ARMADOR},
    RedisServer,
};

const LATENCY: Duration = Duration::from_millis(150);
/// The reader's period, shortened so that "a minute at rest" takes seconds: reads are reported per period and
/// scaled to the production period of 30 s.
const PERIOD: Duration = Duration::from_millis(1_500);
/// The shop the stations' kept copies are of.
const KEPT_SHOP: &str = "planilla-banco";
const PRODUCTION_PERIOD_S: f64 = 30.0;

struct Station {
    service: Arc<SpoolService>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Station {
    fn drop(&mut self) {
        self.tasks.iter().for_each(tokio::task::JoinHandle::abort);
    }
}

async fn station(
    shop: &SheetsShop,
    redis: &RedisServer,
    prefix: &str,
    name: &str,
    database: &std::path::Path,
) -> Station {
    let lock = Arc::new(RedisLock::connect(&RedisSettings { url: redis.url(), prefix: prefix.into() }).expect("lock"));
    let feed = Arc::new(lock.feed());
    let store = shop.store(Tuning { reads_per_minute: 6_000, writes_per_minute: 6_000, ..Tuning::default() }).await;
    let service = SpoolService::new(Arc::new(store), lock, Arc::new(SystemClock), name, chrono_tz::America::Santiago)
        .with_feed(feed)
        .with_shared_snapshot(PERIOD)
        .with_local_copy(Arc::new(KeptSnapshot::open(database, KEPT_SHOP).expect("kept copy")));
    service.sync_snapshot().await.expect("synced");
    let service = Arc::new(service);
    let follower = tokio::spawn({
        let service = service.clone();
        async move { service.follow_changes(|_| {}).await }
    });
    Station { service, tasks: vec![follower] }
}

async fn settle(stations: &[Station]) {
    loop {
        let numbers: Vec<u64> =
            stations.iter().map(|station| station.service.shared_snapshot().map_or(0, |copy| copy.seq)).collect();
        if numbers.iter().all(|seq| *seq == numbers[0]) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// How long the list of every spool takes to come back.
async fn first_screen(service: &SpoolService) -> Duration {
    let started = Instant::now();
    let views = service.list(&ListFilter::default()).await.expect("list");
    assert!(views.len() >= 5_000);
    started.elapsed()
}

#[tokio::main]
async fn main() {
    let now = chrono::NaiveDate::from_ymd_opt(2025, 3, 7).and_then(|day| day.and_hms_opt(9, 0, 0)).expect("valid");
    let folder = tempfile::tempdir().expect("temp dir");
    println!("Sheets fake at {} ms per call, one redis-server; reader period {PERIOD:?}", LATENCY.as_millis());
    println!(
        "{:<9} {:>14} {:>22} {:>26}",
        "stations", "reads/action", "reads/min at rest (30 s)", "hand edit → every copy"
    );
    for count in [1usize, 10, 30] {
        let shop = SheetsShop::start(production_shop(400, now)).await;
        shop.fake.set_latency(LATENCY);
        let redis = RedisServer::start();
        let prefix = format!("banco{count}");
        let mut stations = Vec::new();
        for index in 0..count {
            let database = folder.path().join(format!("{prefix}-{index}.db"));
            stations.push(station(&shop, &redis, &prefix, &format!("estacion-{index}"), &database).await);
        }
        redis.wait_for_subscribers(&format!("{prefix}:events"), count as u64);
        let actor = &stations[count - 1].service;
        actor.reconcile().await.expect("first start");
        let available = ListFilter {
            operation: Some(Operation::Arm),
            scope: spooltrack_core::ListScope::Available,
            ..Default::default()
        };
        let tags: Vec<String> =
            actor.list(&available).await.expect("list").into_iter().map(|view| view.tag).take(4).collect();
        actor.tomar(&tags[0], AN_ARMADOR, Operation::Arm).await.expect("warm-up");
        settle(&stations).await;

        shop.fake.clear_calls();
        for tag in &tags[1..] {
            actor.tomar(tag, AN_ARMADOR, Operation::Arm).await.expect("taken");
        }
        settle(&stations).await;
        for station in &stations {
            station.service.list(&ListFilter::default()).await.expect("every screen reloads");
        }
        let per_action = shop.reads() as f64 / (tags.len() - 1) as f64;

        for station in &mut stations {
            let service = station.service.clone();
            station.tasks.push(tokio::spawn(async move { service.keep_shared_snapshot().await }));
        }
        tokio::time::sleep(PERIOD * 2).await;
        shop.fake.clear_calls();
        let periods = 6;
        tokio::time::sleep(PERIOD * periods).await;
        let at_rest = shop.reads() as f64 / f64::from(periods) * (60.0 / PRODUCTION_PERIOD_S);

        let tag = tags[3].clone();
        shop.fake.edit("Operaciones", |grid| {
            let map = ColumnMap::of(Tab::Operaciones, "Operaciones", grid).expect("schema");
            let column = map.position(&ops::TAG).expect("tag");
            let row = (0..grid.rows.len()).find(|row| grid.cell(*row, column).display() == tag).expect("row");
            grid.set(row, map.position(&ops::ESTADO_DETALLE).expect("estado"), Cell::text("editado a mano"));
        });
        let edited = Instant::now();
        for station in &stations {
            while station.service.status(&tag).await.expect("status").estado_detalle.as_deref()
                != Some("editado a mano")
            {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
        let reached = edited.elapsed();
        println!(
            "{count:<9} {per_action:>14.1} {at_rest:>22.1} {:>17.0} ms ({:.2} periods)",
            reached.as_secs_f64() * 1000.0,
            reached.as_secs_f64() / PERIOD.as_secs_f64()
        );
    }

    // 5,000 spools × 70 columns: the checkpoint in Redis, a station catching up from it, the first screen.
    let shop = SheetsShop::start(production_shop(5_000, now)).await;
    shop.fake.set_latency(LATENCY);
    let redis = RedisServer::start();
    let seeding = station(&shop, &redis, "grande", "lectora", &folder.path().join("grande-0.db")).await;
    seeding.service.save_local_copy().await.expect("kept");
    let client = redis::Client::open(redis.url()).expect("client");
    let mut connection = client.get_multiplexed_async_connection().await.expect("connection");
    let bytes: usize = redis::cmd("STRLEN").arg("grande:snapshot").query_async(&mut connection).await.expect("size");
    let json = serde_json::to_vec(&seeding.service.shared_snapshot().expect("copy")).expect("json").len();
    let started = Instant::now();
    let catching_up = station(&shop, &redis, "grande", "otra", &folder.path().join("grande-1.db")).await;
    let fetched = started.elapsed();
    assert_eq!(catching_up.service.shared_snapshot(), seeding.service.shared_snapshot());
    println!(
        "snapshot of 5,000 spools × 70 columns: {:.0} KiB in Redis (deflated from {:.0} KiB of JSON); \
         fetch and apply {:.0} ms",
        bytes as f64 / 1024.0,
        json as f64 / 1024.0,
        fetched.as_secs_f64() * 1000.0
    );

    let start_from_kept = Instant::now();
    let kept = SpoolService::new(
        Arc::new(spooltrack_core::OfflineStore::new(Default::default())),
        Arc::new(spooltrack_core::OfflineLock),
        Arc::new(SystemClock),
        "arranque",
        chrono_tz::America::Santiago,
    )
    .with_shared_snapshot(PERIOD)
    .with_local_copy(Arc::new(KeptSnapshot::open(&folder.path().join("grande-0.db"), KEPT_SHOP).expect("kept copy")));
    kept.open_local_copy().await.expect("opened");
    let listed = first_screen(&kept).await;
    let from_kept = start_from_kept.elapsed();
    let start_cold = Instant::now();
    let cold = shop.station(Tuning::default()).await;
    first_screen(&cold).await;
    let from_cold = start_cold.elapsed();
    println!(
        "first screen with data, 5,000 spools: from this PC's kept copy {:.0} ms (list {:.0} ms); cold from \
         Google {:.0} ms",
        from_kept.as_secs_f64() * 1000.0,
        listed.as_secs_f64() * 1000.0,
        from_cold.as_secs_f64() * 1000.0
    );
}
