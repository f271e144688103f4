//! Events the shell emits to the window, declared through tauri-specta so the UI gets their types.

use serde::{Deserialize, Serialize};
use specta::Type;
use std::sync::Arc;

use tauri::{AppHandle, Runtime};
use tauri_specta::Event;

/// Some spools changed: every screen showing them refreshes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type, tauri_specta::Event)]
pub struct SpoolChanged {
    pub tags: Vec<String>,
}

/// Announces changes to the window. Managed state, built in setup for the app's runtime, so the commands
/// themselves stay independent of the runtime (the real one or Tauri's mock runtime in tests).
pub struct ChangeNotifier {
    emit: Arc<dyn Fn(SpoolChanged) -> tauri::Result<()> + Send + Sync>,
}

impl ChangeNotifier {
    pub fn new<R: Runtime>(app: AppHandle<R>) -> Self {
        ChangeNotifier { emit: Arc::new(move |event: SpoolChanged| event.emit(&app)) }
    }

    pub fn notify(&self, tags: Vec<String>) {
        if tags.is_empty() {
            return;
        }
        if let Err(error) = (self.emit)(SpoolChanged { tags }) {
            tracing::warn!(%error, "no se pudo avisar a la ventana del cambio");
        }
    }
}
