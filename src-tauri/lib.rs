//! Spooltrack's thin Tauri shell: turns IPC calls and CLI arguments into core calls, and core results into
//! IPC answers, events and exit codes. No business rule lives here.

pub mod cli;
pub mod commands;
pub mod events;
pub mod ipc;
pub mod logging;
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
        app.manage(station);
        tauri::async_runtime::spawn(events::forward_changes(app.handle().clone()));
        tauri::async_runtime::spawn(keep_alive(app.handle().clone()));
        tauri::async_runtime::spawn(keep_reconciled(app.handle().clone()));
        tauri::async_runtime::spawn(keep_read(app.handle().clone()));
        tauri::async_runtime::spawn(events::forward_connection(app.handle().clone()));
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

/// Brings the copy the window started from up to date with the shop (screens then refresh everything), and
/// while the window is open keeps it on this PC; this station may also be the shop's one reader of the
/// spreadsheet.
async fn keep_read<R: Runtime>(app: tauri::AppHandle<R>) {
    let station = app.state::<station::Station>();
    match station.service.sync_snapshot().await {
        Ok(()) if station.service.shared_snapshot().is_some() => events::refresh_everything(&app),
        Ok(()) => {}
        Err(error) => tracing::warn!(code = ?error.code(), "sin copia compartida de la planta por ahora"),
    }
    station.service.keep_shared_snapshot().await;
}

/// Reconciles at start-up and after the feed reconnects to Redis (a gap may hide a lost Redis), and every
/// `reconcile_minutes` (plus a random tenth, so stations do not run in step) when this station holds the
/// reconciliation lease: one station at a time. Runs that do overlap are safe: releases compare tokens and
/// rebuilds take the lock atomically, so each correction is made and audited once.
async fn keep_reconciled<R: Runtime>(app: tauri::AppHandle<R>) {
    let station = app.state::<station::Station>();
    let service = &station.service;
    let mut changes = service.changes();
    let period = std::time::Duration::from_secs(u64::from(station.config.reconcile_minutes) * 60);
    let mut result = service.reconcile().await.map(Some);
    loop {
        match result {
            Ok(Some(report)) if report.corrections() > 0 => {
                tracing::info!(corrections = report.corrections(), "reconciliación aplicada")
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(code = ?error.code(), "reconciliación pendiente: se reintentará"),
        }
        let next_run = tokio::time::sleep(period + std::time::Duration::from_secs(jitter(period.as_secs() / 10)));
        tokio::pin!(next_run);
        result = loop {
            tokio::select! {
                () = &mut next_run => break service.reconcile_if_leader(period).await,
                heard = changes.recv() => match heard {
                    Ok(event) if event.seq.is_some() || !event.tags.is_empty() => continue,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                    // Reconnected after a gap, or missed events: look again now.
                    _ => break service.reconcile().await.map(Some),
                },
            }
        };
    }
}

/// A few seconds of randomness without a random-number dependency: the clock's nanoseconds.
fn jitter(spread: u64) -> u64 {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|since| since.subsec_nanos());
    nanos.map_or(0, |nanos| u64::from(nanos) % spread.max(1))
}

/// The configuration of the app, compiled in from `tauri.conf.json`.
pub fn context<R: Runtime>() -> tauri::Context<R> {
    tauri::generate_context!()
}

/// Opens the window and runs until it is closed.
pub fn run_window(config: Config) -> tauri::Result<()> {
    app_builder(tauri::Builder::default(), config).run(context())
}
