//! The station a process serves, once it has one, and the setup that configures it. A window (or test host)
//! opened with a configuration has its station from the start; one opened for the first time gets it once setup
//! wrote a configuration, or the demo was chosen. A supervisor may reopen setup on a running station: the station
//! goes on serving until answers that pass every check replace it, in this process, with the one they configure.

use std::{
    future::Future,
    path::PathBuf,
    sync::{Arc, Mutex},
};

use spooltrack_domain::SpoolError;
use tokio::sync::watch;

use crate::station::Station;

pub struct StationSlot {
    station: watch::Sender<Option<Arc<Station>>>,
    /// Where setup writes the configuration, while it is open: on a first start, or reopened by a supervisor.
    setup: Mutex<Option<PathBuf>>,
    /// One setup saves at a time: two answers sent at once do not both open a station.
    saving: tokio::sync::Mutex<()>,
}

impl StationSlot {
    pub fn with(station: Station) -> StationSlot {
        StationSlot::new(Some(Arc::new(station)), None)
    }

    /// A first start: no station until setup writes its configuration to `path`.
    pub fn first_start(path: PathBuf) -> StationSlot {
        StationSlot::new(None, Some(path))
    }

    fn new(station: Option<Arc<Station>>, setup: Option<PathBuf>) -> StationSlot {
        StationSlot {
            station: watch::Sender::new(station),
            setup: Mutex::new(setup),
            saving: tokio::sync::Mutex::new(()),
        }
    }

    /// The station, or why there is none yet.
    pub fn get(&self) -> Result<Arc<Station>, SpoolError> {
        self.station.borrow().clone().ok_or_else(|| SpoolError::ConfigInvalid {
            key: "config".into(),
            reason: "esta estación aún no está configurada: elija los datos de demostración o conéctela a la planta"
                .into(),
        })
    }

    /// Where setup writes, while it is open.
    pub fn setup_path(&self) -> Option<PathBuf> {
        self.setup.lock().expect("setup lock").clone()
    }

    /// Opens setup again on the running station, to write over the file it was configured from; the caller
    /// has checked that a supervisor asks for it.
    pub fn reopen(&self, station: &Station) -> Result<(), SpoolError> {
        let path = station.config.source.clone().ok_or_else(|| SpoolError::ConfigInvalid {
            key: "config".into(),
            reason: "esta estación no se configuró con un archivo: no hay configuración que cambiar".into(),
        })?;
        *self.setup.lock().expect("setup lock") = Some(path);
        Ok(())
    }

    /// Closes a reopened setup, the station unchanged; a first start has no station to go back to.
    pub fn cancel_setup(&self) -> Result<(), SpoolError> {
        self.get()?;
        *self.setup.lock().expect("setup lock") = None;
        Ok(())
    }

    /// Runs `save` while no other setup saves, with where setup writes (refused when setup is not open); the
    /// station it answers, if any, replaces this slot's and closes setup.
    pub async fn save_with<T>(
        &self,
        save: impl AsyncFnOnce(PathBuf) -> Result<(T, Option<Station>), SpoolError>,
    ) -> Result<T, SpoolError> {
        let _saving = self.saving.lock().await;
        let path = self.setup_path().ok_or_else(crate::setup::not_open)?;
        let (answer, station) = save(path).await?;
        if let Some(station) = station {
            *self.setup.lock().expect("setup lock") = None;
            self.station.send_replace(Some(Arc::new(station)));
            tracing::info!("estación abierta con su nueva configuración");
        }
        Ok(answer)
    }

    /// Runs `serve` on each station this slot opens, in turn: once there is one, until it is replaced (its
    /// work then stops, and the new one's starts) or `serve` ends.
    pub async fn each<F: Future<Output = ()>>(&self, mut serve: impl FnMut(Arc<Station>) -> F) {
        let mut opened = self.station.subscribe();
        loop {
            let station = opened.borrow_and_update().clone();
            if let Some(station) = station {
                tokio::select! {
                    () = serve(station) => return,
                    _ = opened.changed() => continue,
                }
            }
            // The sender lives as long as the slot: this waits for a station, never for an error.
            let _ = opened.changed().await;
        }
    }
}
