//! The station a process serves, once it has one. A window (or test host) opened with a configuration has it
//! from the start; one opened for the first time gets it once setup wrote a configuration, or the demo was
//! chosen, and only then does the station's background work start.

use std::{
    path::{Path, PathBuf},
    sync::OnceLock,
};

use spooltrack_domain::SpoolError;
use tokio::sync::Notify;

use crate::station::Station;

pub struct StationSlot {
    station: OnceLock<Station>,
    filled: Notify,
    /// Where the first start's setup writes the configuration; none once a station is open.
    setup_path: Option<PathBuf>,
}

impl StationSlot {
    pub fn with(station: Station) -> StationSlot {
        StationSlot { station: OnceLock::from(station), filled: Notify::new(), setup_path: None }
    }

    /// A first start: no station until setup writes its configuration to `path`.
    pub fn first_start(path: PathBuf) -> StationSlot {
        StationSlot { station: OnceLock::new(), filled: Notify::new(), setup_path: Some(path) }
    }

    /// The station, or why there is none yet.
    pub fn get(&self) -> Result<&Station, SpoolError> {
        self.station.get().ok_or_else(|| SpoolError::ConfigInvalid {
            key: "config".into(),
            reason: "esta estación aún no está configurada: elija los datos de demostración o conéctela a la planta"
                .into(),
        })
    }

    /// Where setup writes, while the station is not open.
    pub fn setup_path(&self) -> Option<&Path> {
        self.setup_path.as_deref().filter(|_| self.station.get().is_none())
    }

    /// Opens `station` in this slot; refused when one is open already (setup runs once per process).
    pub fn fill(&self, station: Station) -> Result<&Station, SpoolError> {
        self.station.set(station).map_err(|_| SpoolError::ConfigInvalid {
            key: "config".into(),
            reason: "esta estación ya está abierta: cierre la ventana para cambiar su configuración".into(),
        })?;
        self.filled.notify_waiters();
        self.get()
    }

    /// The station, once there is one.
    pub async fn opened(&self) -> &Station {
        loop {
            // Created before looking, so a station filled in between still wakes it.
            let filled = self.filled.notified();
            if let Some(station) = self.station.get() {
                return station;
            }
            filled.await;
        }
    }
}
