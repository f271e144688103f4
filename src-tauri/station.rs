//! The station's services, built once from its configuration and shared by the window and the CLI.

use std::sync::Arc;

use spooltrack_config::{Config, LockConfig, SheetsConfig};
use spooltrack_core::{
    ChangeFeed, DoctorCheck, DoctorReport, LockService, OfflineLock, OfflineStore, SpoolService, Store, SystemClock,
};
use spooltrack_domain::{schema::TabNames, SpoolError};
use spooltrack_embedded::{demo, EmbeddedLock, EmbeddedStore, KeptSnapshot};
use spooltrack_redis::{RedisLock, RedisSettings};
use spooltrack_sheets::{SheetsSettings, SheetsStore, Tuning};

pub struct Station {
    pub service: SpoolService,
    pub config: Config,
    /// Said once a supervisor's PIN lets a kiosk station's window close.
    pub(crate) closing: tokio::sync::watch::Sender<bool>,
}

impl Station {
    fn new(service: SpoolService, config: Config) -> Station {
        Station { service, config, closing: tokio::sync::watch::channel(false).0 }
    }

    /// Opens the configured store (Google Sheets, or the embedded store seeded with the demo shop on first
    /// start), the configured lock service and, with Redis, the live-update feed between stations.
    pub async fn open(config: Config) -> Result<Station, SpoolError> {
        if config.viewer {
            return Station::open_viewer(config).await;
        }
        let redis = match &config.lock {
            LockConfig::Local { .. } => None,
            LockConfig::Redis { url, prefix } => {
                Some(Arc::new(RedisLock::connect(&RedisSettings { url: url.clone(), prefix: prefix.clone() })?))
            }
        };
        let (store, sheets): (Arc<dyn Store>, _) = match &config.sheets {
            Some(sheets) => {
                let mut store = open_sheets(sheets).await?;
                if let Some(redis) = &redis {
                    // The service account's quota is the shop's: every station draws from one budget.
                    store = store.with_shop_budget(redis.clone());
                }
                let store = Arc::new(store);
                (store.clone(), Some(store))
            }
            None => {
                let tabs = TabNames::default();
                let now = chrono::Utc::now().with_timezone(&config.timezone).naive_local();
                demo::seed_if_empty(&config.database, &tabs, now, &config.station).await?;
                (Arc::new(EmbeddedStore::open(&config.database, tabs)?), None)
            }
        };
        let (lock, feed): (Arc<dyn LockService>, Option<Arc<dyn ChangeFeed>>) = match redis {
            None => (Arc::new(EmbeddedLock::open(&config.database)?), None),
            Some(redis) => {
                let feed = Arc::new(redis.feed());
                (redis, Some(feed))
            }
        };
        let mut service =
            SpoolService::new(store, lock, Arc::new(SystemClock), config.station.clone(), config.timezone);
        if let Some(feed) = feed {
            service = service.with_feed(feed);
            if sheets.is_some() {
                // Several stations on one spreadsheet: screens read the shop's shared snapshot, not Google, and
                // start from the copy this PC kept last time (brought up to date once the network answers).
                let kept = Arc::new(KeptSnapshot::open(&config.database, &config.shop())?);
                service = service.with_shared_snapshot(refresh(&config)).with_local_copy(kept);
                if let Err(error) = service.open_local_copy().await {
                    tracing::warn!(code = ?error.code(), "la copia local de la planta no se pudo abrir");
                }
            }
        }
        let service = service.with_heartbeat(config.heartbeat_seconds);
        Ok(Station::new(service, config))
    }

    /// The station with no network at all (`--offline`): the copy of the shop this PC kept, for viewing. A
    /// station on the embedded store is all local anyway and opens as usual.
    pub async fn open_offline(config: Config) -> Result<Station, SpoolError> {
        if config.sheets.is_none() {
            return Station::open(config).await;
        }
        let service = from_local_copy(&config, Arc::new(OfflineLock))?;
        service.open_local_copy().await?;
        if service.shared_snapshot().is_none() {
            return Err(SpoolError::NoLocalCopy);
        }
        Ok(Station::new(service, config))
    }

    /// A viewer station: the shop's Redis (live updates, the shared snapshot) and the copy this PC kept; no
    /// service-account key, no spreadsheet, no actions.
    async fn open_viewer(config: Config) -> Result<Station, SpoolError> {
        let LockConfig::Redis { url, prefix } = &config.lock else {
            return Err(SpoolError::ConfigInvalid {
                key: "viewer".into(),
                reason: "necesita el Redis de la planta".into(),
            });
        };
        let redis = Arc::new(RedisLock::connect(&RedisSettings { url: url.clone(), prefix: prefix.clone() })?);
        let feed = Arc::new(redis.feed());
        let service = from_local_copy(&config, redis)?.with_feed(feed).view_only();
        if let Err(error) = service.open_local_copy().await {
            tracing::warn!(code = ?error.code(), "la copia local de la planta no se pudo abrir");
        }
        Ok(Station::new(service, config))
    }

    /// `doctor` for a configuration: the station's checks when it opens, else why it does not.
    pub async fn diagnose(config: Config) -> DoctorReport {
        let facts = facts(&config);
        match Station::open(config).await {
            Ok(station) => station.doctor().await,
            Err(error) => {
                let failure = DoctorCheck { name: "apertura".into(), ok: false, detail: error.to_string() };
                DoctorReport { ok: false, checks: facts.into_iter().chain([failure]).collect() }
            }
        }
    }

    /// What this station is configured to use, then the core's checks of its store, lock service and feed.
    pub async fn doctor(&self) -> DoctorReport {
        let report = self.service.doctor().await;
        DoctorReport::of(facts(&self.config).into_iter().chain(report.checks).collect())
    }
}

/// A station that never reads the spreadsheet: screens from the copy this PC kept (and, given a feed, from the
/// shop's shared snapshot), `lock` for what the board shows of the holders.
fn from_local_copy(config: &Config, lock: Arc<dyn LockService>) -> Result<SpoolService, SpoolError> {
    let tabs = config.sheets.as_ref().map_or_else(TabNames::default, |sheets| sheets.tabs.clone());
    let kept = Arc::new(KeptSnapshot::open(&config.database, &config.shop())?);
    let service = SpoolService::new(
        Arc::new(OfflineStore::new(tabs)),
        lock,
        Arc::new(SystemClock),
        config.station.clone(),
        config.timezone,
    );
    Ok(service.with_shared_snapshot(refresh(config)).with_local_copy(kept).with_heartbeat(config.heartbeat_seconds))
}

/// How often the shop's reader re-reads the spreadsheet.
fn refresh(config: &Config) -> std::time::Duration {
    let seconds =
        config.sheets.as_ref().map_or(spooltrack_core::DEFAULT_REFRESH_SECONDS, |sheets| sheets.refresh_seconds);
    std::time::Duration::from_secs(u64::from(seconds))
}

async fn open_sheets(sheets: &SheetsConfig) -> Result<SheetsStore, SpoolError> {
    let settings = SheetsSettings {
        spreadsheet_id: sheets.spreadsheet_id.clone(),
        credentials: sheets.credentials.clone(),
        endpoint: sheets.endpoint.clone(),
    };
    let tuning = Tuning {
        reads_per_minute: sheets.reads_per_minute,
        writes_per_minute: sheets.writes_per_minute,
        ..Tuning::default()
    };
    SheetsStore::open(&settings, sheets.tabs.clone(), tuning).await
}

/// What the configuration says, without secrets.
fn facts(config: &Config) -> Vec<DoctorCheck> {
    let fact = |name: &str, detail: String| DoctorCheck { name: name.into(), ok: true, detail };
    let source =
        config.source.as_ref().map_or("ninguno (valores por omisión)".to_string(), |path| path.display().to_string());
    let store = match &config.sheets {
        _ if config.viewer => format!(
            "solo visualización: la copia compartida de la planta en Redis y la guardada en {}",
            config.database.display()
        ),
        Some(sheets) => format!("Google Sheets, planilla {} en {}", sheets.spreadsheet_id, sheets.endpoint),
        None => format!("local embebido en {}", config.database.display()),
    };
    vec![
        fact("configuración", source),
        fact("almacenamiento", store),
        fact("estación", config.station.clone()),
        fact("servicio de bloqueo", lock_description(&config.lock)),
    ]
}
/// Where the locks live, without credentials: a Redis URL may carry a password.
fn lock_description(lock: &LockConfig) -> String {
    match lock {
        LockConfig::Local { single_station: false } => "local, en el archivo del almacenamiento".into(),
        LockConfig::Local { single_station: true } => {
            "local, en el archivo del almacenamiento (única estación de la planilla)".into()
        }
        LockConfig::Redis { .. } => format!("Redis en {}", lock.address().unwrap_or_default()),
    }
}
