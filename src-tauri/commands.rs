//! Tauri commands: each one calls the core once and answers its result, or its error as `{code, message,
//! details}`. Changes reach the window as `spool-changed` events through the station's change feed. Actions
//! come as batches only: one spool is a batch of one, at the same cost.

use spooltrack_core::{
    parse_fecha, ActionOutcome, BatchOutcome, ConnectionState, DoctorReport, ListFilter, SpoolView, WorkSession,
    WorkerView,
};
use spooltrack_domain::{ErrorPayload, Operation, SpoolError, WorkerId};
use tauri::State;

use crate::station::Station;

type Answer<T> = Result<T, ErrorPayload>;

fn fecha(text: Option<String>) -> Result<Option<chrono::NaiveDate>, SpoolError> {
    text.filter(|text| !text.trim().is_empty()).map(|text| parse_fecha(&text)).transpose()
}

#[tauri::command]
#[specta::specta]
pub async fn list_spools(station: State<'_, Station>, filter: ListFilter) -> Answer<Vec<SpoolView>> {
    Ok(station.service.list(&filter).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn history(station: State<'_, Station>, tag: String) -> Answer<Vec<WorkSession>> {
    Ok(station.service.history(&tag).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn workers(station: State<'_, Station>) -> Answer<Vec<WorkerView>> {
    Ok(station.service.workers().await?)
}

/// The banner's state as the station last saw it (then kept up to date by `connection-changed`).
#[tauri::command]
#[specta::specta]
pub async fn connection(station: State<'_, Station>) -> Answer<ConnectionState> {
    Ok(station.service.connection())
}

#[tauri::command]
#[specta::specta]
pub async fn doctor(station: State<'_, Station>) -> Answer<DoctorReport> {
    Ok(station.doctor().await)
}

#[tauri::command]
#[specta::specta]
pub async fn tomar_batch(
    station: State<'_, Station>,
    tags: Vec<String>,
    worker_id: WorkerId,
    operation: Operation,
) -> Answer<BatchOutcome> {
    Ok(station.service.tomar_batch(&tags, worker_id, operation).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn pausar_batch(station: State<'_, Station>, tags: Vec<String>, worker_id: WorkerId) -> Answer<BatchOutcome> {
    Ok(station.service.pausar_batch(&tags, worker_id).await?)
}

/// `fecha` is `DD-MM-YYYY`; empty means today.
#[tauri::command]
#[specta::specta]
pub async fn completar_batch(
    station: State<'_, Station>,
    tags: Vec<String>,
    worker_id: WorkerId,
    fecha: Option<String>,
) -> Answer<BatchOutcome> {
    Ok(station.service.completar_batch(&tags, worker_id, self::fecha(fecha)?).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn cancelar_batch(
    station: State<'_, Station>,
    tags: Vec<String>,
    worker_id: WorkerId,
) -> Answer<BatchOutcome> {
    Ok(station.service.cancelar_batch(&tags, worker_id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn liberar(
    station: State<'_, Station>,
    tag: String,
    admin_id: WorkerId,
    motivo: String,
) -> Answer<ActionOutcome> {
    Ok(station.service.liberar(&tag, admin_id, &motivo).await?)
}
