//! The shared behaviour suite on the Sheets store: the real google-sheets4 client against the project's Sheets
//! fake (a fresh spreadsheet and service-account key per shop), with the local lock.

mod common;

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use common::SheetsShop;
use spooltrack_core::{LockService, Store};
use spooltrack_domain::{
    layout::ShopLayout,
    schema::{Tab, TabNames},
};
use spooltrack_embedded::EmbeddedLock;
use spooltrack_sheets::{SheetsStore, Tuning};
use spooltrack_testkit::{Backend, HandEdit, Site};

struct Sheets;

struct SheetsSite(SheetsShop);

/// Every station sees the others' writes at once, as the suite's two-station tests expect.
fn tuning() -> Tuning {
    Tuning { spools_max_age: Duration::ZERO, ..common::quick() }
}

#[async_trait]
impl Backend for Sheets {
    async fn start(&self, shop: ShopLayout) -> Arc<dyn Site> {
        Arc::new(SheetsSite(SheetsShop::start(shop).await))
    }
}

#[async_trait]
impl Site for SheetsSite {
    async fn connect(&self) -> (Arc<dyn Store>, Arc<dyn LockService>) {
        let store: SheetsStore = self.0.store(tuning()).await;
        let lock = EmbeddedLock::open(&self.0.folder.path().join("locks.db")).expect("lock opens");
        (Arc::new(store), Arc::new(lock))
    }

    async fn edit(&self, tab: Tab, change: HandEdit) {
        self.0.fake.edit(TabNames::default().name(tab), change);
    }
}

spooltrack_testkit::behaviour_suite!(Sheets);
