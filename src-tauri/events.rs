//! Events the shell sends to the interface, declared through tauri-specta so the UI gets their types, and the
//! station's background work that produces them, the same for both hosts (the window, the test host).

use serde::{Deserialize, Serialize};
use specta::Type;
use spooltrack_core::{ConnectionState, SpoolEvent};
use tauri::{AppHandle, Runtime};
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

impl SpoolChanged {
    /// Events were missed or the station's copy was replaced: every screen reloads everything.
    pub fn everything() -> SpoolChanged {
        SpoolEvent::default().into()
    }
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

/// Where a host delivers the station's events to its interface.
pub trait Sink: Send + Sync {
    fn send<E: Event + Serialize + Clone>(&self, event: E);
}

impl<R: Runtime> Sink for AppHandle<R> {
    fn send<E: Event + Serialize + Clone>(&self, event: E) {
        if let Err(error) = event.emit(self) {
            tracing::warn!(%error, event = E::NAME, "no se pudo avisar a la ventana");
        }
    }
}

/// The station's life behind an interface, until its feed closes: every change it hears (once its copy of the
/// shop has taken it in) as `spool-changed`, every change of its connection state as `connection-changed`,
/// and the core's background policy (heartbeat, the shared snapshot, reconciliation), after which a copy
/// brought up to date asks every screen to reload everything.
pub async fn serve_station(station: &Station, sink: &impl Sink) {
    let reconcile_every = std::time::Duration::from_secs(u64::from(station.config.reconcile_minutes) * 60);
    tokio::join!(
        station.service.follow_changes(|event| sink.send(SpoolChanged::from(event))),
        station.service.watch_connection(|state| sink.send(ConnectionChanged(state.clone()))),
        station.service.run_background(reconcile_every, || sink.send(SpoolChanged::everything())),
    );
}
