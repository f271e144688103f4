//! The shared behaviour suite on the Sheets store: the real google-sheets4 client against the project's Sheets
//! fake (a fresh spreadsheet per shop, a service-account key per shop), with the local lock.

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use spooltrack_core::{LockService, Store};
use spooltrack_domain::{layout::ShopLayout, schema::TabNames};
use spooltrack_embedded::EmbeddedLock;
use spooltrack_sheets::{SheetsSettings, SheetsStore, Tuning};
use spooltrack_testkit::{Backend, SheetsFake, Site};
use tempfile::TempDir;

struct Sheets;

struct SheetsSite {
    fake: SheetsFake,
    folder: TempDir,
    settings: SheetsSettings,
}

/// Every station sees the others' writes at once, as the suite's two-station tests expect, and retries fast.
fn tuning() -> Tuning {
    Tuning { spools_max_age: Duration::ZERO, first_delay: Duration::from_millis(10), ..Tuning::default() }
}

#[async_trait]
impl Backend for Sheets {
    async fn start(&self, shop: ShopLayout) -> Box<dyn Site> {
        let names = TabNames::default();
        let tabs = shop.grids().into_iter().map(|(tab, grid)| (names.name(tab).to_string(), grid)).collect();
        let fake = SheetsFake::start("planilla-suite", tabs).await;
        let folder = tempfile::tempdir().expect("temp dir");
        let settings = SheetsSettings {
            spreadsheet_id: "planilla-suite".into(),
            credentials: fake.write_service_account_key(folder.path()),
            endpoint: fake.endpoint(),
        };
        Box::new(SheetsSite { fake, folder, settings })
    }
}

#[async_trait]
impl Site for SheetsSite {
    async fn connect(&self) -> (Arc<dyn Store>, Arc<dyn LockService>) {
        let _serving = &self.fake;
        let store = SheetsStore::open(&self.settings, TabNames::default(), tuning()).await.expect("store opens");
        let lock = EmbeddedLock::open(&self.folder.path().join("locks.db")).expect("lock opens");
        (Arc::new(store), Arc::new(lock))
    }
}

spooltrack_testkit::behaviour_suite!(Sheets);
