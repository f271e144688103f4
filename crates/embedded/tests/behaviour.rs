//! The shared behaviour suite on the embedded default: SQLite store and local lock in one file.

use std::sync::Arc;

use async_trait::async_trait;
use spooltrack_core::{LockService, Store};
use spooltrack_domain::{
    layout::ShopLayout,
    schema::{Tab, TabNames},
};
use spooltrack_embedded::{EmbeddedLock, EmbeddedStore};
use spooltrack_testkit::{Backend, HandEdit, Site};
use tempfile::TempDir;

struct Embedded;

struct EmbeddedSite {
    folder: TempDir,
}

impl EmbeddedSite {
    fn path(&self) -> std::path::PathBuf {
        self.folder.path().join("spooltrack.db")
    }
}

#[async_trait]
impl Backend for Embedded {
    async fn start(&self, shop: ShopLayout) -> Arc<dyn Site> {
        let site = EmbeddedSite { folder: tempfile::tempdir().expect("temp dir") };
        let store = EmbeddedStore::open(&site.path(), TabNames::default()).expect("store opens");
        store.replace(shop.grids()).await.expect("seeded");
        Arc::new(site)
    }
}

#[async_trait]
impl Site for EmbeddedSite {
    async fn connect(&self) -> (Arc<dyn Store>, Arc<dyn LockService>) {
        let store = EmbeddedStore::open(&self.path(), TabNames::default()).expect("store opens");
        let lock = EmbeddedLock::open(&self.path()).expect("lock opens");
        (Arc::new(store), Arc::new(lock))
    }

    async fn edit(&self, tab: Tab, change: HandEdit) {
        let store = EmbeddedStore::open(&self.path(), TabNames::default()).expect("store opens");
        let mut grid = store.read(&[tab]).await.expect("readable").remove(0);
        change(&mut grid);
        store.replace(vec![(tab, grid)]).await.expect("edited");
    }
}

spooltrack_testkit::behaviour_suite!(Embedded);
