//! End-to-end smoke of the real app: the binary in a real window under Xvfb, driven through tauri-driver and
//! WebKitWebDriver. A worker takes a spool in the window; the CLI, another process on the same store, sees it.
//! The binary is this build's, or the one `SPOOLTRACK_APP` names (the installed package's, in CI).

use std::{
    path::Path,
    process::Command,
    time::{Duration, Instant},
};

use fantoccini::Locator;
use serde_json::{json, Value};
use spooltrack_testkit::window::{process_name, process_tree, Window};

/// The app under test: `SPOOLTRACK_APP`, else the binary of this build.
fn app() -> String {
    std::env::var("SPOOLTRACK_APP").unwrap_or_else(|_| env!("CARGO_BIN_EXE_spooltrack").to_string())
}

fn cli_status(config: &Path, tag: &str) -> Value {
    let output = Command::new(app())
        .args(["--config", config.to_str().expect("utf-8 path"), "status", tag, "--json"])
        .output()
        .expect("cli runs");
    serde_json::from_slice(&output.stdout).expect("json status")
}

#[tokio::test]
async fn a_spool_taken_in_the_window_is_occupied_for_the_cli() {
    let folder = tempfile::tempdir().expect("temp dir");
    let config = folder.path().join("spooltrack.toml");
    let database = folder.path().join("shop.db");
    std::fs::write(&config, format!("station = \"e2e\"\n[embedded]\ndatabase = {database:?}\n")).expect("config");

    let window = Window::open(&app(), &config).await;
    let client = &window.client;
    let wait_for = |css: String| window.wait_for(css);

    // MR(93) identifies on the first screen; with one operation allowed, the picker is skipped.
    wait_for("[data-testid='worker-93']".into()).await.click().await.expect("identified");
    let first_free = wait_for("[data-testid^='select-']:not([disabled])".into()).await;
    let tag = first_free.attr("data-testid").await.expect("attribute").expect("test id").replacen("select-", "", 1);
    assert_eq!(cli_status(&config, &tag)["ocupado_por"], Value::Null);

    // MR(93) takes it.
    first_free.click().await.expect("ticked");
    client.find(Locator::Css("[data-testid='action-tomar']")).await.expect("button").click().await.expect("pressed");
    wait_for("[data-testid='dialog-confirm']".into()).await.click().await.expect("confirmed");
    let toast = wait_for("[data-testid='toast-ok']".into()).await;
    assert!(toast.text().await.expect("text").contains(&tag), "the result names the spool");

    // The supervisor board shows it, held by MR(93).
    client.find(Locator::Css("[data-testid='mode-board']")).await.expect("board tab").click().await.expect("board");
    wait_for("[data-testid='board-search']".into()).await.send_keys(&tag).await.expect("searched");
    // The row's text as the page holds it (WebKitWebDriver reports no visible text inside the virtualised list's
    // transformed rows).
    let row = format!("[data-testid='board'] [data-testid='state-{tag}']");
    wait_for(row.clone()).await;
    let shown = window.text_once(&row, "MR(93)").await;
    assert!(shown.contains("MR(93)"), "the board shows the holder: {shown:?}");

    if let Ok(png) = client.screenshot().await {
        let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e");
        std::fs::create_dir_all(&shots).ok();
        std::fs::write(shots.join("tablero.png"), png).ok();
    }
    window.client.clone().close().await.expect("session closed");

    // The other process on the same store agrees.
    let status = cli_status(&config, &tag);
    assert_eq!(status["ocupado_por"], json!("MR(93)"));
    assert_eq!(status["estacion"], json!("e2e"));
}

/// A first start in the real window: no configuration yet, the setup screen; the demo writes one and opens the
/// station on the demo shop, and the CLI reads the same configuration back.
#[tokio::test]
async fn a_first_start_in_the_window_opens_the_demo() {
    let folder = tempfile::tempdir().expect("temp dir");
    let config = folder.path().join("estacion").join("config.toml");
    let window = Window::open_with_data(&app(), &config, Some(folder.path())).await;
    window.click("[data-testid='setup-demo']").await;
    window.wait_for("[data-testid='worker-93']".into()).await;
    assert!(config.is_file(), "the demo's configuration is written");
    let output = Command::new(app())
        .arg("--config")
        .arg(&config)
        .args(["workers", "--json"])
        .env("XDG_DATA_HOME", folder.path())
        .output()
        .expect("cli runs");
    let workers: Value = serde_json::from_slice(&output.stdout).expect("json workers");
    assert!(workers.as_array().is_some_and(|workers| workers.len() > 10), "the CLI opens the same demo shop");
}

/// A first start in the real window connected to the shop (the Sheets fake, a real Redis): the key is offered
/// through the file dialog, and its path typed; a file that is no key is named and nothing is saved; the good
/// answers open the station at once, with the key kept the user's alone, and `doctor` reads the file back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_start_in_the_window_connects_the_station_to_the_shop() {
    let shop = spooltrack_testkit::ShopToConnect::start("planilla-ventana").await;
    let (fake, redis, folder, key) = (&shop.fake, &shop.redis, &shop.folder, &shop.key);
    let (not_a_key, config) = (shop.not_a_key(), shop.config());
    let window = Window::open_with_data(&app(), &config, Some(folder.path())).await;

    window.click("[data-testid='setup-connect']").await;
    window.wait_for("[data-testid='setup-key-choose']".into()).await;
    window.type_into("[data-testid='setup-station']", "Armado-5").await;
    window.type_into("[data-testid='setup-spreadsheet']", "planilla-ventana").await;
    window.type_into("[data-testid='setup-key']", not_a_key.to_str().expect("utf-8 path")).await;
    window.type_into("[data-testid='setup-redis']", &redis.url()).await;
    window.click("[data-testid='setup-advanced']").await;
    window.type_into("[data-testid='setup-endpoint']", &fake.endpoint()).await;
    window.click("[data-testid='setup-check']").await;
    let refused = window.text_once("[data-testid='setup-check-clave de la cuenta de servicio']", "✖").await;
    assert!(refused.contains('✖'), "the file that is no key is named: {refused:?}");
    assert!(!config.exists(), "nothing saved");

    window.type_into("[data-testid='setup-key']", key.to_str().expect("utf-8 path")).await;
    window.click("[data-testid='setup-check']").await;
    let sheet = window.text_once("[data-testid='setup-check-planilla']", "✔").await;
    assert!(sheet.contains('✔'), "the spreadsheet opens: {sheet:?}");
    window.click("[data-testid='setup-save']").await;
    window.wait_for("[data-testid='worker-93']".into()).await;

    use std::os::unix::fs::PermissionsExt;
    let kept = config.with_file_name(spooltrack_config::setup::KEY_FILE);
    assert_eq!(std::fs::metadata(&kept).expect("key kept").permissions().mode() & 0o777, 0o600);
    let mut doctor = Command::new(app());
    doctor.arg("--config").arg(&config).args(["doctor", "--json"]).env("XDG_DATA_HOME", folder.path());
    // The fake answers on this runtime while doctor runs.
    let doctor = tokio::task::spawn_blocking(move || doctor.output()).await.expect("ran").expect("cli runs");
    let report: Value = serde_json::from_slice(&doctor.stdout).expect("json report");
    assert_eq!(report["ok"], json!(true), "doctor reads the written file back: {report}");
}

/// A kiosk station's window closes when a supervisor, through the board's station settings and their PIN,
/// closes it: then the app exits. (That it refuses every other close is the IPC tests'.)
#[tokio::test]
async fn a_kiosk_window_closes_only_when_a_supervisor_closes_it() {
    let folder = tempfile::tempdir().expect("temp dir");
    let config = folder.path().join("quiosco.toml");
    let database = folder.path().join("shop.db");
    std::fs::write(&config, format!("station = \"quiosco\"\nkiosk = true\n[embedded]\ndatabase = {database:?}\n"))
        .expect("config");
    let window = Window::open(&app(), &config).await;
    let app_running = || {
        let pattern = config.to_str().expect("utf-8 path").to_string();
        Command::new("pgrep").args(["-f", &pattern]).output().is_ok_and(|found| found.status.success())
    };

    window.click("[data-testid='worker-109']").await;
    assert!(app_running());
    window.click("[data-testid='mode-board']").await;
    window.click("[data-testid='settings-unlock']").await;
    window.click("[data-testid='supervisor-109']").await;
    for digit in ["1", "0", "9", "0"] {
        window.click(&format!("[data-testid='pin-key-{digit}']")).await;
    }
    window.click("[data-testid='pin-ok']").await;
    window.click("[data-testid='kiosk-close']").await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while app_running() {
        assert!(Instant::now() < deadline, "the app did not exit once the supervisor closed the kiosk");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// WebKit draws the page in a process of its own. When that process dies (a graphics driver's crash, the OOM
/// killer), the window loads the page again by itself: a kiosk or a wall screen that nobody attends comes back.
/// WebKitWebDriver ends its session when the page crashes, so the new page is seen from outside: WebKit starts a
/// web process only to load a page, and the app, still running, started one.
#[tokio::test]
async fn a_page_whose_web_process_dies_comes_back_by_itself() {
    let folder = tempfile::tempdir().expect("temp dir");
    let config = folder.path().join("pagina.toml");
    let database = folder.path().join("shop.db");
    std::fs::write(&config, format!("station = \"pagina\"\n[embedded]\ndatabase = {database:?}\n")).expect("config");
    let window = Window::open(&app(), &config).await;
    window.click("[data-testid='worker-93']").await;
    window.wait_for("[data-testid^='select-']".into()).await;
    let marker = config.to_str().expect("utf-8 path");
    let web_processes = || -> Vec<u32> {
        process_tree(marker).into_iter().filter(|pid| process_name(*pid).starts_with("WebKitWebProc")).collect()
    };
    let killed = web_processes();
    assert!(!killed.is_empty(), "the window draws in a web process of its own");
    for pid in &killed {
        Command::new("kill").args(["-KILL", &pid.to_string()]).status().expect("kill runs");
    }

    let deadline = Instant::now() + Duration::from_secs(20);
    let reloaded = loop {
        let now: Vec<u32> = web_processes().into_iter().filter(|pid| !killed.contains(pid)).collect();
        if !now.is_empty() {
            break now;
        }
        assert!(Instant::now() < deadline, "no page was loaded again after its web process died");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    // The new page stays up (no crash at every load), and the app behind it never stopped.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(reloaded.iter().all(|pid| web_processes().contains(pid)), "the page's new process died too");
    assert!(!process_tree(marker).is_empty(), "the app kept running");
    drop(window);
}

/// A station of the production pair (Sheets through the fake, the shop's Redis) whose network is gone when the
/// window opens: the first screen shows the copy this PC kept, the banner names what is away and how old the
/// data is, and nothing can be taken.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_window_with_no_network_starts_from_the_copy_this_pc_kept() {
    let folder = tempfile::tempdir().expect("temp dir");
    let config = folder.path().join("spooltrack.toml");
    let tabs = spooltrack_testkit::fixture::standard_shop()
        .grids()
        .into_iter()
        .map(|(tab, grid)| (spooltrack_domain::schema::TabNames::default().name(tab).to_string(), grid))
        .collect();
    let fake = spooltrack_testkit::SheetsFake::start("planilla-e2e", tabs).await;
    let mut redis = spooltrack_testkit::RedisServer::start();
    let key = fake.write_service_account_key(folder.path());
    std::fs::write(
        &config,
        format!(
            "station = \"e2e\"\n[embedded]\ndatabase = {:?}\n[sheets]\nspreadsheet_id = \"planilla-e2e\"\n\
             credentials = {key:?}\nendpoint = {:?}\n[lock]\nkind = \"redis\"\nurl = \"{}\"\nprefix = \"e2e\"\n",
            folder.path().join("station.db"),
            fake.endpoint().trim_end_matches('/'),
            redis.url(),
        ),
    )
    .expect("config");
    // A run on the network keeps the shop's copy on this PC; then the network goes.
    let listed = tokio::task::spawn_blocking({
        let config = config.clone();
        move || Command::new(app()).arg("--config").arg(config).arg("list").output()
    })
    .await
    .expect("ran")
    .expect("cli runs");
    assert!(listed.status.success(), "{}", String::from_utf8_lossy(&listed.stderr));
    redis.stop();
    drop(fake);

    let window = Window::open(&app(), &config).await;
    window.wait_for("[data-testid='worker-93']".into()).await.click().await.expect("identified from the copy");
    window.wait_for("[data-testid^='select-']:not([disabled])".into()).await.click().await.expect("ticked");
    let state = window.text_once("[data-testid='connection-state']", "Redis").await;
    assert!(state.contains("Sin conexión con Redis"), "the banner names what is away: {state:?}");
    let age = window.text_once("[data-testid='connection-data']", "datos de las").await;
    assert!(age.contains("datos de las"), "and how old the data is: {age:?}");
    let take = window.client.find(Locator::Css("[data-testid='action-tomar']")).await.expect("button");
    assert!(!take.is_enabled().await.expect("state"), "a spool is ticked, but nothing can be taken offline");
    window.client.clone().close().await.expect("session closed");
}
