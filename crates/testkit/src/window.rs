//! The real app in a real window for the end-to-end smoke and the window's benchmark: Xvfb on a display of its
//! own, tauri-driver and WebKitWebDriver (Debian's webkit2gtk-driver) driving the binary through WebDriver.

use std::{
    io::{BufRead, BufReader},
    net::TcpListener,
    os::unix::process::CommandExt,
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use fantoccini::{ClientBuilder, Locator};
use serde_json::json;

/// A child process, started in a process group of its own, that dies with the test together with whatever
/// it started (tauri-driver starts WebKitWebDriver, which starts the app).
pub struct Guard(Child);

impl Guard {
    pub fn spawn(command: &mut Command) -> Guard {
        Guard(
            command
                .process_group(0)
                .spawn()
                .unwrap_or_else(|error| panic!("{command:?} runs (make test installs it): {error}")),
        )
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.0.wait();
    }
}

/// Xvfb on a display it picks itself (`-displayfd`), so parallel runs never collide.
fn start_xvfb() -> (Guard, String) {
    let mut xvfb = Guard::spawn(
        Command::new("Xvfb")
            .args(["-displayfd", "1", "-screen", "0", "1400x900x24", "-nolisten", "tcp"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null()),
    );
    let mut line = String::new();
    BufReader::new(xvfb.0.stdout.take().expect("stdout")).read_line(&mut line).expect("display number");
    (xvfb, format!(":{}", line.trim()))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|listener| listener.local_addr()).expect("free port").port()
}

fn wait_for_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "tauri-driver did not listen on {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The processes whose command line holds `marker`, and all their descendants.
pub fn process_tree(marker: &str) -> Vec<u32> {
    let processes: Vec<(u32, u32, String)> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            // The parent is the second field after the command's parenthesised name.
            let parent = stat.rsplit_once(')')?.1.split_whitespace().nth(1)?.parse().ok()?;
            let command = std::fs::read(entry.path().join("cmdline")).ok()?;
            Some((pid, parent, String::from_utf8_lossy(&command).replace('\0', " ")))
        })
        .collect();
    let mut tree: Vec<u32> =
        processes.iter().filter(|(_, _, command)| command.contains(marker)).map(|(pid, _, _)| *pid).collect();
    let mut index = 0;
    while index < tree.len() {
        let parent = tree[index];
        tree.extend(processes.iter().filter(|(_, up, _)| *up == parent).map(|(pid, _, _)| *pid));
        index += 1;
    }
    tree.sort_unstable();
    tree.dedup();
    tree
}

/// A process's name as the kernel keeps it (at most 15 characters: `WebKitWebProces`).
pub fn process_name(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm")).map(|name| name.trim().to_string()).unwrap_or_default()
}

/// The real app in a window under its own Xvfb, driven through tauri-driver.
pub struct Window {
    pub client: fantoccini::Client,
    _driver: Guard,
    _xvfb: Guard,
}

impl Window {
    /// Opens `app` (a binary path) with `--config config`.
    pub async fn open(app: &str, config: &Path) -> Window {
        Window::open_with_data(app, config, None).await
    }

    /// The same, the app's data folder (where a configuration that names no database keeps it) in `data`.
    pub async fn open_with_data(app: &str, config: &Path, data: Option<&Path>) -> Window {
        let (xvfb, display) = start_xvfb();
        let (port, native_port) = (free_port(), free_port());
        let mut driver = Command::new("tauri-driver");
        driver.args(["--port", &port.to_string(), "--native-port", &native_port.to_string()]);
        if let Some(data) = data {
            driver.env("XDG_DATA_HOME", data);
        }
        let driver = Guard::spawn(driver.env("DISPLAY", &display).stdout(Stdio::null()));
        wait_for_port(port);
        let capabilities = json!({
            "tauri:options": {
                "application": app,
                "args": ["--config", config.to_str().expect("utf-8 path")],
            }
        });
        let client = ClientBuilder::native()
            .capabilities(capabilities.as_object().expect("object").clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a session with the app");
        Window { client, _driver: driver, _xvfb: xvfb }
    }

    pub async fn wait_for(&self, css: String) -> fantoccini::elements::Element {
        self.client.wait().at_most(Duration::from_secs(30)).for_element(Locator::Css(&css)).await.expect(&css)
    }

    pub async fn click(&self, css: &str) {
        self.wait_for(css.to_string()).await.click().await.expect(css);
    }

    /// Replaces what the field at `css` holds with `text`, typed as keys.
    pub async fn type_into(&self, css: &str, text: &str) {
        let field = self.wait_for(css.to_string()).await;
        field.clear().await.expect(css);
        field.send_keys(text).await.expect(css);
    }

    /// An element's text as the page holds it, once it contains `wanted` (or the last seen after ten seconds).
    pub async fn text_once(&self, css: &str, wanted: &str) -> String {
        let mut shown = String::new();
        for _ in 0..50 {
            let script = format!("return document.querySelector(\"{css}\")?.textContent ?? ''");
            shown = self
                .client
                .execute(&script, Vec::new())
                .await
                .ok()
                .and_then(|text| text.as_str().map(String::from))
                .unwrap_or_default();
            if shown.contains(wanted) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        shown
    }
}
