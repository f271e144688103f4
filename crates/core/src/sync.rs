//! Keeping this station's copy of the shared snapshot in step: patches heard in order are applied, a gap
//! (patches missed, the feed reconnected, Redis started again empty) fetches the checkpoint and log from the
//! feed, and only when the feed has none is the spreadsheet read to seed it. One station at a time, the reader,
//! re-reads the spreadsheet every period and publishes what people changed by hand.

use std::{sync::atomic::Ordering, time::Duration};

use spooltrack_domain::{schema::Tab, Grid, SpoolError};

use crate::{shared::PatchOutcome, SharedStore, Snapshot, SnapshotLog, SnapshotPatch, SpoolEvent, SpoolService, Store};

/// How often the shop's reader re-reads the spreadsheet unless configured otherwise.
pub const DEFAULT_REFRESH_SECONDS: u32 = 30;

/// The tabs the snapshot keeps, in the order of [`SnapshotPatch::seed`].
const KEPT: [Tab; 3] = [Tab::Operaciones, Tab::Trabajadores, Tab::Roles];

/// The action of the events that carry a re-read of the spreadsheet.
const REREAD_ACTION: &str = "PLANILLA";

/// The lease of the shop's one reader.
pub(crate) const READER_TASK: &str = "lectura";

impl SpoolService {
    /// This station's copy of the shared snapshot, when it keeps one and has one yet.
    pub fn shared_snapshot(&self) -> Option<Snapshot> {
        self.shared.as_ref()?.snapshot()
    }

    /// Brings this station's copy to the shop's latest: the feed's checkpoint and the events after it, or,
    /// when the feed has none (the shop's first start, a Redis that lost its data), a read of the spreadsheet
    /// that seeds it for every station.
    pub async fn sync_snapshot(&self) -> Result<(), SpoolError> {
        let Some(shared) = &self.shared else { return Ok(()) };
        // No patch lands between reading the log and installing what it replays.
        let _replacing = shared.replacing().await;
        let log = self.feed.snapshot_log().await?.unwrap_or_default();
        self.settle_history_doubt().await;
        let latest = log.events.last().and_then(|event| event.seq).unwrap_or(0);
        if let Some(snapshot) = replay(log) {
            shared.install(snapshot);
            return Ok(());
        }
        tracing::info!("sin copia compartida de la planilla: se lee y se comparte");
        let patch = SnapshotPatch::seed(read_kept(shared).await?, latest, self.clock_now());
        let event = self.reread_event(Vec::new(), patch.clone());
        let Some(seq) = self.feed.publish(&event).await? else { return Ok(()) };
        let mut snapshot = Snapshot::default();
        snapshot.apply(seq, &patch);
        shared.install(snapshot.clone());
        self.feed.checkpoint(&snapshot).await
    }

    /// Takes in an event heard from the feed and answers what the screens should hear of it: nothing for a
    /// re-read that found no change, "refresh everything" after a gap.
    pub async fn hear(&self, mut event: SpoolEvent) -> Option<SpoolEvent> {
        let Some(shared) = &self.shared else {
            // Without a shared snapshot, any copy the store keeps may be out of date.
            if event.station != self.station || event.tags.is_empty() {
                self.store.invalidate();
            }
            return Some(event);
        };
        let patch = event.patch.take().unwrap_or_default();
        let applied = match event.seq {
            Some(seq) => shared.apply(seq, &patch).await,
            None => PatchOutcome::Gap,
        };
        let reset = applied == PatchOutcome::AlreadyHad && event.station != self.station;
        if applied == PatchOutcome::Gap || reset {
            if let Err(error) = self.sync_snapshot().await {
                tracing::warn!(code = ?error.code(), "no se pudo poner al día la copia compartida; se muestra la última");
            }
            return Some(SpoolEvent::default());
        }
        let unchanged = event.action == REREAD_ACTION && !patch.changes_anything();
        // This station's own event was applied when it was published: its screens still hear of it.
        let heard = applied == PatchOutcome::Applied || event.station == self.station;
        (heard && !unchanged).then(|| {
            if event.action == REREAD_ACTION {
                event.tags = patch.changed_tags();
            }
            event
        })
    }

    /// Hears the feed until it closes, handing each event for the screens to `on_event`.
    pub async fn follow_changes(&self, mut on_event: impl FnMut(SpoolEvent) + Send) {
        use tokio::sync::broadcast::error::RecvError;
        let mut changes = self.changes();
        self.following.store(true, Ordering::SeqCst);
        loop {
            let event = match changes.recv().await {
                Ok(event) => event,
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "la estación se atrasó en los avisos; se pone al día");
                    SpoolEvent::default()
                }
                Err(RecvError::Closed) => return,
            };
            if let Some(event) = self.hear(event).await {
                on_event(event);
            }
        }
    }

    /// When this station holds the reader's lease (taken for `lease`, renewed on each run): re-reads the
    /// spreadsheet, publishes what differs from the shared snapshot (people's edits by hand), keeps the result
    /// as the feed's checkpoint, and reconciles when an occupation changed that way. Answers whether it read.
    pub async fn reread_if_reader(&self, lease: Duration) -> Result<bool, SpoolError> {
        let Some(shared) = self.shared.as_ref().filter(|_| !self.view_only) else { return Ok(false) };
        if !self.lock.try_lead(READER_TASK, &self.station, lease).await? {
            return Ok(false);
        }
        let Some(copy) = shared.snapshot() else {
            self.sync_snapshot().await?;
            return Ok(true);
        };
        let patch = SnapshotPatch::of_reread(&copy, read_kept(shared).await?, copy.seq, self.clock_now());
        let occupation_changed = patch.changes_occupation();
        if patch.changes_anything() {
            tracing::info!(cells = patch.cells.len(), "la planilla cambió fuera de la aplicación");
        }
        self.publish(self.reread_event(patch.changed_tags(), patch)).await;
        if let Some(snapshot) = shared.snapshot() {
            self.feed.checkpoint(&snapshot).await?;
        }
        if occupation_changed {
            self.reconcile().await?;
        }
        self.give_history_if_lacking().await?;
        Ok(true)
    }

    /// Gives the feed the spreadsheet's whole audit when the history it keeps is not whole (the shop's first
    /// start, a Redis that lost its data, a write that could not be announced): one read of the audit tab.
    async fn give_history_if_lacking(&self) -> Result<(), SpoolError> {
        if self.feed.history_is_whole().await? {
            return Ok(());
        }
        self.give_history(&self.audit().await?).await;
        Ok(())
    }

    /// `kept`, the events the feed keeps (asked on the shared snapshot only), or else the spreadsheet's audit,
    /// which then makes the feed's history whole.
    pub(crate) async fn kept_or_audit(
        &self,
        kept: Option<Vec<spooltrack_domain::audit::AuditEvent>>,
    ) -> Result<Vec<spooltrack_domain::audit::AuditEvent>, SpoolError> {
        if let Some(events) = kept {
            return Ok(events);
        }
        let audit = self.audit().await?;
        if self.shared.is_some() {
            self.give_history(&audit).await;
        }
        Ok(audit)
    }

    /// Gives the feed `audit`, the spreadsheet's whole audit log, for the shop's history.
    async fn give_history(&self, audit: &[spooltrack_domain::audit::AuditEvent]) {
        match self.feed.keep_history(audit).await {
            Ok(()) => tracing::info!(events = audit.len(), "historial de la planta entregado a Redis"),
            Err(error) => tracing::warn!(code = ?error.code(), "no se pudo entregar el historial a Redis"),
        }
    }

    /// Starts from the copy kept on this PC, when there is one and nothing newer is in memory: the first screen
    /// never waits for the network. Answers when the kept data was read from the spreadsheet.
    pub async fn open_local_copy(&self) -> Result<Option<chrono::DateTime<chrono::Utc>>, SpoolError> {
        let (Some(shared), Some(keeper)) = (&self.shared, &self.keeper) else { return Ok(None) };
        let Some(kept) = keeper.load().await? else { return Ok(None) };
        let read_at = kept.read_at;
        self.kept_seq.store(kept.seq, Ordering::SeqCst);
        shared.install_if_empty(kept);
        Ok(read_at)
    }

    /// How old the data on screen is, in the shop's time: "datos de las 10:41 del 01-12-2026 (hace 3 min)".
    pub fn local_copy_age(&self) -> Option<String> {
        let read_at = self.shared_snapshot()?.read_at?;
        let local = read_at.with_timezone(&self.timezone()).naive_local();
        let minutes = (self.clock_now() - read_at).num_minutes().max(0);
        let (time, day) = (local.format("%H:%M"), spooltrack_domain::cell::format_date(local.date()));
        Some(format!("datos de las {time} del {day} (hace {minutes} min)"))
    }

    /// Keeps the copy in memory on this PC, when it changed since it was last kept.
    pub async fn save_local_copy(&self) -> Result<(), SpoolError> {
        let (Some(copy), Some(keeper)) = (self.shared_snapshot(), &self.keeper) else { return Ok(()) };
        if self.kept_seq.load(Ordering::SeqCst) == copy.seq {
            return Ok(());
        }
        keeper.save(&copy).await?;
        self.kept_seq.store(copy.seq, Ordering::SeqCst);
        Ok(())
    }

    /// Re-reads every refresh period while this station is the reader (the others look for a vanished reader
    /// every third of a period and take over within a period and two thirds), and keeps the copy on this PC.
    /// Returns at once for a station without a shared snapshot.
    pub async fn keep_shared_snapshot(&self) {
        let Some(period) = self.refresh_period else { return };
        let tick = period / 3;
        let mut last_read: Option<tokio::time::Instant> = None;
        loop {
            tokio::time::sleep(tick).await;
            if let Err(error) = self.save_local_copy().await {
                tracing::warn!(code = ?error.code(), "no se pudo guardar la copia local de la planta");
            }
            if last_read.is_some_and(|at| at.elapsed() + tick / 2 < period) {
                continue;
            }
            match self.reread_if_reader(period + tick).await {
                Ok(true) => last_read = Some(tokio::time::Instant::now()),
                Ok(false) => last_read = None,
                Err(error) => {
                    tracing::warn!(code = ?error.code(), "no se pudo releer la planilla; se reintentará");
                    last_read = None;
                }
            }
        }
    }

    fn reread_event(&self, tags: Vec<String>, patch: SnapshotPatch) -> SpoolEvent {
        SpoolEvent {
            tags,
            action: REREAD_ACTION.into(),
            worker: String::new(),
            station: self.station.clone(),
            seq: None,
            patch: Some(patch),
            audit: Vec::new(),
        }
    }
}

/// The three kept tabs read fresh from the store underneath.
async fn read_kept(shared: &SharedStore) -> Result<[Grid; 3], SpoolError> {
    let grids = shared.read_fresh(&KEPT).await?;
    grids.try_into().map_err(|_| SpoolError::SheetsUnavailable { reason: "faltan pestañas en la respuesta".into() })
}

/// The snapshot a log describes: its checkpoint (or its first event, when that one seeds every tab) and every
/// event after it, in order; none when the log has a gap.
fn replay(log: SnapshotLog) -> Option<Snapshot> {
    let seeds = |event: &SpoolEvent| {
        event
            .patch
            .as_ref()
            .is_some_and(|patch| patch.operaciones.is_some() && patch.trabajadores.is_some() && patch.roles.is_some())
    };
    let mut snapshot = match (log.checkpoint, log.events.first()) {
        (Some(checkpoint), _) => checkpoint,
        (None, Some(first)) if seeds(first) => Snapshot { seq: first.seq?.checked_sub(1)?, ..Snapshot::default() },
        (None, _) => return None,
    };
    for event in log.events {
        let seq = event.seq?;
        if seq <= snapshot.seq {
            continue;
        }
        if seq != snapshot.seq + 1 {
            return None;
        }
        snapshot.apply(seq, &event.patch.unwrap_or_default());
    }
    Some(snapshot)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(seq: u64, patch: SnapshotPatch) -> SpoolEvent {
        SpoolEvent { seq: Some(seq), patch: Some(patch), ..SpoolEvent::default() }
    }

    #[test]
    fn a_log_replays_from_its_checkpoint_or_its_seed_and_refuses_gaps() {
        let seed = SnapshotPatch::seed(Default::default(), 0, chrono::Utc::now());
        let empty = SnapshotPatch::default();
        let checkpoint = Snapshot { seq: 4, ..Snapshot::default() };
        let from = |checkpoint: Option<Snapshot>, events: Vec<SpoolEvent>| {
            replay(SnapshotLog { checkpoint, events }).map(|snapshot| snapshot.seq)
        };
        assert_eq!(from(Some(checkpoint.clone()), vec![event(4, empty.clone()), event(5, empty.clone())]), Some(5));
        assert_eq!(from(Some(checkpoint), vec![event(6, empty.clone())]), None, "event 5 is missing");
        assert_eq!(from(None, vec![event(3, seed), event(4, empty.clone())]), Some(4));
        assert_eq!(from(None, vec![event(3, empty)]), None, "no checkpoint and no seed");
        assert_eq!(from(None, Vec::new()), None);
    }
}
