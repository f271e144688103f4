//! The read side: a spool's status, filtered lists (available, occupied, a worker's own), workers, history.

use serde::{Deserialize, Serialize};
use specta::Type;
use spooltrack_domain::{Operation, SpoolError, SpoolRecord, WorkerId};

use crate::{history, service::Shop, Holder, SpoolService, SpoolView, WorkSession, WorkerView};

/// Which spools a list shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ListScope {
    /// Every spool; with an operation, those that still need it (occupied ones included, to grey them out).
    #[default]
    All,
    /// Those that need the operation and that nobody holds.
    Available,
    /// Those somebody holds: the supervisor's board.
    Occupied,
    /// Those this worker holds: "mis spools".
    Worker(WorkerId),
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct ListFilter {
    pub operation: Option<Operation>,
    pub scope: ListScope,
    pub nv: Option<String>,
    pub ot: Option<String>,
    /// Matches tag, NV or OT, ignoring case.
    pub text: Option<String>,
}

impl ListFilter {
    fn matches(&self, view: &SpoolView, record: &SpoolRecord) -> bool {
        let same = |wanted: &Option<String>, actual: &Option<String>| match wanted.as_deref().map(str::trim) {
            None | Some("") => true,
            Some(wanted) => actual.as_deref().is_some_and(|actual| actual.eq_ignore_ascii_case(wanted)),
        };
        let text = self.text.as_deref().map(|text| text.trim().to_lowercase()).unwrap_or_default();
        let text_matches = text.is_empty()
            || [Some(&view.tag), view.nv.as_ref(), view.ot.as_ref()]
                .into_iter()
                .flatten()
                .any(|value| value.to_lowercase().contains(&text));
        if !(text_matches && same(&self.nv, &view.nv) && same(&self.ot, &view.ot)) {
            return false;
        }
        let Ok(spool) = record.spool() else {
            // An unreadable spool stays visible in the general lists, flagged, never silently dropped.
            return self.scope == ListScope::All;
        };
        let needs = |operation: Operation| spool.is_eligible_for(operation);
        let wanted_operation = |operation: Option<Operation>| self.operation.is_none() || operation == self.operation;
        match self.scope {
            ListScope::All => self.operation.is_none_or(needs),
            ListScope::Available => {
                view.ocupado_por.is_none() && self.operation.map_or(Operation::ALL.into_iter().any(needs), needs)
            }
            ListScope::Occupied => view.ocupado_por.is_some() && wanted_operation(view.operacion_en_curso),
            ListScope::Worker(id) => spool.holder_id() == Some(id) && wanted_operation(view.operacion_en_curso),
        }
    }
}

impl SpoolService {
    /// One spool; DATA_CORRUPT (never SPOOL_NOT_FOUND) when its row cannot be read.
    pub async fn status(&self, tag: &str) -> Result<SpoolView, SpoolError> {
        let shop = self.load_of(&[tag.trim().to_string()], false, false).await?;
        let record = shop.record(tag.trim())?;
        record.spool()?;
        let mut views = self.views(&shop, std::slice::from_ref(record)).await?;
        Ok(views.remove(0))
    }

    pub async fn list(&self, filter: &ListFilter) -> Result<Vec<SpoolView>, SpoolError> {
        let shop = self.load().await?;
        let views = self.views(&shop, &shop.spools).await?;
        Ok(views
            .into_iter()
            .zip(&shop.spools)
            .filter(|(view, record)| filter.matches(view, record))
            .map(|(view, _)| view)
            .collect())
    }

    pub async fn workers(&self) -> Result<Vec<WorkerView>, SpoolError> {
        Ok(self.load().await?.workers.iter().map(WorkerView::from).collect())
    }

    /// On the shared snapshot, from the history the feed keeps (a viewer has no other); otherwise, or while
    /// that history is not whole, from the spreadsheet's audit, which then makes the feed's history whole.
    pub async fn history(&self, tag: &str) -> Result<Vec<WorkSession>, SpoolError> {
        let shop = self.load_of(&[tag.trim().to_string()], false, false).await?;
        let tag = shop.record(tag.trim())?.tag().to_string();
        let kept = match &self.shared {
            Some(_) => self.feed.history(&tag).await?,
            None => None,
        };
        let events = self.kept_or_audit(kept).await?;
        Ok(history::sessions(&events, &tag, &shop.workers, self.timezone()))
    }

    /// Views of `records` with their lock holders and whether the holders' stations went silent.
    pub(crate) async fn views(&self, shop: &Shop, records: &[SpoolRecord]) -> Result<Vec<SpoolView>, SpoolError> {
        let holders = self.holders(records).await?;
        let now = self.now();
        let mut stations: Vec<String> = holders.iter().flatten().map(|holder| holder.station.clone()).collect();
        stations.sort();
        stations.dedup();
        let beats = if stations.is_empty() {
            Vec::new()
        } else {
            self.lock.last_beats(&stations).await.unwrap_or_else(|error| {
                tracing::warn!(code = ?error.code(), "no se pudo saber qué estaciones siguen activas");
                Vec::new()
            })
        };
        let beat_of = |station: &str| {
            stations.iter().position(|known| known == station).and_then(|index| beats.get(index).copied().flatten())
        };
        Ok(records
            .iter()
            .zip(&holders)
            .map(|(record, holder)| {
                let row_operation = record.spool().ok().and_then(|spool| shop.occupied_operation(spool).ok().flatten());
                let mut view = SpoolView::from_record(record, holder.as_ref(), row_operation);
                view.ocupado_minutos = record
                    .spool()
                    .ok()
                    .and_then(|spool| spool.fecha_ocupacion)
                    .map(|since| u32::try_from(history::minutes_between(self.timezone(), since, now)).unwrap_or(0));
                // Unknown liveness (beats unavailable) is not silence.
                if !beats.is_empty() {
                    view.estacion_sin_senal_desde =
                        holder.as_ref().and_then(|holder| self.silent_since(holder, beat_of(&holder.station)));
                }
                view
            })
            .collect())
    }

    /// Lock holders of the occupied spools (one lock call), aligned with `records`. Viewing keeps working while
    /// the lock service is away: the sheet still says who holds what, only the station is then unknown.
    async fn holders(&self, records: &[SpoolRecord]) -> Result<Vec<Option<Holder>>, SpoolError> {
        let occupied: Vec<(usize, String)> = records
            .iter()
            .enumerate()
            .filter(|(_, record)| record.spool().is_ok_and(|spool| spool.ocupado_por.is_some()))
            .map(|(index, record)| (index, record.tag().to_string()))
            .collect();
        let mut holders = vec![None; records.len()];
        if occupied.is_empty() {
            return Ok(holders);
        }
        let tags: Vec<String> = occupied.iter().map(|(_, tag)| tag.clone()).collect();
        let locks = match self.lock.inspect(&tags).await {
            Ok(locks) => locks,
            Err(error @ (SpoolError::LockUnavailable { .. } | SpoolError::Offline)) => {
                tracing::warn!(code = ?error.code(), "servicio de bloqueo sin respuesta; se muestran los datos del registro");
                return Ok(holders);
            }
            Err(error) => return Err(error),
        };
        for ((index, _), lock) in occupied.iter().zip(locks) {
            holders[*index] = lock.map(|lock| lock.holder);
        }
        Ok(holders)
    }
}
