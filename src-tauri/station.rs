//! The station's services, built once from its configuration and shared by the window and the CLI.

use std::sync::Arc;

use spooltrack_core::{config::Config, DoctorCheck, DoctorReport, SpoolService, SystemClock};
use spooltrack_domain::{schema::TabNames, SpoolError};
use spooltrack_embedded::{demo, EmbeddedLock, EmbeddedStore};

pub struct Station {
    pub service: SpoolService,
    pub config: Config,
}

impl Station {
    /// Opens the embedded store (seeding the demo shop on first start) and its lock.
    pub async fn open(config: Config) -> Result<Station, SpoolError> {
        let tabs = TabNames::default();
        let now = chrono::Utc::now().with_timezone(&config.timezone).naive_local();
        demo::seed_if_empty(&config.database, &tabs, now, &config.station).await?;
        let store = EmbeddedStore::open(&config.database, tabs)?;
        let lock = EmbeddedLock::open(&config.database)?;
        let service = SpoolService::new(
            Arc::new(store),
            Arc::new(lock),
            Arc::new(SystemClock),
            config.station.clone(),
            config.timezone,
        );
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
        ];
        self.service.doctor().await.with_configuration(facts)
    }
}
