//! The window's page outlives its web process: WebKit draws the page in a process of its own, and when that
//! process dies (a graphics driver's crash, the memory limit, the kernel's OOM killer) the window would stay
//! blank until someone restarts the app, which on a kiosk or a wall screen nobody is there to do. The page is
//! loaded again instead; the station behind it never stopped, so the screen comes back as it was served.

use std::{
    cell::Cell,
    rc::Rc,
    time::{Duration, Instant},
};

use tauri::Manager;
use webkit2gtk::{glib, WebProcessTerminationReason, WebViewExt};

/// A page that dies again this soon after it was loaded is loaded after [`PAUSE`]: a crash at every load must
/// not spin the PC.
const CRASH_LOOP: Duration = Duration::from_secs(10);
const PAUSE: Duration = Duration::from_secs(5);

/// Loads the main window's page again whenever its web process ends by itself.
pub fn reload_when_its_process_dies(app: &tauri::AppHandle) {
    let Some(window) = app.get_webview_window("main") else { return };
    let hooked = window.with_webview(|webview| {
        let last_load = Rc::new(Cell::new(None::<Instant>));
        webview.inner().connect_web_process_terminated(move |view, reason| {
            if reason == WebProcessTerminationReason::TerminatedByApi {
                return;
            }
            let soon = last_load.get().is_some_and(|loaded| loaded.elapsed() < CRASH_LOOP);
            tracing::error!(?reason, again_soon = soon, "el proceso de la página terminó: se carga de nuevo");
            last_load.set(Some(Instant::now()));
            let view = view.clone();
            glib::timeout_add_local_once(if soon { PAUSE } else { Duration::ZERO }, move || view.reload());
        });
    });
    if let Err(error) = hooked {
        tracing::warn!(%error, "no se pudo vigilar el proceso de la página");
    }
}
