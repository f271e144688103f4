//! The test host (`spooltrack serve --dev`), the real binary over HTTP: it listens on loopback only, answers
//! every command of the contract (the same declaration as the window's), refuses with the window's error
//! payload, streams the station's events, serves the built interface, and is refused without `--dev`.

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    time::Duration,
};

use serde_json::{json, Value};
use spooltrack_testkit::ShopToConnect;
use tempfile::TempDir;

/// A host on a fresh demo shop, stopped with the test.
struct Host {
    child: Child,
    url: String,
    _folder: TempDir,
}

impl Host {
    /// A host on its first start: no configuration at `folder/estacion/config.toml` yet.
    fn first_start(folder: &std::path::Path) -> Host {
        Host::spawn(&folder.join("estacion").join("config.toml"), &[], folder, tempfile::tempdir().expect("temp dir"))
    }

    fn start(extra: &[&str]) -> Host {
        let folder = tempfile::tempdir().expect("temp dir");
        let config = folder.path().join("config.toml");
        let database = folder.path().join("shop.db");
        std::fs::write(&config, format!("station = \"host-test\"\n[embedded]\ndatabase = {database:?}\n"))
            .expect("config written");
        let data = folder.path().to_path_buf();
        Host::spawn(&config, extra, &data, folder)
    }

    /// The binary serving `config`, its data folder (the demo's database) in `data`.
    fn spawn(config: &std::path::Path, extra: &[&str], data: &std::path::Path, folder: TempDir) -> Host {
        let mut child = Command::new(env!("CARGO_BIN_EXE_spooltrack"))
            .arg("--config")
            .arg(config)
            .args(["serve", "--dev"])
            .args(extra)
            .env("XDG_DATA_HOME", data)
            .stdout(Stdio::piped())
            .spawn()
            .expect("binary runs");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("address line");
        Host { child, url: line.trim().to_string(), _folder: folder }
    }

    async fn invoke(&self, command: &str, arguments: Value) -> (u16, Value) {
        let response = reqwest::Client::new()
            .post(format!("{}ipc/{command}", self.url))
            .json(&arguments)
            .send()
            .await
            .expect("host answers");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The commands the contract collects, as its generated bindings invoke them.
fn contract_commands() -> Vec<String> {
    let folder = tempfile::tempdir().expect("temp dir");
    let path = folder.path().join("bindings.ts");
    spooltrack_app::ipc::export_bindings(&path).expect("bindings generated");
    let bindings = std::fs::read_to_string(path).expect("bindings");
    bindings.split("__TAURI_INVOKE(\"").skip(1).filter_map(|rest| rest.split('"').next()).map(str::to_string).collect()
}

#[tokio::test]
async fn the_host_listens_on_loopback_and_answers_every_command_of_the_contract() {
    let host = Host::start(&[]);
    assert!(host.url.starts_with("http://127.0.0.1:"), "loopback only: {}", host.url);
    let commands = contract_commands();
    assert!(commands.len() >= 8, "{commands:?}");
    for command in &commands {
        let (status, body) = host.invoke(command, json!({})).await;
        // Commands without arguments answer; the others refuse the missing ones with the window's payload.
        assert!(status == 200 || (status == 422 && body["code"] == "INVALID_INPUT"), "{command}: {status} {body}");
    }
    let (status, _) = host.invoke("workers", json!({})).await;
    assert_eq!(status, 200);
    let (status, body) = host.invoke("no_such_command", json!({})).await;
    assert_eq!((status, body.as_str().is_some()), (404, true));
}

#[tokio::test]
async fn refusals_carry_the_error_payload_and_actions_stream_their_event() {
    let host = Host::start(&[]);
    let mut events = reqwest::get(format!("{}events", host.url)).await.expect("event stream");
    assert_eq!(events.headers()["content-type"], "text/event-stream");

    let (status, free) = host
        .invoke(
            "list_spools",
            json!({"filter": {"operation": "ARM", "scope": "available", "nv": null, "ot": null, "text": null}}),
        )
        .await;
    assert_eq!(status, 200);
    let tag = free[0]["tag"].as_str().expect("a free spool").to_string();

    let (status, refused) =
        host.invoke("liberar", json!({"tag": tag, "adminId": 93, "motivo": "prueba", "pin": "1090"})).await;
    assert_eq!((status, refused["code"].as_str()), (422, Some("ROLE_NOT_ALLOWED")), "{refused}");
    assert!(refused["message"].as_str().is_some_and(|message| !message.is_empty()));

    let (status, taken) = host.invoke("tomar_batch", json!({"tags": [tag], "workerId": 93, "operation": "ARM"})).await;
    assert_eq!((status, taken["succeeded"].as_u64()), (200, Some(1)), "{taken}");

    // The station's connection state may come first (its first look can follow the subscription).
    let mut received = String::new();
    let spool_changed = |received: &str| {
        received
            .split("\n\n")
            .filter_map(|block| block.lines().find_map(|line| line.strip_prefix("data:")))
            .filter_map(|data| serde_json::from_str::<Value>(data.trim()).ok())
            .find(|event| event["event"] != "connection-changed")
    };
    let heard = tokio::time::timeout(Duration::from_secs(10), async {
        while spool_changed(&received).is_none() {
            let chunk = events.chunk().await.expect("stream open").expect("a chunk");
            received.push_str(&String::from_utf8_lossy(&chunk));
        }
    })
    .await;
    assert!(heard.is_ok(), "no change within 10 s: {received:?}");
    let event = spool_changed(&received).expect("a change");
    assert_eq!(event["event"], "spool-changed");
    assert_eq!(event["payload"]["tags"], json!([tag]));
    assert_eq!(event["payload"]["action"], "TOMAR");
}

#[tokio::test]
async fn the_host_serves_the_built_interface_when_asked() {
    let folder = tempfile::tempdir().expect("temp dir");
    std::fs::write(folder.path().join("index.html"), "<!doctype html><title>Spooltrack</title>").expect("page");
    let host = Host::start(&["--ui", folder.path().to_str().expect("utf-8 path")]);
    let page = reqwest::get(&host.url).await.expect("page").text().await.expect("text");
    assert!(page.contains("<title>Spooltrack</title>"), "{page}");
}

#[test]
fn serve_without_dev_is_a_usage_error() {
    let output = Command::new(env!("CARGO_BIN_EXE_spooltrack")).args(["serve"]).output().expect("binary runs");
    assert_eq!(output.status.code(), Some(2), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--dev"));
}

/// A first start: no station until setup; answers that fail a check (the spreadsheet not shared with the
/// service account, whose e-mail is said) write nothing; good ones write the configuration, the key the user's
/// alone, and open the station at once, which `doctor` then reads back from the file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_start_connects_the_station_and_opens_it() {
    use std::os::unix::fs::PermissionsExt;
    let shop = ShopToConnect::start("planilla-inicio").await;
    let ShopToConnect { fake, redis, folder, key } = &shop;
    let host = Host::first_start(folder.path());
    let config = shop.config();

    assert_eq!(host.invoke("setup_needed", json!({})).await, (200, json!(true)));
    let (status, refused) = host.invoke("workers", json!({})).await;
    assert_eq!((status, refused["code"].clone()), (422, json!("CONFIG_INVALID")), "no station yet");
    let form = json!({ "form": {
        "station": "Armado-1",
        "spreadsheet": "https://docs.google.com/spreadsheets/d/planilla-inicio/edit#gid=0",
        "key_file": key,
        "redis_url": redis.url(),
        "redis_prefix": "inicio",
        "viewer": false,
        "endpoint": fake.endpoint(),
    }});

    fake.set_shared(false);
    let (status, report) = host.invoke("connect_station", form.clone()).await;
    assert_eq!((status, report["ok"].clone()), (200, json!(false)), "{report}");
    let email = "spooltrack@spooltrack-pruebas.iam.gserviceaccount.com";
    let sheet = report["checks"].as_array().expect("checks").iter().find(|check| check["name"] == "planilla");
    assert!(sheet.is_some_and(|check| check["detail"].as_str().unwrap_or("").contains(email)), "{report}");
    assert!(!config.exists(), "nothing written");
    fake.set_shared(true);

    let (status, report) = host.invoke("check_setup", form.clone()).await;
    assert_eq!((status, report["ok"].clone()), (200, json!(true)), "{report}");
    assert!(!config.exists(), "a check writes nothing");
    let (status, report) = host.invoke("connect_station", form.clone()).await;
    assert_eq!((status, report["ok"].clone()), (200, json!(true)), "{report}");
    assert_eq!(host.invoke("setup_needed", json!({})).await, (200, json!(false)));
    let (status, workers) = host.invoke("workers", json!({})).await;
    assert_eq!(status, 200, "the station is open: {workers}");
    assert!(workers.as_array().is_some_and(|workers| !workers.is_empty()));
    let (status, again) = host.invoke("connect_station", form).await;
    assert_eq!((status, again["code"].clone()), (422, json!("CONFIG_INVALID")), "setup runs once");

    let kept = config.with_file_name(spooltrack_config::setup::KEY_FILE);
    assert_eq!(std::fs::metadata(&kept).expect("key kept").permissions().mode() & 0o777, 0o600);
    let mut doctor = Command::new(env!("CARGO_BIN_EXE_spooltrack"));
    doctor.arg("--config").arg(&config).args(["doctor", "--json"]).env("XDG_DATA_HOME", folder.path());
    let doctor = tokio::task::spawn_blocking(move || doctor.output()).await.expect("ran").expect("runs");
    let report: Value = serde_json::from_slice(&doctor.stdout).expect("json");
    assert_eq!(report["ok"], json!(true), "doctor reads the written file back: {report}");
}

/// The demo path of a first start: the configuration written, the station open on the demo shop.
#[tokio::test]
async fn a_first_start_opens_the_demo() {
    let folder = tempfile::tempdir().expect("temp dir");
    let host = Host::first_start(folder.path());
    assert_eq!(host.invoke("open_demo", json!({ "station": "Taller" })).await, (200, Value::Null));
    let (status, workers) = host.invoke("workers", json!({})).await;
    assert!(status == 200 && workers.as_array().is_some_and(|workers| workers.len() > 10), "{workers}");
    let written = std::fs::read_to_string(folder.path().join("estacion").join("config.toml")).expect("written");
    assert!(written.contains("station = \"Taller\""), "{written}");
}

/// Setup reopened on a running station: only on a supervisor's PIN; the form starts from the station's answers;
/// a cancel leaves the station as it was; answers that pass replace the station in place (the same host, its
/// event stream now the new station's) and are written over the file, keeping what setup does not ask.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_reopens_setup_and_the_station_is_replaced_in_place() {
    let shop = ShopToConnect::start("planilla-planta").await;
    let ShopToConnect { fake, redis, folder, key } = &shop;
    let host = Host::first_start(folder.path());
    let config = shop.config();
    assert_eq!(host.invoke("open_demo", json!({ "station": "Taller" })).await, (200, Value::Null));
    assert_eq!(host.invoke("current_setup", json!({})).await, (200, Value::Null), "setup is closed");
    // A person edits the file by hand while the station runs.
    let exports = folder.path().join("exportes");
    std::fs::write(&config, format!("station = \"Taller\"\n[export]\nfolder = {exports:?}\n")).expect("edited");

    let wrong = json!({ "adminId": 109, "pin": "0000" });
    let (status, refused) = host.invoke("reopen_setup", wrong).await;
    assert_eq!((status, refused["code"].clone()), (422, json!("PIN_INCORRECT")), "{refused}");
    let (status, refused) = host.invoke("reopen_setup", json!({ "adminId": 93, "pin": "1090" })).await;
    assert_eq!((status, refused["code"].clone()), (422, json!("ROLE_NOT_ALLOWED")), "{refused}");
    assert_eq!(host.invoke("setup_needed", json!({})).await, (200, json!(false)));

    let supervisor = json!({ "adminId": 109, "pin": "1090" });
    assert_eq!(host.invoke("reopen_setup", supervisor.clone()).await, (200, Value::Null));
    assert_eq!(host.invoke("setup_needed", json!({})).await, (200, json!(true)));
    let (_, current) = host.invoke("current_setup", json!({})).await;
    assert_eq!((current["station"].clone(), current["redis_url"].clone()), (json!("Taller"), json!("")), "{current}");
    assert_eq!(host.invoke("cancel_setup", json!({})).await, (200, Value::Null));
    assert_eq!(host.invoke("setup_needed", json!({})).await, (200, json!(false)));
    let (status, demo) = host.invoke("workers", json!({})).await;
    assert!(status == 200 && demo.as_array().is_some_and(|workers| workers.len() > 10), "still the demo: {demo}");

    let mut events = reqwest::get(format!("{}events", host.url)).await.expect("event stream");
    assert_eq!(host.invoke("reopen_setup", supervisor).await, (200, Value::Null));
    let form = json!({ "form": {
        "station": "Armado-2",
        "spreadsheet": "planilla-planta",
        "key_file": key,
        "redis_url": redis.url(),
        "redis_prefix": "planta",
        "viewer": false,
        "endpoint": fake.endpoint(),
    }});
    let (status, report) = host.invoke("connect_station", form).await;
    assert_eq!((status, report["ok"].clone()), (200, json!(true)), "{report}");
    assert_eq!(host.invoke("setup_needed", json!({})).await, (200, json!(false)));
    let (_, doctor) = host.invoke("doctor", json!({})).await;
    let fact = |name: &str| {
        doctor["checks"].as_array().and_then(|checks| checks.iter().find(|check| check["name"] == name).cloned())
    };
    assert_eq!(fact("estación").map(|check| check["detail"].clone()), Some(json!("Armado-2")), "{doctor}");
    assert!(
        fact("almacenamiento").is_some_and(|check| check["detail"].as_str().unwrap_or("").contains("planilla-planta"))
    );

    let written = spooltrack_config::Config::from_file(&config).expect("written");
    assert_eq!((written.station.as_str(), written.export_folder), ("Armado-2", exports), "kept as edited by hand");

    // The same stream now carries the new station's changes.
    let filter = json!({"filter": {"operation": "ARM", "scope": "available", "nv": null, "ot": null, "text": null}});
    let (_, free) = host.invoke("list_spools", filter).await;
    let tag = free[0]["tag"].as_str().expect("a free spool of the spreadsheet's shop").to_string();
    let (status, taken) = host.invoke("tomar_batch", json!({"tags": [tag], "workerId": 93, "operation": "ARM"})).await;
    assert_eq!((status, taken["succeeded"].as_u64()), (200, Some(1)), "{taken}");
    let mut received = String::new();
    let heard = tokio::time::timeout(Duration::from_secs(10), async {
        while !received.contains(&format!("\"tags\":[\"{tag}\"]")) {
            let chunk = events.chunk().await.expect("stream open").expect("a chunk");
            received.push_str(&String::from_utf8_lossy(&chunk));
        }
    })
    .await;
    assert!(heard.is_ok(), "the new station's change not streamed within 10 s: {received:?}");
}
