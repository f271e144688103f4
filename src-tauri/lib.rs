//! Spooltrack's thin Tauri shell: turns IPC calls and CLI arguments into core calls, and core results into
//! IPC answers, events and exit codes. No business rule lives here.

pub mod cli;
pub mod commands;
pub mod dev_host;
pub mod events;
pub mod export;
pub mod ipc;
mod kiosk;
pub mod logging;
mod pin_entry;
pub mod setup;
pub mod station;

use spooltrack_config::Config;
use tauri::{Manager, Runtime};

/// The app on any runtime (the real window, or Tauri's mock runtime in tests): commands, events, and the
/// station's services built once in setup and managed.
pub fn app_builder<R: Runtime>(builder: tauri::Builder<R>, config: Config) -> tauri::Builder<R> {
    let bindings = ipc::builder::<R>();
    builder.invoke_handler(bindings.invoke_handler()).setup(move |app| {
        bindings.mount_events(app);
        if let Some(window) = app.get_webview_window("main") {
            if config.kiosk {
                kiosk::enter(&window)?;
            } else if config.wall_screen {
                window.set_fullscreen(true)?;
            }
        }
        let station = tauri::async_runtime::block_on(station::Station::open(config))?;
        app.manage(station);
        let events = app.handle().clone();
        tauri::async_runtime::spawn(async move {
            events::serve_station(&events.state::<station::Station>(), &events).await
        });
        let closing = app.handle().clone();
        tauri::async_runtime::spawn(async move {
            closing.state::<station::Station>().closing_allowed().await;
            kiosk::close(&closing);
        });
        Ok(())
    })
}

/// The configuration of the app, compiled in from `tauri.conf.json`.
pub fn context<R: Runtime>() -> tauri::Context<R> {
    tauri::generate_context!()
}

/// What the shell does with the event loop's events: a kiosk's window stays open and full screen.
pub fn on_event<R: Runtime>(app: &tauri::AppHandle<R>, event: &tauri::RunEvent) {
    kiosk::hold(app, event);
}

/// Opens the window and runs until it is closed.
pub fn run_window(config: Config) -> tauri::Result<()> {
    app_builder(tauri::Builder::default(), config).build(context())?.run(|app, event| on_event(app, &event));
    Ok(())
}
