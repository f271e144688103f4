//! The TypeScript bindings committed under `ui/` must be exactly what the Rust contract generates.
//! `UPDATE_BINDINGS=1 cargo test --test bindings` (or `make bindings`) rewrites them.

use std::path::Path;

#[test]
fn typescript_bindings_are_up_to_date() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/bindings.ts");
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        spooltrack_app::ipc::export_bindings(&committed).expect("bindings written");
    }
    let fresh = tempfile::tempdir().expect("temp dir").keep().join("bindings.ts");
    spooltrack_app::ipc::export_bindings(&fresh).expect("bindings generated");
    let expected = std::fs::read_to_string(&fresh).expect("generated file");
    let actual = std::fs::read_to_string(&committed).unwrap_or_default();
    assert!(actual == expected, "ui/src/bindings.ts is stale: run `make bindings` and commit the result");
}
