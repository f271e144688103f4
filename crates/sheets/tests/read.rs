//! The real google-sheets4 client, authenticated through the service-account JWT flow, reading tabs from the
//! project's Sheets fake over HTTP.

use spooltrack_domain::{
    schema::{ColumnMap, Tab},
    spool::decode_spools,
    Cell, SpoolError,
};
use spooltrack_sheets::{SheetsClient, SheetsSettings};
use spooltrack_testkit::{fixture, SheetsFake};

#[tokio::test]
async fn reads_every_tab_in_one_batch_get_after_the_jwt_flow() {
    let mut tabs: Vec<(String, spooltrack_domain::Grid)> =
        fixture::standard_shop().grids().into_iter().map(|(tab, grid)| (format!("{tab:?}"), grid)).collect();
    let mut accented = tabs[1].1.clone();
    accented.rows.truncate(2);
    tabs.push(("Hoja de Operación".into(), accented));
    let fake = SheetsFake::start("planilla-1", tabs.clone()).await;
    let folder = tempfile::tempdir().expect("temp dir");
    let settings = SheetsSettings {
        spreadsheet_id: "planilla-1".into(),
        credentials: fake.write_service_account_key(folder.path()),
        endpoint: fake.endpoint(),
    };
    let client = SheetsClient::connect(&settings).await.expect("connected");
    let names: Vec<String> = tabs.iter().map(|(name, _)| name.clone()).collect();
    let grids = client.read_tabs(&names).await.expect("read");

    assert_eq!(fake.calls(), vec!["POST token", "GET values.batchGet"], "one token, one read for all tabs");
    for ((name, expected), actual) in tabs.iter().zip(&grids) {
        assert_eq!(actual.header, expected.header, "{name}");
    }
    let operaciones = &grids[0];
    let map = ColumnMap::of(Tab::Operaciones, "Operaciones", operaciones).expect("schema");
    let spools = decode_spools(operaciones, &map);
    assert_eq!(spools.len(), decode_spools(&tabs[0].1, &map).len());
    let held = spools.iter().find(|record| record.tag() == fixture::HELD_IN_SHEET).expect("held spool");
    assert_eq!(held.spool().expect("valid").occupied_since_text().as_deref(), Some("01-01-2025 18:00:00"));
    assert_eq!(grids[4].rows.len(), 2, "a tab name with a space and an accent");
    assert_eq!(grids[1].rows[0][0], Cell::Number(f64::from(fixture::ARMADOR)));
}

#[tokio::test]
async fn a_wrong_spreadsheet_is_sheets_unavailable_and_a_bad_key_is_a_config_error() {
    let fake = SheetsFake::start("planilla-1", Vec::new()).await;
    let folder = tempfile::tempdir().expect("temp dir");
    let settings = SheetsSettings {
        spreadsheet_id: "otra".into(),
        credentials: fake.write_service_account_key(folder.path()),
        endpoint: fake.endpoint(),
    };
    let client = SheetsClient::connect(&settings).await.expect("connected");
    let error = client.read_tabs(&["Operaciones".into()]).await.expect_err("no such spreadsheet");
    assert!(matches!(error, SpoolError::SheetsUnavailable { .. }), "{error:?}");

    std::fs::write(&settings.credentials, "{ not json").expect("written");
    let error = SheetsClient::connect(&settings).await.err().expect("bad key");
    assert!(matches!(&error, SpoolError::ConfigInvalid { key, .. } if key == "sheets.credentials"), "{error:?}");
    assert!(!error.to_string().contains("not json"), "the key's content never reaches a message");
}

#[tokio::test]
async fn the_fake_refuses_calls_without_a_bearer_token_as_google_does() {
    let fake = SheetsFake::start("planilla-1", Vec::new()).await;
    let address = fake.endpoint().trim_start_matches("http://").trim_end_matches('/').to_string();
    let answer = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut connection = std::net::TcpStream::connect(address).expect("connects");
        connection
            .write_all(b"GET /v4/spreadsheets/planilla-1 HTTP/1.1\r\nHost: fake\r\nConnection: close\r\n\r\n")
            .expect("sent");
        let mut answer = String::new();
        connection.read_to_string(&mut answer).expect("answered");
        answer
    })
    .await
    .expect("request ran");
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    assert!(answer.contains("\"status\":\"UNAUTHENTICATED\""), "{answer}");
    assert!(fake.calls().is_empty(), "a refused call is not logged as served");
}
