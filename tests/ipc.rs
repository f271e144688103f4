//! The IPC contract through Tauri's mock runtime, with the app's real capability and a real embedded store:
//! every command answers a success and an error, errors cross as `{code, message, details}`, and changes
//! emit `spool-changed`.

use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use spooltrack_config::Config;
use tauri::{
    ipc::{CallbackFn, InvokeBody},
    test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY},
    webview::InvokeRequest,
    App, Listener, Manager, RunEvent, WebviewWindow, WindowEvent,
};
use tempfile::TempDir;

/// Calls `command` as the page of `webview` would.
fn invoke_on(webview: &WebviewWindow<MockRuntime>, command: &str, body: Value) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: command.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().expect("url"),
        body: InvokeBody::Json(body),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(webview, request).map(|answer| answer.deserialize::<Value>().expect("json answer"))
}

struct Window {
    app: App<MockRuntime>,
    webview: WebviewWindow<MockRuntime>,
    _folder: TempDir,
}

fn open() -> Window {
    let folder = tempfile::tempdir().expect("temp dir");
    let config = Config {
        database: folder.path().join("spooltrack.db"),
        station: "e2e-ipc".into(),
        ..Config::embedded_default()
    };
    launch(config, folder)
}

/// The app on `config`, its setup run; `folder` holds its files for as long as the window lives.
fn launch(config: Config, folder: TempDir) -> Window {
    let mut app =
        spooltrack_app::app_builder(mock_builder(), config).build(spooltrack_app::context()).expect("app builds");
    // One turn of the event loop runs setup: the station's services and the configured main window.
    #[allow(deprecated)]
    app.run_iteration(|_, _| {});
    let webview = app.get_webview_window("main").expect("main window");
    Window { app, webview, _folder: folder }
}

impl Window {
    fn invoke(&self, command: &str, body: Value) -> Result<Value, Value> {
        invoke_on(&self.webview, command, body)
    }

    fn ok(&self, command: &str, body: Value) -> Value {
        self.invoke(command, body).unwrap_or_else(|error| panic!("{command} failed: {error}"))
    }

    /// Asserts the error shape and answers its code.
    fn error_code(&self, command: &str, body: Value) -> String {
        let error = self.invoke(command, body).expect_err("the command should be refused");
        assert!(error["message"].as_str().is_some_and(|message| !message.is_empty()), "a message: {error}");
        assert!(error["details"].is_object(), "details: {error}");
        error["code"].as_str().expect("a code").to_string()
    }

    fn list(&self, filter: Value) -> Vec<Value> {
        self.ok("list_spools", json!({ "filter": filter })).as_array().expect("list").clone()
    }

    /// One spool as the lists show it.
    fn spool(&self, tag: &str) -> Value {
        let found = self.list(json!({ "scope": "all", "text": tag }));
        found.into_iter().find(|spool| spool["tag"] == json!(tag)).unwrap_or_else(|| panic!("{tag} listed"))
    }

    /// Tags free for an operation, from the demo shop.
    fn available(&self, operation: &str) -> Vec<String> {
        let spools = self.list(json!({ "operation": operation, "scope": "available" }));
        assert!(!spools.is_empty(), "the demo shop has spools ready for {operation}");
        spools.iter().map(|spool| spool["tag"].as_str().expect("tag").to_string()).collect()
    }
}

const ARMADOR: u32 = 93;
const SOLDADOR: u32 = 101;
const SUPERVISOR: u32 = 109;

#[test]
fn list_spools_filters_or_refuses_a_bad_filter() {
    let window = open();
    let tags: Vec<String> = window.available("ARM").into_iter().take(2).collect();
    window.ok("tomar_batch", json!({ "tags": tags, "workerId": ARMADOR, "operation": "ARM" }));
    let occupied = window.list(json!({ "scope": "occupied" }));
    assert!(!occupied.is_empty() && occupied.iter().all(|spool| spool["ocupado_por"].is_string()), "{occupied:?}");
    let mine = window.list(json!({ "scope": { "worker": ARMADOR } }));
    assert!(!mine.is_empty() && mine.iter().all(|spool| spool["ocupado_por"] == json!("MR(93)")), "{mine:?}");
    assert_eq!(window.spool(&tags[0])["ocupado_por"], json!("MR(93)"));
    assert!(window.invoke("list_spools", json!({ "filter": { "scope": "todo" } })).is_err());
}

#[test]
fn history_answers_sessions_or_spool_not_found() {
    let window = open();
    let tag = window.available("ARM").remove(0);
    window.ok("tomar_batch", json!({ "tags": [tag], "workerId": ARMADOR, "operation": "ARM" }));
    let sessions = window.ok("history", json!({ "tag": tag }));
    assert_eq!(sessions[0]["worker"], json!("MR(93)"));
    assert_eq!(sessions[0]["fin"], json!("EN_CURSO"));
    assert_eq!(window.error_code("history", json!({ "tag": "NO-EXISTE" })), "SPOOL_NOT_FOUND");
}

#[test]
fn workers_lists_the_demo_shop() {
    let window = open();
    let workers = window.ok("workers", json!({}));
    assert!(workers.as_array().expect("list").len() >= 12);
}

#[test]
fn doctor_reports_every_check() {
    let window = open();
    let report = window.ok("doctor", json!({}));
    assert_eq!(report["ok"], json!(true));
    assert!(report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .any(|check| check["name"] == json!("pestaña Operaciones")));
}

#[test]
fn tomar_batch_takes_announces_and_answers_per_tag_or_refuses_the_list() {
    let window = open();
    let seen = Arc::new(Mutex::new(Vec::<Value>::new()));
    let sink = Arc::clone(&seen);
    window.app.listen_any("spool-changed", move |event| {
        sink.lock().expect("events").push(serde_json::from_str(event.payload()).expect("payload"));
    });
    let mut tags: Vec<String> = window.available("ARM").into_iter().take(3).collect();
    tags.push("NO-EXISTE".into());
    let outcome = window.ok("tomar_batch", json!({ "tags": tags, "workerId": ARMADOR, "operation": "ARM" }));
    assert_eq!(
        (outcome["total"].clone(), outcome["succeeded"].clone(), outcome["failed"].clone()),
        (json!(4), json!(3), json!(1))
    );
    assert_eq!(outcome["details"][3]["code"], json!("SPOOL_NOT_FOUND"));
    // The change comes back through the station's feed, asynchronously.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    while seen.lock().expect("events").is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let expected = json!({ "tags": tags[..3], "action": "TOMAR", "worker": "MR(93)", "station": "e2e-ipc" });
    assert_eq!(seen.lock().expect("events").as_slice(), &[expected]);

    let again = window.ok("tomar_batch", json!({ "tags": [tags[0]], "workerId": 94, "operation": "ARM" }));
    assert_eq!(again["details"][0]["code"], json!("SPOOL_OCCUPIED"));
    assert_eq!(again["details"][0]["holder"], json!("MR(93)"));
    let repeated = json!({ "tags": ["A", "A"], "workerId": ARMADOR, "operation": "ARM" });
    assert_eq!(window.error_code("tomar_batch", repeated), "DUPLICATE_TAGS");
}

#[test]
fn pausar_batch_frees_spools_or_refuses_non_holders() {
    let window = open();
    let tags: Vec<String> = window.available("ARM").into_iter().take(3).collect();
    window.ok("tomar_batch", json!({ "tags": tags, "workerId": ARMADOR, "operation": "ARM" }));
    let by_another = window.ok("pausar_batch", json!({ "tags": [tags[0]], "workerId": 94 }));
    assert_eq!(by_another["details"][0]["code"], json!("NOT_OWNER"));
    let batch = window.ok("pausar_batch", json!({ "tags": tags, "workerId": ARMADOR }));
    assert_eq!(batch["succeeded"], json!(3));
    assert_eq!(window.spool(&tags[0])["estado_detalle"], json!("ARM pausado"));
    assert_eq!(window.error_code("pausar_batch", json!({ "tags": [], "workerId": ARMADOR })), "INVALID_INPUT");
}

#[test]
fn completar_batch_writes_the_date_or_refuses_a_bad_one() {
    let window = open();
    let tags: Vec<String> = window.available("SOLD").into_iter().take(3).collect();
    window.ok("tomar_batch", json!({ "tags": tags, "workerId": SOLDADOR, "operation": "SOLD" }));
    let bad_date = json!({ "tags": [tags[0]], "workerId": SOLDADOR, "fecha": "mañana" });
    assert_eq!(window.error_code("completar_batch", bad_date), "INVALID_INPUT");
    window.ok("completar_batch", json!({ "tags": [tags[0]], "workerId": SOLDADOR, "fecha": "06-03-2025" }));
    assert_eq!(window.spool(&tags[0])["fecha_soldadura"], json!("06-03-2025"));
    let batch = window.ok("completar_batch", json!({ "tags": tags[1..], "workerId": SOLDADOR, "fecha": null }));
    assert_eq!(batch["succeeded"], json!(2));
    let too_many: Vec<String> = (0..51).map(|n| format!("T-{n}")).collect();
    assert_eq!(
        window.error_code("completar_batch", json!({ "tags": too_many, "workerId": SOLDADOR, "fecha": null })),
        "BATCH_TOO_LARGE"
    );
}

#[test]
fn cancelar_batch_restores_each_spool_or_says_nobody_holds_it() {
    let window = open();
    let tags: Vec<String> = window.available("ARM").into_iter().take(3).collect();
    let nobody = window.ok("cancelar_batch", json!({ "tags": [tags[0]], "workerId": ARMADOR }));
    assert_eq!(nobody["details"][0]["code"], json!("NOT_OCCUPIED"));
    window.ok("tomar_batch", json!({ "tags": tags[..2], "workerId": ARMADOR, "operation": "ARM" }));
    let cancelled = window.ok("cancelar_batch", json!({ "tags": tags, "workerId": ARMADOR }));
    assert_eq!((cancelled["succeeded"].clone(), cancelled["failed"].clone()), (json!(2), json!(1)));
    for tag in &tags[..2] {
        let spool = window.spool(tag);
        assert_eq!((spool["ocupado_por"].clone(), spool["armador"].clone()), (Value::Null, Value::Null), "{tag}");
    }
}

#[test]
fn liberar_needs_a_supervisor_and_the_pin() {
    let window = open();
    let tag = window.available("ARM").remove(0);
    window.ok("tomar_batch", json!({ "tags": [tag], "workerId": ARMADOR, "operation": "ARM" }));
    let by_worker = json!({ "tag": tag, "adminId": 94, "motivo": "prueba", "pin": "1090" });
    assert_eq!(window.error_code("liberar", by_worker), "ROLE_NOT_ALLOWED");
    let wrong = json!({ "tag": tag, "adminId": SUPERVISOR, "motivo": "fin de turno", "pin": "1091" });
    assert_eq!(window.error_code("liberar", wrong), "PIN_INCORRECT");
    window.ok("liberar", json!({ "tag": tag, "adminId": SUPERVISOR, "motivo": "fin de turno", "pin": "1090" }));
    assert_eq!(window.spool(&tag)["ocupado_por"], Value::Null);
}

/// Only a kiosk's window is closed by a supervisor's PIN, and only by a supervisor's right one (the closing
/// itself, the app exiting, is the end-to-end smoke's).
#[test]
fn a_kiosk_is_closed_only_by_a_supervisor_s_pin() {
    let window = open();
    assert_eq!(window.ok("screen", json!({}))["kiosk"], json!(false));
    let right = json!({ "adminId": SUPERVISOR, "pin": "1090" });
    assert_eq!(window.error_code("close_kiosk", right.clone()), "INVALID_INPUT", "not a kiosk");

    let folder = tempfile::tempdir().expect("temp dir");
    let config = Config {
        database: folder.path().join("spooltrack.db"),
        station: "quiosco".into(),
        kiosk: true,
        ..Config::embedded_default()
    };
    let kiosk = launch(config, folder);
    assert_eq!(kiosk.ok("screen", json!({}))["kiosk"], json!(true));
    assert_eq!(kiosk.error_code("close_kiosk", json!({ "adminId": 94, "pin": "1090" })), "ROLE_NOT_ALLOWED");
    assert_eq!(kiosk.error_code("close_kiosk", json!({ "adminId": SUPERVISOR, "pin": "1091" })), "PIN_INCORRECT");
}

/// What the event loop saw of a window asked to close as soon as it opened (as Alt+F4 or the window manager
/// would ask) and, a moment later, of a supervisor's `close_kiosk`: each close asked, and the app's exit.
fn closes_seen(config: Config) -> Vec<&'static str> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let app = spooltrack_app::app_builder(mock_builder(), config).build(spooltrack_app::context()).expect("builds");
    let log = seen.clone();
    app.run_return(move |handle, event| {
        spooltrack_app::on_event(handle, &event);
        match event {
            RunEvent::Ready => {
                let window = handle.get_webview_window("main").expect("main window");
                window.close().expect("close asked");
                let log = log.clone();
                std::thread::spawn(move || {
                    std::thread::sleep(std::time::Duration::from_millis(500));
                    let supervisor = json!({ "adminId": SUPERVISOR, "pin": "1090" });
                    if invoke_on(&window, "close_kiosk", supervisor).is_ok() {
                        log.lock().expect("log").push("supervisor closes");
                    }
                });
            }
            RunEvent::WindowEvent { event: WindowEvent::CloseRequested { .. }, .. } => {
                log.lock().expect("log").push("close asked")
            }
            RunEvent::ExitRequested { .. } => log.lock().expect("log").push("exit"),
            _ => {}
        }
    });
    let seen = seen.lock().expect("log").clone();
    seen
}

#[test]
fn a_kiosk_window_stays_until_a_supervisor_closes_it() {
    let folder = tempfile::tempdir().expect("temp dir");
    let config = Config { database: folder.path().join("spooltrack.db"), kiosk: true, ..Config::embedded_default() };
    assert_eq!(closes_seen(config), ["close asked", "supervisor closes", "close asked", "exit"]);
}

#[test]
fn an_ordinary_window_closes_when_asked() {
    let folder = tempfile::tempdir().expect("temp dir");
    let config = Config { database: folder.path().join("spooltrack.db"), ..Config::embedded_default() };
    assert_eq!(closes_seen(config), ["close asked", "exit"]);
}

/// A command Tauri has (its event plugin's `emit`, with which a page could forge `spool-changed`) but the
/// capability does not grant is refused; the same call with a granted permission of that plugin goes through.
#[test]
fn commands_the_capability_does_not_grant_are_refused() {
    let window = open();
    let forged =
        json!({ "event": "spool-changed", "payload": { "tags": [], "action": "TOMAR", "worker": "", "station": "" } });
    let refused = window.invoke("plugin:event|emit", forged).expect_err("emit is not granted");
    assert!(refused.to_string().contains("not allowed"), "refused by the capability: {refused}");
    let listening = json!({ "event": "spool-changed", "target": { "kind": "Any" }, "handler": 7 });
    assert!(window.invoke("plugin:event|listen", listening).is_ok(), "listen is granted");
}

/// A window of a station on Google Sheets and Redis, started with neither reachable but with the copy this PC
/// kept: the first list answers at once from it, the banner names what is away and how old the data is, and
/// actions answer OFFLINE.
#[test]
fn a_window_without_network_starts_from_the_copy_this_pc_kept() {
    use spooltrack_config::{LockConfig, SheetsConfig};
    use spooltrack_core::{Snapshot, SnapshotKeeper, SnapshotPatch};
    use spooltrack_domain::schema::{Tab, TabNames};

    let folder = tempfile::tempdir().expect("temp dir");
    let database = folder.path().join("spooltrack.db");
    let grids = spooltrack_testkit::fixture::standard_shop().grids();
    let tab = |wanted: Tab| grids.iter().find(|(tab, _)| *tab == wanted).map(|(_, grid)| grid.clone()).expect("tab");
    let read_at = chrono::Utc::now() - chrono::Duration::minutes(7);
    let mut kept = Snapshot::default();
    kept.apply(3, &SnapshotPatch::seed([tab(Tab::Operaciones), tab(Tab::Trabajadores), tab(Tab::Roles)], 0, read_at));
    // A key the client can read, for a spreadsheet that is no longer there.
    let (credentials, endpoint) = tauri::async_runtime::block_on(async {
        let fake = spooltrack_testkit::SheetsFake::start("planilla", Vec::new()).await;
        (fake.write_service_account_key(folder.path()), fake.endpoint())
    });
    let sheets = SheetsConfig {
        spreadsheet_id: "planilla".into(),
        credentials,
        endpoint,
        tabs: TabNames::default(),
        reads_per_minute: 60,
        writes_per_minute: 60,
        refresh_seconds: 30,
    };
    let config = Config {
        database,
        station: "sin-red".into(),
        lock: LockConfig::Redis { url: "redis://127.0.0.1:1/".into(), prefix: "nadie".into() },
        sheets: Some(sheets),
        ..Config::embedded_default()
    };
    let keeper = spooltrack_embedded::KeptSnapshot::open(&config.database, &config.shop()).expect("kept copy");
    tauri::async_runtime::block_on(keeper.save(&kept)).expect("saved");
    let started = std::time::Instant::now();
    let window = launch(config, folder);

    let spools = window.ok("list_spools", json!({ "filter": { "scope": "all" } }));
    let listed = started.elapsed();
    assert!(spools.as_array().is_some_and(|spools| spools.len() > 50), "the kept shop: {spools}");
    assert!(listed < std::time::Duration::from_secs(3), "at once, not after the network's timeouts: {listed:?}");

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let state = loop {
        let state = window.ok("connection", json!({}));
        if state["outages"].as_array().is_some_and(|outages| !outages.is_empty()) {
            break state;
        }
        assert!(std::time::Instant::now() < deadline, "the banner never said it: {state}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert_eq!(state["outages"][0]["service"], json!("redis"), "{state}");
    let shop_time = read_at.with_timezone(&chrono_tz::America::Santiago).format("%H:%M").to_string();
    assert_eq!(state["data_read_at"], json!(shop_time), "{state}");
    let tag = spools[0]["tag"].as_str().expect("tag").to_string();
    let refused = window.error_code("tomar_batch", json!({ "tags": [tag], "workerId": ARMADOR, "operation": "ARM" }));
    assert_eq!(refused, "OFFLINE");
}

/// A viewer window: its banner state says so and actions are refused in plain words, with no key configured.
#[test]
fn a_viewer_window_says_so_and_refuses_actions() {
    use spooltrack_config::LockConfig;

    let folder = tempfile::tempdir().expect("temp dir");
    let config = Config {
        database: folder.path().join("spooltrack.db"),
        station: "pantalla".into(),
        viewer: true,
        lock: LockConfig::Redis { url: "redis://127.0.0.1:1/".into(), prefix: "vista".into() },
        ..Config::embedded_default()
    };
    let window = launch(config, folder);

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while window.ok("connection", json!({}))["view_only"] != json!(true) {
        assert!(std::time::Instant::now() < deadline, "the banner never said it is a viewer");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(window.ok("connection", json!({}))["actions_offered"], json!(false), "a viewer offers no action");
    let error = window
        .invoke("tomar_batch", json!({ "tags": ["S-001"], "workerId": ARMADOR, "operation": "ARM" }))
        .expect_err("a viewer does not act");
    assert_eq!(error["code"], json!("OFFLINE"));
    assert!(error["message"].as_str().unwrap_or_default().contains("solo de visualización"), "{error}");
}
