//! The shop simulation on the embedded default: several stations (processes, as far as the file is concerned:
//! each its own connections) on one SQLite file, with failed and held-back writes and hand edits of the tabs.

use std::sync::Arc;

use async_trait::async_trait;
use spooltrack_core::{LockService, Store};
use spooltrack_domain::{
    schema::{Tab, TabNames},
    Grid,
};
use spooltrack_embedded::{EmbeddedLock, EmbeddedStore};
use spooltrack_testkit::{
    fixture,
    simulation::{Fault, HandEdit, SimulatedShop, Simulation},
};

struct EmbeddedShop {
    _folder: tempfile::TempDir,
    path: std::path::PathBuf,
}

impl EmbeddedShop {
    async fn start() -> EmbeddedShop {
        let folder = tempfile::tempdir().expect("temp dir");
        let path = folder.path().join("shop.db");
        let store = EmbeddedStore::open(&path, TabNames::default()).expect("store");
        store.replace(fixture::standard_shop().grids()).await.expect("seeded");
        EmbeddedShop { _folder: folder, path }
    }

    fn store(&self) -> EmbeddedStore {
        EmbeddedStore::open(&self.path, TabNames::default()).expect("store")
    }
}

#[async_trait]
impl SimulatedShop for EmbeddedShop {
    async fn connect(&self) -> (Arc<dyn Store>, Arc<dyn LockService>) {
        (Arc::new(self.store()), Arc::new(EmbeddedLock::open(&self.path).expect("lock")))
    }

    async fn truth(&self, tab: Tab) -> Grid {
        self.store().read(&[tab]).await.expect("readable").remove(0)
    }

    async fn edit(&self, tab: Tab, change: HandEdit) {
        let mut grid = self.truth(tab).await;
        change(&mut grid);
        self.store().replace(vec![(tab, grid)]).await.expect("edited");
    }

    fn faults(&self) -> &[Fault] {
        &[]
    }

    async fn inject(&self, _fault: Fault) {}

    async fn heal(&self) {}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_embedded_shop_keeps_its_invariants_under_interleavings_and_hand_edits() {
    for seed in [11, 12, 13] {
        let shop = EmbeddedShop::start().await;
        let tally = Simulation::from_env(seed, 4, 150).run(Arc::new(shop)).await;
        println!("semilla {}: {tally:?}", std::env::var("SIM_SEED").unwrap_or(seed.to_string()));
        assert!(tally.answers.get("ok").copied().unwrap_or(0) > 20, "the run did real work: {tally:?}");
        if std::env::var("SIM_SEED").is_ok() {
            break;
        }
    }
}
