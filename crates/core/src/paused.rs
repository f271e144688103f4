//! The spools left paused (an operation started, nobody holding it): who paused each and for how long it has
//! waited, the board's *Pausados*. The pause is the spool's last PAUSAR in the shop's history (in Redis on the
//! shared snapshot, so no Sheets read), else in the spreadsheet's audit; a pause made by hand in the sheet has
//! no such event and says only who worked on it.

use serde::{Deserialize, Serialize};
use specta::Type;
use spooltrack_domain::{
    audit::{AuditEvent, EventKind},
    cell::format_date_time,
    SpoolError,
};

use crate::{history::minutes_between, SpoolService, SpoolView};

/// A paused spool and its pause.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct PausedSpool {
    pub spool: SpoolView,
    /// `INICIALES(ID)` of who paused it, from its last PAUSAR.
    pub pausado_por: Option<String>,
    pub pausado_desde: Option<String>,
    /// Real minutes since the pause, as of this answer.
    pub pausado_minutos: Option<u32>,
}

impl SpoolService {
    /// The paused spools, the longest waiting first (those whose pause is not in the history last).
    pub async fn paused(&self) -> Result<Vec<PausedSpool>, SpoolError> {
        let shop = self.load().await?;
        let records: Vec<_> = shop
            .spools
            .iter()
            .filter(|record| record.spool().is_ok_and(|spool| spool.paused_operation().is_some()))
            .cloned()
            .collect();
        let views = self.views(&shop, &records).await?;
        let events = self.pause_events(&views).await?;
        let now = self.now();
        let mut paused: Vec<PausedSpool> = views
            .into_iter()
            .map(|spool| {
                let pause = events
                    .iter()
                    .filter(|event| event.tag == spool.tag && event.kind == EventKind::PausarSpool)
                    .max_by_key(|event| event.timestamp);
                PausedSpool {
                    pausado_por: pause.map(|event| event.worker_name.clone()),
                    pausado_desde: pause.map(|event| format_date_time(event.timestamp)),
                    pausado_minutos: pause.map(|event| {
                        u32::try_from(minutes_between(self.timezone(), event.timestamp, now)).unwrap_or(0)
                    }),
                    spool,
                }
            })
            .collect();
        paused.sort_by_key(|entry| (entry.pausado_minutos.is_none(), std::cmp::Reverse(entry.pausado_minutos)));
        Ok(paused)
    }

    /// The history of `spools` from the feed when it keeps it whole, else the audit (one read).
    async fn pause_events(&self, spools: &[SpoolView]) -> Result<Vec<AuditEvent>, SpoolError> {
        if spools.is_empty() {
            return Ok(Vec::new());
        }
        if self.shared.is_some() {
            let mut events = Vec::new();
            for spool in spools {
                match self.feed.history(&spool.tag).await? {
                    Some(kept) => events.extend(kept),
                    None => return self.audit().await,
                }
            }
            return Ok(events);
        }
        self.audit().await
    }
}
