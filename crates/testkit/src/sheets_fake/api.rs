//! The HTTP face of the fake: routes, bearer checks, injected faults, and each method's answer in Google's shape.

use std::{collections::HashMap, time::Instant};

use axum::{
    body::{Body, Bytes},
    extract::{Path as UrlPath, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Form, Json, Router,
};
use serde_json::{json, Value};
use spooltrack_domain::a1::A1Range;

use super::{
    book::{from_cell_data, Input, Render, Sheet, Stored},
    Fake, Kind, Shared,
};

pub(super) fn router(fake: Fake) -> Router {
    Router::new()
        .route("/token", post(token))
        .route("/v4/spreadsheets/{id}", get(spreadsheet).post(batch_update))
        .route("/v4/spreadsheets/{id}/values:batchGet", get(batch_get))
        .route("/v4/spreadsheets/{id}/values/{range}", get(values_get).put(values_update).post(values_append))
        .layer(axum::middleware::from_fn_with_state(fake.clone(), timed))
        .with_state(fake)
}

/// Adds each call's time, from its request read to its answer serialised, to the fake's account.
async fn timed(State(fake): State<Fake>, request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let started = Instant::now();
    let response = next.run(request).await;
    fake.lock().expect("fake state").answering += started.elapsed();
    response
}

type Params = Query<Vec<(String, String)>>;

/// Google's error body.
fn google_error(status: StatusCode, message: &str) -> Response {
    let name = match status {
        StatusCode::UNAUTHORIZED => "UNAUTHENTICATED",
        StatusCode::NOT_FOUND => "NOT_FOUND",
        StatusCode::BAD_REQUEST => "INVALID_ARGUMENT",
        StatusCode::TOO_MANY_REQUESTS => "RESOURCE_EXHAUSTED",
        _ => "INTERNAL",
    };
    let body = json!({ "error": { "code": status.as_u16(), "message": message, "status": name } });
    (status, Json(body)).into_response()
}

fn bad_request(message: &str) -> Response {
    google_error(StatusCode::BAD_REQUEST, message)
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

/// Checks the bearer token and the spreadsheet id, logs the call, waits the injected latency and plays the
/// injected faults; answers the refusal, if any.
async fn admit(fake: &Fake, headers: &HeaderMap, id: &str, call: &str, kind: Kind) -> Result<(), Response> {
    let (latency, refusal) = {
        let mut shared = fake.lock().expect("fake state");
        let bearer = headers
            .get("authorization")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "));
        if !bearer.is_some_and(|token| shared.tokens.iter().any(|known| known == token)) {
            return Err(google_error(StatusCode::UNAUTHORIZED, "Request had invalid authentication credentials."));
        }
        if id != shared.spreadsheet_id {
            return Err(google_error(StatusCode::NOT_FOUND, "Requested entity was not found."));
        }
        if shared.unshared {
            return Err(google_error(StatusCode::FORBIDDEN, "The caller does not have permission"));
        }
        shared.calls.push(call.to_string());
        (shared.faults.latency, injected_fault(&mut shared, kind))
    };
    tokio::time::sleep(latency).await;
    fake.lock().expect("fake state").slept += latency;
    refusal.map_or(Ok(()), Err)
}

fn injected_fault(shared: &mut Shared, kind: Kind) -> Option<Response> {
    let faults = &mut shared.faults;
    if faults.fail_next > 0 {
        faults.fail_next -= 1;
        return Some(google_error(StatusCode::INTERNAL_SERVER_ERROR, "Internal error encountered."));
    }
    if faults.throttle_next > 0 {
        faults.throttle_next -= 1;
        shared.throttled += 1;
        return Some(quota_exceeded(kind));
    }
    let now = Instant::now();
    let window = shared.faults.quota_window;
    shared.served.retain(|(_, at)| now.duration_since(*at) < window);
    if let Some(quota) = shared.faults.quota_per_minute {
        if shared.served.iter().filter(|(served, _)| *served == kind).count() >= quota {
            shared.throttled += 1;
            return Some(quota_exceeded(kind));
        }
    }
    shared.served.push((kind, now));
    None
}

fn quota_exceeded(kind: Kind) -> Response {
    let metric = match kind {
        Kind::Read => "Read requests",
        Kind::Write => "Write requests",
    };
    google_error(
        StatusCode::TOO_MANY_REQUESTS,
        &format!("Quota exceeded for quota metric '{metric}' and limit '{metric} per minute per user'."),
    )
}

/// A write that was applied, then lost on the way back: the connection breaks before the answer arrives.
fn answer_or_drop(fake: &Fake, answer: Value) -> Response {
    let mut shared = fake.lock().expect("fake state");
    if shared.faults.drop_next_write_answers > 0 {
        shared.faults.drop_next_write_answers -= 1;
        shared.faults.fail_next += std::mem::take(&mut shared.faults.fail_after_drop);
        let broken = futures_util::stream::once(async { Err::<Bytes, _>(std::io::Error::other("conexión cortada")) });
        return Response::new(Body::from_stream(broken));
    }
    Json(answer).into_response()
}

async fn spreadsheet(State(fake): State<Fake>, UrlPath(id): UrlPath<String>, headers: HeaderMap) -> Response {
    if let Err(refused) = admit(&fake, &headers, &id, "GET spreadsheets.get", Kind::Read).await {
        return refused;
    }
    let shared = fake.lock().expect("fake state");
    let sheets: Vec<Value> = shared
        .sheets
        .iter()
        .enumerate()
        .map(|(index, sheet)| json!({ "properties": sheet.properties(index) }))
        .collect();
    Json(json!({
        "spreadsheetId": shared.spreadsheet_id,
        "properties": { "title": "Spooltrack", "locale": "es_CL", "timeZone": shared.time_zone },
        "sheets": sheets,
    }))
    .into_response()
}

/// Finds the tab of an A1 range; Google answers 400 "Unable to parse range" for a tab it does not have.
fn locate<'a>(sheets: &'a [Sheet], text: &str) -> Result<(&'a Sheet, A1Range), Box<Response>> {
    let unparsable = || Box::new(bad_request(&format!("Unable to parse range: {text}")));
    let range = A1Range::parse(text).map_err(|_| unparsable())?;
    let sheet = sheets.iter().find(|sheet| sheet.title == range.tab).ok_or_else(unparsable)?;
    Ok((sheet, range))
}

fn value_range(sheet: &Sheet, range: &A1Range, render: Render) -> Value {
    json!({ "range": range.to_string(), "majorDimension": "ROWS", "values": sheet.values(range, render) })
}

async fn batch_get(
    State(fake): State<Fake>,
    UrlPath(id): UrlPath<String>,
    Query(query): Params,
    headers: HeaderMap,
) -> Response {
    if let Err(refused) = admit(&fake, &headers, &id, "GET values.batchGet", Kind::Read).await {
        return refused;
    }
    let mut shared = fake.lock().expect("fake state");
    let asked = query.iter().filter(|(name, _)| name == "ranges").map(|(_, text)| text.clone()).collect();
    shared.read_ranges.push(asked);
    let render = Render::from_query(&query);
    let mut value_ranges = Vec::new();
    for (_, text) in query.iter().filter(|(name, _)| name == "ranges") {
        match locate(&shared.sheets, text) {
            Ok((sheet, range)) => value_ranges.push(value_range(sheet, &range, render)),
            Err(refused) => return *refused,
        }
    }
    Json(json!({ "spreadsheetId": shared.spreadsheet_id, "valueRanges": value_ranges })).into_response()
}

async fn values_get(
    State(fake): State<Fake>,
    UrlPath((id, text)): UrlPath<(String, String)>,
    Query(query): Params,
    headers: HeaderMap,
) -> Response {
    if let Err(refused) = admit(&fake, &headers, &id, "GET values.get", Kind::Read).await {
        return refused;
    }
    let shared = fake.lock().expect("fake state");
    match locate(&shared.sheets, &text) {
        Ok((sheet, range)) => Json(value_range(sheet, &range, Render::from_query(&query))).into_response(),
        Err(refused) => *refused,
    }
}

/// The `values` of a ValueRange body, parsed with the request's input option.
fn typed_rows(body: &Value, query: &[(String, String)]) -> Result<Vec<Vec<Option<Stored>>>, Box<Response>> {
    let input = Input::from_query(query)
        .ok_or_else(|| Box::new(bad_request("Invalid valueInputOption: must be RAW or USER_ENTERED")))?;
    let rows = body["values"].as_array().cloned().unwrap_or_default();
    Ok(rows
        .iter()
        .map(|row| {
            row.as_array().map(|cells| cells.iter().map(|value| Some(input.parse(value))).collect()).unwrap_or_default()
        })
        .collect())
}

fn updated(range: &A1Range, rows: &[Vec<Option<Stored>>], spreadsheet_id: &str) -> Value {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let written = A1Range {
        tab: range.tab.clone(),
        first_column: range.first_column,
        first_row: range.first_row,
        last_column: Some(range.first_column + columns.saturating_sub(1)),
        last_row: Some(range.first_row + rows.len().saturating_sub(1)),
    };
    json!({ "spreadsheetId": spreadsheet_id, "updatedRange": written.to_string(), "updatedRows": rows.len(),
        "updatedColumns": columns, "updatedCells": rows.iter().map(Vec::len).sum::<usize>() })
}

async fn values_update(
    State(fake): State<Fake>,
    UrlPath((id, text)): UrlPath<(String, String)>,
    Query(query): Params,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Err(refused) = admit(&fake, &headers, &id, "PUT values.update", Kind::Write).await {
        return refused;
    }
    match write_values(&fake, &text, &query, &body, false) {
        Ok((_, updates)) => answer_or_drop(&fake, updates),
        Err(refused) => *refused,
    }
}

async fn values_append(
    State(fake): State<Fake>,
    UrlPath((id, text)): UrlPath<(String, String)>,
    Query(query): Params,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let Some(text) = text.strip_suffix(":append") else {
        return google_error(StatusCode::NOT_FOUND, "Requested entity was not found.");
    };
    if let Err(refused) = admit(&fake, &headers, &id, "POST values.append", Kind::Write).await {
        return refused;
    }
    match write_values(&fake, text, &query, &body, true) {
        Ok((table, updates)) => {
            let spreadsheet_id = updates["spreadsheetId"].clone();
            answer_or_drop(&fake, json!({ "spreadsheetId": spreadsheet_id, "tableRange": table, "updates": updates }))
        }
        Err(refused) => *refused,
    }
}

/// The body's rows, typed by the input option, written at the range's top-left corner, or after the last row in
/// use when `append`; answers the range as asked and Google's UpdateValuesResponse for what was written.
fn write_values(
    fake: &Fake,
    text: &str,
    query: &[(String, String)],
    body: &Value,
    append: bool,
) -> Result<(String, Value), Box<Response>> {
    let rows = typed_rows(body, query)?;
    let mut shared = fake.lock().expect("fake state");
    let (_, range) = locate(&shared.sheets, text)?;
    let spreadsheet_id = shared.spreadsheet_id.clone();
    let sheet = shared
        .sheets
        .iter_mut()
        .find(|sheet| sheet.title == range.tab)
        .ok_or_else(|| Box::new(bad_request(&format!("Unable to parse range: {text}"))))?;
    let at = if append {
        A1Range { first_row: sheet.next_free_row(), last_row: None, ..range.clone() }
    } else {
        range.clone()
    };
    let updates = updated(&at, &rows, &spreadsheet_id);
    sheet.write(at.first_row, at.first_column, rows);
    Ok((range.to_string(), updates))
}

/// `spreadsheets.batchUpdate` with updateCells and appendCells: every request applies to a copy, and the copy
/// replaces the spreadsheet only when all of them succeeded.
async fn batch_update(
    State(fake): State<Fake>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let Some(id) = id.strip_suffix(":batchUpdate") else {
        return google_error(StatusCode::NOT_FOUND, "Requested entity was not found.");
    };
    if let Err(refused) = admit(&fake, &headers, id, "POST spreadsheets.batchUpdate", Kind::Write).await {
        return refused;
    }
    let answer = {
        let mut shared = fake.lock().expect("fake state");
        let mut sheets = shared.sheets.clone();
        let requests = body["requests"].as_array().cloned().unwrap_or_default();
        for (index, request) in requests.iter().enumerate() {
            if let Err(message) = apply(&mut sheets, request) {
                return bad_request(&format!("Invalid requests[{index}]: {message}"));
            }
        }
        shared.sheets = sheets;
        json!({ "spreadsheetId": shared.spreadsheet_id, "replies": vec![json!({}); requests.len()] })
    };
    answer_or_drop(&fake, answer)
}

fn apply(sheets: &mut [Sheet], request: &Value) -> Result<(), String> {
    let sheet_of = |sheets: &mut [Sheet], id: &Value| -> Result<usize, String> {
        let id = id.as_i64().unwrap_or(0);
        sheets.iter().position(|sheet| i64::from(sheet.id) == id).ok_or(format!("No grid with id: {id}"))
    };
    if let Some(update) = request.get("updateCells") {
        let fields = update["fields"].as_str().ok_or("updateCells: fields is required")?;
        let (sheet_id, row, column) = match (&update["start"], &update["range"]) {
            (start, _) if start.is_object() => (&start["sheetId"], &start["rowIndex"], &start["columnIndex"]),
            (_, range) if range.is_object() => (&range["sheetId"], &range["startRowIndex"], &range["startColumnIndex"]),
            _ => return Err("updateCells: start or range is required".into()),
        };
        let index = sheet_of(sheets, sheet_id)?;
        let rows = cell_rows(&update["rows"], fields);
        let at = |value: &Value| value.as_u64().unwrap_or(0) as usize;
        sheets[index].write(at(row), at(column), rows);
        Ok(())
    } else if let Some(append) = request.get("appendCells") {
        let fields = append["fields"].as_str().ok_or("appendCells: fields is required")?;
        let index = sheet_of(sheets, &append["sheetId"])?;
        let rows = cell_rows(&append["rows"], fields);
        let sheet = &mut sheets[index];
        let at = sheet.next_free_row();
        sheet.write(at, 0, rows);
        Ok(())
    } else {
        let kind = request.as_object().and_then(|fields| fields.keys().next().cloned()).unwrap_or_default();
        Err(format!("the Spooltrack fake does not implement {kind}"))
    }
}

fn cell_rows(rows: &Value, fields: &str) -> Vec<Vec<Option<Stored>>> {
    rows.as_array()
        .map(|rows| {
            rows.iter()
                .map(|row| {
                    row["values"]
                        .as_array()
                        .map(|cells| cells.iter().map(|data| from_cell_data(data, fields)).collect())
                        .unwrap_or_default()
                })
                .collect()
        })
        .unwrap_or_default()
}
