//! The interface's browser suite on the production pair: a real `redis-server` and the real google-sheets4 client
//! against the project's Sheets fake, two stations and a viewer, each a test host (`spooltrack serve --dev`)
//! serving the built interface to its own Chromium page (`ui/browser/shop.mjs`, driven by node's test runner),
//! and a station set up through its first start (`ui/browser/setup.mjs`). This test starts the shop's services
//! (and two more spreadsheets for setup to refuse: one not shared, one with a column renamed), writes each
//! station's configuration and runs the suite; the suite freezes Redis itself (`REDIS_PID`) to take it away and
//! gives it back.

use std::{path::Path, process::Command};

use serde_json::json;
use spooltrack_domain::schema::{Tab, TabNames};
use spooltrack_testkit::{fixture, RedisServer, SheetsFake};

const SPREADSHEET: &str = "planilla-navegador";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_stations_and_a_viewer_in_chromium_on_redis_and_the_sheets_fake() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert!(root.join("ui/dist/index.html").exists(), "the interface is built first (`make ui`)");
    let folder = tempfile::tempdir().expect("temp dir");
    let fake = SheetsFake::standard(SPREADSHEET).await;
    let unshared = SheetsFake::standard(SPREADSHEET).await;
    unshared.set_shared(false);
    let drifted = SheetsFake::standard(SPREADSHEET).await;
    drifted.edit(TabNames::default().name(Tab::Roles), |grid| grid.header[1] = "Cargo".into());
    let redis = RedisServer::start();
    let key = fake.write_service_account_key(folder.path());
    let lock = format!("[lock]\nkind = \"redis\"\nurl = \"{}\"\nprefix = \"navegador\"\n", redis.url());
    for station in ["estacion-1", "estacion-2"] {
        let config = format!(
            "station = \"{station}\"\n[embedded]\ndatabase = {:?}\n[sheets]\nspreadsheet_id = \"{SPREADSHEET}\"\n\
             credentials = {key:?}\nendpoint = {:?}\n{lock}",
            folder.path().join(format!("{station}.db")),
            fake.endpoint().trim_end_matches('/'),
        );
        std::fs::write(folder.path().join(format!("{station}.toml")), config).expect("config written");
    }
    let viewer = format!(
        "station = \"pantalla\"\nviewer = true\n[embedded]\ndatabase = {:?}\n{lock}",
        folder.path().join("pantalla.db")
    );
    std::fs::write(folder.path().join("pantalla.toml"), viewer).expect("config written");

    // Each fake signs in only the keys it issued: one key per spreadsheet, in folders of their own.
    let spreadsheet = |fake: &SheetsFake, name: &str| {
        let keys = folder.path().join(name);
        std::fs::create_dir_all(&keys).expect("key folder");
        json!({ "endpoint": fake.endpoint(), "key": fake.write_service_account_key(&keys) })
    };
    let setup = json!({
        "spreadsheet": SPREADSHEET,
        "redis": redis.url(),
        "prefix": "navegador",
        "email": "spooltrack@spooltrack-pruebas.iam.gserviceaccount.com",
        "supervisorPin": fixture::SUPERVISOR_PIN,
        "shop": spreadsheet(&fake, "clave-planta"),
        "unshared": spreadsheet(&unshared, "clave-no-compartida"),
        "drifted": spreadsheet(&drifted, "clave-cambiada"),
    });
    let redis_pid = redis.pid().expect("redis runs").to_string();
    let shop = folder.path().to_path_buf();
    // The fake answers on this runtime while node runs on a blocking thread.
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .current_dir(root.join("ui"))
            .args(["--test", "--test-reporter=spec", "browser/shop.mjs", "browser/setup.mjs"])
            .env("SHOP_FOLDER", shop)
            .env("REDIS_PID", redis_pid)
            .env("SETUP", setup.to_string())
            .env("SPOOLTRACK_BIN", env!("CARGO_BIN_EXE_spooltrack"))
            .output()
    })
    .await
    .expect("ran")
    .expect("node runs (make test installs Node.js)");
    let report = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "the browser suite failed:\n{report}");
    assert!(report.contains("pass 5") && report.contains("fail 0"), "the suite ran its five tests:\n{report}");
}
