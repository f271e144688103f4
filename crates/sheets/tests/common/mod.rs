//! A shop on the Sheets fake, reached through the real client: the fake, a service-account key for it, and
//! stores or services built on it the way a station builds them.
#![allow(dead_code)] // Each test file uses its own part of the kit.

use std::{sync::Arc, time::Duration};

use spooltrack_core::SpoolService;
use spooltrack_domain::{layout::ShopLayout, schema::TabNames};
use spooltrack_embedded::EmbeddedLock;
use spooltrack_sheets::{SheetsSettings, SheetsStore, Tuning};
use spooltrack_testkit::{ManualClock, SheetsFake};
use tempfile::TempDir;

pub const SPREADSHEET: &str = "planilla-pruebas";

pub struct SheetsShop {
    pub fake: SheetsFake,
    pub folder: TempDir,
    pub settings: SheetsSettings,
}

/// Retries in milliseconds instead of seconds, and a budget no test exhausts unless it means to.
pub fn quick() -> Tuning {
    Tuning {
        reads_per_minute: 6_000,
        writes_per_minute: 6_000,
        first_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(40),
        request_timeout: Duration::from_secs(5),
        ..Tuning::default()
    }
}

impl SheetsShop {
    pub async fn start(layout: ShopLayout) -> SheetsShop {
        let names = TabNames::default();
        let tabs = layout.grids().into_iter().map(|(tab, grid)| (names.name(tab).to_string(), grid)).collect();
        let fake = SheetsFake::start(SPREADSHEET, tabs).await;
        let folder = tempfile::tempdir().expect("temp dir");
        let settings = SheetsSettings {
            spreadsheet_id: SPREADSHEET.into(),
            credentials: fake.write_service_account_key(folder.path()),
            endpoint: fake.endpoint(),
        };
        SheetsShop { fake, folder, settings }
    }

    pub async fn store(&self, tuning: Tuning) -> SheetsStore {
        SheetsStore::open(&self.settings, TabNames::default(), tuning).await.expect("store opens")
    }

    /// A station on this shop: the Sheets store with `tuning`, the local lock, the suite's clock.
    pub async fn station(&self, tuning: Tuning) -> SpoolService {
        let lock = EmbeddedLock::open(&self.folder.path().join("locks.db")).expect("lock opens");
        let clock = Arc::new(ManualClock::at_local(2025, 3, 7, 8, 15));
        SpoolService::new(
            Arc::new(self.store(tuning).await),
            Arc::new(lock),
            clock,
            "estacion-A",
            chrono_tz::America::Santiago,
        )
    }

    /// How many reads the fake served or refused.
    pub fn reads(&self) -> usize {
        self.fake.count("values.batchGet") + self.fake.count("values.get") + self.fake.count("spreadsheets.get")
    }

    pub fn writes(&self) -> usize {
        self.fake.count("spreadsheets.batchUpdate")
            + self.fake.count("values.update")
            + self.fake.count("values.append")
    }
}
