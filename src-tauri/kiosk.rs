//! Kiosk mode (`kiosk = true`) for touch PCs on the floor: the window opens full screen with no decorations, and
//! is put back in full screen whenever it gets the focus again out of it; it closes only once a supervisor's PIN
//! allows it (the board's station settings), never by a key or the window manager.

use spooltrack_config::Config;
use spooltrack_domain::{SpoolError, WorkerId};
use tauri::{AppHandle, Manager, RunEvent, Runtime, WindowEvent};

use crate::{slot::StationSlot, station::Station};

impl Station {
    /// Lets the window of this kiosk station close, on `admin_id`'s PIN.
    pub async fn allow_closing(&self, admin_id: WorkerId, pin: &str) -> Result<(), SpoolError> {
        if !self.config.kiosk {
            return Err(SpoolError::InvalidInput {
                field: "kiosk".into(),
                reason: "esta estación no está en modo quiosco: su ventana se cierra como cualquier otra".into(),
            });
        }
        let supervisor = self.service.verify_supervisor_to_close(admin_id, pin).await?;
        tracing::info!(supervisor = supervisor.id, "ventana del quiosco cerrada por un supervisor");
        self.closing.send_replace(true);
        Ok(())
    }

    /// Waits until a supervisor allowed the window to close.
    pub async fn closing_allowed(&self) {
        let mut closing = self.closing.subscribe();
        // The sender lives as long as the station: waiting can only end with a yes.
        let _ = closing.wait_for(|allowed| *allowed).await;
    }

    fn closing_is_allowed(&self) -> bool {
        *self.closing.borrow()
    }
}

/// Shows the window as `config` asks: a kiosk full screen with no decorations, a wall screen full screen,
/// any other a window like any other (a station setup reconfigured may leave kiosk mode).
pub fn show<R: Runtime>(app: &AppHandle<R>, config: &Config) {
    let Some(window) = app.get_webview_window("main") else { return };
    let shown = window
        .set_decorations(!config.kiosk)
        .and_then(|()| window.set_resizable(!config.kiosk))
        .and_then(|()| window.set_fullscreen(config.kiosk || config.wall_screen));
    if let Err(error) = shown {
        tracing::warn!(%error, kiosk = config.kiosk, "la ventana no se pudo mostrar como pide la configuración");
    }
}

/// Closes the window a supervisor allowed to close (the app then ends, as with any last window).
pub fn close<R: Runtime>(app: &tauri::AppHandle<R>) {
    let closed = app.get_webview_window("main").map(|window| window.close());
    if !matches!(closed, Some(Ok(()))) {
        tracing::warn!("la ventana del quiosco no se pudo cerrar: la aplicación termina");
        app.exit(0);
    }
}

/// Keeps a kiosk station's window full screen and open, until a supervisor allows it to close.
pub fn hold<R: Runtime>(app: &AppHandle<R>, event: &RunEvent) {
    let RunEvent::WindowEvent { label, event, .. } = event else { return };
    let Some(slot) = app.try_state::<StationSlot>() else { return };
    let Ok(station) = slot.get() else { return };
    if !station.config.kiosk || station.closing_is_allowed() {
        return;
    }
    match event {
        WindowEvent::CloseRequested { api, .. } => {
            tracing::info!("cierre de la ventana del quiosco rechazado: lo autoriza un supervisor");
            api.prevent_close();
        }
        // Not on every resize: where nothing grants full screen (no window manager), asking again would only
        // ask forever. A window given the focus again is put back, if it was let out.
        WindowEvent::Focused(true) => {
            let Some(window) = app.get_webview_window(label) else { return };
            if !window.is_fullscreen().unwrap_or(true) {
                if let Err(error) = window.set_fullscreen(true) {
                    tracing::warn!(%error, "no se pudo volver a pantalla completa");
                }
            }
        }
        _ => {}
    }
}
