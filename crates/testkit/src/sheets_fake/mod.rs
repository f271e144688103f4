//! A local stand-in for the Google Sheets API that the real google-sheets4 client talks to over HTTP: the
//! service-account token endpoint and bearer checks, `spreadsheets.get`, `values.get`, `values.batchGet`,
//! `values.update`, `values.append` and `spreadsheets.batchUpdate` (updateCells, appendCells; all or nothing),
//! with Google's render and input options, answer shapes and error JSON. Faults are injected on demand
//! (latency, 429 after a per-minute quota, 500, an answer dropped after the write applied) and every call is
//! logged, so tests can count what an action cost. `sheets-fake` runs it by hand.

mod api;
mod book;

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    process::Command,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use serde_json::json;
use spooltrack_domain::Grid;

use book::Sheet;

/// Faults the next calls meet, set by tests.
#[derive(Debug, Default)]
struct Faults {
    latency: Duration,
    /// Calls of each kind (reads, writes) allowed per rolling window (Google's is a minute) before a 429.
    quota_per_minute: Option<usize>,
    quota_window: Duration,
    fail_next: usize,
    throttle_next: usize,
    drop_next_write_answers: usize,
    /// Calls that answer 500 once the next dropped answer has been dropped (the network stays down a while).
    fail_after_drop: usize,
}

/// Google counts read and write requests against separate quotas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Read,
    Write,
}

struct Shared {
    spreadsheet_id: String,
    time_zone: String,
    sheets: Vec<Sheet>,
    tokens: Vec<String>,
    calls: Vec<String>,
    /// The ranges each served `values.batchGet` asked for.
    read_ranges: Vec<Vec<String>>,
    /// How many calls the quota refused with 429.
    throttled: usize,
    faults: Faults,
    served: Vec<(Kind, Instant)>,
    /// Time spent answering calls, and the part of it that was injected latency.
    answering: Duration,
    slept: Duration,
    /// Not shared with the service account: Google answers 403 to every call on the spreadsheet.
    unshared: bool,
}

type Fake = Arc<Mutex<Shared>>;

pub struct SheetsFake {
    address: SocketAddr,
    shared: Fake,
    server: tokio::task::JoinHandle<()>,
}

impl SheetsFake {
    /// Serves one spreadsheet holding `tabs` on a free loopback port.
    pub async fn start(spreadsheet_id: &str, tabs: Vec<(String, Grid)>) -> SheetsFake {
        SheetsFake::start_on("127.0.0.1:0", spreadsheet_id, tabs).await
    }

    /// Serves the fixture's standard shop, its tabs under their default names.
    pub async fn standard(spreadsheet_id: &str) -> SheetsFake {
        let names = spooltrack_domain::schema::TabNames::default();
        let tabs = crate::fixture::standard_shop()
            .grids()
            .into_iter()
            .map(|(tab, grid)| (names.name(tab).to_string(), grid))
            .collect();
        SheetsFake::start(spreadsheet_id, tabs).await
    }

    /// Serves on a given address (`sheets-fake` uses a fixed port so a config file can name it).
    pub async fn start_on(address: &str, spreadsheet_id: &str, tabs: Vec<(String, Grid)>) -> SheetsFake {
        let sheets = tabs
            .iter()
            .enumerate()
            .map(|(index, (title, grid))| Sheet::from_grid(index as i32 * 7 + 11, title, grid))
            .collect();
        let shared = Arc::new(Mutex::new(Shared {
            spreadsheet_id: spreadsheet_id.to_string(),
            time_zone: "America/Santiago".into(),
            sheets,
            tokens: Vec::new(),
            calls: Vec::new(),
            answering: Duration::ZERO,
            slept: Duration::ZERO,
            faults: Faults::default(),
            served: Vec::new(),
            read_ranges: Vec::new(),
            throttled: 0,
            unshared: false,
        }));
        let listener = tokio::net::TcpListener::bind(address).await.expect("a port for the Sheets fake");
        let address = listener.local_addr().expect("bound");
        let router = api::router(Arc::clone(&shared));
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        SheetsFake { address, shared, server }
    }

    /// The API base URL, ending in `/` as the client wants it.
    pub fn endpoint(&self) -> String {
        format!("http://{}/", self.address)
    }

    /// Writes a service-account key whose `token_uri` is this fake, with a fresh RSA key made by `openssl`.
    pub fn write_service_account_key(&self, folder: &Path) -> PathBuf {
        let pem = folder.join("key.pem");
        let status = Command::new("openssl")
            .args(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out"])
            .arg(&pem)
            .stderr(std::process::Stdio::null())
            .status()
            .expect("openssl runs");
        assert!(status.success(), "openssl made a key");
        let private_key = std::fs::read_to_string(&pem).expect("key written");
        let _ = std::fs::remove_file(&pem);
        let key = json!({
            "type": "service_account",
            "project_id": "spooltrack-pruebas",
            "private_key_id": "fake",
            "private_key": private_key,
            "client_email": "spooltrack@spooltrack-pruebas.iam.gserviceaccount.com",
            "client_id": "1",
            "auth_uri": format!("http://{}/auth", self.address),
            "token_uri": format!("http://{}/token", self.address),
        });
        let path = folder.join("service-account.json");
        std::fs::write(&path, key.to_string()).expect("key file written");
        path
    }

    fn state(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().expect("fake state")
    }

    /// Every call so far (`POST token`, `GET values.batchGet`, `POST spreadsheets.batchUpdate`, …), refused
    /// ones included, for tests that count what an action cost.
    pub fn calls(&self) -> Vec<String> {
        self.state().calls.clone()
    }

    /// How many logged calls name `method` (`values.batchGet`, `spreadsheets.batchUpdate`, …).
    pub fn count(&self, method: &str) -> usize {
        self.state().calls.iter().filter(|call| call.ends_with(method)).count()
    }

    /// The access tokens handed out so far: secrets a test checks never reach a log.
    pub fn issued_tokens(&self) -> Vec<String> {
        self.state().tokens.clone()
    }

    pub fn clear_calls(&self) {
        let mut state = self.state();
        state.calls.clear();
        state.read_ranges.clear();
        state.answering = Duration::ZERO;
        state.slept = Duration::ZERO;
    }

    /// The fake's own work on the calls since the log was last cleared (the injected latency left out): what
    /// a benchmark takes from the wall time to see what the station itself spent.
    pub fn own_time(&self) -> Duration {
        let state = self.state();
        state.answering.saturating_sub(state.slept)
    }

    /// How many calls the quota (or an injected storm) has refused with 429 so far.
    pub fn throttled(&self) -> usize {
        self.state().throttled
    }

    /// The ranges of every `values.batchGet` since the calls were last cleared, in order.
    pub fn read_ranges(&self) -> Vec<Vec<String>> {
        self.state().read_ranges.clone()
    }

    /// A tab as it stands, unformatted, for assertions on what was written.
    pub fn grid(&self, tab: &str) -> Grid {
        self.state().sheets.iter().find(|sheet| sheet.title == tab).map(Sheet::grid).unwrap_or_default()
    }

    /// Edits a tab as a person would (insert a column, sort rows, rename a header), keeping its sheet id.
    pub fn edit(&self, tab: &str, change: impl FnOnce(&mut Grid)) {
        let mut state = self.state();
        let sheet = state.sheets.iter_mut().find(|sheet| sheet.title == tab).expect("tab exists");
        let mut grid = sheet.grid();
        change(&mut grid);
        *sheet = Sheet::from_grid(sheet.id, tab, &grid);
    }

    /// Removes a tab, as a person deleting it would.
    pub fn delete_tab(&self, tab: &str) {
        self.state().sheets.retain(|sheet| sheet.title != tab);
    }

    /// Whether the spreadsheet is shared with the service account (it is, unless said otherwise).
    pub fn set_shared(&self, shared: bool) {
        self.state().unshared = !shared;
    }

    pub fn set_time_zone(&self, zone: &str) {
        self.state().time_zone = zone.to_string();
    }

    /// Every call waits this long before it is answered.
    pub fn set_latency(&self, latency: Duration) {
        self.state().faults.latency = latency;
    }

    /// Reads and writes allowed per rolling minute, each, before 429 RESOURCE_EXHAUSTED (as Google's quota).
    pub fn set_quota_per_minute(&self, calls: Option<usize>) {
        self.set_quota(calls, Duration::from_secs(60));
    }

    /// Reads and writes allowed per rolling `window`, each: a minute's quota on a shorter clock, for tests.
    pub fn set_quota(&self, calls: Option<usize>, window: Duration) {
        let mut state = self.state();
        (state.faults.quota_per_minute, state.faults.quota_window) = (calls, window);
    }

    /// Ends every injected fault still pending (latency and quota stay as set).
    pub fn clear_faults(&self) {
        let mut state = self.state();
        let faults = &mut state.faults;
        (faults.fail_next, faults.throttle_next, faults.drop_next_write_answers, faults.fail_after_drop) = (0, 0, 0, 0);
    }

    /// The next `calls` API calls answer 500.
    pub fn fail_next(&self, calls: usize) {
        self.state().faults.fail_next = calls;
    }

    /// The next `calls` API calls answer 429, whatever the quota.
    pub fn throttle_next(&self, calls: usize) {
        self.state().faults.throttle_next = calls;
    }

    /// The next `writes` writes are applied, then their connection is cut before the answer.
    pub fn drop_next_write_answers(&self, writes: usize) {
        self.state().faults.drop_next_write_answers = writes;
    }

    /// The next write is applied and its answer lost, and the `calls` calls after it answer 500: a write whose
    /// outcome the audit cannot settle for a while.
    pub fn drop_next_write_answer_then_fail(&self, calls: usize) {
        let mut state = self.state();
        state.faults.drop_next_write_answers = 1;
        state.faults.fail_after_drop = calls;
    }
}

impl Drop for SheetsFake {
    fn drop(&mut self) {
        self.server.abort();
    }
}
