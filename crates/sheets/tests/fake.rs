//! The project's Sheets fake, spoken to by the real google-sheets4 client: the service-account JWT flow and
//! bearer checks, A1 ranges, render and input options, appends, all-or-nothing batchUpdate, Google's errors.

mod common;

use common::{quick, SheetsShop, SPREADSHEET};
use google_sheets4::api::{BatchUpdateSpreadsheetRequest, Request, ValueRange};
use serde_json::{json, Value};
use spooltrack_core::Store as _;
use spooltrack_domain::{layout::ShopLayout, Cell, Grid, SpoolError};
use spooltrack_sheets::{SheetsSettings, SheetsStore};
use spooltrack_testkit::SheetsFake;

/// A tab whose name has a space and an accent, with a blank cell, a date, a number and trailing blanks.
fn hoja() -> Grid {
    Grid {
        header: vec!["TAG_SPOOL".into(), "Fecha_Materiales".into(), "Peso".into(), "Notas".into()],
        rows: vec![
            vec![Cell::text("A-1"), Cell::Number(45672.0), Cell::Number(12.5), Cell::Empty],
            vec![Cell::text("A-2"), Cell::Empty, Cell::Number(3.0)],
            vec![Cell::Empty, Cell::Empty],
        ],
    }
}

struct Hoja {
    fake: SheetsFake,
    _folder: tempfile::TempDir,
    store: SheetsStore,
}

async fn fake_with_hoja() -> Hoja {
    let fake = SheetsFake::start(SPREADSHEET, vec![("Hoja de Operación".to_string(), hoja())]).await;
    let folder = tempfile::tempdir().expect("temp dir");
    let settings = SheetsSettings {
        spreadsheet_id: SPREADSHEET.into(),
        credentials: fake.write_service_account_key(folder.path()),
        endpoint: fake.endpoint(),
    };
    let store = SheetsStore::open(&settings, Default::default(), quick()).await.expect("store");
    Hoja { fake, _folder: folder, store }
}

async fn get(store: &SheetsStore, range: &str, render: &str, dates: &str) -> Vec<Vec<Value>> {
    let (_, answer) = store
        .client()
        .hub()
        .spreadsheets()
        .values_get(SPREADSHEET, range)
        .value_render_option(render)
        .date_time_render_option(dates)
        .doit()
        .await
        .expect("values.get");
    answer.values.unwrap_or_default()
}

#[tokio::test]
async fn ranges_and_render_options_answer_as_google_does() {
    let Hoja { fake, store, .. } = fake_with_hoja().await;
    let unformatted = get(&store, "'Hoja de Operación'!A2:K", "UNFORMATTED_VALUE", "SERIAL_NUMBER").await;
    assert_eq!(
        unformatted,
        vec![vec![json!("A-1"), json!(45672.0), json!(12.5)], vec![json!("A-2"), json!(""), json!(3.0)]]
    );
    let formatted = get(&store, "'Hoja de Operación'!A2:C2", "FORMATTED_VALUE", "SERIAL_NUMBER").await;
    assert_eq!(formatted, vec![vec![json!("A-1"), json!("15-01-2025"), json!("12.5")]]);
    let date_strings = get(&store, "'Hoja de Operación'!B2", "UNFORMATTED_VALUE", "FORMATTED_STRING").await;
    assert_eq!(date_strings, vec![vec![json!("15-01-2025")]]);
    let column = get(&store, "'Hoja de Operación'!A:A", "UNFORMATTED_VALUE", "SERIAL_NUMBER").await;
    assert_eq!(column, vec![vec![json!("TAG_SPOOL")], vec![json!("A-1")], vec![json!("A-2")]], "empty rows left out");
    let bare = get(&store, "'Hoja de Operación'", "UNFORMATTED_VALUE", "SERIAL_NUMBER").await;
    assert_eq!(bare.len(), 3);
    assert_eq!(fake.calls()[0], "POST token", "the JWT flow came first");
}

#[tokio::test]
async fn raw_and_user_entered_input_and_appends() {
    let Hoja { fake, store, .. } = fake_with_hoja().await;
    let hub = store.client().hub();
    let values = |cells: Vec<Value>| ValueRange { values: Some(vec![cells]), ..Default::default() };
    hub.spreadsheets()
        .values_update(
            values(vec![json!("16/01/2025"), json!("7"), json!("'0042")]),
            SPREADSHEET,
            "'Hoja de Operación'!B3",
        )
        .value_input_option("USER_ENTERED")
        .doit()
        .await
        .expect("typed");
    hub.spreadsheets()
        .values_update(values(vec![json!("16/01/2025")]), SPREADSHEET, "'Hoja de Operación'!E3")
        .value_input_option("RAW")
        .doit()
        .await
        .expect("raw");
    let row = fake.grid("Hoja de Operación").rows[1].clone();
    assert_eq!(row[1], Cell::Number(45673.0), "a typed date becomes a serial number");
    assert_eq!(row[2], Cell::Number(7.0));
    assert_eq!(row[3], Cell::text("0042"), "a leading quote keeps text as typed");
    assert_eq!(row[4], Cell::text("16/01/2025"), "RAW keeps text as text");
    let shown = get(&store, "'Hoja de Operación'!B3", "FORMATTED_VALUE", "SERIAL_NUMBER").await;
    assert_eq!(shown, vec![vec![json!("16-01-2025")]], "with a date format");

    let (_, appended) = hub
        .spreadsheets()
        .values_append(values(vec![json!("A-3")]), SPREADSHEET, "'Hoja de Operación'!A:A")
        .value_input_option("RAW")
        .doit()
        .await
        .expect("appended");
    let updated = appended.updates.and_then(|updates| updates.updated_range).unwrap_or_default();
    assert_eq!(updated, "'Hoja de Operación'!A4:A4", "after the last row in use");
}

/// A request as JSON, the way Google documents it (field masks only deserialize from text).
fn request(json: Value) -> Request {
    serde_json::from_str(&json.to_string()).expect("a request")
}

#[tokio::test]
async fn a_batch_update_with_one_bad_request_applies_nothing() {
    let Hoja { fake, store, .. } = fake_with_hoja().await;
    let spreadsheet = store.spreadsheet().await.expect("properties");
    let sheet_id = spreadsheet.tabs[0].1;
    let update = request(json!({ "updateCells": {
        "start": { "sheetId": sheet_id, "rowIndex": 1, "columnIndex": 3 },
        "rows": [{ "values": [{ "userEnteredValue": { "stringValue": "cambiado" } }] }],
        "fields": "userEnteredValue" } }));
    let wrong_tab = request(json!({ "appendCells": {
        "sheetId": 999, "rows": [{ "values": [{ "userEnteredValue": { "stringValue": "x" } }] }],
        "fields": "userEnteredValue" } }));
    let body = BatchUpdateSpreadsheetRequest { requests: Some(vec![update.clone(), wrong_tab]), ..Default::default() };
    let error = store.client().hub().spreadsheets().batch_update(body, SPREADSHEET).doit().await.expect_err("refused");
    match error {
        google_sheets4::Error::BadRequest(body) => {
            assert_eq!(body["error"]["status"], "INVALID_ARGUMENT");
            assert!(body["error"]["message"].as_str().unwrap_or_default().contains("No grid with id: 999"));
        }
        other => panic!("expected Google's error JSON, got {other:?}"),
    }
    assert_eq!(fake.grid("Hoja de Operación"), hoja(), "nothing applied");

    let body = BatchUpdateSpreadsheetRequest { requests: Some(vec![update]), ..Default::default() };
    store.client().hub().spreadsheets().batch_update(body, SPREADSHEET).doit().await.expect("applied");
    assert_eq!(fake.grid("Hoja de Operación").rows[0][3], Cell::text("cambiado"));
}

#[tokio::test]
async fn wrong_spreadsheets_bad_keys_and_missing_bearers_are_refused() {
    let shop = SheetsShop::start(ShopLayout::default()).await;
    let wrong = SheetsSettings { spreadsheet_id: "otra".into(), ..shop.settings.clone() };
    let store = SheetsStore::open(&wrong, Default::default(), quick()).await.expect("opens without the network");
    let error = store.read(&[spooltrack_domain::schema::Tab::Roles]).await.expect_err("no such spreadsheet");
    assert!(
        matches!(&error, SpoolError::SheetsUnavailable { reason } if reason.contains("spreadsheet_id")),
        "{error:?}"
    );

    std::fs::write(&shop.settings.credentials, "{ not json").expect("written");
    let error = SheetsStore::open(&shop.settings, Default::default(), quick()).await.err().expect("bad key");
    assert!(matches!(&error, SpoolError::ConfigInvalid { key, .. } if key == "sheets.credentials"), "{error:?}");
    assert!(!error.to_string().contains("not json"), "the key's content never reaches a message");

    let address = shop.fake.endpoint().trim_start_matches("http://").trim_end_matches('/').to_string();
    let answer = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut connection = std::net::TcpStream::connect(address).expect("connects");
        let request = format!("GET /v4/spreadsheets/{SPREADSHEET} HTTP/1.1\r\nHost: fake\r\nConnection: close\r\n\r\n");
        connection.write_all(request.as_bytes()).expect("sent");
        let mut answer = String::new();
        connection.read_to_string(&mut answer).expect("answered");
        answer
    })
    .await
    .expect("request ran");
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    assert!(answer.contains("\"status\":\"UNAUTHENTICATED\""), "{answer}");
}
