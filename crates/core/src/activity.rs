//! The shop's latest events, newest first: the board's *Actividad*, read again whenever any station acts. On
//! the shared snapshot they come from the feed (Redis keeps the latest for the shop, so no screen costs a
//! Sheets read); otherwise, or while that history is not whole, from the spreadsheet's audit.

use serde::{Deserialize, Serialize};
use specta::Type;
use spooltrack_domain::{
    audit::{AuditEvent, EventKind},
    cell::format_date_time,
    Operation, SpoolError, Worker,
};

use crate::{history::minutes_between, SpoolService};

/// How many events the activity feed shows.
pub const ACTIVITY_LIMIT: usize = 50;

/// What the metadata says of why, by the kind of event: a force-release's reason, a reconcile's correction,
/// what a wrong PIN was entered for.
const WHY_KEYS: [&str; 3] = ["motivo", "correccion", "para"];

/// One event as the board shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct ActivityEntry {
    pub id: String,
    pub evento: EventKind,
    pub tag: String,
    /// `INICIALES(ID)` of who acted (their name as the shop knows it now).
    pub worker: String,
    pub operation: Option<Operation>,
    pub estacion: Option<String>,
    /// Shop time, `DD-MM-YYYY HH:MM:SS`.
    pub cuando: String,
    /// Real minutes since, as of this answer.
    pub minutos: u32,
    /// Why, when the event says: a force-release's reason, a reconcile's correction.
    pub nota: Option<String>,
}

impl SpoolService {
    /// The shop's latest events, newest first, at most [`ACTIVITY_LIMIT`].
    pub async fn activity(&self) -> Result<Vec<ActivityEntry>, SpoolError> {
        let kept = match &self.shared {
            Some(_) => self.feed.latest(ACTIVITY_LIMIT).await?,
            None => None,
        };
        let events = self.kept_or_audit(kept).await?;
        let workers = self.load().await?.workers;
        Ok(self.entries(events, &workers))
    }

    fn entries(&self, mut events: Vec<AuditEvent>, workers: &[Worker]) -> Vec<ActivityEntry> {
        // Newest first; events of the same second in the reverse of the order given (the audit's, appended).
        events.reverse();
        events.sort_by_key(|event| std::cmp::Reverse(event.timestamp));
        events.truncate(ACTIVITY_LIMIT);
        let now = self.now();
        events
            .into_iter()
            .map(|event| {
                let text = |key: &str| event.metadata.get(key).and_then(|value| value.as_str()).map(str::to_string);
                ActivityEntry {
                    worker: workers
                        .iter()
                        .find(|worker| worker.id == event.worker_id)
                        .map_or_else(|| event.worker_name.clone(), Worker::display_name),
                    estacion: text("estacion"),
                    nota: WHY_KEYS.into_iter().find_map(text).filter(|why| !why.trim().is_empty()),
                    cuando: format_date_time(event.timestamp),
                    minutos: u32::try_from(minutes_between(self.timezone(), event.timestamp, now)).unwrap_or(0),
                    id: event.id,
                    evento: event.kind,
                    tag: event.tag,
                    operation: event.operation,
                }
            })
            .collect()
    }
}
