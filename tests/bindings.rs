//! The TypeScript bindings committed under `ui/` must be exactly what the Rust contract generates, and every
//! list of the contract's commands (build.rs, the capability, the interface) must name the same commands.
//! `UPDATE_BINDINGS=1 cargo test --test bindings` (or `make bindings`) rewrites them.

use std::{collections::BTreeSet, path::Path};

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

/// The names between `open` and the next `"` after each `open`.
fn quoted_after(text: &str, open: &str) -> BTreeSet<String> {
    text.split(open).skip(1).filter_map(|rest| rest.split('"').next()).map(str::to_string).collect()
}

/// The commands the contract collects (as its bindings invoke them), the ones `build.rs` declares to Tauri's
/// ACL, the ones the window's capability grants and the ones the interface calls are one and the same list: a
/// command added to one and not the others fails here, not in a shop.
#[test]
fn the_contract_the_acl_the_capability_and_the_interface_name_the_same_commands() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |path: &str| std::fs::read_to_string(root.join(path)).unwrap_or_else(|error| panic!("{path}: {error}"));
    let fresh = tempfile::tempdir().expect("temp dir");
    spooltrack_app::ipc::export_bindings(&fresh.path().join("bindings.ts")).expect("bindings generated");
    let bindings = std::fs::read_to_string(fresh.path().join("bindings.ts")).expect("generated file");
    let collected = quoted_after(&bindings, "__TAURI_INVOKE(\"");
    assert!(collected.len() >= 8, "the contract's commands: {collected:?}");

    let build = read("src-tauri/build.rs");
    let listed = build.split("const COMMANDS: &[&str] = &[").nth(1).and_then(|rest| rest.split("];").next());
    let declared: BTreeSet<String> = listed
        .expect("build.rs lists its commands")
        .lines()
        .filter_map(|line| Some(line.trim().strip_prefix('"')?.strip_suffix("\",")?.to_string()))
        .collect();

    let capability: serde_json::Value = serde_json::from_str(&read("capabilities/default.json")).expect("json");
    let granted: BTreeSet<String> = capability["permissions"]
        .as_array()
        .expect("permissions")
        .iter()
        .filter_map(|permission| permission.as_str()?.strip_prefix("allow-").map(|name| name.replace('-', "_")))
        .collect();

    let snake = |camel: &str| {
        camel.chars().fold(String::new(), |mut name, letter| {
            if letter.is_uppercase() {
                name.push('_');
            }
            name.push(letter.to_ascii_lowercase());
            name
        })
    };
    let interface = read("ui/src/lib/ipc.ts");
    let called: BTreeSet<String> = interface
        .split("commands.")
        .skip(1)
        .filter_map(|rest| {
            let name: String = rest.chars().take_while(char::is_ascii_alphanumeric).collect();
            rest[name.len()..].starts_with('(').then(|| snake(&name))
        })
        .collect();

    assert_eq!(declared, collected, "build.rs and the collected commands");
    assert_eq!(granted, collected, "the capability and the collected commands");
    assert_eq!(called, collected, "what ui/src/lib/ipc.ts calls and the collected commands");
}
