//! The shared behaviour suite on the production pair: the Google Sheets store (the real client against the
//! fake) with the Redis lock on a real redis-server, every station its own clients of both.

mod common;

use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc,
};

use async_trait::async_trait;
use common::SheetsShop;
use spooltrack_core::{LockService, Store};
use spooltrack_domain::{
    layout::ShopLayout,
    schema::{Tab, TabNames},
};
use spooltrack_redis::{RedisLock, RedisSettings};
use spooltrack_sheets::Tuning;
use spooltrack_testkit::{Backend, HandEdit, RedisServer, Site};

struct SheetsWithRedis;

struct ProductionSite {
    sheets: SheetsShop,
    redis: RedisServer,
    prefix: String,
}

static SHOPS: AtomicUsize = AtomicUsize::new(0);

/// Every station sees the others' writes at once, as the suite's two-station tests expect.
fn tuning() -> Tuning {
    Tuning { spools_max_age: std::time::Duration::ZERO, ..common::quick() }
}

#[async_trait]
impl Backend for SheetsWithRedis {
    async fn start(&self, shop: ShopLayout) -> Arc<dyn Site> {
        Arc::new(ProductionSite {
            sheets: SheetsShop::start(shop).await,
            redis: RedisServer::start(),
            prefix: format!("pareja{}", SHOPS.fetch_add(1, Ordering::SeqCst)),
        })
    }
}

#[async_trait]
impl Site for ProductionSite {
    async fn connect(&self) -> (Arc<dyn Store>, Arc<dyn LockService>) {
        let settings = RedisSettings { url: self.redis.url(), prefix: self.prefix.clone() };
        (Arc::new(self.sheets.store(tuning()).await), Arc::new(RedisLock::connect(&settings).expect("lock")))
    }

    async fn edit(&self, tab: Tab, change: HandEdit) {
        self.sheets.fake.edit(TabNames::default().name(tab), change);
    }
}

spooltrack_testkit::behaviour_suite!(SheetsWithRedis);
