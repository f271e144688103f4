//! The shop's shared snapshot on the production pair: N stations, each its own Sheets client (the real one,
//! against the fake) and Redis clients on one real redis-server, following the feed as a window does. What a
//! screen shows costs the spreadsheet nothing; an action costs its confirmation read; at rest only the one
//! reader reads.

mod common;

use std::{sync::Arc, time::Duration};

use common::{quick, SheetsShop};
use spooltrack_core::{
    ChangeFeed, ConnectionState, ListFilter, ListScope, OfflineStore, Service, SessionEnd, Snapshot, SnapshotLog,
    SpoolEvent, SpoolService, SystemClock,
};
use spooltrack_domain::{
    audit::EventKind,
    schema::{ops, ColumnMap, Tab, TabNames},
    Cell, ErrorCode, Operation, SpoolError,
};
use spooltrack_redis::{RedisLock, RedisSettings, RESPONSE_TIMEOUT};
use spooltrack_sheets::Tuning;
use spooltrack_testkit::{fixture, RedisServer};
use tokio::task::JoinHandle;

const PREFIX: &str = "compartida";

/// The tests of this file run one at a time: each starts up to thirty stations, and two of them at once on a
/// 2-core machine make Redis answers miss their deadline.
static ONE_SHOP_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
/// The shop reader's period, shortened from half a minute.
const REFRESH: Duration = Duration::from_millis(900);

struct Station {
    service: Arc<SpoolService>,
    follower: JoinHandle<()>,
    reader: Option<JoinHandle<()>>,
}

impl Drop for Station {
    fn drop(&mut self) {
        self.follower.abort();
        if let Some(reader) = &self.reader {
            reader.abort();
        }
    }
}

struct Shop {
    sheets: SheetsShop,
    redis: RedisServer,
    /// The reader's period of the stations opened next.
    refresh: Duration,
}

impl Shop {
    async fn start() -> Shop {
        Shop {
            sheets: SheetsShop::start(fixture::standard_shop()).await,
            redis: RedisServer::start(),
            refresh: REFRESH,
        }
    }

    /// A station as the window opens it: shared snapshot synced, feed followed, the shop's budget spent.
    /// `redis_response`: how long each Redis answer may take (a shop's 800 ms unless the test loads the machine).
    async fn station_tuned(&self, name: &str, tuning: Tuning, redis_response: Duration) -> Station {
        self.station_on_feed(name, tuning, redis_response, |feed| feed).await
    }

    /// The same, its feed as `wrap` makes it from the station's own.
    async fn station_on_feed(
        &self,
        name: &str,
        tuning: Tuning,
        redis_response: Duration,
        wrap: impl FnOnce(Arc<dyn ChangeFeed>) -> Arc<dyn ChangeFeed>,
    ) -> Station {
        let settings = RedisSettings { url: self.redis.url(), prefix: PREFIX.into() };
        let lock = Arc::new(RedisLock::connect_waiting(&settings, redis_response).expect("lock"));
        let feed = wrap(Arc::new(lock.feed()));
        let service = SpoolService::new(
            Arc::new(self.sheets.store(tuning).await.with_shop_budget(lock.clone())),
            lock,
            Arc::new(SystemClock),
            name,
            chrono_tz::America::Santiago,
        )
        .with_feed(feed)
        .with_shared_snapshot(self.refresh);
        service.sync_snapshot().await.expect("synced");
        let service = Arc::new(service);
        let follower = tokio::spawn({
            let service = service.clone();
            async move { service.follow_changes(|_| {}).await }
        });
        Station { service, follower, reader: None }
    }

    /// `count` stations listening, the first start's reconciliation done.
    async fn stations(&self, count: usize) -> Vec<Station> {
        self.stations_tuned(count, quick(), RESPONSE_TIMEOUT).await
    }

    async fn stations_tuned(&self, count: usize, tuning: Tuning, redis_response: Duration) -> Vec<Station> {
        let mut stations = Vec::new();
        for index in 0..count {
            stations.push(self.station_tuned(&format!("estacion-{index}"), tuning.clone(), redis_response).await);
        }
        self.redis.wait_for_subscribers(&format!("{PREFIX}:events"), count as u64);
        stations[0].service.reconcile().await.expect("first start reconciled");
        settle(&stations).await;
        stations
    }

    fn reads(&self) -> usize {
        self.sheets.reads()
    }
}

fn snapshot(station: &Station) -> Snapshot {
    station.service.shared_snapshot().expect("a copy")
}

/// Waits until every station's copy has the same number (every patch heard and applied).
async fn settle(stations: &[Station]) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let numbers: Vec<u64> = stations.iter().map(|station| snapshot(station).seq).collect();
        if numbers.iter().all(|seq| *seq == numbers[0]) {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "copies never agreed: {numbers:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn holder(station: &Station, tag: &str) -> Option<String> {
    station.service.status(tag).await.expect("status").ocupado_por
}

/// Per action, the acting station's confirmation read and nothing else, whether 1, 10 or 30 stations watch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_per_action_do_not_grow_with_the_stations_watching() {
    let _turn = ONE_SHOP_AT_A_TIME.lock().await;
    for count in [1, 10, 30] {
        let shop = Shop::start().await;
        let stations = shop.stations(count).await;
        let actor = &stations[count - 1].service;
        // The acting station's first write learns the tabs' ids once.
        actor.tomar(&fixture::ready(1), fixture::ARMADOR, Operation::Arm).await.expect("warm-up");
        settle(&stations).await;

        shop.sheets.fake.clear_calls();
        actor.tomar(&fixture::ready(2), fixture::ARMADOR, Operation::Arm).await.expect("taken");
        settle(&stations).await;
        for station in &stations {
            assert_eq!(holder(station, &fixture::ready(2)).await.as_deref(), Some("MR(93)"), "{count} stations");
            let occupied = ListFilter { scope: ListScope::Occupied, ..ListFilter::default() };
            assert!(station
                .service
                .list(&occupied)
                .await
                .expect("list")
                .iter()
                .any(|view| view.tag == fixture::ready(2)));
        }
        assert_eq!(shop.reads(), 1, "{count} stations: the confirmation read only");
        assert_eq!(shop.sheets.writes(), 1);
        let first = snapshot(&stations[0]);
        assert!(stations.iter().all(|station| snapshot(station) == first), "{count} stations agree");
    }
}

/// Every station running its window's background work: the reader's lease, the re-reads, the kept copy.
fn keep_shared_snapshots(stations: &mut [Station]) {
    for station in stations {
        let service = station.service.clone();
        station.reader = Some(tokio::spawn(async move { service.keep_shared_snapshot().await }));
    }
}

/// At rest the shop reads the spreadsheet once per period, whether 1, 10 or 30 stations are open.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_rest_the_shop_reads_once_per_period_whatever_the_stations() {
    let _turn = ONE_SHOP_AT_A_TIME.lock().await;
    for count in [1, 10, 30] {
        let shop = Shop::start().await;
        let mut stations = shop.stations(count).await;
        keep_shared_snapshots(&mut stations);
        tokio::time::sleep(REFRESH * 2).await;
        shop.sheets.fake.clear_calls();
        let periods = 5;
        tokio::time::sleep(REFRESH * periods).await;
        let reads = shop.reads();
        assert!((3..=6).contains(&reads), "{count} stations: {reads} reads in {periods} periods");
    }
}

/// A person's edit reaches every screen within a period; when the reader goes away another takes over.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_reader_per_shop_brings_hand_edits_and_hands_over() {
    let _turn = ONE_SHOP_AT_A_TIME.lock().await;
    let period = REFRESH;
    let shop = Shop::start().await;
    let mut stations = shop.stations(10).await;
    keep_shared_snapshots(&mut stations);
    tokio::time::sleep(period * 2).await;

    let tag = fixture::ready(7);
    shop.sheets.fake.edit("Operaciones", |grid| {
        let map = ColumnMap::of(Tab::Operaciones, "Operaciones", grid).expect("schema");
        let row = (0..grid.rows.len())
            .find(|row| grid.cell(*row, map.position(&ops::TAG).expect("tag")).display() == tag)
            .expect("row");
        grid.set(row, map.position(&ops::OT).expect("OT column"), Cell::text("OT-EDITADA"));
    });
    let edited = tokio::time::Instant::now();
    for station in &stations {
        loop {
            if station.service.status(&tag).await.expect("status").ot.as_deref() == Some("OT-EDITADA") {
                break;
            }
            assert!(edited.elapsed() < period * 2, "the edit reached {} late", station.service.station());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    let reader = shop.leader().await.expect("a reader");
    let gone = stations.iter().position(|station| station.service.station() == reader).expect("a station");
    stations.remove(gone);
    let stopped = tokio::time::Instant::now();
    loop {
        match shop.leader().await {
            Some(next) if next != reader => break,
            _ => assert!(stopped.elapsed() < period * 3, "nobody took over the reading"),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A feed whose next publish reaches Redis but whose answer is lost: the station cannot tell its event's number.
struct AnswerLosingFeed {
    inner: Arc<dyn ChangeFeed>,
    lose_next: std::sync::atomic::AtomicBool,
}

#[async_trait::async_trait]
impl ChangeFeed for AnswerLosingFeed {
    async fn publish(&self, event: &SpoolEvent) -> Result<Option<u64>, SpoolError> {
        let published = self.inner.publish(event).await;
        if self.lose_next.swap(false, std::sync::atomic::Ordering::SeqCst) {
            return Err(SpoolError::LockUnavailable { reason: "respuesta perdida por la prueba".into() });
        }
        published
    }

    async fn snapshot_log(&self) -> Result<Option<SnapshotLog>, SpoolError> {
        self.inner.snapshot_log().await
    }

    fn subscribe(&self) -> tokio::sync::broadcast::Receiver<SpoolEvent> {
        self.inner.subscribe()
    }

    async fn probe(&self) -> Result<String, SpoolError> {
        self.inner.probe().await
    }
}

/// A PAUSAR whose own patch never reached the acting station's copy (the feed's answer lost, its follower
/// stopped): the worker's next TOMAR of the spool is not refused as "held by yourself" from the stale copy,
/// it is decided on the sheet.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_takes_again_what_they_paused_though_their_copy_lags() {
    let _turn = ONE_SHOP_AT_A_TIME.lock().await;
    let shop = Shop::start().await;
    let feed = Arc::new(std::sync::OnceLock::<Arc<AnswerLosingFeed>>::new());
    let station = shop
        .station_on_feed("estacion-lenta", quick(), RESPONSE_TIMEOUT, |inner| {
            let losing = Arc::new(AnswerLosingFeed { inner, lose_next: false.into() });
            feed.set(losing.clone()).ok();
            losing
        })
        .await;
    let tag = fixture::ready(20);
    station.service.tomar(&tag, fixture::ARMADOR, Operation::Arm).await.expect("taken");
    station.follower.abort();
    feed.get().expect("wrapped").lose_next.store(true, std::sync::atomic::Ordering::SeqCst);
    station.service.pausar(&tag, fixture::ARMADOR).await.expect("paused");
    assert_eq!(holder(&station, &tag).await.as_deref(), Some("MR(93)"), "the copy lags the pause");
    station.service.tomar(&tag, fixture::ARMADOR, Operation::Arm).await.expect("taken again, not refused");
    let row = shop.sheets.fake.grid("Operaciones");
    let map = ColumnMap::of(Tab::Operaciones, "Operaciones", &row).expect("schema");
    let occupied = (0..row.rows.len())
        .find(|index| row.cell(*index, map.position(&ops::TAG).expect("tag")).display() == tag)
        .map(|index| row.cell(index, map.position(&ops::OCUPADO_POR).expect("column")).display());
    assert_eq!(occupied.as_deref(), Some("MR(93)"));
}

/// A station whose feed was cut while the others acted catches up from the log in Redis, not from Google.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_station_that_missed_events_ends_with_the_same_snapshot() {
    let _turn = ONE_SHOP_AT_A_TIME.lock().await;
    let shop = Shop::start().await;
    let mut stations = shop.stations(3).await;
    stations[2].follower.abort();
    for number in 10..16 {
        let station = &stations[number % 2].service;
        station.tomar(&fixture::ready(number), fixture::ARMADOR, Operation::Arm).await.expect("taken");
    }
    stations[0].service.pausar(&fixture::ready(10), fixture::ARMADOR).await.expect("paused");
    settle(&stations[..2]).await;
    assert_ne!(snapshot(&stations[2]), snapshot(&stations[0]), "the cut station fell behind");

    shop.sheets.fake.clear_calls();
    let service = stations[2].service.clone();
    stations[2].follower = tokio::spawn(async move { service.follow_changes(|_| {}).await });
    stations[1].service.tomar(&fixture::ready(20), fixture::ARMADOR, Operation::Arm).await.expect("taken");
    settle(&stations).await;
    assert_eq!(snapshot(&stations[2]), snapshot(&stations[0]));
    assert_eq!(holder(&stations[2], &fixture::ready(12)).await.as_deref(), Some("MR(93)"));
    assert_eq!(shop.reads(), 1, "the acting station's confirmation only: the gap was filled from Redis");
}

/// Thirty stations tapping at once, five actions each, on Google's quota (60 reads and 60 writes per "minute",
/// here a minute of three seconds): every action lands, none draws a 429, because every station waits its turn
/// in the shop's one budget instead of spending a budget of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirty_stations_bursting_stay_within_the_shop_s_quota() {
    let _turn = ONE_SHOP_AT_A_TIME.lock().await;
    let window = Duration::from_secs(3);
    let shop = Shop::start().await;
    // The shop's budget a little under Google's 60: on a three-second "minute", a loaded machine's scheduling
    // delays between taking a call from the budget and its reaching the fake are a tenth of the window.
    let production = Tuning {
        reads_per_minute: 54,
        writes_per_minute: 54,
        quota_window: window,
        budget_wait: Duration::from_secs(120),
        ..quick()
    };
    // Thirty stations in one process on a two-core machine can starve a Redis answer past a shop's 800 ms: this
    // test is about the Sheets quota, so Redis may take its time.
    let mut stations = shop.stations_tuned(30, production, Duration::from_secs(5)).await;
    // Every station's banner, as a window shows it: some must have said "Google Sheets ocupado".
    let busy_seen = Arc::new(std::sync::atomic::AtomicBool::new(false));
    for station in &mut stations {
        let (service, busy_seen) = (station.service.clone(), busy_seen.clone());
        station.reader = Some(tokio::spawn(async move {
            service
                .watch_connection(|state| {
                    if state.sheets_busy {
                        busy_seen.store(true, std::sync::atomic::Ordering::SeqCst);
                    }
                })
                .await
        }));
    }
    shop.sheets.fake.set_quota(Some(60), window);
    shop.sheets.fake.clear_calls();
    let started = tokio::time::Instant::now();
    let taps = stations.iter().enumerate().map(|(index, station)| {
        let service = station.service.clone();
        let tag = fixture::ready(index + 1);
        async move {
            for round in 0..5 {
                let result = if round % 2 == 0 {
                    service.tomar(&tag, fixture::ARMADOR, Operation::Arm).await
                } else {
                    service.pausar(&tag, fixture::ARMADOR).await
                };
                result.unwrap_or_else(|error| panic!("{tag}, action {round}: {error:?}"));
            }
        }
    });
    futures_util::future::join_all(taps).await;
    let elapsed = started.elapsed();
    assert_eq!(shop.sheets.fake.throttled(), 0, "no call drew a 429");
    assert!(busy_seen.load(std::sync::atomic::Ordering::SeqCst), "stations waiting their turn said so");
    assert_eq!(shop.sheets.writes(), 150, "every action landed, once");
    let reads = shop.reads();
    println!("30 × 5 actions in {elapsed:?}: {reads} reads, 150 writes");
    // Never more than the quota per window, over however many windows the burst took.
    let windows = elapsed.as_secs_f64() / window.as_secs_f64();
    assert!(reads as f64 <= 60.0 * (windows.ceil() + 1.0), "{reads} reads in {windows:.1} windows");
    settle(&stations).await;
    for (index, station) in stations.iter().enumerate().take(3) {
        assert_eq!(holder(station, &fixture::ready(index + 1)).await.as_deref(), Some("MR(93)"));
    }
}

/// Each station also watches its connection and keeps the shared snapshot, as a window does.
fn run_as_windows(stations: &mut [Station]) {
    for station in stations {
        let (watcher, reader) = (station.service.clone(), station.service.clone());
        station.follower = tokio::spawn(async move {
            tokio::join!(
                watcher.watch_connection(|_| {}),
                reader.follow_changes(|_| {}),
                reader.keep_shared_snapshot()
            );
        });
    }
}

/// Waits (at most `limit`) until `station`'s banner state satisfies `wanted`.
async fn banner_until(station: &Station, limit: Duration, wanted: impl Fn(&ConnectionState) -> bool) -> Duration {
    let started = tokio::time::Instant::now();
    loop {
        let state = station.service.connection();
        if wanted(&state) {
            return started.elapsed();
        }
        assert!(started.elapsed() < limit, "the banner still says {state:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn out(state: &ConnectionState, service: Service) -> bool {
    state.outages.iter().any(|outage| outage.service == service)
}

/// The banner must follow within two seconds (about one measured); the bounds below leave a loaded CI machine
/// another second.
const BANNER: Duration = Duration::from_secs(3);

/// Google Sheets and Redis go away and come back: the banner follows within two seconds with nobody tapping,
/// viewing and filtering go on from the copy, actions answer OFFLINE, and everything recovers by itself
/// (Redis comes back empty: the copy is seeded again for the shop).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_banner_follows_outages_and_the_station_recovers_by_itself() {
    let _turn = ONE_SHOP_AT_A_TIME.lock().await;
    let mut shop = Shop::start().await;
    let mut stations = shop.stations(2).await;
    run_as_windows(&mut stations);
    let station = &stations[0];
    let online = banner_until(station, BANNER, |state| state.checked && state.online()).await;
    assert!(station.service.connection().actions_offered, "online after {online:?}: the screen offers actions");
    stations[1].service.tomar(&fixture::ready(3), fixture::ARMADOR, Operation::Arm).await.expect("taken");
    settle(&stations).await;

    shop.sheets.fake.fail_next(10_000);
    let refused = station.service.tomar(&fixture::ready(4), fixture::ARMADOR, Operation::Arm).await;
    assert_eq!(refused.map_err(|error| error.code()), Err(ErrorCode::SheetsUnavailable));
    banner_until(station, BANNER, |state| out(state, Service::GoogleSheets)).await;
    assert!(!station.service.connection().actions_offered, "no action is offered while Google is away");
    shop.redis.stop();
    let noticed = banner_until(station, BANNER, |state| out(state, Service::Redis)).await;
    println!("Redis gone: the banner said so after {noticed:?}");
    let mine = ListFilter { scope: ListScope::Worker(fixture::ARMADOR), ..ListFilter::default() };
    let held = station.service.list(&mine).await.expect("viewing goes on from the copy");
    assert_eq!(held.iter().map(|view| view.tag.as_str()).collect::<Vec<_>>(), [fixture::ready(3).as_str()]);
    let text = ListFilter { text: Some("s-00".into()), ..ListFilter::default() };
    assert!(!station.service.list(&text).await.expect("searching goes on").is_empty());
    let refused = station.service.pausar(&fixture::ready(3), fixture::ARMADOR).await;
    assert_eq!(refused.map_err(|error| error.code()), Err(ErrorCode::Offline));

    shop.sheets.fake.clear_faults();
    shop.redis.restart();
    let back = banner_until(station, BANNER, |state| !out(state, Service::Redis)).await;
    println!("Redis back: the banner said so after {back:?}");
    // The reader's next re-read (within a period or two of the lease) brings the spreadsheet back. Each station
    // looks for itself, a second apart: until its own banner clears, a station answers OFFLINE, as it says.
    for station in &stations {
        banner_until(station, REFRESH * 5, |state| state.online()).await;
        assert!(station.service.connection().actions_offered);
    }
    stations[1].service.pausar(&fixture::ready(3), fixture::ARMADOR).await.expect("paused after the recovery");
    settle(&stations).await;
    assert_eq!(holder(station, &fixture::ready(3)).await, None, "the copy follows again");
}

impl Shop {
    /// A viewer station: no key, Redis only.
    async fn viewer(&self) -> SpoolService {
        let settings = RedisSettings { url: self.redis.url(), prefix: PREFIX.into() };
        let lock = Arc::new(RedisLock::connect(&settings).expect("lock"));
        let viewer = SpoolService::new(
            Arc::new(OfflineStore::new(TabNames::default())),
            lock.clone(),
            Arc::new(SystemClock),
            "pantalla",
            chrono_tz::America::Santiago,
        )
        .with_feed(Arc::new(lock.feed()))
        .with_shared_snapshot(REFRESH)
        .view_only();
        viewer.sync_snapshot().await.expect("synced from Redis");
        viewer
    }

    /// The shop's feed, as any station's.
    fn feed(&self) -> spooltrack_redis::RedisFeed {
        let settings = RedisSettings { url: self.redis.url(), prefix: PREFIX.into() };
        RedisLock::connect(&settings).expect("lock").feed()
    }

    /// The station holding the reader's lease.
    async fn leader(&self) -> Option<String> {
        let client = redis::Client::open(self.redis.url()).expect("client");
        let mut connection = client.get_multiplexed_async_connection().await.expect("connection");
        redis::cmd("GET").arg(format!("{PREFIX}:leader:lectura")).query_async(&mut connection).await.expect("get")
    }
}

/// The spreadsheet goes away while one station acts and the others only look (no re-read falls due in the
/// test's minute): every banner says so within seconds, though only the acting station called the spreadsheet,
/// and clears once no station sees the outage any more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_banner_hears_of_a_sheets_outage_from_the_station_that_saw_it() {
    let _turn = ONE_SHOP_AT_A_TIME.lock().await;
    let mut shop = Shop::start().await;
    shop.refresh = Duration::from_secs(60);
    let mut stations = shop.stations(3).await;
    run_as_windows(&mut stations);
    for station in &stations {
        banner_until(station, BANNER, |state| state.checked && state.online()).await;
    }

    shop.sheets.fake.fail_next(10_000);
    let refused = stations[0].service.tomar(&fixture::ready(4), fixture::ARMADOR, Operation::Arm).await;
    assert_eq!(refused.map_err(|error| error.code()), Err(ErrorCode::SheetsUnavailable));
    let reads = shop.reads();
    for station in &stations[1..] {
        let heard = banner_until(station, BANNER, |state| out(state, Service::GoogleSheets)).await;
        println!("a looking station heard of the outage after {heard:?}");
    }
    assert_eq!(shop.reads(), reads, "the looking stations called the spreadsheet for nothing");

    shop.sheets.fake.clear_faults();
    stations[0].service.tomar(&fixture::ready(4), fixture::ARMADOR, Operation::Arm).await.expect("taken again");
    for station in &stations {
        banner_until(station, BANNER * 3, |state| state.online()).await;
    }
}

/// Two stations; the first took a spool and, as the shop's reader, gave Redis the whole audit for the history.
async fn a_spool_taken_with_the_history_whole() -> (Shop, Vec<Station>, String) {
    let shop = Shop::start().await;
    let stations = shop.stations(2).await;
    let tag = fixture::ready(1);
    stations[0].service.tomar(&tag, fixture::ARMADOR, Operation::Arm).await.expect("taken");
    assert!(stations[0].service.reread_if_reader(REFRESH * 2).await.expect("re-read"), "the first station reads");
    (shop, stations, tag)
}

/// A spool's history on the shared snapshot comes from the shop's Redis once the reader has given it the
/// audit: showing it costs the spreadsheet nothing, a viewer with no key shows the same, and while Redis's
/// history is in doubt a station reads the audit instead (and the reader gives it again).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn histories_come_from_the_shop_s_redis() {
    let _turn = ONE_SHOP_AT_A_TIME.lock().await;
    let (shop, stations, tag) = a_spool_taken_with_the_history_whole().await;
    stations[1].service.pausar(&tag, fixture::ARMADOR).await.expect("paused");
    settle(&stations).await;

    let reads = shop.reads();
    let sessions = stations[1].service.history(&tag).await.expect("history");
    assert_eq!(shop.reads(), reads, "the history cost no read of the spreadsheet");
    let ended: Vec<_> = sessions.iter().map(|session| (session.worker.as_str(), session.fin)).collect();
    assert_eq!(ended, [("MR(93)", SessionEnd::Pausado)]);

    let viewer = shop.viewer().await;
    assert_eq!(viewer.history(&tag).await.expect("a viewer's history"), sessions);

    shop.feed().doubt_history().await.expect("doubted");
    assert_eq!(stations[1].service.history(&tag).await.expect("history from the audit"), sessions);
    assert_eq!(shop.reads(), reads + 1, "in doubt, the audit is read");
    assert!(stations[0].service.reread_if_reader(REFRESH * 2).await.expect("re-read"));
    assert!(shop.feed().history_is_whole().await.expect("asked"), "the reader gave the audit again");
}

/// A release whose answer was lost and that the audit could not settle (OUTCOME_UNKNOWN) may have landed without
/// reaching the shop's history in Redis: the history is in doubt, so a station shows it from the audit, where the
/// release is, never the session as still open.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_whose_answer_was_lost_leaves_the_shop_s_history_in_doubt() {
    let _turn = ONE_SHOP_AT_A_TIME.lock().await;
    let (shop, stations, tag) = a_spool_taken_with_the_history_whole().await;
    assert!(shop.feed().history_is_whole().await.expect("asked"));

    shop.sheets.fake.drop_next_write_answer_then_fail(50);
    let unknown = stations[1].service.pausar(&tag, fixture::ARMADOR).await.map_err(|error| error.code());
    assert_eq!(unknown.map(|_| ()), Err(ErrorCode::OutcomeUnknown));
    shop.sheets.fake.clear_faults();
    assert!(!shop.feed().history_is_whole().await.expect("asked"), "the history may lack the release");

    let sessions = stations[0].service.history(&tag).await.expect("history from the audit");
    let ended: Vec<_> = sessions.iter().map(|session| (session.worker.as_str(), session.fin)).collect();
    assert_eq!(ended, [("MR(93)", SessionEnd::Pausado)], "the release landed");
}

/// The board's activity and health on the shared snapshot: the shop's latest events come from its Redis (no
/// read of the spreadsheet, the same at a viewer with no key), and doctor names the station that re-reads the
/// spreadsheet, or says that none does, and what the shop may still spend of the quota.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_activity_and_the_health_checks_come_from_the_shop_s_redis() {
    let _turn = ONE_SHOP_AT_A_TIME.lock().await;
    let shop = Shop::start().await;
    let stations = shop.stations(2).await;
    let (first, second) = (fixture::ready(1), fixture::ready(2));
    stations[0].service.tomar(&first, fixture::ARMADOR, Operation::Arm).await.expect("taken");
    assert!(stations[0].service.reread_if_reader(Duration::from_secs(60)).await.expect("re-read"), "it reads");
    stations[1].service.pausar(&first, fixture::ARMADOR).await.expect("paused");
    stations[1].service.tomar(&second, fixture::ARMADOR_SOLDADOR, Operation::Arm).await.expect("taken");
    settle(&stations).await;

    let reads = shop.reads();
    let activity = stations[1].service.activity().await.expect("activity");
    assert_eq!(shop.reads(), reads, "the activity cost no read of the spreadsheet");
    let newest: Vec<_> = activity
        .iter()
        .filter(|entry| entry.evento != EventKind::Reconciliacion)
        .map(|entry| (entry.evento, entry.tag.as_str(), entry.worker.as_str(), entry.estacion.as_deref()))
        .collect();
    assert_eq!(
        newest,
        [
            (EventKind::TomarSpool, second.as_str(), "NR(94)", Some("estacion-1")),
            (EventKind::PausarSpool, first.as_str(), "MR(93)", Some("estacion-1")),
            (EventKind::TomarSpool, first.as_str(), "MR(93)", Some("estacion-0")),
        ]
    );
    let ids =
        |entries: &[spooltrack_core::ActivityEntry]| entries.iter().map(|entry| entry.id.clone()).collect::<Vec<_>>();
    let viewer = shop.viewer().await;
    assert_eq!(ids(&viewer.activity().await.expect("a viewer's activity")), ids(&activity));

    let report = stations[1].service.doctor().await;
    let check = |report: &spooltrack_core::DoctorReport, name: &str| {
        report.checks.iter().find(|check| check.name == name).cloned().unwrap_or_else(|| panic!("no {name}"))
    };
    let reader = check(&report, "lector de la planilla");
    assert!(reader.ok && reader.detail.contains("«estacion-0» relee la planilla"), "{reader:?}");
    let quota = check(&report, "cuota de Google Sheets");
    assert!(quota.ok && quota.detail.contains("la planta puede hacer ya"), "{quota:?}");
    assert!(quota.detail.contains(" de 1000 lecturas"), "the burst: a sixth of the quota: {quota:?}");

    // The lease lapses (the reading station closed): nobody brings the hand edits now, and doctor says so.
    let client = redis::Client::open(shop.redis.url()).expect("client");
    let mut connection = client.get_multiplexed_async_connection().await.expect("connection");
    let _: i64 =
        redis::cmd("DEL").arg(format!("{PREFIX}:leader:lectura")).query_async(&mut connection).await.expect("del");
    let reader = check(&stations[1].service.doctor().await, "lector de la planilla");
    assert!(reader.detail.contains("ninguna estación relee"), "{reader:?}");
}
