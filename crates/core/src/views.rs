//! What the core answers: plain, serialisable views for the interface, the CLI's `--json` and the tests.

use serde::{Deserialize, Serialize};
use specta::Type;
use spooltrack_domain::{
    cell::format_date, ErrorCode, ErrorPayload, Operation, Role, SpoolError, SpoolRecord, Worker, WorkerId,
};

use crate::Holder;

/// The most spools one batch may carry.
pub const MAX_BATCH: usize = 50;

/// Which of a spool's states a list shows, decided once here for the window and the CLI: a row that cannot be
/// read first, then its holder, then an operation left paused; else it is free (and `estado_detalle` says how
/// far it got, in the sheet's words).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum SpoolState {
    #[default]
    Libre,
    Pausado,
    Ocupado,
    Problema,
}

/// A spool as lists and the status screen show it. A spool with an unreadable cell keeps its tag and carries
/// the DATA_CORRUPT problem instead of vanishing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct SpoolView {
    pub tag: String,
    pub nv: Option<String>,
    pub ot: Option<String>,
    pub fecha_materiales: Option<String>,
    pub armador: Option<String>,
    pub fecha_armado: Option<String>,
    pub soldador: Option<String>,
    pub fecha_soldadura: Option<String>,
    pub fecha_qc_metrologia: Option<String>,
    /// `INICIALES(ID)` of the current holder.
    pub ocupado_por: Option<String>,
    pub ocupado_desde: Option<String>,
    /// How long the holder has had it, in real minutes, when this answer was made ("hace 3 h 12 min").
    pub ocupado_minutos: Option<u32>,
    /// The operation the holder is working on.
    pub operacion_en_curso: Option<Operation>,
    /// The station where the holder took the spool, when the lock service knows it.
    pub estacion: Option<String>,
    /// When that station went silent (no heartbeat), if it did: "estación sin señal desde …".
    pub estacion_sin_senal_desde: Option<String>,
    pub estado_detalle: Option<String>,
    /// An operation started and left unfinished while nobody holds the spool (the paused badge).
    pub pausado: Option<Operation>,
    /// Who worked on the paused operation: "Trabajo previo: MR(93)".
    pub trabajo_previo: Option<String>,
    pub problema: Option<ErrorPayload>,
    pub estado: SpoolState,
    /// Whether a worker may tick it to take it: nobody holds it and its row reads.
    pub tomable: bool,
}

impl SpoolView {
    /// `row_operation`: the occupation's operation as the row says, when no lock says it.
    pub fn from_record(record: &SpoolRecord, lock: Option<&Holder>, row_operation: Option<Operation>) -> Self {
        let spool = match record.spool() {
            Ok(spool) => spool,
            Err(problem) => {
                return SpoolView {
                    tag: record.tag().to_string(),
                    problema: Some(problem.payload()),
                    estado: SpoolState::Problema,
                    ..SpoolView::default()
                }
            }
        };
        let date = |day: Option<chrono::NaiveDate>| day.map(format_date);
        let pausado = spool.paused_operation();
        let estado = match (&spool.ocupado_por, pausado) {
            (Some(_), _) => SpoolState::Ocupado,
            (None, Some(_)) => SpoolState::Pausado,
            (None, None) => SpoolState::Libre,
        };
        SpoolView {
            tag: spool.tag.clone(),
            nv: spool.nv.clone(),
            ot: spool.ot.clone(),
            fecha_materiales: date(spool.fecha_materiales),
            armador: spool.armador.clone(),
            fecha_armado: date(spool.fecha_armado),
            soldador: spool.soldador.clone(),
            fecha_soldadura: date(spool.fecha_soldadura),
            fecha_qc_metrologia: date(spool.fecha_qc_metrologia),
            ocupado_por: spool.ocupado_por.clone(),
            ocupado_desde: spool.occupied_since_text(),
            ocupado_minutos: None,
            operacion_en_curso: lock.map(|holder| holder.operation).or(row_operation),
            estacion: lock.map(|holder| holder.station.clone()),
            estacion_sin_senal_desde: None,
            estado_detalle: spool.estado_detalle.clone(),
            pausado,
            trabajo_previo: pausado.and_then(|operation| spool.worker_of(operation)).map(str::to_string),
            problema: None,
            estado,
            tomable: spool.ocupado_por.is_none(),
        }
    }
}

/// A worker as pickers show them: the shop's name for them and what their roles let them do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct WorkerView {
    pub id: WorkerId,
    pub nombre: String,
    pub apellido: String,
    /// `INICIALES(ID)`.
    pub iniciales: String,
    pub activo: bool,
    pub roles: Vec<Role>,
    pub operaciones: Vec<Operation>,
    /// May force-release spools.
    pub supervisor: bool,
}

impl From<&Worker> for WorkerView {
    fn from(worker: &Worker) -> Self {
        WorkerView {
            id: worker.id,
            nombre: worker.nombre.clone(),
            apellido: worker.apellido.clone(),
            iniciales: worker.display_name(),
            activo: worker.activo,
            roles: worker.roles.clone(),
            operaciones: worker.operations(),
            supervisor: worker.has_role(Role::Supervisor),
        }
    }
}

/// The answer to one successful action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct ActionOutcome {
    pub tag: String,
    pub operation: Operation,
    /// `INICIALES(ID)` of who acted.
    pub worker: String,
    pub estado_detalle: String,
}

/// One tag's fate inside a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct BatchEntry {
    pub tag: String,
    pub success: bool,
    pub code: Option<ErrorCode>,
    pub message: Option<String>,
    pub holder: Option<String>,
}

/// A batch answer: totals and one entry per tag, in the order asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct BatchOutcome {
    pub total: u32,
    pub succeeded: u32,
    pub failed: u32,
    pub details: Vec<BatchEntry>,
}

impl BatchOutcome {
    pub fn from_results(results: Vec<(String, Result<ActionOutcome, SpoolError>)>) -> Self {
        let details: Vec<BatchEntry> = results
            .into_iter()
            .map(|(tag, result)| match result {
                Ok(_) => BatchEntry { tag, success: true, code: None, message: None, holder: None },
                Err(error) => BatchEntry {
                    tag,
                    success: false,
                    code: Some(error.code()),
                    message: Some(error.to_string()),
                    holder: error.holder().map(str::to_string),
                },
            })
            .collect();
        let succeeded = details.iter().filter(|entry| entry.success).count() as u32;
        BatchOutcome { total: details.len() as u32, succeeded, failed: details.len() as u32 - succeeded, details }
    }
}

/// A completion date typed by a person (`DD-MM-YYYY`, or any date format the sheet accepts).
pub fn parse_fecha(text: &str) -> Result<chrono::NaiveDate, SpoolError> {
    match spooltrack_domain::Cell::text(text).as_date() {
        Ok(Some(day)) => Ok(day),
        _ => Err(SpoolError::InvalidInput {
            field: "fecha".into(),
            reason: format!("«{}» no es una fecha DD-MM-YYYY", text.trim()),
        }),
    }
}
