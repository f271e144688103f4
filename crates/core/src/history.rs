//! A spool's history as work sessions (who, operation, from, to, duration, how it ended), rebuilt from the
//! audit log, which is the only record of every action.

use serde::{Deserialize, Serialize};
use specta::Type;
use spooltrack_domain::{
    audit::{AuditEvent, EventKind},
    cell::format_date_time,
    Operation, Worker, WorkerId,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SessionEnd {
    EnCurso,
    Pausado,
    Completado,
    Cancelado,
    Liberado,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct WorkSession {
    pub worker_id: WorkerId,
    /// `INICIALES(ID)` of who worked.
    pub worker: String,
    pub operation: Option<Operation>,
    pub desde: String,
    pub hasta: Option<String>,
    pub duracion_minutos: Option<u32>,
    pub fin: SessionEnd,
    /// For a force-release: who released it and why.
    pub nota: Option<String>,
}

/// Pairs each TOMAR of `tag` with the event that ended it; an unfinished one is still in progress.
pub fn sessions(events: &[AuditEvent], tag: &str, workers: &[Worker]) -> Vec<WorkSession> {
    let name = |id: WorkerId, fallback: &str| {
        workers.iter().find(|worker| worker.id == id).map_or_else(|| fallback.to_string(), Worker::display_name)
    };
    let mut ordered: Vec<&AuditEvent> = events.iter().filter(|event| event.tag == tag).collect();
    ordered.sort_by_key(|event| event.timestamp);

    let mut sessions: Vec<(WorkSession, chrono::NaiveDateTime)> = Vec::new();
    for event in ordered {
        let fin = match event.kind {
            EventKind::TomarSpool => {
                let session = WorkSession {
                    worker_id: event.worker_id,
                    worker: name(event.worker_id, &event.worker_name),
                    operation: event.operation,
                    desde: format_date_time(event.timestamp),
                    hasta: None,
                    duracion_minutos: None,
                    fin: SessionEnd::EnCurso,
                    nota: None,
                };
                sessions.push((session, event.timestamp));
                continue;
            }
            EventKind::PausarSpool => SessionEnd::Pausado,
            EventKind::CompletarArm | EventKind::CompletarSold => SessionEnd::Completado,
            EventKind::CancelarSpool => SessionEnd::Cancelado,
            EventKind::LiberacionForzada => SessionEnd::Liberado,
            // Corrections of the lock service change nobody's work.
            EventKind::Reconciliacion => continue,
        };
        let Some((open, started)) = sessions.iter_mut().rev().find(|(session, _)| session.fin == SessionEnd::EnCurso)
        else {
            continue;
        };
        open.hasta = Some(format_date_time(event.timestamp));
        open.duracion_minutos = u32::try_from((event.timestamp - *started).num_minutes()).ok();
        open.fin = fin;
        if fin == SessionEnd::Liberado {
            let motivo = event.metadata["motivo"].as_str().unwrap_or_default();
            open.nota = Some(format!("{}: {motivo}", name(event.worker_id, &event.worker_name)));
        }
    }
    sessions.into_iter().map(|(session, _)| session).collect()
}
