//! Events the shell emits to the window, declared through tauri-specta so the UI gets their types.

use serde::{Deserialize, Serialize};
use specta::Type;
use spooltrack_core::{ConnectionState, SpoolEvent};
use tauri::{AppHandle, Manager, Runtime};
use tauri_specta::Event;

use crate::station::Station;

/// Some spools changed, here or at another station: every screen showing them refreshes. Empty `tags` means
/// "events were missed, refresh everything".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type, tauri_specta::Event)]
pub struct SpoolChanged {
    pub tags: Vec<String>,
    pub action: String,
    pub worker: String,
    pub station: String,
}

impl From<SpoolEvent> for SpoolChanged {
    fn from(event: SpoolEvent) -> Self {
        SpoolChanged { tags: event.tags, action: event.action, worker: event.worker, station: event.station }
    }
}

/// The station's services changed state (one went away or came back, the data on screen got older): the
/// banner shows it with no tap needed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type, tauri_specta::Event)]
pub struct ConnectionChanged(pub ConnectionState);

/// Pushes every change of the station's connection state to the window, as long as it is open.
pub async fn forward_connection<R: Runtime>(app: AppHandle<R>) {
    let station = app.state::<Station>();
    station
        .service
        .watch_connection(|state| {
            if let Err(error) = ConnectionChanged(state.clone()).emit(&app) {
                tracing::warn!(%error, "no se pudo avisar a la ventana del estado de la conexión");
            }
        })
        .await;
}

/// Asks every screen to reload everything (the station's copy of the shop was replaced).
pub fn refresh_everything<R: Runtime>(app: &AppHandle<R>) {
    if let Err(error) = SpoolChanged::from(SpoolEvent::default()).emit(app) {
        tracing::warn!(%error, "no se pudo avisar a la ventana del cambio");
    }
}

/// Turns every change the station hears (once its copy of the shop has taken it in) into a `spool-changed`
/// event for the window, until the feed closes.
pub async fn forward_changes<R: Runtime>(app: AppHandle<R>) {
    let station = app.state::<Station>();
    station
        .service
        .follow_changes(|event| {
            if let Err(error) = SpoolChanged::from(event).emit(&app) {
                tracing::warn!(%error, "no se pudo avisar a la ventana del cambio");
            }
        })
        .await;
}
