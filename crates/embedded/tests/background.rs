//! A window's background policy in the core, on the embedded store and lock, with Tokio's clock paused: the
//! heartbeat keeps its period, and reconciliation runs at start, after a gap in the feed (not after an ordinary
//! event) and once a period has passed.

use std::{sync::Arc, time::Duration};

use spooltrack_core::{ChangeFeed, LocalFeed, LockService, SpoolEvent, SpoolService, Store};
use spooltrack_domain::{
    audit::{decode_events, EventKind},
    layout::ShopLayout,
    schema::{ops, ColumnMap, Tab, TabNames},
    Cell,
};
use spooltrack_embedded::{EmbeddedLock, EmbeddedStore};
use spooltrack_testkit::{fixture, ManualClock};
use tempfile::TempDir;

const STATION: &str = "ventana";

struct Window {
    _folder: TempDir,
    store: Arc<EmbeddedStore>,
    lock: Arc<EmbeddedLock>,
    feed: Arc<LocalFeed>,
    clock: Arc<ManualClock>,
    service: Arc<SpoolService>,
}

async fn open() -> Window {
    let folder = tempfile::tempdir().expect("temp dir");
    let path = folder.path().join("spooltrack.db");
    let store = Arc::new(EmbeddedStore::open(&path, TabNames::default()).expect("store"));
    store.replace(fixture::standard_shop().grids()).await.expect("seeded");
    let lock = Arc::new(EmbeddedLock::open(&path).expect("lock"));
    let feed = Arc::new(LocalFeed::default());
    let clock = Arc::new(ManualClock::at_local(2026, 12, 2, 10, 0));
    let service = SpoolService::new(store.clone(), lock.clone(), clock.clone(), STATION, chrono_tz::America::Santiago)
        .with_feed(feed.clone())
        .with_heartbeat(30);
    Window { _folder: folder, store, lock, feed, clock, service: Arc::new(service) }
}

impl Window {
    /// The tags whose locks reconciliation has rebuilt, as the audit says.
    async fn rebuilt(&self) -> Vec<String> {
        let grid = self.store.read(&[Tab::Metadata]).await.expect("audit").remove(0);
        let map = ColumnMap::of(Tab::Metadata, "Metadata", &grid).expect("audit header");
        let events = decode_events(&grid, &map).into_iter();
        events.filter(|event| event.kind == EventKind::Reconciliacion).map(|event| event.tag).collect()
    }

    /// A person copies the row held in the sheet (no lock) under a new tag: a row reconciliation must lock.
    async fn hand_edit_held_row(&self, tag: &str) {
        let mut shop = ShopLayout::default();
        let [operaciones, trabajadores, roles, metadata]: [_; 4] = self
            .store
            .read(&[Tab::Operaciones, Tab::Trabajadores, Tab::Roles, Tab::Metadata])
            .await
            .expect("read")
            .try_into()
            .expect("four tabs");
        let map = ColumnMap::of(Tab::Operaciones, "Operaciones", &operaciones).expect("header");
        let column = map.position(&ops::TAG).expect("tag column");
        let held =
            operaciones.rows.iter().find(|row| row[column] == Cell::text(fixture::HELD_IN_SHEET)).expect("held row");
        let mut copy = held.clone();
        copy[column] = Cell::text(tag);
        shop.operaciones = operaciones;
        shop.operaciones.rows.push(copy);
        (shop.trabajadores, shop.roles, shop.metadata) = (trabajadores, roles, metadata);
        self.store.replace(shop.grids()).await.expect("edited");
    }

    /// Lets the background run for `time` of Tokio's paused clock.
    async fn after(&self, time: Duration) {
        tokio::time::sleep(time).await;
    }
}

#[tokio::test(start_paused = true)]
async fn reconciliation_runs_at_start_after_a_feed_gap_and_every_period() {
    let window = open().await;
    let period = Duration::from_secs(600);
    let service = window.service.clone();
    let background = tokio::spawn(async move { service.keep_reconciled(period).await });

    window.after(Duration::from_secs(1)).await;
    assert_eq!(window.rebuilt().await, [fixture::HELD_IN_SHEET], "at start");

    window.hand_edit_held_row("S-HELD-2").await;
    window.feed.publish(&SpoolEvent { tags: vec![fixture::ready(1)], ..SpoolEvent::default() }).await.expect("sent");
    window.after(Duration::from_secs(1)).await;
    assert_eq!(window.rebuilt().await, [fixture::HELD_IN_SHEET], "an ordinary event reconciles nothing");
    window.feed.publish(&SpoolEvent::default()).await.expect("sent");
    window.after(Duration::from_secs(1)).await;
    assert_eq!(window.rebuilt().await, [fixture::HELD_IN_SHEET, "S-HELD-2"], "after a gap");

    window.hand_edit_held_row("S-HELD-3").await;
    window.after(period / 2).await;
    assert_eq!(window.rebuilt().await.len(), 2, "not before the period");
    window.after(period * 7 / 10).await;
    assert_eq!(window.rebuilt().await, [fixture::HELD_IN_SHEET, "S-HELD-2", "S-HELD-3"], "once the period passed");
    background.abort();
}

#[tokio::test(start_paused = true)]
async fn the_heartbeat_keeps_its_period() {
    let window = open().await;
    let service = window.service.clone();
    let background = tokio::spawn(async move { service.keep_alive().await });
    let last_beat = || async { window.lock.last_beats(&[STATION.to_string()]).await.expect("beats").remove(0) };

    window.after(Duration::from_millis(10)).await;
    let first = last_beat().await.expect("a beat at once");
    window.clock.advance(chrono::Duration::minutes(1));
    window.after(Duration::from_secs(20)).await;
    assert_eq!(last_beat().await, Some(first), "none before the period");
    window.after(Duration::from_secs(11)).await;
    assert_eq!(last_beat().await, Some(first + chrono::Duration::minutes(1)), "one when it came");
    background.abort();
}
