//! Spooltrack's thin Tauri shell: turns IPC calls and CLI arguments into core calls, and core results into
//! IPC answers, events and exit codes. No business rule lives here.

pub mod cli;
pub mod commands;
pub mod dev_host;
pub mod events;
pub mod export;
pub mod ipc;
pub mod logging;
mod pin_entry;
pub mod station;

use spooltrack_config::Config;
use tauri::{Manager, Runtime};

/// The app on any runtime (the real window, or Tauri's mock runtime in tests): commands, events, and the
/// station's services built once in setup and managed.
pub fn app_builder<R: Runtime>(builder: tauri::Builder<R>, config: Config) -> tauri::Builder<R> {
    let bindings = ipc::builder::<R>();
    builder.invoke_handler(bindings.invoke_handler()).setup(move |app| {
        bindings.mount_events(app);
        if config.wall_screen {
            if let Some(window) = app.get_webview_window("main") {
                window.set_fullscreen(true)?;
            }
        }
        let station = tauri::async_runtime::block_on(station::Station::open(config))?;
        app.manage(station);
        let app = app.handle().clone();
        tauri::async_runtime::spawn(async move { events::serve_station(&app.state::<station::Station>(), &app).await });
        Ok(())
    })
}

/// The configuration of the app, compiled in from `tauri.conf.json`.
pub fn context<R: Runtime>() -> tauri::Context<R> {
    tauri::generate_context!()
}

/// Opens the window and runs until it is closed.
pub fn run_window(config: Config) -> tauri::Result<()> {
    app_builder(tauri::Builder::default(), config).run(context())
}
