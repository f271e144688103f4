//! A spool's history as work sessions (who, operation, from, to, duration, how it ended), rebuilt from the
//! audit log, which is the only record of every action.

use std::collections::HashMap;

use chrono::{NaiveDateTime, TimeZone};
use chrono_tz::Tz;
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

/// A session as it was rebuilt: its spool, and when it started and ended (shop time), for date ranges.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Built {
    pub tag: String,
    pub session: WorkSession,
    pub started: NaiveDateTime,
    pub ended: Option<NaiveDateTime>,
}

/// Pairs each TOMAR of `tag` with the event that ended it; an unfinished one is still in progress.
pub fn sessions(events: &[AuditEvent], tag: &str, workers: &[Worker], timezone: Tz) -> Vec<WorkSession> {
    build(events.iter().filter(|event| event.tag == tag), workers, timezone)
        .into_iter()
        .map(|built| built.session)
        .collect()
}

/// Every spool's sessions in `events`, each TOMAR paired with the next event of its spool that ended it, in
/// the order they started. Durations are real time: a session across a change of the clocks (daylight saving
/// in the shop's zone) lasts what it lasted, not what the wall clock says.
pub(crate) fn build<'a>(
    events: impl IntoIterator<Item = &'a AuditEvent>,
    workers: &[Worker],
    timezone: Tz,
) -> Vec<Built> {
    let name = |id: WorkerId, fallback: &str| {
        workers.iter().find(|worker| worker.id == id).map_or_else(|| fallback.to_string(), Worker::display_name)
    };
    let mut ordered: Vec<&AuditEvent> = events.into_iter().collect();
    ordered.sort_by_key(|event| event.timestamp);

    let mut built: Vec<Built> = Vec::new();
    // The session in progress on each spool, by its place in `built`.
    let mut open: HashMap<&str, usize> = HashMap::new();
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
                open.insert(&event.tag, built.len());
                built.push(Built { tag: event.tag.clone(), session, started: event.timestamp, ended: None });
                continue;
            }
            EventKind::PausarSpool => SessionEnd::Pausado,
            EventKind::CompletarArm | EventKind::CompletarSold => SessionEnd::Completado,
            EventKind::CancelarSpool => SessionEnd::Cancelado,
            EventKind::LiberacionForzada => SessionEnd::Liberado,
            // Corrections of the lock service and supervisors' PINs change nobody's work.
            EventKind::Reconciliacion | EventKind::PinIncorrecto | EventKind::PinCambiado => continue,
        };
        let Some(index) = open.remove(event.tag.as_str()) else { continue };
        let ended = &mut built[index];
        ended.ended = Some(event.timestamp);
        ended.session.hasta = Some(format_date_time(event.timestamp));
        ended.session.duracion_minutos = u32::try_from(minutes_between(timezone, ended.started, event.timestamp)).ok();
        ended.session.fin = fin;
        if fin == SessionEnd::Liberado {
            let motivo = event.metadata["motivo"].as_str().unwrap_or_default();
            ended.session.nota = Some(format!("{}: {motivo}", name(event.worker_id, &event.worker_name)));
        }
    }
    built
}

/// Whole minutes from one shop-time reading to a later one, in real time.
pub(crate) fn minutes_between(timezone: Tz, from: NaiveDateTime, to: NaiveDateTime) -> i64 {
    let instant = |local: NaiveDateTime| timezone.from_local_datetime(&local).earliest();
    match (instant(from), instant(to)) {
        (Some(from), Some(to)) => (to - from).num_minutes(),
        // A reading inside a skipped hour cannot come from the clock; count it as the wall clock does.
        _ => (to - from).num_minutes(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, NaiveDateTime};
    use spooltrack_domain::{
        audit::{AuditEvent, EventKind},
        Operation,
    };

    use super::*;

    fn at(day: u32, month: u32, hour: u32, minute: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, month, day).and_then(|date| date.and_hms_opt(hour, minute, 0)).expect("a time")
    }

    fn event(kind: EventKind, tag: &str, worker_id: WorkerId, timestamp: NaiveDateTime) -> AuditEvent {
        AuditEvent {
            id: format!("{tag}-{timestamp}"),
            timestamp,
            kind,
            tag: tag.into(),
            worker_id,
            worker_name: format!("W({worker_id})"),
            operation: Some(Operation::Arm),
            fecha_operacion: timestamp.date(),
            metadata: serde_json::Value::Null,
        }
    }

    /// Santiago's clocks jump from 00:00 to 01:00 on 06-09-2026: 23:30 to 01:30 by the wall is one hour of work.
    #[test]
    fn a_session_across_a_change_of_the_clocks_lasts_what_it_lasted() {
        let events = [
            event(EventKind::TomarSpool, "S-1", 93, at(5, 9, 23, 30)),
            event(EventKind::PausarSpool, "S-1", 93, at(6, 9, 1, 30)),
        ];
        let built = sessions(&events, "S-1", &[], chrono_tz::America::Santiago);
        assert_eq!(built[0].duracion_minutos, Some(60));
        // The same readings in a zone without daylight saving are two hours.
        assert_eq!(sessions(&events, "S-1", &[], chrono_tz::UTC)[0].duracion_minutos, Some(120));
    }

    /// Events of several spools interleave in the audit: each end closes its own spool's session.
    #[test]
    fn each_end_closes_the_session_of_its_own_spool() {
        let events = [
            event(EventKind::TomarSpool, "S-1", 93, at(2, 12, 8, 0)),
            event(EventKind::TomarSpool, "S-2", 94, at(2, 12, 8, 5)),
            event(EventKind::PausarSpool, "S-1", 93, at(2, 12, 9, 0)),
            event(EventKind::TomarSpool, "S-1", 101, at(2, 12, 9, 30)),
            event(EventKind::CompletarArm, "S-2", 94, at(2, 12, 10, 5)),
        ];
        let built = build(&events, &[], chrono_tz::America::Santiago);
        let summary: Vec<(&str, WorkerId, Option<u32>, SessionEnd)> = built
            .iter()
            .map(|built| {
                (built.tag.as_str(), built.session.worker_id, built.session.duracion_minutos, built.session.fin)
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("S-1", 93, Some(60), SessionEnd::Pausado),
                ("S-2", 94, Some(120), SessionEnd::Completado),
                ("S-1", 101, None, SessionEnd::EnCurso),
            ]
        );
    }
}
