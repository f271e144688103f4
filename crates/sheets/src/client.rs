//! The real google-sheets4 hub, authenticated with a service-account key (yup-oauth2), one attempt per call:
//! each call spends the request budget, has a deadline, and its failure is classified for the caller's next
//! step. Google's `Option`-everything types and JSON cells stay inside this module.

use std::{
    future::Future,
    path::PathBuf,
    sync::atomic::{AtomicBool, Ordering},
    time::Duration,
};

use google_sheets4::{
    api::{BatchUpdateSpreadsheetRequest, Request},
    hyper_rustls::{self, HttpsConnector},
    hyper_util::{
        self,
        client::legacy::{connect::HttpConnector, Client},
    },
    yup_oauth2, Sheets,
};
use serde_json::Value;
use spooltrack_core::{Reach, WriteGate};
use spooltrack_domain::{Cell, Grid, SpoolError};

use crate::budget::{Budget, Kind, Tuning};

/// Where the spreadsheet is and how to prove who we are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetsSettings {
    pub spreadsheet_id: String,
    /// The service-account key file. Its content is a secret: never logged, never shown.
    pub credentials: PathBuf,
    /// The API's base URL, ending in `/` (Google's by default; the project's fake in tests).
    pub endpoint: String,
}

pub const GOOGLE_ENDPOINT: &str = "https://sheets.googleapis.com/";

pub type Connector = HttpsConnector<HttpConnector>;

/// The one scope every call asks for, so one access token serves reads and writes alike (each call's default
/// differs: Drive read-only for reads, Drive for writes, and the authenticator keeps a token per scope set).
const SCOPE: google_sheets4::api::Scope = google_sheets4::api::Scope::Spreadsheet;

/// How much longer than the request deadline a writer's gate stays open: the time to settle a lost answer.
const GATE_MARGIN: Duration = Duration::from_secs(2);

/// What a failed call means for what to do next.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Failure {
    /// 429: not done; wait and try again.
    Throttled,
    /// Not done, or not known whether it was done: a 5xx, a network error, a deadline passed, a broken answer.
    Uncertain(String),
    /// Refused for good: no access, no such spreadsheet or tab, a request the API rejects.
    Refused { status: u16, message: String },
    /// This station's own budget would make the call wait too long: give up with SHEETS_QUOTA at once.
    OverBudget,
    /// The writer's gate refused (its lock moved on): nothing was sent.
    Gate(SpoolError),
}

/// A write's turn in the request budget and the turn of the read that confirms its rows, taken together: the
/// read is sent at once and the write right after it. No wait for the budget ever separates where the rows were
/// found from the write (rows a person sorts or inserts meanwhile would be written over), and neither call is
/// sent long after its turn, so the shop-wide pacing holds.
pub(crate) struct WriteTurn {
    read_unspent: AtomicBool,
}

impl WriteTurn {
    /// Whether the confirming read's turn is still there to use (only its first attempt has one).
    fn take_read(&self) -> bool {
        self.read_unspent.swap(false, Ordering::SeqCst)
    }
}

/// The spreadsheet's own facts: its time zone and the id of each tab (batchUpdate addresses tabs by id).
#[derive(Debug, Clone, PartialEq)]
pub struct Spreadsheet {
    pub time_zone: String,
    pub tabs: Vec<(String, i32)>,
}

pub struct SheetsClient {
    hub: Sheets<Connector>,
    spreadsheet_id: String,
    budget: Budget,
    tuning: Tuning,
    /// Whether the last call got through, for the station's connection banner.
    reach: std::sync::Mutex<Reach>,
}

/// Reads a service-account key file; a file that is not one is CONFIG_INVALID naming `sheets.credentials`.
async fn read_key(path: &std::path::Path) -> Result<yup_oauth2::ServiceAccountKey, SpoolError> {
    yup_oauth2::read_service_account_key(path).await.map_err(|error| SpoolError::ConfigInvalid {
        key: "sheets.credentials".into(),
        // The error kind only: the file's content never reaches a message.
        reason: format!("la clave de la cuenta de servicio no se pudo leer ({})", error.kind()),
    })
}

/// The e-mail of the service account whose key is at `path`: the spreadsheet must be shared with it.
pub async fn service_account_email(path: &std::path::Path) -> Result<String, SpoolError> {
    Ok(read_key(path).await?.client_email)
}

impl SheetsClient {
    /// Reads the key and prepares the authenticated hub; the first call fetches the token.
    pub async fn connect(settings: &SheetsSettings, tuning: Tuning) -> Result<SheetsClient, SpoolError> {
        let key = read_key(&settings.credentials).await?;
        let connector = connector()?;
        let executor = hyper_util::rt::TokioExecutor::new();
        let auth = yup_oauth2::ServiceAccountAuthenticator::with_client(
            key,
            yup_oauth2::client::CustomHyperClientBuilder::from(
                Client::builder(executor.clone()).build(connector.clone()),
            ),
        )
        .build()
        .await
        .map_err(|error| unavailable(format!("autenticación: {}", error.kind())))?;
        let mut hub = Sheets::new(Client::builder(executor).build(connector), auth);
        hub.base_url(settings.endpoint.clone());
        hub.root_url(settings.endpoint.clone());
        let budget = Budget::new(&tuning);
        let reach = std::sync::Mutex::default();
        Ok(SheetsClient { hub, spreadsheet_id: settings.spreadsheet_id.clone(), budget, tuning, reach })
    }

    /// The google-sheets4 hub itself, for callers that need an API call the store does not make (tools, tests
    /// of the fake).
    pub fn hub(&self) -> &Sheets<Connector> {
        &self.hub
    }

    pub fn tuning(&self) -> &Tuning {
        &self.tuning
    }

    /// Draws every call from the shop's budget too (its Redis), not this station's alone.
    pub fn share_budget(&mut self, shop: std::sync::Arc<dyn spooltrack_core::SharedBudget>) {
        self.budget.share(shop);
    }

    /// Whether the last call to the spreadsheet got through (a 429 still counts: Google answered).
    pub fn reach(&self) -> Reach {
        *self.reach.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether a call is waiting its turn in the shop's request budget.
    pub fn busy(&self) -> bool {
        self.budget.busy()
    }

    /// Doctor's word on the request budget: this station's calls, and what the shop may still spend now.
    pub async fn quota_use(&self) -> Result<String, String> {
        self.budget.describe().await
    }

    fn record<T>(&self, answer: &Result<T, Failure>) {
        let mut reach = self.reach.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *reach = match (answer, *reach) {
            (Ok(_) | Err(Failure::Throttled), _) => Reach::Reached,
            (Err(Failure::Uncertain(_) | Failure::Refused { .. }), Reach::Lost { since }) => Reach::Lost { since },
            (Err(Failure::Uncertain(_) | Failure::Refused { .. }), _) => Reach::Lost { since: chrono::Utc::now() },
            (Err(Failure::OverBudget | Failure::Gate(_)), unchanged) => unchanged,
        };
    }

    /// Proves the key works: obtains an access token for the Sheets scope.
    pub async fn token(&self) -> Result<(), SpoolError> {
        match self.hub.auth.get_token(&[SCOPE.as_ref()]).await {
            Ok(Some(_)) => Ok(()),
            Ok(None) => Err(unavailable("el servidor de identidad no entregó un token".into())),
            Err(error) => Err(unavailable(format!("no se obtuvo un token de acceso ({error})"))),
        }
    }

    /// `spreadsheets.get`, properties only.
    pub(crate) async fn spreadsheet(&self) -> Result<Spreadsheet, Failure> {
        let call = self.hub.spreadsheets().get(&self.spreadsheet_id).include_grid_data(false).add_scope(SCOPE).doit();
        let (_, answer) = self.attempt(Kind::Read, call, None).await?;
        let time_zone = answer.properties.and_then(|properties| properties.time_zone).unwrap_or_default();
        let tabs = answer
            .sheets
            .unwrap_or_default()
            .into_iter()
            .filter_map(|sheet| {
                let properties = sheet.properties?;
                Some((properties.title?, properties.sheet_id?))
            })
            .collect();
        Ok(Spreadsheet { time_zone, tabs })
    }

    /// One `values.batchGet` of A1 ranges, with unformatted values and serial-number dates; the first row of
    /// each range becomes the grid's header. A write's confirming read goes in the write's `turn`.
    pub(crate) async fn batch_get(&self, ranges: &[String], turn: Option<&WriteTurn>) -> Result<Vec<Grid>, Failure> {
        let mut call = self
            .hub
            .spreadsheets()
            .values_batch_get(&self.spreadsheet_id)
            .value_render_option("UNFORMATTED_VALUE")
            .date_time_render_option("SERIAL_NUMBER")
            .major_dimension("ROWS")
            .add_scope(SCOPE);
        for range in ranges {
            call = call.add_ranges(range);
        }
        let (_, answer) = match turn.is_some_and(WriteTurn::take_read) {
            true => self.send(Kind::Read, call.doit(), None).await?,
            false => self.attempt(Kind::Read, call.doit(), None).await?,
        };
        let answered = answer.value_ranges.unwrap_or_default();
        if answered.len() != ranges.len() {
            return Err(Failure::Uncertain(format!(
                "se pidieron {} rangos y llegaron {}",
                ranges.len(),
                answered.len()
            )));
        }
        Ok(answered.into_iter().map(|range| grid(range.values.unwrap_or_default())).collect())
    }

    /// Waits for a write's turn and its confirming read's, together (see [`WriteTurn`]).
    pub(crate) async fn write_turn(&self) -> Result<WriteTurn, SpoolError> {
        self.budget.spend(&[Kind::Read, Kind::Write]).await?;
        Ok(WriteTurn { read_unspent: AtomicBool::new(true) })
    }

    /// One `spreadsheets.batchUpdate` in its `turn`: Google applies every request or none. `gate` is opened
    /// right before it is sent.
    pub(crate) async fn batch_update(
        &self,
        _turn: WriteTurn,
        requests: Vec<Request>,
        gate: &dyn WriteGate,
    ) -> Result<(), Failure> {
        let body = BatchUpdateSpreadsheetRequest { requests: Some(requests), ..Default::default() };
        let call = self.hub.spreadsheets().batch_update(body, &self.spreadsheet_id).add_scope(SCOPE).doit();
        self.send(Kind::Write, call, Some(gate)).await.map(|_| ())
    }

    /// Spends the budget, then sends the call.
    async fn attempt<T>(
        &self,
        kind: Kind,
        call: impl Future<Output = google_sheets4::Result<T>>,
        gate: Option<&dyn WriteGate>,
    ) -> Result<T, Failure> {
        self.budget.spend(&[kind]).await.map_err(|_| Failure::OverBudget)?;
        self.send(kind, call, gate).await
    }

    /// Opens the writer's gate, runs one call under the deadline, and classifies what went wrong. A gate stays
    /// open after an attempt whose answer was lost, until its window ends: the write may still be landing.
    async fn send<T>(
        &self,
        kind: Kind,
        call: impl Future<Output = google_sheets4::Result<T>>,
        gate: Option<&dyn WriteGate>,
    ) -> Result<T, Failure> {
        tracing::debug!(?kind, "llamada a la planilla");
        if let Some(gate) = gate {
            gate.open(self.tuning.request_timeout + GATE_MARGIN).await.map_err(Failure::Gate)?;
        }
        let answer = match tokio::time::timeout(self.tuning.request_timeout, call).await {
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(error)) => Err(classify(&error)),
            Err(_) => Err(Failure::Uncertain(format!("sin respuesta en {} s", self.tuning.request_timeout.as_secs()))),
        };
        if let (Some(gate), false) = (gate, matches!(answer, Err(Failure::Uncertain(_)))) {
            gate.close().await;
        }
        self.record(&answer);
        answer
    }

    /// Runs `call` until it succeeds, retrying throttled and uncertain attempts after the backoff's delays.
    /// For reads and other calls that are safe to repeat.
    pub(crate) async fn retrying<T, F, Fut>(&self, mut call: F) -> Result<T, SpoolError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, Failure>>,
    {
        let mut delays = self.tuning.backoff();
        loop {
            let failure = match call().await {
                Ok(answer) => return Ok(answer),
                Err(failure) => failure,
            };
            self.pause_before_retry(failure, delays.next()).await?;
        }
    }

    /// Waits the next delay, or turns the failure into the error to show when there is no retry left.
    pub(crate) async fn pause_before_retry(&self, failure: Failure, delay: Option<Duration>) -> Result<(), SpoolError> {
        match (failure, delay) {
            (Failure::Refused { message, .. }, _) => Err(unavailable(message)),
            (Failure::OverBudget, _) => Err(SpoolError::SheetsQuota),
            (Failure::Gate(error), _) => Err(error),
            (failure, Some(delay)) => {
                tracing::info!(?failure, delay_ms = delay.as_millis() as u64, "la planilla no respondió; se reintenta");
                tokio::time::sleep(delay).await;
                Ok(())
            }
            (Failure::Throttled, None) => Err(SpoolError::SheetsQuota),
            (Failure::Uncertain(reason), None) => Err(unavailable(reason)),
        }
    }
}

/// HTTPS for Google, plain HTTP allowed so the tests' fake on loopback works with the same client.
fn connector() -> Result<Connector, SpoolError> {
    Ok(hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()
        .map_err(|error| unavailable(format!("certificados del sistema: {error}")))?
        .https_or_http()
        .enable_http1()
        .build())
}

fn classify(error: &google_sheets4::Error) -> Failure {
    use google_sheets4::Error;
    let by_status = |status: u16, message: String| match status {
        429 => Failure::Throttled,
        500..=599 => Failure::Uncertain(format!("la planilla respondió {status}")),
        _ => Failure::Refused { status, message },
    };
    match error {
        Error::BadRequest(body) => {
            let status = body["error"]["code"].as_u64().unwrap_or(400) as u16;
            by_status(status, refusal_message(status, body["error"]["message"].as_str().unwrap_or_default()))
        }
        Error::Failure(response) => {
            let status = response.status().as_u16();
            by_status(status, refusal_message(status, ""))
        }
        Error::MissingToken(_) => Failure::Uncertain("sin token de acceso".into()),
        Error::HttpError(_) | Error::Io(_) | Error::JsonDecodeError(..) => {
            Failure::Uncertain("la conexión con la planilla se cortó".into())
        }
        other => Failure::Refused { status: 0, message: other.to_string() },
    }
}

/// A refusal in words a supervisor can act on.
fn refusal_message(status: u16, google: &str) -> String {
    match status {
        401 | 403 => "la cuenta de servicio no tiene acceso a la planilla (compártala con su correo)".into(),
        404 => "la planilla configurada no existe (revise sheets.spreadsheet_id)".into(),
        _ => format!("la planilla rechazó la solicitud: {google}"),
    }
}

/// The first row is the header; cells left out at the end of a row read as empty.
fn grid(rows: Vec<Vec<Value>>) -> Grid {
    let mut rows = rows.into_iter().map(|row| row.into_iter().map(cell).collect::<Vec<Cell>>());
    let header = rows.next().unwrap_or_default().iter().map(Cell::display).collect();
    Grid { header, rows: rows.collect() }
}

fn cell(value: Value) -> Cell {
    match value {
        Value::Null => Cell::Empty,
        Value::Bool(flag) => Cell::Bool(flag),
        Value::Number(number) => number.as_f64().map_or(Cell::Empty, Cell::Number),
        Value::String(text) if text.is_empty() => Cell::Empty,
        Value::String(text) => Cell::Text(text),
        other => Cell::Text(other.to_string()),
    }
}

pub(crate) fn unavailable(reason: String) -> SpoolError {
    SpoolError::SheetsUnavailable { reason }
}
