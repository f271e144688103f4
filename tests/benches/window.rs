//! The window's numbers on the demo shop, printed for BENCHMARKS.md: the package's and the binary's size, the
//! time from launch to the first screen with data, and the memory (RSS) of the app and its WebKit processes
//! after start and along `MINUTES` (60) of use: the board's sections opened in turn while another station (the
//! CLI, on the same store) takes and pauses spools, each change reaching the window live.
//!
//! `cargo run --example window` runs this build's binary; `SPOOLTRACK_APP=/usr/bin/spooltrack` the installed
//! package's, `SPOOLTRACK_DEB=…` names the package whose size to print.
//!
//! If the page's web process dies meanwhile, the window loads the page again and WebKitWebDriver ends its
//! session: the run says so, and goes on with the other station's changes alone (the page still follows them).

use std::{
    path::{Path, PathBuf},
    process::Command,
    time::{Duration, Instant},
};

use fantoccini::Locator;
use spooltrack_testkit::window::{process_name, process_tree, Window};

const SECTIONS: [&str; 6] = ["occupied", "paused", "crew", "orders", "activity", "occupied"];

/// The binary measured: `SPOOLTRACK_APP`, else this build's.
fn app() -> String {
    std::env::var("SPOOLTRACK_APP").unwrap_or_else(|_| {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("target/debug/spooltrack").to_string_lossy().into_owned()
    })
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

/// The resident memory of `pids`, each with its name.
fn resident(pids: &[u32]) -> (u64, Vec<String>) {
    let mut total = 0;
    let mut parts = Vec::new();
    for pid in pids {
        let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else { continue };
        let field = |name: &str| status.lines().find_map(|line| line.strip_prefix(name)).map(str::trim).unwrap_or("");
        let kilobytes: u64 = field("VmRSS:").trim_end_matches(" kB").trim().parse().unwrap_or(0);
        total += kilobytes * 1000;
        parts.push(format!("{} {}", field("Name:"), megabytes(kilobytes * 1000)));
    }
    (total, parts)
}

/// The page's web processes among `pids`.
fn web_processes(pids: &[u32]) -> Vec<u32> {
    pids.iter().copied().filter(|pid| process_name(*pid).starts_with("WebKitWebProc")).collect()
}

fn cli(config: &Path, args: &[&str]) -> String {
    let output = Command::new(app()).arg("--config").arg(config).args(args).output().expect("the CLI runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn package() -> Option<PathBuf> {
    if let Ok(path) = std::env::var("SPOOLTRACK_DEB") {
        return Some(path.into());
    }
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/bundle/deb");
    std::fs::read_dir(folder)
        .ok()?
        .flatten()
        .map(|entry| entry.path())
        .find(|path| path.extension().is_some_and(|extension| extension == "deb"))
}

#[tokio::main]
async fn main() {
    let minutes: u64 = std::env::var("MINUTES").ok().and_then(|text| text.parse().ok()).unwrap_or(60);
    if let Some(deb) = package() {
        let size = std::fs::metadata(&deb).map(|metadata| metadata.len()).unwrap_or(0);
        println!("package {}: {}", deb.display(), megabytes(size));
    }
    let binary = std::fs::metadata(app()).map(|metadata| metadata.len()).unwrap_or(0);
    println!("binary {}: {}", app(), megabytes(binary));

    let folder = tempfile::tempdir().expect("temp dir");
    let config = folder.path().join("banco-ventana.toml");
    let database = folder.path().join("shop.db");
    std::fs::write(&config, format!("station = \"banco\"\n[embedded]\ndatabase = {database:?}\n")).expect("config");
    // The demo shop is created on first start: created before the clock runs, as on a PC already in use.
    cli(&config, &["workers"]);

    let launched = Instant::now();
    let window = Window::open(&app(), &config).await;
    window.wait_for("[data-testid='worker-109']".into()).await;
    println!("launch to the first screen with data: {} ms", launched.elapsed().as_millis());
    let marker = config.to_str().expect("utf-8 path");
    tokio::time::sleep(Duration::from_secs(5)).await;
    let (at_start, parts) = resident(&process_tree(marker));
    println!("memory after start: {} ({})", megabytes(at_start), parts.join(", "));

    window.click("[data-testid='worker-109']").await;
    window.click("[data-testid='mode-board']").await;
    let free: Vec<String> =
        serde_json::from_str::<serde_json::Value>(&cli(&config, &["list", "--available", "--op", "ARM", "--json"]))
            .expect("json list")
            .as_array()
            .expect("a list")
            .iter()
            .filter_map(|spool| spool["tag"].as_str().map(str::to_string))
            .take(40)
            .collect();
    let started = Instant::now();
    let mut round = 0usize;
    let mut next_report = Duration::from_secs(300);
    let mut pages = web_processes(&process_tree(marker));
    let mut driven = true;
    while started.elapsed() < Duration::from_secs(minutes * 60) {
        let tag = &free[round % free.len()];
        cli(&config, &["tomar", tag, "--worker", "93", "--op", "ARM"]);
        if driven {
            let section = format!("[data-testid='section-{}']", SECTIONS[round % SECTIONS.len()]);
            let clicked = match window.client.find(Locator::Css(&section)).await {
                Ok(found) => found.click().await.map(|_| ()),
                Err(error) => Err(error),
            };
            if let Err(error) = clicked {
                println!(
                    "after {} s: the WebDriver session ended ({error}); the other station goes on",
                    started.elapsed().as_secs()
                );
                driven = false;
            }
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        cli(&config, &["pausar", tag, "--worker", "93"]);
        tokio::time::sleep(Duration::from_secs(2)).await;
        round += 1;
        if started.elapsed() >= next_report {
            let tree = process_tree(marker);
            let (now, _) = resident(&tree);
            let now_pages = web_processes(&tree);
            if now_pages != pages {
                println!(
                    "the page's web process was replaced ({pages:?} -> {now_pages:?}): it died and was loaded again"
                );
                pages = now_pages;
            }
            println!(
                "memory after {} min of use ({round} rounds): {}",
                started.elapsed().as_secs() / 60,
                megabytes(now)
            );
            next_report += Duration::from_secs(300);
        }
    }
    let (at_end, parts) = resident(&process_tree(marker));
    println!(
        "memory after {minutes} min of use ({round} rounds, {} takes and pauses): {} ({})",
        round * 2,
        megabytes(at_end),
        parts.join(", ")
    );
    window.client.clone().close().await.ok();
}
