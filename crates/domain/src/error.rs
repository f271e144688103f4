//! The typed errors of every operation: a stable code for programs, a plain Spanish message for workers,
//! and structured details (holder, column, raw value) for the interface.

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::{Operation, WorkerId};

/// Stable machine codes; they cross the IPC boundary and the CLI's `--json` unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    WorkerNotFound,
    WorkerInactive,
    RoleNotAllowed,
    SpoolNotFound,
    PrerequisiteMissing,
    AlreadyCompleted,
    SpoolOccupied,
    NotOwner,
    NotOccupied,
    InvalidInput,
    BatchTooLarge,
    DuplicateTags,
    LockUnavailable,
    SheetsUnavailable,
    SheetsQuota,
    SchemaDrift,
    DataCorrupt,
    Offline,
    LockLost,
    RowChanged,
    ConfigInvalid,
    OutcomeUnknown,
    PinIncorrect,
    PinBlocked,
    PinNotSet,
}

impl ErrorCode {
    /// A service that cannot be reached or is set up wrong, as opposed to a business refusal.
    pub fn is_infrastructure(self) -> bool {
        matches!(
            self,
            ErrorCode::LockUnavailable
                | ErrorCode::SheetsUnavailable
                | ErrorCode::SheetsQuota
                | ErrorCode::SchemaDrift
                | ErrorCode::Offline
                | ErrorCode::ConfigInvalid
                | ErrorCode::OutcomeUnknown
        )
    }
}

/// Everything that can refuse an operation. Each variant carries what a person needs to act on it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SpoolError {
    #[error("No existe un trabajador con el número {worker_id}.")]
    WorkerNotFound { worker_id: WorkerId },
    #[error("{worker} no está activo. Consulte a su supervisor.")]
    WorkerInactive { worker_id: WorkerId, worker: String },
    #[error("{worker} no tiene el rol necesario ({needed}).")]
    RoleNotAllowed { worker_id: WorkerId, worker: String, needed: String },
    #[error("No existe el spool {tag}.")]
    SpoolNotFound { tag: String },
    #[error("El spool {tag} no se puede tomar todavía: {missing}.")]
    PrerequisiteMissing { tag: String, missing: String },
    #[error("{operation} del spool {tag} ya está completado.")]
    AlreadyCompleted { tag: String, operation: Operation },
    #[error("El spool {tag} está ocupado por {holder}{}.", since_text(.since))]
    SpoolOccupied { tag: String, holder: String, since: Option<String> },
    #[error("El spool {tag} lo tiene {holder}; solo esa persona puede hacerlo.")]
    NotOwner { tag: String, holder: String },
    #[error("Nadie tiene el spool {tag}.")]
    NotOccupied { tag: String },
    #[error("Dato no válido en «{field}»: {reason}.")]
    InvalidInput { field: String, reason: String },
    #[error("Se pueden enviar como máximo {max} spools a la vez; se enviaron {count}.")]
    BatchTooLarge { count: usize, max: usize },
    #[error("La lista repite spools: {}.", .tags.join(", "))]
    DuplicateTags { tags: Vec<String> },
    #[error("No se puede reservar spools en este momento (servicio de bloqueo sin respuesta). Intente de nuevo.")]
    LockUnavailable { reason: String },
    #[error("El servicio de bloqueo perdió sus datos y se están reconstruyendo desde el registro. Intente de nuevo en un momento.")]
    LockDataLost,
    #[error("El registro de spools no responde. Intente de nuevo en unos momentos.")]
    SheetsUnavailable { reason: String },
    #[error("Demasiadas consultas a la planilla en este minuto. Espere un momento e intente de nuevo.")]
    SheetsQuota,
    #[error("Falta la columna «{column}» en la pestaña {tab}. Avise a su supervisor.")]
    SchemaDrift { tab: String, column: String },
    #[error(
        "La columna «{column}» aparece dos veces en la pestaña {tab} y no se sabe cuál usar. Avise a su supervisor."
    )]
    DuplicateColumn { tab: String, column: String },
    #[error("El spool {tag} tiene un dato ilegible en «{column}»: «{raw}». Avise a su supervisor.")]
    DataCorrupt { tag: String, column: String, raw: String },
    #[error("Sin conexión: no se pueden hacer cambios ahora.")]
    Offline,
    #[error("Sin conexión y sin datos guardados en esta estación: todavía no hay nada que mostrar. Revise la red.")]
    NoLocalCopy,
    #[error("Esta estación es solo de visualización: los cambios se hacen en una estación de trabajo.")]
    ViewOnly,
    #[error("El spool {tag} fue liberado por otra persona mientras se guardaba; el cambio no se aplicó.")]
    LockLost { tag: String },
    #[error("El spool {tag} cambió en el registro mientras se guardaba; el cambio no se aplicó. Revise su estado e intente de nuevo.")]
    RowChanged { tag: String },
    #[error("Configuración no válida en «{key}»: {reason}.")]
    ConfigInvalid { key: String, reason: String },
    #[error("Se perdió la respuesta del registro y no se sabe si el cambio quedó guardado. Revise el estado del spool; repetir la acción no la registra dos veces.")]
    OutcomeUnknown { reason: String },
    #[error("PIN incorrecto para {worker}.{}", attempts_text(*.remaining))]
    PinIncorrect { worker_id: WorkerId, worker: String, remaining: u32 },
    #[error("Demasiados PIN incorrectos en esta estación. Espere {seconds} s e intente de nuevo.")]
    PinBlocked { seconds: u32 },
    #[error("{worker} no tiene PIN todavía. Otro supervisor puede definírselo en Ajustes del tablero.")]
    PinNotSet { worker_id: WorkerId, worker: String },
}

fn attempts_text(remaining: u32) -> String {
    match remaining {
        0 => " La estación espera antes del próximo intento.".into(),
        1 => " Queda 1 intento antes de una espera.".into(),
        more => format!(" Quedan {more} intentos antes de una espera."),
    }
}

fn since_text(since: &Option<String>) -> String {
    since.as_ref().map(|since| format!(" desde {since}")).unwrap_or_default()
}

/// Structured facts about an error, for the interface to render without parsing the message.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct ErrorDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holder: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worker_id: Option<WorkerId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<Operation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tab: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw_value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub tags: Vec<String>,
    /// Wrong PINs the station still accepts before it makes the next one wait.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts_left: Option<u32>,
    /// How long the station makes the next PIN wait.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait_seconds: Option<u32>,
}

/// The shape every error takes across IPC and in `--json`: `{code, message, details}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct ErrorPayload {
    pub code: ErrorCode,
    pub message: String,
    pub details: ErrorDetails,
}

impl SpoolError {
    pub fn code(&self) -> ErrorCode {
        match self {
            SpoolError::WorkerNotFound { .. } => ErrorCode::WorkerNotFound,
            SpoolError::WorkerInactive { .. } => ErrorCode::WorkerInactive,
            SpoolError::RoleNotAllowed { .. } => ErrorCode::RoleNotAllowed,
            SpoolError::SpoolNotFound { .. } => ErrorCode::SpoolNotFound,
            SpoolError::PrerequisiteMissing { .. } => ErrorCode::PrerequisiteMissing,
            SpoolError::AlreadyCompleted { .. } => ErrorCode::AlreadyCompleted,
            SpoolError::SpoolOccupied { .. } => ErrorCode::SpoolOccupied,
            SpoolError::NotOwner { .. } => ErrorCode::NotOwner,
            SpoolError::NotOccupied { .. } => ErrorCode::NotOccupied,
            SpoolError::InvalidInput { .. } => ErrorCode::InvalidInput,
            SpoolError::BatchTooLarge { .. } => ErrorCode::BatchTooLarge,
            SpoolError::DuplicateTags { .. } => ErrorCode::DuplicateTags,
            SpoolError::LockUnavailable { .. } | SpoolError::LockDataLost => ErrorCode::LockUnavailable,
            SpoolError::SheetsUnavailable { .. } => ErrorCode::SheetsUnavailable,
            SpoolError::SheetsQuota => ErrorCode::SheetsQuota,
            SpoolError::SchemaDrift { .. } | SpoolError::DuplicateColumn { .. } => ErrorCode::SchemaDrift,
            SpoolError::DataCorrupt { .. } => ErrorCode::DataCorrupt,
            SpoolError::Offline | SpoolError::NoLocalCopy | SpoolError::ViewOnly => ErrorCode::Offline,
            SpoolError::LockLost { .. } => ErrorCode::LockLost,
            SpoolError::RowChanged { .. } => ErrorCode::RowChanged,
            SpoolError::ConfigInvalid { .. } => ErrorCode::ConfigInvalid,
            SpoolError::OutcomeUnknown { .. } => ErrorCode::OutcomeUnknown,
            SpoolError::PinIncorrect { .. } => ErrorCode::PinIncorrect,
            SpoolError::PinBlocked { .. } => ErrorCode::PinBlocked,
            SpoolError::PinNotSet { .. } => ErrorCode::PinNotSet,
        }
    }

    /// The message, with the technical reason when the error has one: for `doctor` and logs read by whoever
    /// sets the station up, never for the worker's screen.
    pub fn diagnosis(&self) -> String {
        match self {
            SpoolError::LockUnavailable { reason }
            | SpoolError::SheetsUnavailable { reason }
            | SpoolError::OutcomeUnknown { reason } => format!("{self} (motivo: {reason})"),
            other => other.to_string(),
        }
    }

    /// The holder named by an occupation conflict, for batch summaries.
    pub fn holder(&self) -> Option<&str> {
        match self {
            SpoolError::SpoolOccupied { holder, .. } | SpoolError::NotOwner { holder, .. } => Some(holder),
            _ => None,
        }
    }

    pub fn details(&self) -> ErrorDetails {
        let tag = |tag: &String| ErrorDetails { tag: Some(tag.clone()), ..ErrorDetails::default() };
        match self {
            SpoolError::WorkerNotFound { worker_id } | SpoolError::WorkerInactive { worker_id, .. } => {
                ErrorDetails { worker_id: Some(*worker_id), ..ErrorDetails::default() }
            }
            SpoolError::RoleNotAllowed { worker_id, needed, .. } => {
                ErrorDetails { worker_id: Some(*worker_id), reason: Some(needed.clone()), ..ErrorDetails::default() }
            }
            SpoolError::SpoolNotFound { tag: t }
            | SpoolError::NotOccupied { tag: t }
            | SpoolError::LockLost { tag: t }
            | SpoolError::RowChanged { tag: t } => tag(t),
            SpoolError::PrerequisiteMissing { tag: t, missing } => {
                ErrorDetails { reason: Some(missing.clone()), ..tag(t) }
            }
            SpoolError::AlreadyCompleted { tag: t, operation } => {
                ErrorDetails { operation: Some(*operation), ..tag(t) }
            }
            SpoolError::SpoolOccupied { tag: t, holder, since } => {
                ErrorDetails { holder: Some(holder.clone()), since: since.clone(), ..tag(t) }
            }
            SpoolError::NotOwner { tag: t, holder } => ErrorDetails { holder: Some(holder.clone()), ..tag(t) },
            SpoolError::InvalidInput { field, reason } | SpoolError::ConfigInvalid { key: field, reason } => {
                ErrorDetails { field: Some(field.clone()), reason: Some(reason.clone()), ..ErrorDetails::default() }
            }
            SpoolError::BatchTooLarge { .. }
            | SpoolError::SheetsQuota
            | SpoolError::Offline
            | SpoolError::NoLocalCopy
            | SpoolError::ViewOnly
            | SpoolError::LockDataLost => ErrorDetails::default(),
            SpoolError::DuplicateTags { tags } => ErrorDetails { tags: tags.clone(), ..ErrorDetails::default() },
            SpoolError::LockUnavailable { reason }
            | SpoolError::SheetsUnavailable { reason }
            | SpoolError::OutcomeUnknown { reason } => {
                ErrorDetails { reason: Some(reason.clone()), ..ErrorDetails::default() }
            }
            SpoolError::SchemaDrift { tab, column } | SpoolError::DuplicateColumn { tab, column } => {
                ErrorDetails { tab: Some(tab.clone()), column: Some(column.clone()), ..ErrorDetails::default() }
            }
            SpoolError::DataCorrupt { tag: t, column, raw } => {
                ErrorDetails { column: Some(column.clone()), raw_value: Some(raw.clone()), ..tag(t) }
            }
            SpoolError::PinIncorrect { worker_id, remaining, .. } => {
                ErrorDetails { worker_id: Some(*worker_id), attempts_left: Some(*remaining), ..ErrorDetails::default() }
            }
            SpoolError::PinBlocked { seconds } => {
                ErrorDetails { wait_seconds: Some(*seconds), ..ErrorDetails::default() }
            }
            SpoolError::PinNotSet { worker_id, .. } => {
                ErrorDetails { worker_id: Some(*worker_id), ..ErrorDetails::default() }
            }
        }
    }

    pub fn payload(&self) -> ErrorPayload {
        ErrorPayload { code: self.code(), message: self.to_string(), details: self.details() }
    }
}

impl From<SpoolError> for ErrorPayload {
    fn from(error: SpoolError) -> Self {
        error.payload()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_json_shape_is_pinned() {
        let error = SpoolError::SpoolOccupied {
            tag: "MK-1335-CW-25238-011".into(),
            holder: "MR(93)".into(),
            since: Some("07-03-2025 08:15:00".into()),
        };
        let json = serde_json::to_value(error.payload()).expect("serialises");
        assert_eq!(
            json,
            serde_json::json!({
                "code": "SPOOL_OCCUPIED",
                "message": "El spool MK-1335-CW-25238-011 está ocupado por MR(93) desde 07-03-2025 08:15:00.",
                "details": {"tag": "MK-1335-CW-25238-011", "holder": "MR(93)", "since": "07-03-2025 08:15:00"}
            })
        );
    }

    #[test]
    fn corrupt_data_names_tag_column_and_raw_value() {
        let error = SpoolError::DataCorrupt { tag: "T-1".into(), column: "Fecha_Armado".into(), raw: "ayer".into() };
        let payload = error.payload();
        assert_eq!(payload.code, ErrorCode::DataCorrupt);
        assert!(
            payload.message.contains("T-1")
                && payload.message.contains("Fecha_Armado")
                && payload.message.contains("ayer")
        );
        assert_eq!(payload.details.raw_value.as_deref(), Some("ayer"));
    }
}
