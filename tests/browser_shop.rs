//! The interface's browser suite on the production pair: a real `redis-server` and the real google-sheets4 client
//! against the project's Sheets fake, two stations and a viewer, each a test host (`spooltrack serve --dev`)
//! serving the built interface to its own Chromium page (`ui/browser/shop.mjs`, driven by node's test runner).
//! This test starts the shop's services, writes each station's configuration and runs the suite; the suite
//! freezes Redis itself (`REDIS_PID`) to take it away and gives it back.

use std::{path::Path, process::Command};

use spooltrack_domain::schema::TabNames;
use spooltrack_testkit::{fixture, RedisServer, SheetsFake};

const SPREADSHEET: &str = "planilla-navegador";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_stations_and_a_viewer_in_chromium_on_redis_and_the_sheets_fake() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert!(root.join("ui/dist/index.html").exists(), "the interface is built first (`make ui`)");
    let folder = tempfile::tempdir().expect("temp dir");
    let names = TabNames::default();
    let tabs =
        fixture::standard_shop().grids().into_iter().map(|(tab, grid)| (names.name(tab).to_string(), grid)).collect();
    let fake = SheetsFake::start(SPREADSHEET, tabs).await;
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

    let redis_pid = redis.pid().expect("redis runs").to_string();
    let shop = folder.path().to_path_buf();
    // The fake answers on this runtime while node runs on a blocking thread.
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .current_dir(root.join("ui"))
            .args(["--test", "--test-reporter=spec", "browser/shop.mjs"])
            .env("SHOP_FOLDER", shop)
            .env("REDIS_PID", redis_pid)
            .env("SPOOLTRACK_BIN", env!("CARGO_BIN_EXE_spooltrack"))
            .output()
    })
    .await
    .expect("ran")
    .expect("node runs (make test installs Node.js)");
    let report = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "the browser suite failed:\n{report}");
    assert!(report.contains("pass 3") && report.contains("fail 0"), "the suite ran its three tests:\n{report}");
}
