//! The shared behaviour suite with the Redis lock (a real redis-server per shop) in front of the embedded store.

use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc,
};

use async_trait::async_trait;
use spooltrack_core::{LockService, Store};
use spooltrack_domain::{
    layout::ShopLayout,
    schema::{Tab, TabNames},
};
use spooltrack_embedded::EmbeddedStore;
use spooltrack_redis::{RedisLock, RedisSettings};
use spooltrack_testkit::{Backend, HandEdit, RedisServer, Site};
use tempfile::TempDir;

struct EmbeddedWithRedis;

struct RedisSite {
    folder: TempDir,
    server: RedisServer,
    prefix: String,
}

static SHOPS: AtomicUsize = AtomicUsize::new(0);

#[async_trait]
impl Backend for EmbeddedWithRedis {
    async fn start(&self, shop: ShopLayout) -> Arc<dyn Site> {
        let site = RedisSite {
            folder: tempfile::tempdir().expect("temp dir"),
            server: RedisServer::start(),
            prefix: format!("suite{}", SHOPS.fetch_add(1, Ordering::SeqCst)),
        };
        let store = EmbeddedStore::open(&site.folder.path().join("shop.db"), TabNames::default()).expect("store");
        store.replace(shop.grids()).await.expect("seeded");
        Arc::new(site)
    }
}

#[async_trait]
impl Site for RedisSite {
    async fn connect(&self) -> (Arc<dyn Store>, Arc<dyn LockService>) {
        let store = EmbeddedStore::open(&self.folder.path().join("shop.db"), TabNames::default()).expect("store");
        let settings = RedisSettings { url: self.server.url(), prefix: self.prefix.clone() };
        (Arc::new(store), Arc::new(RedisLock::connect(&settings).expect("lock")))
    }

    async fn edit(&self, tab: Tab, change: HandEdit) {
        let store = EmbeddedStore::open(&self.folder.path().join("shop.db"), TabNames::default()).expect("store opens");
        let mut grid = store.read(&[tab]).await.expect("readable").remove(0);
        change(&mut grid);
        store.replace(vec![(tab, grid)]).await.expect("edited");
    }
}

spooltrack_testkit::behaviour_suite!(EmbeddedWithRedis);
