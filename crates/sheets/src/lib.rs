//! The Google Sheets side of the system of record: the real google-sheets4 hub, authenticated with a
//! service-account key (yup-oauth2), reading tabs as typed grids. Google's `Option`-everything types and JSON
//! cells stay inside this crate.

use std::path::PathBuf;

use google_sheets4::{
    hyper_rustls::{self, HttpsConnector},
    hyper_util::{
        self,
        client::legacy::{connect::HttpConnector, Client},
    },
    yup_oauth2, Sheets,
};
use serde_json::Value;
use spooltrack_domain::{Cell, Grid, SpoolError};

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

type Connector = HttpsConnector<HttpConnector>;

pub struct SheetsClient {
    hub: Sheets<Connector>,
    spreadsheet_id: String,
}

impl SheetsClient {
    pub async fn connect(settings: &SheetsSettings) -> Result<SheetsClient, SpoolError> {
        let key = yup_oauth2::read_service_account_key(&settings.credentials).await.map_err(|error| {
            SpoolError::ConfigInvalid {
                key: "sheets.credentials".into(),
                // The error kind only: the file's content never reaches a message.
                reason: format!("la clave de la cuenta de servicio no se pudo leer ({})", error.kind()),
            }
        })?;
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
        Ok(SheetsClient { hub, spreadsheet_id: settings.spreadsheet_id.clone() })
    }

    /// Reads whole tabs in one `values.batchGet`, with unformatted values and serial-number dates.
    pub async fn read_tabs(&self, tabs: &[String]) -> Result<Vec<Grid>, SpoolError> {
        let mut call = self
            .hub
            .spreadsheets()
            .values_batch_get(&self.spreadsheet_id)
            .value_render_option("UNFORMATTED_VALUE")
            .date_time_render_option("SERIAL_NUMBER")
            .major_dimension("ROWS");
        for tab in tabs {
            call = call.add_ranges(&quoted(tab));
        }
        let (_, answer) = call.doit().await.map_err(|error| unavailable(describe(&error)))?;
        let ranges = answer.value_ranges.unwrap_or_default();
        if ranges.len() != tabs.len() {
            return Err(unavailable(format!("se pidieron {} pestañas y llegaron {}", tabs.len(), ranges.len())));
        }
        Ok(ranges.into_iter().map(|range| grid(range.values.unwrap_or_default())).collect())
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

/// `'Tab name'`, as A1 notation wants any tab name.
fn quoted(tab: &str) -> String {
    spooltrack_domain::a1::A1Range::tab(tab).to_string()
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

fn describe(error: &google_sheets4::Error) -> String {
    match error {
        google_sheets4::Error::BadRequest(body) => format!("la planilla respondió {}", body["error"]["status"]),
        google_sheets4::Error::MissingToken(_) => "sin token de acceso".into(),
        google_sheets4::Error::HttpError(_) | google_sheets4::Error::Io(_) => "sin conexión con la planilla".into(),
        other => format!("{other}"),
    }
}

fn unavailable(reason: String) -> SpoolError {
    SpoolError::SheetsUnavailable { reason }
}
