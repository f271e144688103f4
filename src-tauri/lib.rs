//! Spooltrack's thin Tauri shell: turns IPC calls and CLI arguments into core calls, and core results into
//! IPC answers, events and exit codes. No business rule lives here.

pub mod cli;
pub mod commands;
pub mod events;
pub mod ipc;
pub mod station;

use spooltrack_core::config::Config;
use tauri::{Manager, Runtime};

/// The app on any runtime (the real window, or Tauri's mock runtime in tests): commands, events, and the
/// station's services built once in setup and managed.
pub fn app_builder<R: Runtime>(builder: tauri::Builder<R>, config: Config) -> tauri::Builder<R> {
    let bindings = ipc::builder::<R>();
    builder.invoke_handler(bindings.invoke_handler()).setup(move |app| {
        bindings.mount_events(app);
        let station = tauri::async_runtime::block_on(station::Station::open(config))?;
        let changes = station.service.changes();
        app.manage(station);
        tauri::async_runtime::spawn(events::forward_changes(app.handle().clone(), changes));
        tauri::async_runtime::spawn(keep_alive(app.handle().clone()));
        Ok(())
    })
}

/// The window's heartbeat: while it is open, the board shows its station alive. Silence frees nothing.
async fn keep_alive<R: Runtime>(app: tauri::AppHandle<R>) {
    let station = app.state::<station::Station>();
    let mut ticks = tokio::time::interval(station.service.heartbeat_period());
    loop {
        ticks.tick().await;
        if let Err(error) = station.service.heartbeat().await {
            tracing::warn!(code = ?error.code(), "no se pudo registrar la señal de vida de la estación");
        }
    }
}

/// The configuration of the app, compiled in from `tauri.conf.json`.
pub fn context<R: Runtime>() -> tauri::Context<R> {
    tauri::generate_context!()
}

/// Opens the window and runs until it is closed.
pub fn run_window(config: Config) -> tauri::Result<()> {
    app_builder(tauri::Builder::default(), config).run(context())
}
