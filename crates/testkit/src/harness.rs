//! Runs the core against one backend (a store and lock pair): a shop seeded from a fixture, stations that
//! connect to it, a manual clock and a fault-injecting store in front of the real one.

use std::{collections::HashMap, sync::Arc};

use async_trait::async_trait;
use spooltrack_core::{LockService, SpoolService, Store};
use spooltrack_domain::{
    audit::{decode_events, AuditEvent},
    layout::ShopLayout,
    schema::{ColumnMap, Tab},
    spool::find_row,
    Cell, Grid,
};

use crate::{FaultyStore, ManualClock};

/// A kind of store and lock pair the suite runs against.
#[async_trait]
pub trait Backend: Send + Sync {
    /// A new shop holding exactly these tabs.
    async fn start(&self, shop: ShopLayout) -> Arc<dyn Site>;
}

/// One running shop; each connection is a station of its own (its own store and lock clients).
#[async_trait]
pub trait Site: Send + Sync {
    async fn connect(&self) -> (Arc<dyn Store>, Arc<dyn LockService>);

    /// A person editing a tab at its source (the spreadsheet, the embedded file), past every station.
    async fn edit(&self, tab: Tab, change: HandEdit);
}

/// What a person does to a tab.
pub type HandEdit = Box<dyn FnOnce(&mut Grid) + Send>;

pub struct Harness {
    site: Arc<dyn Site>,
    pub clock: Arc<ManualClock>,
    pub store: Arc<FaultyStore>,
    pub service: SpoolService,
}

impl Harness {
    pub async fn start(backend: &dyn Backend, shop: ShopLayout) -> Harness {
        let site = backend.start(shop).await;
        let clock = Arc::new(ManualClock::at_local(2025, 3, 7, 8, 15));
        let (store, lock) = site.connect().await;
        // A shop in service: its lock service has kept its data since its first start.
        lock.mark_intact(0).await.expect("lock service reachable");
        let store = Arc::new(FaultyStore::new(store));
        let service = SpoolService::new(store.clone(), lock, clock.clone(), "estacion-A", chrono_tz::America::Santiago);
        Harness { site, clock, store, service }
    }

    /// Another station on the same shop and clock.
    pub async fn station(&self, name: &str) -> SpoolService {
        let (store, lock) = self.site.connect().await;
        SpoolService::new(store, lock, self.clock.clone(), name, chrono_tz::America::Santiago)
    }

    /// The shop itself, for a person's edit staged at a chosen moment (a hook of the station's store).
    pub fn site(&self) -> Arc<dyn Site> {
        self.site.clone()
    }

    /// A person editing a tab of the shop now.
    pub async fn edit(&self, tab: Tab, change: HandEdit) {
        self.site.edit(tab, change).await;
    }

    /// A lock client of the shop, to stage what only a crash or another program would leave behind.
    pub async fn lock(&self) -> Arc<dyn LockService> {
        self.site.connect().await.1
    }

    pub async fn grid(&self, tab: Tab) -> Grid {
        self.store.read(&[tab]).await.expect("store readable").remove(0)
    }

    /// The row of a spool as header → cell, for assertions by column name.
    pub async fn row(&self, tag: &str) -> HashMap<String, Cell> {
        let grid = self.grid(Tab::Operaciones).await;
        let map = ColumnMap::of(Tab::Operaciones, "Operaciones", &grid).expect("schema");
        let row = find_row(&grid, &map, tag).expect("row present");
        grid.header.iter().enumerate().map(|(column, name)| (name.clone(), grid.cell(row, column).clone())).collect()
    }

    pub async fn events(&self) -> Vec<AuditEvent> {
        let grid = self.grid(Tab::Metadata).await;
        let map = ColumnMap::of(Tab::Metadata, "Metadata", &grid).expect("schema");
        decode_events(&grid, &map)
    }

    pub async fn audit_rows(&self) -> usize {
        self.grid(Tab::Metadata).await.rows.len()
    }
}
