//! The real `spooltrack` binary against a temporary embedded store: JSON shapes and exit statuses
//! (0 done, 1 refused, 2 usage, 3 misconfigured or unreachable).

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
};

use serde_json::{json, Value};
use tempfile::TempDir;

struct Station {
    folder: TempDir,
}

impl Station {
    fn new() -> Station {
        let station = Station { folder: tempfile::tempdir().expect("temp dir") };
        let config =
            format!("station = \"cli-test\"\n[embedded]\ndatabase = {:?}\n", station.folder.path().join("shop.db"));
        std::fs::write(station.config(), config).expect("config written");
        station
    }

    fn config(&self) -> PathBuf {
        self.folder.path().join("spooltrack.toml")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_spooltrack"));
        command.arg("--config").arg(self.config()).args(args).env_remove("SPOOLTRACK_CONFIG");
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("binary runs")
    }

    /// Runs with `--json` and answers (exit status, parsed stdout).
    fn json(&self, args: &[&str]) -> (i32, Value) {
        parsed(args, self.run(&[args, &["--json"]].concat()))
    }

    /// The same, with `input` on standard input (PINs with `--pin-stdin`).
    fn json_with_input(&self, args: &[&str], input: &str) -> (i32, Value) {
        parsed(args, with_input(self.command(&[args, &["--json"]].concat()), input))
    }

    fn available(&self, operation: &str) -> Vec<String> {
        let (status, spools) = self.json(&["list", "--available", "--op", operation]);
        assert_eq!(status, 0);
        spools.as_array().expect("list").iter().map(|spool| spool["tag"].as_str().expect("tag").to_string()).collect()
    }
}

fn with_input(mut command: Command, input: &str) -> Output {
    use std::io::Write;
    let mut child = command
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("binary runs");
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("input written");
    child.wait_with_output().expect("binary ran")
}

/// (exit status, stdout parsed as JSON).
fn parsed(args: &[&str], output: Output) -> (i32, Value) {
    {
        let stdout = String::from_utf8_lossy(&output.stdout);
        let value = serde_json::from_str(&stdout).unwrap_or_else(|_| panic!("JSON on stdout for {args:?}: {stdout:?}"));
        (output.status.code().expect("exit status"), value)
    }
}

#[test]
fn status_answers_json_and_a_missing_spool_is_a_refusal() {
    let station = Station::new();
    let tag = station.available("ARM").remove(0);
    let (status, view) = station.json(&["status", &tag]);
    assert_eq!((status, view["tag"].as_str()), (0, Some(tag.as_str())));
    let (status, error) = station.json(&["status", "NO-EXISTE"]);
    assert_eq!(status, 1);
    assert_eq!(error["code"], json!("SPOOL_NOT_FOUND"));
    assert_eq!(error["details"]["tag"], json!("NO-EXISTE"));
    assert!(error["message"].as_str().expect("message").contains("NO-EXISTE"));
}

#[test]
fn tomar_pausar_completar_round_trip_with_exit_statuses() {
    let station = Station::new();
    let tag = station.available("ARM").remove(0);
    let (status, outcome) = station.json(&["tomar", &tag, "--worker", "93", "--op", "ARM"]);
    assert_eq!((status, outcome["estado_detalle"].clone()), (0, json!("MR(93) trabajando ARM")));

    let (status, error) = station.json(&["tomar", &tag, "--worker", "94", "--op", "arm"]);
    assert_eq!(
        (status, error["code"].clone(), error["details"]["holder"].clone()),
        (1, json!("SPOOL_OCCUPIED"), json!("MR(93)"))
    );

    let human = station.run(&["status", &tag]);
    assert!(String::from_utf8_lossy(&human.stdout).contains("Ocupado por MR(93)"));

    let (status, error) = station.json(&["pausar", &tag, "--worker", "94"]);
    assert_eq!((status, error["code"].clone()), (1, json!("NOT_OWNER")));
    assert_eq!(station.json(&["pausar", &tag, "--worker", "93"]).0, 0);
    assert_eq!(station.json(&["tomar", &tag, "--worker", "94", "--op", "ARM"]).0, 0);
    let (status, outcome) = station.json(&["completar", &tag, "--worker", "94", "--fecha", "06-03-2025"]);
    assert_eq!((status, outcome["estado_detalle"].clone()), (0, json!("ARM completado, SOLD pendiente")));
    let (_, view) = station.json(&["status", &tag]);
    assert_eq!((view["armador"].clone(), view["fecha_armado"].clone()), (json!("MR(93)"), json!("06-03-2025")));

    let (status, sessions) = station.json(&["history", &tag]);
    assert_eq!(status, 0);
    let ends: Vec<&str> =
        sessions.as_array().expect("sessions").iter().map(|s| s["fin"].as_str().expect("fin")).collect();
    assert_eq!(ends, vec!["PAUSADO", "COMPLETADO"]);
}

#[test]
fn a_batch_answers_totals_and_one_entry_per_tag() {
    let station = Station::new();
    let mut tags = station.available("ARM").into_iter().take(3).collect::<Vec<_>>();
    tags.push("NO-EXISTE".into());
    let mut args = vec!["tomar"];
    args.extend(tags.iter().map(String::as_str));
    args.extend(["--worker", "93", "--op", "ARM"]);
    let (status, batch) = station.json(&args);
    assert_eq!(status, 1, "any failure inside a batch exits 1");
    assert_eq!(
        (batch["total"].clone(), batch["succeeded"].clone(), batch["failed"].clone()),
        (json!(4), json!(3), json!(1))
    );
    assert_eq!(
        batch["details"][3],
        json!({ "tag": "NO-EXISTE", "success": false, "code": "SPOOL_NOT_FOUND", "message": "No existe el spool NO-EXISTE.", "holder": null })
    );
    assert_eq!(
        batch["details"][0],
        json!({ "tag": tags[0], "success": true, "code": null, "message": null, "holder": null })
    );

    let mut pause = vec!["pausar"];
    pause.extend(tags[..3].iter().map(String::as_str));
    pause.extend(["--worker", "93"]);
    let (status, batch) = station.json(&pause);
    assert_eq!((status, batch["succeeded"].clone()), (0, json!(3)));
}

#[test]
fn export_writes_the_days_sessions_as_a_csv_excel_opens() {
    let station = Station::new();
    let tag = station.available("ARM").remove(0);
    assert_eq!(station.json(&["tomar", &tag, "--worker", "93", "--op", "ARM"]).0, 0);
    assert_eq!(station.json(&["pausar", &tag, "--worker", "93"]).0, 0);
    let today = chrono::Utc::now().with_timezone(&chrono_tz::America::Santiago).format("%d-%m-%Y").to_string();
    let file = station.folder.path().join("sesiones.csv");
    let file_arg = file.to_str().expect("utf-8 path");

    let (status, written) = station.json(&["export", "--desde", &today, "--hasta", &today, "--csv", file_arg]);
    assert_eq!((status, written["sesiones"].clone()), (0, json!(1)), "{written}");
    let csv = std::fs::read(&file).expect("the file was written");
    let text = std::str::from_utf8(csv.strip_prefix(b"\xEF\xBB\xBF").expect("a byte-order mark")).expect("UTF-8");
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert!(lines[0].starts_with("TAG_SPOOL;NV;OT;Operación;Trabajador;"), "{}", lines[0]);
    let fields: Vec<&str> = lines[1].split(';').collect();
    assert_eq!(
        (fields[0], fields[3], fields[4], fields[5], fields[10]),
        (tag.as_str(), "ARM", "MR(93)", today.as_str(), "Pausado")
    );

    // Without --csv the same file goes to the terminal (for `> dia.csv`); with --json, the sessions.
    let printed = station.run(&["export", "--desde", &today, "--hasta", &today]);
    assert_eq!((printed.status.code(), printed.stdout), (Some(0), csv));
    let (status, sessions) = station.json(&["export", "--desde", &today, "--hasta", &today, "--worker", "94"]);
    assert_eq!((status, sessions), (0, json!([])));
    let (status, error) = station.json(&["export", "--desde", "31-02-2026", "--hasta", &today]);
    assert_eq!((status, error["code"].clone()), (1, json!("INVALID_INPUT")));
}

#[test]
fn usage_errors_exit_2() {
    let station = Station::new();
    assert_eq!(station.run(&["tomar", "X", "--op", "ARM"]).status.code(), Some(2), "missing --worker");
    assert_eq!(station.run(&["tomar", "X", "--worker", "93", "--op", "PINTURA"]).status.code(), Some(2));
    assert_eq!(station.run(&["list", "--occupied", "--worker", "93"]).status.code(), Some(2), "one scope at a time");
    assert_eq!(station.run(&["volar"]).status.code(), Some(2));
}

#[test]
fn a_bad_configuration_exits_3_naming_the_key() {
    let station = Station::new();
    std::fs::write(station.config(), "station = \"x\"\ncolor = \"rojo\"\n").expect("config written");
    let (status, error) = station.json(&["doctor"]);
    assert_eq!(
        (status, error["code"].clone(), error["details"]["field"].clone()),
        (3, json!("CONFIG_INVALID"), json!("color"))
    );
    let missing = Command::new(env!("CARGO_BIN_EXE_spooltrack"))
        .args(["--config", "/nonexistent/spooltrack.toml", "status", "X"])
        .output()
        .expect("binary runs");
    assert_eq!(missing.status.code(), Some(3));
}

#[test]
fn the_config_can_come_from_the_environment() {
    let station = Station::new();
    let output = Command::new(env!("CARGO_BIN_EXE_spooltrack"))
        .args(["doctor", "--json"])
        .env("SPOOLTRACK_CONFIG", station.config())
        .output()
        .expect("binary runs");
    let report: Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(report["ok"], json!(true));
    let config_check = &report["checks"][0];
    assert_eq!(config_check["detail"], json!(station.config().display().to_string()));
}

#[test]
fn doctor_and_lists_and_workers() {
    let station = Station::new();
    let (status, report) = station.json(&["doctor"]);
    assert_eq!((status, report["ok"].clone()), (0, json!(true)));
    let (status, workers) = station.json(&["workers"]);
    assert_eq!(status, 0);
    assert!(workers.as_array().expect("workers").len() >= 12);
    let (_, board) = station.json(&["list", "--occupied"]);
    assert!(board.as_array().expect("board").iter().all(|spool| spool["ocupado_por"].is_string()));
    let (_, mine) = station.json(&["list", "--worker", "93", "--op", "ARM"]);
    assert!(mine.as_array().expect("mine").iter().all(|spool| spool["ocupado_por"] == json!("MR(93)")));
    let (_, nv) = station.json(&["list", "--nv", "NV-1336"]);
    assert!(!nv.as_array().expect("nv").is_empty());
    assert!(nv.as_array().expect("nv").iter().all(|spool| spool["nv"] == json!("NV-1336")));
}

#[test]
fn cancelar_and_liberar() {
    let station = Station::new();
    let tags = station.available("ARM");
    station.json(&["tomar", &tags[0], "--worker", "93", "--op", "ARM"]);
    assert_eq!(station.json(&["cancelar", &tags[0], "--worker", "93"]).0, 0);
    let (_, view) = station.json(&["status", &tags[0]]);
    assert_eq!((view["ocupado_por"].clone(), view["armador"].clone()), (Value::Null, Value::Null));

    station.json(&["tomar", &tags[1], "--worker", "93", "--op", "ARM"]);
    let liberar = ["liberar", &tags[1], "--admin", "109", "--motivo", "fin de turno", "--pin-stdin"];
    let (status, error) =
        station.json_with_input(&["liberar", &tags[1], "--admin", "93", "--motivo", "x", "--pin-stdin"], "1090\n");
    assert_eq!((status, error["code"].clone()), (1, json!("ROLE_NOT_ALLOWED")));
    let (status, error) = station.json_with_input(&liberar, "1091\n");
    assert_eq!((status, error["code"].clone()), (1, json!("PIN_INCORRECT")), "{error}");
    assert_eq!(error["details"]["attempts_left"], json!(2), "{error}");
    let (status, error) = station.json(&liberar[..6]);
    assert_eq!((status, error["code"].clone()), (1, json!("INVALID_INPUT")), "no terminal, no --pin-stdin: {error}");
    assert!(error["message"].as_str().unwrap_or_default().contains("--pin-stdin"), "{error}");
    assert_eq!(station.json_with_input(&liberar, "1090\n").0, 0, "the demo supervisor's PIN");
}

/// Wrong PINs count for the station across runs of the binary: a new process does not get three more tries.
#[test]
fn wrong_pins_keep_counting_from_one_command_line_run_to_the_next() {
    let station = Station::new();
    let tag = &station.available("ARM")[0];
    station.json(&["tomar", tag, "--worker", "93", "--op", "ARM"]);
    let liberar = ["liberar", tag, "--admin", "109", "--motivo", "prueba", "--pin-stdin"];
    for left in [2, 1, 0] {
        let (status, error) = station.json_with_input(&liberar, "4444\n");
        assert_eq!((status, error["code"].clone()), (1, json!("PIN_INCORRECT")), "{error}");
        assert_eq!(error["details"]["attempts_left"], json!(left), "{error}");
    }
    let (status, error) = station.json_with_input(&liberar, "1090\n");
    assert_eq!((status, error["code"].clone()), (1, json!("PIN_BLOCKED")), "even the right PIN waits: {error}");
    assert!(error["details"]["wait_seconds"].as_u64().is_some_and(|seconds| seconds > 0), "{error}");
}

/// `spooltrack pin` sets a supervisor's PIN, authorized by another's; the new PIN then force-releases.
#[test]
fn a_supervisor_sets_another_s_pin_from_the_command_line() {
    let station = Station::new();
    let tag = &station.available("ARM")[0];
    station.json(&["tomar", tag, "--worker", "93", "--op", "ARM"]);
    let (status, answer) =
        station.json_with_input(&["pin", "--worker", "112", "--por", "109", "--pin-stdin"], "1090\n57913\n");
    assert_eq!((status, answer["pin_definido"].clone()), (0, json!(112)), "{answer}");
    let liberar = ["liberar", tag, "--admin", "112", "--motivo", "cambio de turno", "--pin-stdin"];
    assert_eq!(station.json_with_input(&liberar, "1120\n").1["code"], json!("PIN_INCORRECT"), "the old PIN is gone");
    assert_eq!(station.json_with_input(&liberar, "57913\n").0, 0);
    let (status, error) = station.json_with_input(&["pin", "--worker", "112", "--pin-stdin"], "24680\n");
    assert_eq!((status, error["code"].clone()), (1, json!("INVALID_INPUT")), "the shop has PINs: {error}");
}

#[test]
fn processes_racing_for_one_spool_have_exactly_one_winner() {
    let station = Station::new();
    let tag = station.available("ARM").remove(0);
    let armadores = ["93", "94", "103", "106", "104", "112"];
    // All processes start before any is waited for, so they really race on the shared store file.
    let children: Vec<_> = armadores
        .iter()
        .map(|worker| {
            station
                .command(&["tomar", &tag, "--worker", worker, "--op", "ARM", "--json"])
                .stdout(std::process::Stdio::null())
                .spawn()
                .expect("spawns")
        })
        .collect();
    let statuses: Vec<i32> =
        children.into_iter().map(|mut child| child.wait().expect("exits").code().expect("code")).collect();
    assert_eq!(statuses.iter().filter(|code| **code == 0).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|code| **code == 1).count(), armadores.len() - 1);
}

#[test]
fn stations_share_a_redis_lock_and_survive_its_outage() {
    let mut redis = spooltrack_testkit::RedisServer::start();
    let station = Station::new();
    let config = std::fs::read_to_string(station.config()).expect("config");
    let with_redis = format!("{config}[lock]\nkind = \"redis\"\nurl = \"{}\"\nprefix = \"cli\"\n", redis.url());
    std::fs::write(station.config(), with_redis).expect("config written");

    let (status, report) = station.json(&["doctor"]);
    assert_eq!((status, report["ok"].clone()), (0, json!(true)));
    let lock_check =
        report["checks"].as_array().expect("checks").iter().find(|c| c["name"] == "servicio de bloqueo").cloned();
    assert!(lock_check.expect("lock check")["detail"].as_str().expect("detail").starts_with("Redis en 127.0.0.1:"));
    let health = report["checks"].as_array().expect("checks").iter().find(|c| c["name"] == "bloqueos").cloned();
    assert!(health.expect("health")["detail"].as_str().expect("detail").contains("responde en"));

    let tags = station.available("ARM");
    assert_eq!(station.json(&["tomar", &tags[0], "--worker", "93", "--op", "ARM"]).0, 0);
    let (status, error) = station.json(&["tomar", &tags[0], "--worker", "94", "--op", "ARM"]);
    assert_eq!((status, error["details"]["holder"].clone()), (1, json!("MR(93)")));
    assert_eq!(station.json(&["status", &tags[0]]).1["estacion"], json!("cli-test"));

    redis.stop();
    let started = std::time::Instant::now();
    let (status, error) = station.json(&["tomar", &tags[1], "--worker", "93", "--op", "ARM"]);
    assert_eq!((status, error["code"].clone()), (3, json!("LOCK_UNAVAILABLE")));
    assert!(started.elapsed() < std::time::Duration::from_secs(3), "refused quickly: {:?}", started.elapsed());
    let (status, view) = station.json(&["status", &tags[0]]);
    assert_eq!((status, view["ocupado_por"].clone()), (0, json!("MR(93)")), "viewing works without Redis");
    let (status, report) = station.json(&["doctor"]);
    assert_eq!((status, report["ok"].clone()), (3, json!(false)));
}

#[test]
fn watch_prints_what_another_process_does() {
    let redis = spooltrack_testkit::RedisServer::start();
    let station = Station::new();
    let config = std::fs::read_to_string(station.config()).expect("config");
    std::fs::write(
        station.config(),
        format!("{config}[lock]\nkind = \"redis\"\nurl = \"{}\"\nprefix = \"watch\"\n", redis.url()),
    )
    .expect("config written");
    let tag = station.available("ARM").remove(0);

    let mut watcher =
        station.command(&["watch", "--json"]).stdout(std::process::Stdio::piped()).spawn().expect("watch runs");
    let stdout = watcher.stdout.take().expect("stdout");
    let (sender, heard) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufRead::lines(std::io::BufReader::new(stdout)).map_while(Result::ok) {
            let _ = sender.send(line);
        }
    });
    redis.wait_for_subscribers("watch:events", 1);
    assert_eq!(station.json(&["tomar", &tag, "--worker", "93", "--op", "ARM"]).0, 0);

    // The first TOMAR on a new Redis reconciles first: the rebuilt locks are announced before it.
    let event = loop {
        let line = heard.recv_timeout(std::time::Duration::from_secs(5)).expect("watch printed the change");
        let event: Value = serde_json::from_str(&line).expect("one JSON object per line");
        if event["action"] != "RECONCILIAR" {
            break event;
        }
    };
    let _ = watcher.kill();
    let _ = watcher.wait();
    assert_eq!(event, json!({ "tags": [tag], "action": "TOMAR", "worker": "MR(93)", "station": "cli-test" }));
}

#[test]
fn watch_needs_redis() {
    let station = Station::new();
    let (status, error) = station.json(&["watch"]);
    assert_eq!(
        (status, error["code"].clone(), error["details"]["field"].clone()),
        (3, json!("CONFIG_INVALID"), json!("lock.kind"))
    );
}

#[test]
fn reconcile_reports_its_corrections() {
    let station = Station::new();
    let (status, report) = station.json(&["reconcile"]);
    assert_eq!(status, 0);
    assert_eq!(report["lock_data_lost"], json!(false));
    assert!(report["released"].as_array().expect("released").is_empty(), "the demo's locks match its rows");
    assert!(report["rebuilt"].as_array().expect("rebuilt").is_empty());
    let human = station.run(&["reconcile"]);
    assert!(String::from_utf8_lossy(&human.stdout).contains("bloqueos reconstruidos: ninguno"));
}

/// `spooltrack setup` checks the answers with doctor's own checks and writes only a configuration that passes
/// them: a file that is no key, a spreadsheet not shared with the service account (whose e-mail it says), a
/// missing critical column (named) and a Redis that refuses are each said plainly and write nothing; good answers
/// write the configuration, which `doctor` then reads back, with the key copied next to it, the user's alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setup_checks_the_answers_and_writes_only_what_passes() {
    use std::os::unix::fs::PermissionsExt;
    let shop = spooltrack_testkit::ShopToConnect::start("planilla-cli").await;
    let (fake, redis, folder, key) = (&shop.fake, &shop.redis, &shop.folder, &shop.key);
    let (not_a_key, target) = (shop.not_a_key(), shop.config());
    let endpoint = fake.endpoint();
    let setup = |key: &Path, redis_url: &str| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_spooltrack"));
        command.arg("--config").arg(&target).args(["setup", "--estacion", "Armado-1", "--planilla"]);
        command.arg("https://docs.google.com/spreadsheets/d/planilla-cli/edit#gid=0").arg("--clave").arg(key);
        command.args(["--redis", redis_url, "--prefijo", "planta-setup", "--endpoint", &endpoint, "--json"]);
        command.env("XDG_DATA_HOME", folder.path()).env_remove("SPOOLTRACK_CONFIG");
        async move {
            let output = tokio::task::spawn_blocking(move || command.output().expect("runs")).await.expect("ran");
            let answer: Value = serde_json::from_slice(&output.stdout).expect("json");
            (output.status.code().unwrap_or(-1), answer)
        }
    };
    let failing = |answer: &Value| -> Vec<String> {
        let checks = answer["comprobacion"]["checks"].as_array().cloned().unwrap_or_default();
        checks
            .iter()
            .filter(|check| check["ok"] == json!(false))
            .map(|check| {
                format!("{}: {}", check["name"].as_str().unwrap_or(""), check["detail"].as_str().unwrap_or(""))
            })
            .collect()
    };
    let email = "spooltrack@spooltrack-pruebas.iam.gserviceaccount.com";

    let (status, answer) = setup(&not_a_key, &redis.url()).await;
    assert_eq!(status, 3, "{answer}");
    assert!(failing(&answer)[0].starts_with("clave de la cuenta de servicio: "), "{answer}");
    assert!(!target.exists(), "nothing written");

    fake.set_shared(false);
    let (status, answer) = setup(key, &redis.url()).await;
    assert_eq!((status, answer["comprobacion"]["service_account"].clone()), (3, json!(email)), "{answer}");
    assert!(failing(&answer).iter().any(|check| check.starts_with("planilla: ") && check.contains(email)), "{answer}");
    fake.set_shared(true);

    let rename = |from: &'static str, to: &'static str| {
        fake.edit("Operaciones", |grid| {
            let column = grid.header.iter().position(|name| name == from).expect("column");
            grid.header[column] = to.into();
        })
    };
    rename("Ocupado_Por", "Ocupado");
    let (status, answer) = setup(key, &redis.url()).await;
    assert_eq!(status, 3);
    assert!(failing(&answer).iter().any(|check| check.contains("Ocupado_Por")), "the column is named: {answer}");
    rename("Ocupado", "Ocupado_Por");

    let refused = format!("redis://127.0.0.1:{}/", free_port());
    let (status, answer) = setup(key, &refused).await;
    assert_eq!(status, 3);
    assert!(failing(&answer).iter().any(|check| check.starts_with("bloqueos: ")), "{answer}");
    assert!(!target.exists(), "nothing written while a check fails");

    let (status, answer) = setup(key, &redis.url()).await;
    assert_eq!((status, failing(&answer)), (0, Vec::<String>::new()), "{answer}");
    assert_eq!(answer["guardada_en"], json!(target));
    let kept = target.with_file_name(spooltrack_config::setup::KEY_FILE);
    assert_eq!(std::fs::metadata(&kept).expect("key kept").permissions().mode() & 0o777, 0o600);
    let mut doctor = Command::new(env!("CARGO_BIN_EXE_spooltrack"));
    doctor.arg("--config").arg(&target).args(["doctor", "--json"]).env("XDG_DATA_HOME", folder.path());
    let doctor = tokio::task::spawn_blocking(move || doctor.output()).await.expect("ran").expect("runs");
    let report: Value = serde_json::from_slice(&doctor.stdout).expect("json");
    assert_eq!(report["ok"], json!(true), "the written file reads back: {report}");
    let written = std::fs::read_to_string(&target).expect("written");
    assert!(written.contains("station = \"Armado-1\"") && written.contains("spreadsheet_id = \"planilla-cli\""));
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|socket| socket.local_addr()).expect("a port").port()
}

/// A station whose `[sheets]` section points at the project's Sheets fake: the binary uses the real
/// google-sheets4 client, its service-account key and the JWT flow, over HTTP.
async fn sheets_station(fake: &spooltrack_testkit::SheetsFake, timezone: &str) -> Station {
    let station = Station::new();
    let key = fake.write_service_account_key(station.folder.path());
    let config = format!(
        "station = \"cli-sheets\"\n[embedded]\ndatabase = {:?}\n[sheets]\nspreadsheet_id = \"planilla-cli\"\n\
         credentials = {:?}\nendpoint = {:?}\ntimezone = {timezone:?}\n[lock]\nsingle_station = true\n",
        station.folder.path().join("locks.db"),
        key.file_name().expect("key file"),
        fake.endpoint().trim_end_matches('/'),
    );
    std::fs::write(station.config(), config).expect("config written");
    station
}

async fn standard_fake() -> spooltrack_testkit::SheetsFake {
    spooltrack_testkit::SheetsFake::standard("planilla-cli").await
}

/// Runs the binary off the runtime, so the fake keeps answering meanwhile.
async fn json_off_runtime(station: &Station, args: &[&str]) -> (i32, Value) {
    let command = station.command(&[args, &["--json"]].concat());
    let output = tokio::task::spawn_blocking(move || { command }.output().expect("binary runs")).await.expect("ran");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let value = serde_json::from_str(&stdout).unwrap_or_else(|_| panic!("JSON on stdout for {args:?}: {stdout:?}"));
    (output.status.code().expect("exit status"), value)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_works_on_google_sheets_through_the_fake() {
    let fake = standard_fake().await;
    let station = sheets_station(&fake, "America/Santiago").await;

    let (status, outcome) = json_off_runtime(&station, &["tomar", "S-001", "--worker", "93", "--op", "ARM"]).await;
    assert_eq!((status, outcome["estado_detalle"].clone()), (0, json!("MR(93) trabajando ARM")));
    let operaciones = fake.grid("Operaciones");
    let occupied = operaciones.header.iter().position(|name| name == "Ocupado_Por").expect("column");
    assert_eq!(operaciones.rows[0][occupied], spooltrack_domain::Cell::text("MR(93)"), "written to the sheet");
    assert_eq!(fake.count("spreadsheets.batchUpdate"), 1);

    let (status, view) = json_off_runtime(&station, &["status", "S-001"]).await;
    assert_eq!((status, view["ocupado_por"].clone()), (0, json!("MR(93)")));

    let (status, report) = json_off_runtime(&station, &["doctor"]).await;
    assert_eq!((status, report["ok"].clone()), (0, json!(true)), "{report}");
    let names: Vec<&str> =
        report["checks"].as_array().expect("checks").iter().filter_map(|c| c["name"].as_str()).collect();
    for expected in ["token de acceso", "planilla", "zona horaria de la planilla", "pestaña Operaciones"] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    assert!(!report.to_string().contains("PRIVATE KEY"), "the key never reaches the report");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trace_logging_never_prints_the_access_token_the_jwt_or_the_key() {
    let fake = standard_fake().await;
    let station = sheets_station(&fake, "America/Santiago").await;
    let mut command = station.command(&["status", "S-001", "--json"]);
    command.env("SPOOLTRACK_LOG", "trace");
    let output = tokio::task::spawn_blocking(move || command.output().expect("binary runs")).await.expect("ran");
    assert!(output.status.success());
    let logs = String::from_utf8_lossy(&output.stderr);
    assert!(logs.contains("llamada a la planilla"), "debug logging is on: {logs}");
    let tokens = fake.issued_tokens();
    assert!(!tokens.is_empty(), "a token was issued");
    for secret in tokens.iter().map(String::as_str).chain(["PRIVATE KEY", "assertion=", "eyJ"]) {
        assert!(!logs.contains(secret), "{secret} reached the log");
    }
}

#[test]
fn a_reader_that_stops_early_is_not_a_failure() {
    let station = Station::new();
    let mut child = station
        .command(&["list", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("binary runs");
    let mut first = [0u8; 16];
    std::io::Read::read_exact(child.stdout.as_mut().expect("stdout"), &mut first).expect("a first line");
    drop(child.stdout.take()); // `| head -1`
    let output = child.wait_with_output().expect("finished");
    let errors = String::from_utf8_lossy(&output.stderr);
    assert!(!errors.contains("panicked"), "{errors}");
    assert_eq!(output.status.code(), Some(0), "{errors}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stations_on_a_spreadsheet_without_a_shared_lock_are_refused() {
    let fake = standard_fake().await;
    let station = sheets_station(&fake, "America/Santiago").await;
    let config = std::fs::read_to_string(station.config()).expect("config");
    std::fs::write(station.config(), config.replace("single_station = true\n", "")).expect("config written");
    for args in [&["tomar", "S-001", "--worker", "93", "--op", "ARM"][..], &["doctor"]] {
        let (status, error) = json_off_runtime(&station, args).await;
        assert_eq!((status, error["code"].clone()), (3, json!("CONFIG_INVALID")), "{args:?}: {error}");
        assert_eq!(error["details"]["field"], json!("lock"), "{error}");
    }
    assert_eq!(fake.count("spreadsheets.batchUpdate"), 0, "nothing written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_names_a_wrong_time_zone_a_missing_column_and_an_unreadable_key() {
    let fake = standard_fake().await;
    fake.edit("Roles", |grid| grid.header[1] = "Cargo".into());
    let station = sheets_station(&fake, "America/Lima").await;
    let (status, report) = json_off_runtime(&station, &["doctor"]).await;
    assert_eq!(status, 3);
    let failed: Vec<String> = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|check| check["ok"] == json!(false))
        .map(|check| {
            format!("{}: {}", check["name"].as_str().unwrap_or_default(), check["detail"].as_str().unwrap_or_default())
        })
        .collect();
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert!(
        failed[0].starts_with("zona horaria de la planilla") && failed[0].contains("America/Santiago"),
        "{failed:?}"
    );
    assert!(failed[1].starts_with("pestaña Roles") && failed[1].contains("Rol"), "{failed:?}");

    std::fs::write(station.folder.path().join("service-account.json"), "{}").expect("key broken");
    let (status, report) = json_off_runtime(&station, &["doctor"]).await;
    assert_eq!(status, 3);
    let last = report["checks"].as_array().expect("checks").last().cloned().unwrap_or_default();
    assert!(last["detail"].as_str().unwrap_or_default().contains("sheets.credentials"), "{last}");
}

/// A station of a shop on Google Sheets and Redis: `--offline` shows the copy this PC kept, says how old it is,
/// and refuses actions; with no copy kept it says so instead of showing an empty shop.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_viewing_works_from_the_copy_this_pc_kept() {
    let fake = standard_fake().await;
    let mut redis = spooltrack_testkit::RedisServer::start();
    let station = sheets_station(&fake, "America/Santiago").await;
    let config = std::fs::read_to_string(station.config()).expect("config");
    let config = config.replace(
        "[lock]\nsingle_station = true\n",
        &format!("[lock]\nkind = \"redis\"\nurl = \"{}\"\nprefix = \"fuera\"\n", redis.url()),
    );
    std::fs::write(station.config(), config).expect("config written");

    let (status, error) = json_off_runtime(&station, &["list", "--offline"]).await;
    assert_eq!((status, error["code"].clone()), (3, json!("OFFLINE")), "{error}");
    assert!(error["message"].as_str().unwrap_or_default().contains("sin datos guardados"), "{error}");

    let (status, _) = json_off_runtime(&station, &["tomar", "S-001", "--worker", "93", "--op", "ARM"]).await;
    assert_eq!(status, 0);
    redis.stop();
    drop(fake);

    let command = station.command(&["list", "--occupied", "--offline", "--json"]);
    let output = tokio::task::spawn_blocking(move || { command }.output().expect("runs")).await.expect("ran");
    assert_eq!(output.status.code(), Some(0));
    let spools: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let tags: Vec<&str> = spools.as_array().expect("list").iter().filter_map(|spool| spool["tag"].as_str()).collect();
    assert!(tags.contains(&"S-001"), "the TOMAR is in the kept copy: {tags:?}");
    let note = String::from_utf8_lossy(&output.stderr);
    assert!(note.contains("Sin conexión: datos de las") && note.contains("(hace 0 min)"), "{note}");

    let (status, error) = json_off_runtime(&station, &["pausar", "S-001", "--worker", "93", "--offline"]).await;
    assert_eq!((status, error["code"].clone()), (3, json!("OFFLINE")), "{error}");

    // The same PC set up for another shop's spreadsheet never shows the copy of the one before.
    let config = std::fs::read_to_string(station.config()).expect("config");
    std::fs::write(station.config(), config.replacen("spreadsheet_id = ", "spreadsheet_id = \"otra-planta\"\n#", 1))
        .expect("config written");
    let (status, error) = json_off_runtime(&station, &["list", "--offline"]).await;
    assert_eq!((status, error["code"].clone()), (3, json!("OFFLINE")), "{error}");
    assert!(error["message"].as_str().unwrap_or_default().contains("sin datos guardados"), "{error}");
}

/// A viewer station has no key and never calls Google: it shows what the shop's Redis and its own kept copy
/// hold (a spool's history too), and refuses actions.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_station_shows_the_shop_from_redis_without_a_key() {
    let fake = standard_fake().await;
    let redis = spooltrack_testkit::RedisServer::start();
    let redis_lock = format!("[lock]\nkind = \"redis\"\nurl = \"{}\"\nprefix = \"vista\"\n", redis.url());
    let viewer = Station::new();
    let database = viewer.folder.path().join("viewer.db");
    let config = format!("station = \"pantalla\"\nviewer = true\n[embedded]\ndatabase = {database:?}\n{redis_lock}");
    std::fs::write(viewer.config(), config).expect("config written");

    let (status, error) = json_off_runtime(&viewer, &["list"]).await;
    assert_eq!((status, error["code"].clone()), (3, json!("OFFLINE")), "nothing shared yet: {error}");
    assert!(error["message"].as_str().unwrap_or_default().contains("sin datos guardados"), "{error}");

    let worker = sheets_station(&fake, "America/Santiago").await;
    let config = std::fs::read_to_string(worker.config()).expect("config");
    std::fs::write(worker.config(), config.replace("[lock]\nsingle_station = true\n", &redis_lock)).expect("written");
    let (status, _) = json_off_runtime(&worker, &["tomar", "S-002", "--worker", "93", "--op", "ARM"]).await;
    assert_eq!(status, 0);

    fake.clear_calls();
    let (status, spools) = json_off_runtime(&viewer, &["list", "--occupied"]).await;
    assert_eq!(status, 0, "{spools}");
    let tags: Vec<&str> = spools.as_array().expect("list").iter().filter_map(|spool| spool["tag"].as_str()).collect();
    assert!(tags.contains(&"S-002"), "{tags:?}");
    let (status, error) = json_off_runtime(&viewer, &["pausar", "S-002", "--worker", "93"]).await;
    assert_eq!((status, error["code"].clone()), (3, json!("OFFLINE")), "{error}");
    assert!(error["message"].as_str().unwrap_or_default().contains("solo de visualización"), "{error}");
    assert!(fake.calls().is_empty(), "the viewer never called Google: {:?}", fake.calls());

    // A station's history read the audit and gave it to the shop's Redis: the viewer shows the same.
    let (status, sessions) = json_off_runtime(&worker, &["history", "S-002"]).await;
    assert_eq!(status, 0, "{sessions}");
    fake.clear_calls();
    let (status, seen) = json_off_runtime(&viewer, &["history", "S-002"]).await;
    assert_eq!((status, &seen), (0, &sessions));
    assert_eq!(seen[0]["worker"], json!("MR(93)"), "{seen}");
    assert!(fake.calls().is_empty(), "the viewer never called Google: {:?}", fake.calls());
}

/// Every value under the shop's prefix in Redis, inflated where it is deflated (the shared snapshot's
/// checkpoint and log entries, after their `<seq>\n`), as text to search.
async fn redis_contents(url: &str) -> String {
    use std::io::Read;
    let client = redis::Client::open(url).expect("client");
    let mut connection = client.get_multiplexed_async_connection().await.expect("connection");
    let keys: Vec<String> = redis::cmd("KEYS").arg("*").query_async(&mut connection).await.expect("keys");
    let mut text = String::new();
    for key in keys {
        let dumped: Vec<u8> = redis::cmd("DUMP").arg(&key).query_async(&mut connection).await.unwrap_or_default();
        let kind: String = redis::cmd("TYPE").arg(&key).query_async(&mut connection).await.expect("type");
        let values: Vec<Vec<u8>> = match kind.as_str() {
            "string" => vec![redis::cmd("GET").arg(&key).query_async(&mut connection).await.expect("get")],
            "list" => redis::cmd("LRANGE").arg(&key).arg(0).arg(-1).query_async(&mut connection).await.expect("list"),
            "hash" => redis::cmd("HGETALL").arg(&key).query_async(&mut connection).await.expect("hash"),
            _ => vec![dumped],
        };
        for value in values {
            let body = value.iter().position(|byte| *byte == b'\n').map_or(&value[..], |newline| &value[newline + 1..]);
            for candidate in [&value[..], body] {
                let mut inflated = String::new();
                if flate2::read::DeflateDecoder::new(candidate).read_to_string(&mut inflated).is_ok() {
                    text.push_str(&inflated);
                }
            }
            text.push_str(&String::from_utf8_lossy(&value));
            text.push('\n');
        }
    }
    text
}

/// The PINs typed and their hashes never reach the audit, a log line (at trace level), an answer or error, the
/// shop's Redis (shared snapshot included) or the copy this PC keeps, on the production pair.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_pin_nor_its_hash_reaches_the_audit_a_log_an_answer_redis_or_the_kept_copy() {
    let fake = standard_fake().await;
    let redis = spooltrack_testkit::RedisServer::start();
    let station = sheets_station(&fake, "America/Santiago").await;
    let config = std::fs::read_to_string(station.config()).expect("config");
    let redis_lock = format!("[lock]\nkind = \"redis\"\nurl = \"{}\"\nprefix = \"pines\"\n", redis.url());
    std::fs::write(station.config(), config.replace("[lock]\nsingle_station = true\n", &redis_lock)).expect("written");

    let (wrong, right, new) = ("73194", spooltrack_testkit::fixture::SUPERVISOR_PIN, "58213");
    let steps: Vec<(&[&str], String)> = vec![
        (&["tomar", "S-001", "--worker", "93", "--op", "ARM"], String::new()),
        (&["liberar", "S-001", "--admin", "109", "--motivo", "prueba", "--pin-stdin"], format!("{wrong}\n")),
        (&["liberar", "S-001", "--admin", "109", "--motivo", "prueba", "--pin-stdin"], format!("{right}\n")),
        (&["pin", "--worker", "110", "--por", "109", "--pin-stdin"], format!("{right}\n{new}\n")),
        (&["pin", "--worker", "110", "--por", "110", "--pin-stdin"], format!("{wrong}\n{new}\n")),
        (&["workers"], String::new()),
        (&["list", "--offline"], String::new()),
    ];
    let commands: Vec<(Command, String)> = steps
        .into_iter()
        .map(|(args, input)| {
            let mut command = station.command(&[args, &["--json"]].concat());
            command.env("SPOOLTRACK_LOG", "trace");
            (command, input)
        })
        .collect();
    let (statuses, printed) = tokio::task::spawn_blocking(move || {
        let mut printed = String::new();
        let mut statuses = Vec::new();
        for (command, input) in commands {
            let output = with_input(command, &input);
            printed.push_str(&String::from_utf8_lossy(&output.stdout));
            printed.push_str(&String::from_utf8_lossy(&output.stderr));
            statuses.push(output.status.code().expect("exit status"));
        }
        (statuses, printed)
    })
    .await
    .expect("ran");
    assert_eq!(statuses, [0, 1, 0, 0, 1, 0, 0], "{printed}");
    assert!(printed.contains("PIN_INCORRECT") && printed.contains("llamada a la planilla"), "trace logs on: {printed}");

    let people = fake.grid("Trabajadores");
    let column = people.header.iter().position(|name| name == "PIN_Hash").expect("column");
    let hashes: Vec<String> = people
        .rows
        .iter()
        .filter_map(|row| row.get(column))
        .map(|cell| cell.display())
        .filter(|text| !text.is_empty())
        .collect();
    assert_eq!(hashes.len(), 2, "the two supervisors' hashes are kept in the sheet: {hashes:?}");
    let audit: String = fake.grid("Metadata").rows.iter().flatten().map(|cell| cell.display() + "\t").collect();
    assert!(audit.contains("PIN_INCORRECTO") && audit.contains("PIN_CAMBIADO"), "{audit}");
    let kept = std::fs::read(station.folder.path().join("locks.db")).expect("kept copy");
    let places = [
        ("the audit", audit),
        ("the output and the logs", printed),
        ("Redis", redis_contents(&redis.url()).await),
        ("the kept copy", String::from_utf8_lossy(&kept).into_owned()),
    ];
    for (place, text) in &places {
        for secret in hashes.iter().map(String::as_str).chain([wrong, right, new, "$argon2"]) {
            assert!(!text.contains(secret), "{secret} reached {place}");
        }
    }
    assert!(places[2].1.contains("CR(109)"), "Redis was searched: the snapshot holds the workers");
}
