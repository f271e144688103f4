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
#[cfg(target_os = "linux")]
mod page;
mod pin_entry;
pub mod setup;
pub mod slot;
pub mod station;

use std::path::PathBuf;

use spooltrack_config::Config;
use tauri::{Manager, Runtime};

/// The app on any runtime (the real window, or Tauri's mock runtime in tests): commands, events, and the
/// station's services built once in setup and managed.
pub fn app_builder<R: Runtime>(builder: tauri::Builder<R>, config: Config) -> tauri::Builder<R> {
    built(builder, Start::Station(Box::new(config)))
}

/// The app on its first start, no configuration yet: the window's setup writes one to `path` and opens the
/// station it configures.
pub fn first_start_builder<R: Runtime>(builder: tauri::Builder<R>, path: PathBuf) -> tauri::Builder<R> {
    built(builder, Start::FirstStart(path))
}

enum Start {
    Station(Box<Config>),
    FirstStart(PathBuf),
}

fn built<R: Runtime>(builder: tauri::Builder<R>, start: Start) -> tauri::Builder<R> {
    let bindings = ipc::builder::<R>();
    // The file dialog chooses the service-account key at setup.
    builder.plugin(tauri_plugin_dialog::init()).invoke_handler(bindings.invoke_handler()).setup(move |app| {
        bindings.mount_events(app);
        let slot = match start {
            Start::Station(config) => {
                // Before the window first shows (and again, harmlessly, once its station's work starts).
                kiosk::show(app.handle(), &config);
                slot::StationSlot::with(tauri::async_runtime::block_on(station::Station::open(*config))?)
            }
            Start::FirstStart(path) => slot::StationSlot::first_start(path),
        };
        app.manage(slot);
        let handle = app.handle().clone();
        tauri::async_runtime::spawn(async move {
            let slot = handle.state::<slot::StationSlot>();
            slot.each(|station| {
                let handle = handle.clone();
                async move {
                    kiosk::show(&handle, &station.config);
                    tokio::join!(events::serve_station(&station, &handle), async {
                        station.closing_allowed().await;
                        kiosk::close(&handle);
                    });
                }
            })
            .await;
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
    run(app_builder(tauri::Builder::default(), config))
}

/// Opens the window on its first start (setup, then the station) and runs until it is closed.
pub fn run_first_start(path: PathBuf) -> tauri::Result<()> {
    run(first_start_builder(tauri::Builder::default(), path))
}

fn run(builder: tauri::Builder<tauri::Wry>) -> tauri::Result<()> {
    builder.build(context())?.run(|app, event| {
        // The window exists once the loop is ready.
        #[cfg(target_os = "linux")]
        if let tauri::RunEvent::Ready = event {
            page::reload_when_its_process_dies(app);
        }
        on_event(app, &event)
    });
    Ok(())
}
