//! The service every host (window, CLI, tests) drives: built once with its store, lock and clock.

use std::sync::{
    atomic::{AtomicBool, Ordering},
    Arc,
};

use chrono::NaiveDateTime;
use chrono_tz::Tz;
use spooltrack_domain::{
    audit::{decode_events, AuditEvent},
    schema::{ColumnMap, Tab},
    spool::{decode_spools, decode_spools_of},
    worker::decode_workers,
    ErrorCode, Grid, Operation, Spool, SpoolError, SpoolRecord, Worker,
};

use crate::{
    feed::ChangeFeed, shared::PatchOutcome, Change, Clock, LocalFeed, LockService, SharedStore, SnapshotKeeper,
    SnapshotPatch, SpoolEvent, Store, WriteGate,
};

pub struct SpoolService {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) lock: Arc<dyn LockService>,
    clock: Arc<dyn Clock>,
    pub(crate) station: String,
    timezone: Tz,
    pub(crate) feed: Arc<dyn ChangeFeed>,
    heartbeat: chrono::Duration,
    /// The shop's shared snapshot, when the feed keeps one: screens read from it, not from the spreadsheet.
    pub(crate) shared: Option<Arc<SharedStore>>,
    /// Where the last good copy of it is kept on this PC, and the number of the copy kept there.
    pub(crate) keeper: Option<Arc<dyn SnapshotKeeper>>,
    pub(crate) kept_seq: std::sync::atomic::AtomicU64,
    /// How often the shop's reader re-reads the spreadsheet, on the shared snapshot.
    pub(crate) refresh_period: Option<std::time::Duration>,
    /// What the banner was last told.
    pub(crate) connection: tokio::sync::watch::Sender<crate::ConnectionState>,
    /// Whether something follows the feed for this station (a window does; a command-line run does not).
    pub(crate) following: AtomicBool,
    /// A viewer station: it shows, it never acts, reads the spreadsheet or leads a shop-wide task.
    pub(crate) view_only: bool,
    /// A write of this station reached the spreadsheet but not the feed: the history the feed keeps lacks its
    /// audit rows until the shop's reader gives it the audit again.
    history_in_doubt: AtomicBool,
    /// How old a lock must be before it counts as left behind (see [`SpoolService::with_reconcile_grace`]).
    pub(crate) reconcile_grace: std::time::Duration,
}

/// How long an action waits for the feed to bring the patches numbered before its own before it reads the
/// shop's log instead.
const CATCH_UP: std::time::Duration = std::time::Duration::from_secs(1);

/// How often a station says it is alive unless configured otherwise; three missed beats make it silent.
pub const DEFAULT_HEARTBEAT_SECONDS: u32 = 30;

/// What one read of the store says about the shop.
pub(crate) struct Shop {
    pub spools: Vec<SpoolRecord>,
    pub workers: Vec<Worker>,
    pub events: Vec<AuditEvent>,
}

impl Shop {
    pub fn record(&self, tag: &str) -> Result<&SpoolRecord, SpoolError> {
        self.spools
            .iter()
            .find(|record| record.tag() == tag)
            .ok_or_else(|| SpoolError::SpoolNotFound { tag: tag.to_string() })
    }

    /// The readable spool, SPOOL_NOT_FOUND when no row has the tag, DATA_CORRUPT when its row cannot be read.
    pub fn spool(&self, tag: &str) -> Result<&Spool, SpoolError> {
        self.record(tag)?.spool()
    }

    /// The operation of a spool's occupation as its row says, narrowed by what the holder's roles allow.
    pub fn occupied_operation(&self, spool: &Spool) -> Result<Option<Operation>, SpoolError> {
        let holder = spool.holder_id().and_then(|id| self.workers.iter().find(|worker| worker.id == id));
        spool.occupied_operation(&holder.map_or(Operation::ALL.to_vec(), Worker::operations))
    }
}

impl SpoolService {
    pub fn new(
        store: Arc<dyn Store>,
        lock: Arc<dyn LockService>,
        clock: Arc<dyn Clock>,
        station: impl Into<String>,
        timezone: Tz,
    ) -> Self {
        let feed = Arc::new(LocalFeed::default());
        let heartbeat = chrono::Duration::seconds(i64::from(DEFAULT_HEARTBEAT_SECONDS));
        SpoolService {
            store,
            lock,
            clock,
            station: station.into(),
            timezone,
            feed,
            heartbeat,
            shared: None,
            keeper: None,
            kept_seq: std::sync::atomic::AtomicU64::new(u64::MAX),
            refresh_period: None,
            connection: tokio::sync::watch::Sender::new(crate::ConnectionState::default()),
            view_only: false,
            following: AtomicBool::new(false),
            history_in_doubt: AtomicBool::new(false),
            reconcile_grace: crate::reconcile::GRACE,
        }
    }

    /// Serves screens from the shop's shared snapshot, kept in step through the feed (the shop's Redis) and
    /// re-read by the shop's one reader every `refresh`: the spreadsheet is then read by the actions'
    /// confirmations and that reader only.
    pub fn with_shared_snapshot(mut self, refresh: std::time::Duration) -> Self {
        let shared = Arc::new(SharedStore::new(self.store.clone()));
        self.store = shared.clone();
        self.shared = Some(shared);
        self.refresh_period = Some(refresh);
        self
    }

    /// Makes this a viewer station: actions answer that it only shows, and it never takes the reader's or the
    /// reconciler's lease (it cannot read the spreadsheet).
    pub fn view_only(mut self) -> Self {
        self.view_only = true;
        self
    }

    /// Keeps the last good copy of the shared snapshot in `keeper` (the station's file), to start from it at
    /// once and to keep showing it while the network is away.
    pub fn with_local_copy(mut self, keeper: Arc<dyn SnapshotKeeper>) -> Self {
        self.keeper = Some(keeper);
        self
    }

    /// How old a lock must be (by the lock service's clock) before it counts as left behind: the reconciler then
    /// corrects it, a TOMAR of its free row or the worker its row names takes it over. Two minutes, so an action
    /// still on its way is left alone. A simulation of seconds shortens it; fences keep it safe anyway.
    pub fn with_reconcile_grace(mut self, grace: std::time::Duration) -> Self {
        self.reconcile_grace = grace;
        self
    }

    /// Sets how often this station's host calls [`SpoolService::heartbeat`].
    pub fn with_heartbeat(mut self, seconds: u32) -> Self {
        self.heartbeat = chrono::Duration::seconds(i64::from(seconds.max(1)));
        self
    }

    pub fn heartbeat_period(&self) -> std::time::Duration {
        self.heartbeat.to_std().unwrap_or(std::time::Duration::from_secs(u64::from(DEFAULT_HEARTBEAT_SECONDS)))
    }

    /// Says this station is alive; hosts with a screen call it every heartbeat period.
    pub async fn heartbeat(&self) -> Result<(), SpoolError> {
        self.lock.beat(&self.station, self.clock.now()).await
    }

    /// When a holder's station last gave a sign of life, if that was more than three heartbeats ago (or never,
    /// counting from when it took the spool). Local time text, for the board.
    pub(crate) fn silent_since(
        &self,
        holder: &crate::Holder,
        last_beat: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Option<String> {
        let local = |moment: chrono::DateTime<chrono::Utc>| moment.with_timezone(&self.timezone).naive_local();
        let since = match last_beat {
            Some(beat) if self.clock.now() - beat <= self.heartbeat * 3 => return None,
            Some(beat) => local(beat),
            None => holder.since,
        };
        Some(spooltrack_domain::cell::format_date_time(since))
    }

    /// Announces changes through `feed` (the shop's Redis) instead of this process only.
    pub fn with_feed(mut self, feed: Arc<dyn ChangeFeed>) -> Self {
        self.feed = feed;
        self
    }

    /// Changes announced by every station this one hears, its own included.
    pub fn changes(&self) -> tokio::sync::broadcast::Receiver<SpoolEvent> {
        self.feed.subscribe()
    }

    /// Tells every station that these spools changed, with the cells `change` wrote for the shared snapshot.
    /// The action has already happened, so a feed that cannot be reached is logged, not reported as a failure
    /// of the action (the shop's reader brings the change to every copy within one period).
    pub(crate) async fn announce(&self, tags: Vec<String>, action: &str, worker: String, change: &Change) {
        if tags.is_empty() {
            return;
        }
        let patch = self.shared.as_ref().map(|_| {
            // Only the rows that were written: a batch's failed rows stay as they were.
            let rows = change.rows.iter().filter(|row| tags.contains(&row.tag)).cloned().collect();
            SnapshotPatch::of_change(&Change { rows, ..Change::default() })
        });
        let audit = change.audit.iter().filter(|event| tags.contains(&event.tag)).cloned().collect();
        let event = SpoolEvent {
            tags,
            action: action.to_string(),
            worker,
            station: self.station.clone(),
            seq: None,
            patch,
            audit,
        };
        self.publish(event).await;
    }

    /// Tells the feed its history may lack this station's unannounced writes, once the feed can be reached.
    pub(crate) async fn settle_history_doubt(&self) {
        if self.history_in_doubt.swap(false, Ordering::SeqCst) && self.feed.doubt_history().await.is_err() {
            self.history_in_doubt.store(true, Ordering::SeqCst);
        }
    }

    /// Writes through the store. A write whose outcome is unknown may have landed without being announced, so
    /// the history the feed keeps may lack its audit rows: until the shop's reader gives it the audit again,
    /// histories are read from the audit.
    pub(crate) async fn write(&self, change: &Change, gate: &dyn WriteGate) -> Result<(), SpoolError> {
        let written = self.store.write(change, gate).await;
        if matches!(&written, Err(error) if error.code() == ErrorCode::OutcomeUnknown) && !change.audit.is_empty() {
            self.history_in_doubt.store(true, Ordering::SeqCst);
            self.settle_history_doubt().await;
        }
        written
    }

    /// Publishes an event and, when it got a number in the shop's sequence, applies its patch to this
    /// station's copy at once (hearing it back then changes nothing).
    pub(crate) async fn publish(&self, mut event: SpoolEvent) {
        match self.feed.publish(&event).await {
            Ok(seq) => {
                self.settle_history_doubt().await;
                let Some(((shared, seq), patch)) = self.shared.as_ref().zip(seq).zip(event.patch.take()) else {
                    return;
                };
                let caught_up = match shared.apply(seq, &patch).await {
                    PatchOutcome::Applied => true,
                    // A number this copy already passed: the shop's sequence started again (Redis lost its data).
                    PatchOutcome::AlreadyHad => false,
                    // Other stations' patches numbered before this one are on their way: this station's next
                    // screen and next action must see its own change, so wait for the feed to bring them.
                    PatchOutcome::Gap => self.following.load(Ordering::SeqCst) && shared.reached(seq, CATCH_UP).await,
                };
                if !caught_up {
                    if let Err(error) = self.sync_snapshot().await {
                        tracing::warn!(code = ?error.code(), "no se pudo poner al día la copia compartida");
                    }
                }
            }
            Err(error) => {
                tracing::warn!(
                    code = ?error.code(),
                    action = %event.action,
                    "no se pudo anunciar el cambio a las demás estaciones"
                );
                if !event.audit.is_empty() {
                    self.history_in_doubt.store(true, Ordering::SeqCst);
                }
            }
        }
    }

    pub fn station(&self) -> &str {
        &self.station
    }

    pub fn timezone(&self) -> Tz {
        self.timezone
    }

    pub(crate) fn clock_now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// The shop's local time, in which every date and timestamp is written.
    pub(crate) fn now(&self) -> NaiveDateTime {
        self.clock.now().with_timezone(&self.timezone).naive_local()
    }

    /// Reads spools and workers in one store call; the store may answer from a copy (the shared snapshot, a
    /// few seconds' cache).
    pub(crate) async fn load(&self) -> Result<Shop, SpoolError> {
        self.load_tabs(false, false, None).await
    }

    /// The same, as the source has it now.
    pub(crate) async fn load_fresh(&self) -> Result<Shop, SpoolError> {
        self.load_tabs(false, true, None).await
    }

    /// Spools, workers and the whole audit log in one store call (the audit as the source has it now).
    pub(crate) async fn load_with_audit(&self) -> Result<Shop, SpoolError> {
        self.load_tabs(true, false, None).await
    }

    /// The spools of `tags` only (an action's own), the workers, and the audit log when asked; `fresh` as the
    /// source has them now.
    pub(crate) async fn load_of(&self, tags: &[String], with_audit: bool, fresh: bool) -> Result<Shop, SpoolError> {
        self.load_tabs(with_audit, fresh, Some(tags)).await
    }

    /// The spreadsheet's audit log, as it is now (no copy keeps the audit).
    pub(crate) async fn audit(&self) -> Result<Vec<AuditEvent>, SpoolError> {
        let grid = self.store.read(&[Tab::Metadata]).await?.remove(0);
        let map = ColumnMap::of(Tab::Metadata, self.store.tab_names().name(Tab::Metadata), &grid)?;
        Ok(decode_events(&grid, &map))
    }

    async fn load_tabs(&self, with_audit: bool, fresh: bool, only: Option<&[String]>) -> Result<Shop, SpoolError> {
        let mut tabs = vec![Tab::Operaciones, Tab::Trabajadores, Tab::Roles];
        if with_audit {
            tabs.push(Tab::Metadata);
        }
        let grids: Vec<Arc<Grid>> = if fresh {
            self.store.read_fresh(&tabs).await?.into_iter().map(Arc::new).collect()
        } else {
            self.store.read_shared(&tabs).await?
        };
        let located = |index: usize| -> Result<(&Grid, ColumnMap), SpoolError> {
            let tab = tabs[index];
            let grid = grids.get(index).ok_or_else(|| SpoolError::SheetsUnavailable {
                reason: format!("la pestaña {} no llegó", self.store.tab_names().name(tab)),
            })?;
            Ok((grid, ColumnMap::of(tab, self.store.tab_names().name(tab), grid)?))
        };
        let (operaciones, ops_map) = located(0)?;
        let (people, people_map) = located(1)?;
        let (roles, roles_map) = located(2)?;
        let events = if with_audit {
            let (metadata, audit_map) = located(3)?;
            decode_events(metadata, &audit_map)
        } else {
            Vec::new()
        };
        Ok(Shop {
            spools: match only {
                Some(tags) => decode_spools_of(operaciones, &ops_map, tags),
                None => decode_spools(operaciones, &ops_map),
            },
            workers: decode_workers(people, &people_map, roles, &roles_map),
            events,
        })
    }
}
