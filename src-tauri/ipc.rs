//! The one declared IPC contract: every command and event, collected once; the TypeScript bindings in
//! `ui/src/bindings.ts` are generated from it (and a test fails when they are stale).

use std::path::Path;

use specta_typescript::Typescript;
use tauri::Runtime;
use tauri_specta::{collect_commands, collect_events};

use crate::{commands, events};

pub fn builder<R: Runtime>() -> tauri_specta::Builder<R> {
    tauri_specta::Builder::new()
        .commands(collect_commands![
            commands::setup_needed,
            commands::check_setup,
            commands::connect_station,
            commands::open_demo,
            commands::current_setup,
            commands::reopen_setup,
            commands::cancel_setup,
            commands::list_spools,
            commands::history,
            commands::progress,
            commands::paused,
            commands::activity,
            commands::crew,
            commands::workers,
            commands::tomar_batch,
            commands::pausar_batch,
            commands::completar_batch,
            commands::cancelar_batch,
            commands::liberar,
            commands::verify_supervisor,
            commands::set_pin,
            commands::close_kiosk,
            commands::export_sessions,
            commands::connection,
            commands::doctor,
            commands::screen,
        ])
        .events(collect_events![events::SpoolChanged, events::ConnectionChanged])
        // The interface's limits on a selection and a PIN are the service's own.
        .constant("MAX_BATCH", spooltrack_core::MAX_BATCH)
        .constant("PIN_MIN_DIGITS", spooltrack_core::PIN_MIN_DIGITS)
        .constant("PIN_MAX_DIGITS", spooltrack_core::PIN_MAX_DIGITS)
}

/// Writes the TypeScript bindings of the contract to `path`.
pub fn export_bindings(path: &Path) -> Result<(), String> {
    builder::<tauri::Wry>()
        .export(
            Typescript::default().header("// Generated from the Rust IPC contract by `make bindings`; do not edit.\n"),
            path,
        )
        .map_err(|error| error.to_string())
}
