//! The station's services, built once from its configuration and shared by the window and the CLI.

use std::sync::Arc;

use spooltrack_core::{
    config::{Config, LockConfig},
    DoctorCheck, DoctorReport, SpoolService, SystemClock,
};
use spooltrack_domain::{schema::TabNames, SpoolError};
use spooltrack_embedded::{demo, EmbeddedLock, EmbeddedStore};
use spooltrack_redis::{RedisLock, RedisSettings};

pub struct Station {
    pub service: SpoolService,
    pub config: Config,
}

impl Station {
    /// Opens the embedded store (seeding the demo shop on first start), the configured lock service and, with
    /// Redis, the live-update feed between stations.
    pub async fn open(config: Config) -> Result<Station, SpoolError> {
        let tabs = TabNames::default();
        let now = chrono::Utc::now().with_timezone(&config.timezone).naive_local();
        demo::seed_if_empty(&config.database, &tabs, now, &config.station).await?;
        let store = EmbeddedStore::open(&config.database, tabs)?;
        let clock = Arc::new(SystemClock);
        let service = match &config.lock {
            LockConfig::Local => {
                let lock = Arc::new(EmbeddedLock::open(&config.database)?);
                SpoolService::new(Arc::new(store), lock, clock, config.station.clone(), config.timezone)
            }
            LockConfig::Redis { url, prefix } => {
                let settings = RedisSettings { url: url.clone(), prefix: prefix.clone() };
                let lock = RedisLock::connect(&settings)?;
                let feed = Arc::new(lock.feed());
                SpoolService::new(Arc::new(store), Arc::new(lock), clock, config.station.clone(), config.timezone)
                    .with_feed(feed)
            }
        };
        let service = service.with_heartbeat(config.heartbeat_seconds);
        Ok(Station { service, config })
    }

    /// The core's checks, preceded by what this station is configured to use.
    pub async fn doctor(&self) -> DoctorReport {
        let source = self
            .config
            .source
            .as_ref()
            .map_or("ninguno (valores por omisión)".to_string(), |path| path.display().to_string());
        let facts = vec![
            DoctorCheck { name: "configuración".into(), ok: true, detail: source },
            DoctorCheck {
                name: "almacenamiento".into(),
                ok: true,
                detail: format!("local embebido en {}", self.config.database.display()),
            },
            DoctorCheck { name: "estación".into(), ok: true, detail: self.config.station.clone() },
            DoctorCheck { name: "servicio de bloqueo".into(), ok: true, detail: lock_description(&self.config.lock) },
        ];
        self.service.doctor().await.with_configuration(facts)
    }
}

/// Where the locks live, without credentials: a Redis URL may carry a password.
fn lock_description(lock: &LockConfig) -> String {
    match lock {
        LockConfig::Local => "local, en el archivo del almacenamiento".into(),
        LockConfig::Redis { url, prefix } => {
            let host =
                url.rsplit('@').next().unwrap_or(url).trim_start_matches("redis://").trim_start_matches("rediss://");
            format!("Redis en {host} (prefijo {prefix})")
        }
    }
}
