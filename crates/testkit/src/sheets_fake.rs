//! A local stand-in for the Google Sheets API that the real google-sheets4 client talks to over HTTP: the
//! service-account token endpoint, bearer checks on every call, `spreadsheets.get` and `values.batchGet`
//! with Google's answer and error shapes. It grows with the Sheets issue (writes, faults, call log).

use std::{
    collections::HashMap,
    net::SocketAddr,
    path::{Path, PathBuf},
    process::Command,
    sync::{Arc, Mutex},
};

use axum::{
    extract::{Path as UrlPath, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Form, Json, Router,
};
use serde_json::{json, Value};
use spooltrack_domain::{a1::A1Range, Cell, Grid};

struct Shared {
    spreadsheet_id: String,
    tabs: Vec<(String, Grid)>,
    tokens: Vec<String>,
    calls: Vec<String>,
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
        let shared = Arc::new(Mutex::new(Shared {
            spreadsheet_id: spreadsheet_id.to_string(),
            tabs,
            tokens: Vec::new(),
            calls: Vec::new(),
        }));
        let router = Router::new()
            .route("/token", post(token))
            .route("/v4/spreadsheets/{id}", get(spreadsheet))
            .route("/v4/spreadsheets/{id}/values:batchGet", get(batch_get))
            .with_state(Arc::clone(&shared));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
        let address = listener.local_addr().expect("bound");
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

    /// Every call so far (`POST token`, `GET values.batchGet`, …), for tests that count what an action costs.
    pub fn calls(&self) -> Vec<String> {
        self.shared.lock().expect("fake state").calls.clone()
    }
}

impl Drop for SheetsFake {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Google's error body.
fn google_error(status: StatusCode, message: &str) -> Response {
    let body = json!({ "error": { "code": status.as_u16(), "message": message, "status": status_name(status) } });
    (status, Json(body)).into_response()
}

fn status_name(status: StatusCode) -> &'static str {
    match status {
        StatusCode::UNAUTHORIZED => "UNAUTHENTICATED",
        StatusCode::NOT_FOUND => "NOT_FOUND",
        StatusCode::BAD_REQUEST => "INVALID_ARGUMENT",
        _ => "INTERNAL",
    }
}

/// The JWT-bearer grant of a service account: any well-formed assertion gets a token (signatures are Google's
/// business, not what our tests are about).
async fn token(State(fake): State<Fake>, Form(form): Form<HashMap<String, String>>) -> Response {
    let grant = form.get("grant_type").map(String::as_str);
    let assertion_parts = form.get("assertion").map_or(0, |assertion| assertion.split('.').count());
    if grant != Some("urn:ietf:params:oauth:grant-type:jwt-bearer") || assertion_parts != 3 {
        return (StatusCode::BAD_REQUEST, Json(json!({ "error": "invalid_grant" }))).into_response();
    }
    let mut shared = fake.lock().expect("fake state");
    shared.calls.push("POST token".into());
    let token = format!("fake-token-{}", shared.tokens.len() + 1);
    shared.tokens.push(token.clone());
    Json(json!({ "access_token": token, "token_type": "Bearer", "expires_in": 3600 })).into_response()
}

/// Checks the bearer token and the spreadsheet id and logs the call; answers the refusal, if any.
fn refusal(fake: &Fake, headers: &HeaderMap, id: &str, call: String) -> Option<Response> {
    let mut shared = fake.lock().expect("fake state");
    let bearer = headers
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    if !bearer.is_some_and(|token| shared.tokens.iter().any(|known| known == token)) {
        return Some(google_error(StatusCode::UNAUTHORIZED, "Request had invalid authentication credentials."));
    }
    if id != shared.spreadsheet_id {
        return Some(google_error(StatusCode::NOT_FOUND, "Requested entity was not found."));
    }
    shared.calls.push(call);
    None
}

async fn spreadsheet(State(fake): State<Fake>, UrlPath(id): UrlPath<String>, headers: HeaderMap) -> Response {
    if let Some(refused) = refusal(&fake, &headers, &id, "GET spreadsheets.get".into()) {
        return refused;
    }
    let shared = fake.lock().expect("fake state");
    let sheets: Vec<Value> = shared
        .tabs
        .iter()
        .enumerate()
        .map(|(index, (title, grid))| {
            json!({ "properties": { "sheetId": index, "title": title, "index": index,
                "gridProperties": { "rowCount": grid.rows.len() + 1, "columnCount": grid.header.len() } } })
        })
        .collect();
    Json(json!({
        "spreadsheetId": shared.spreadsheet_id,
        "properties": { "title": "Spooltrack", "timeZone": "America/Santiago" },
        "sheets": sheets,
    }))
    .into_response()
}

async fn batch_get(
    State(fake): State<Fake>,
    UrlPath(id): UrlPath<String>,
    Query(query): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = refusal(&fake, &headers, &id, "GET values.batchGet".into()) {
        return refused;
    }
    let shared = fake.lock().expect("fake state");
    let formatted = query.iter().any(|(name, value)| name == "valueRenderOption" && value == "FORMATTED_VALUE");
    let mut value_ranges = Vec::new();
    for (_, text) in query.iter().filter(|(name, _)| name == "ranges") {
        let Ok(range) = A1Range::parse(text) else {
            return google_error(StatusCode::BAD_REQUEST, &format!("Unable to parse range: {text}"));
        };
        let Some((_, grid)) = shared.tabs.iter().find(|(title, _)| *title == range.tab) else {
            return google_error(StatusCode::BAD_REQUEST, &format!("Unable to parse range: {text}"));
        };
        value_ranges.push(
            json!({ "range": range.to_string(), "majorDimension": "ROWS", "values": values(grid, &range, formatted) }),
        );
    }
    Json(json!({ "spreadsheetId": shared.spreadsheet_id, "valueRanges": value_ranges })).into_response()
}

/// The rectangle's values as Google answers them: header row included, trailing empty cells and rows left out.
fn values(grid: &Grid, range: &A1Range, formatted: bool) -> Vec<Vec<Value>> {
    let header: Vec<Cell> = grid.header.iter().map(Cell::text).collect();
    let all: Vec<&Vec<Cell>> = std::iter::once(&header).chain(&grid.rows).collect();
    let last_row = range.last_row.unwrap_or(all.len().saturating_sub(1)).min(all.len().saturating_sub(1));
    let mut rows: Vec<Vec<Value>> = (range.first_row..=last_row)
        .map(|row| {
            let cells = all[row];
            let last_column = range.last_column.unwrap_or(usize::MAX).min(cells.len().saturating_sub(1));
            let mut values: Vec<Value> = (range.first_column..=last_column)
                .filter_map(|column| cells.get(column))
                .map(|cell| value(cell, formatted))
                .collect();
            while values.last().is_some_and(|value| value == "") {
                values.pop();
            }
            values
        })
        .collect();
    while rows.last().is_some_and(Vec::is_empty) {
        rows.pop();
    }
    rows
}

fn value(cell: &Cell, formatted: bool) -> Value {
    match cell {
        Cell::Empty => json!(""),
        _ if formatted => json!(cell.display()),
        Cell::Bool(flag) => json!(flag),
        Cell::Number(number) => json!(number),
        Cell::Text(text) => json!(text),
    }
}
