//! Declares the app's own commands to Tauri's ACL, so the window gets only those the capability grants.

const COMMANDS: &[&str] = &[
    "setup_needed",
    "check_setup",
    "connect_station",
    "open_demo",
    "current_setup",
    "reopen_setup",
    "cancel_setup",
    "list_spools",
    "history",
    "progress",
    "paused",
    "activity",
    "crew",
    "workers",
    "tomar_batch",
    "pausar_batch",
    "completar_batch",
    "cancelar_batch",
    "liberar",
    "verify_supervisor",
    "set_pin",
    "close_kiosk",
    "export_sessions",
    "connection",
    "doctor",
    "screen",
];

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    if let Err(error) = tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)) {
        panic!("tauri-build failed: {error:#}");
    }
}
