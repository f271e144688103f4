//! Declares the app's own commands to Tauri's ACL, so the window gets only those the capability grants.

const COMMANDS: &[&str] = &[
    "status",
    "list_spools",
    "history",
    "workers",
    "tomar",
    "tomar_batch",
    "pausar",
    "pausar_batch",
    "completar",
    "completar_batch",
    "cancelar",
    "liberar",
    "connection",
    "doctor",
];

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    if let Err(error) = tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)) {
        panic!("tauri-build failed: {error:#}");
    }
}
