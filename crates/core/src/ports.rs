//! The I/O seams of the core: the system-of-record store, the lock service and the clock. Each has a real and
//! an embedded implementation; one behaviour suite runs against all of them.

use std::{fmt, sync::Arc, time::Duration};

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use specta::Type;
use spooltrack_domain::{
    audit::AuditEvent,
    schema::{ops, ColumnMap, ColumnSpec, Tab, TabNames},
    spool::find_row,
    worker::id_from_display_name,
    Cell, Grid, Operation, SpoolError, WorkerId,
};

/// New values for some columns of the row holding `tag`. The store finds the row and the columns by name at
/// write time; optional columns the tab lacks are skipped.
#[derive(Debug, Clone, PartialEq)]
pub struct RowUpdate {
    pub tag: String,
    pub cells: Vec<(&'static ColumnSpec, Cell)>,
    /// What the row's `version` must still say for the write to apply (checked when the tab has the column).
    pub guard: RowGuard,
}

/// The conditions a row update puts on the row as the store finds it at write time: on its `version` (checked
/// when the tab has the column) and on who occupies it. People edit the sheet, so neither is taken for granted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RowGuard {
    pub version: VersionGuard,
    pub occupation: OccupationGuard,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum VersionGuard {
    /// The holder's grant: another fence means a force-release moved the spool on (LOCK_LOST).
    Fence(u64),
    /// The version the decision was made on (blank when never taken): another one means the row changed
    /// since it was read, by another station or a person (ROW_CHANGED), and the decision must be made again.
    AsRead(Option<i64>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OccupationGuard {
    /// Whoever occupies it (a force-release).
    Any,
    /// Nobody: an occupation a person typed since the decision (the `version` stays as it was) is ROW_CHANGED,
    /// never overwritten.
    Free,
    /// This worker, as `Ocupado_Por` names them: a free row is NOT_OCCUPIED (the release already landed with its
    /// answer lost, or a person freed the row), a row a person gave to someone else is NOT_OWNER naming them.
    HeldBy(WorkerId),
    /// Nobody but this worker: a holder's release written over a row a person freed; a name typed since is
    /// NOT_OWNER naming it.
    FreeOrHeldBy(WorkerId),
}

impl RowGuard {
    /// TOMAR: the row as read, still free.
    pub fn free_as_read(version: Option<i64>) -> Self {
        RowGuard { version: VersionGuard::AsRead(version), occupation: OccupationGuard::Free }
    }

    /// A holder's release: their grant's fence, on the row still naming them.
    pub fn holding(fence: u64, worker: WorkerId) -> Self {
        RowGuard { version: VersionGuard::Fence(fence), occupation: OccupationGuard::HeldBy(worker) }
    }

    /// A release or a rebuilt lock decided on the row alone: the row as read, still naming `worker`.
    pub fn held_as_read(version: Option<i64>, worker: WorkerId) -> Self {
        RowGuard { version: VersionGuard::AsRead(version), occupation: OccupationGuard::HeldBy(worker) }
    }

    /// A supervisor's force-release: the row as read, whoever holds it.
    pub fn as_read(version: Option<i64>) -> Self {
        RowGuard { version: VersionGuard::AsRead(version), occupation: OccupationGuard::Any }
    }
}

/// Everything one action writes: applied atomically, so row and audit never disagree.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Change {
    pub rows: Vec<RowUpdate>,
    pub audit: Vec<AuditEvent>,
    /// A supervisor's new PIN hash, for the worker's row of Trabajadores.
    pub pin: Option<crate::PinChange>,
}

/// A row update placed in a tab as it stands now: the row's index in the grid, the new cells by column.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedRow {
    pub row: usize,
    pub cells: Vec<(usize, Cell)>,
}

impl Change {
    /// Finds each tag's row again by its id (people sort and insert rows) and each column by header, and checks
    /// each guard: SPOOL_NOT_FOUND for a tag no row holds, LOCK_LOST or ROW_CHANGED for a row whose `version`
    /// moved on, ROW_CHANGED, NOT_OCCUPIED or NOT_OWNER for a row occupied otherwise than the guard expects.
    /// Optional columns the tab lacks are skipped.
    pub fn place_rows(&self, grid: &Grid, map: &ColumnMap) -> Result<Vec<PlacedRow>, SpoolError> {
        self.rows
            .iter()
            .map(|update| {
                let row = find_row(grid, map, &update.tag)
                    .ok_or_else(|| SpoolError::SpoolNotFound { tag: update.tag.clone() })?;
                if let Some(column) = map.position(&ops::VERSION) {
                    let now = grid.cell(row, column).as_integer();
                    match update.guard.version {
                        VersionGuard::Fence(fence) if now != Ok(Some(fence as i64)) => {
                            return Err(SpoolError::LockLost { tag: update.tag.clone() })
                        }
                        VersionGuard::AsRead(version) if now != Ok(version) => {
                            return Err(SpoolError::RowChanged { tag: update.tag.clone() })
                        }
                        _ => {}
                    }
                }
                let holder = map.position(&ops::OCUPADO_POR).and_then(|column| grid.cell(row, column).as_text());
                match (update.guard.occupation, holder) {
                    (OccupationGuard::Free, Some(_)) => return Err(SpoolError::RowChanged { tag: update.tag.clone() }),
                    (OccupationGuard::HeldBy(_), None) => {
                        return Err(SpoolError::NotOccupied { tag: update.tag.clone() })
                    }
                    (OccupationGuard::HeldBy(worker) | OccupationGuard::FreeOrHeldBy(worker), Some(holder))
                        if id_from_display_name(&holder) != Some(worker) =>
                    {
                        return Err(SpoolError::NotOwner { tag: update.tag.clone(), holder })
                    }
                    _ => {}
                }
                let cells = update
                    .cells
                    .iter()
                    .filter_map(|(spec, value)| Some((map.position(spec)?, value.clone())))
                    .collect();
                Ok(PlacedRow { row, cells })
            })
            .collect()
    }
}

/// The system of record: the four tabs, found by header.
#[async_trait]
pub trait Store: Send + Sync {
    fn tab_names(&self) -> &TabNames;

    /// Reads the tabs asked for, in one round trip, in the order asked. A store may answer from a short-lived
    /// copy of what it read or wrote last.
    async fn read(&self, tabs: &[Tab]) -> Result<Vec<Grid>, SpoolError>;

    /// The same, shared with the copy the store keeps instead of copied out of it: a decision or a screen
    /// that only looks at the tabs (an action reads the whole Operaciones tab for one row) copies nothing.
    async fn read_shared(&self, tabs: &[Tab]) -> Result<Vec<Arc<Grid>>, SpoolError> {
        Ok(self.read(tabs).await?.into_iter().map(Arc::new).collect())
    }

    /// Reads the tabs as the source has them now, past any copy: for decisions a copy must not make (whether a
    /// lock is stale, a force-release, a reconcile run, a TOMAR decided again).
    async fn read_fresh(&self, tabs: &[Tab]) -> Result<Vec<Grid>, SpoolError> {
        self.invalidate();
        self.read(tabs).await
    }

    /// Applies every row update and audit append, or none of them. Right before each attempt is sent (after
    /// any wait for the request budget or a back-off), the store opens `gate`: a writer that no longer holds
    /// its spools sends nothing, and a force-release waits while the attempt is in flight. An attempt whose
    /// answer is lost and cannot be settled from the audit is OUTCOME_UNKNOWN.
    async fn write(&self, change: &Change, gate: &dyn WriteGate) -> Result<(), SpoolError>;

    /// The PIN hashes of Trabajadores (`PIN_Hash`), as the source has them now: reads blank them, so that no
    /// copy of the shop holds them.
    async fn pin_hashes(&self) -> Result<Vec<(WorkerId, crate::PinHash)>, SpoolError>;

    /// Something changed outside this station (another station's event, a reconcile run): the next read goes
    /// to the source instead of any copy.
    fn invalidate(&self) {}

    /// Whether this store's last call reached its source, without asking it again.
    fn reach(&self) -> Reach {
        Reach::Unknown
    }

    /// Whether a call is waiting its turn in the shop's request budget now.
    fn busy(&self) -> bool {
        false
    }

    /// `doctor`'s checks of the source itself (for a spreadsheet: the key, a token, the spreadsheet, its time
    /// zone against the station's), in the order a failure blocks the next; none for a source always at hand.
    async fn diagnose_source(&self, _timezone: &str) -> SourceDiagnosis {
        SourceDiagnosis { checks: Vec::new(), reachable: true }
    }
}

/// What `doctor` found of a store's source before reading its tabs.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceDiagnosis {
    pub checks: Vec<crate::DoctorCheck>,
    /// Whether the tabs can be read at all (no point waiting on each tab otherwise).
    pub reachable: bool,
}

/// What a store knows of its source from its own calls.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Reach {
    /// Nothing called yet, or a source that is always at hand (the embedded file).
    #[default]
    Unknown,
    Reached,
    /// Every call since `since` failed to get through.
    Lost {
        since: DateTime<Utc>,
    },
}

/// Who holds a spool, as the board and conflict messages show it. Never carries the token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct Holder {
    pub worker_id: WorkerId,
    /// `INICIALES(ID)`.
    pub worker: String,
    pub operation: Operation,
    pub station: String,
    /// Local time of the shop.
    #[specta(type = String)]
    pub since: NaiveDateTime,
}

/// The secret that proves a grant. It never reaches the sheet, the audit, the UI or a log line.
#[derive(Clone, PartialEq, Eq)]
pub struct LockToken(String);

impl LockToken {
    pub fn new(secret: String) -> Self {
        LockToken(secret)
    }

    pub fn random() -> Self {
        LockToken(uuid::Uuid::new_v4().simple().to_string())
    }

    /// For lock implementations only: the value they compare.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for LockToken {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("LockToken(***)")
    }
}

/// A lock granted to us: the token to prove it, the fence to stamp our writes with.
#[derive(Debug, Clone, PartialEq)]
pub struct Grant {
    pub token: LockToken,
    pub fence: u64,
}

/// A lock as it stands, for ownership checks.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldLock {
    pub holder: Holder,
    pub token: LockToken,
    pub fence: u64,
    /// Time since the grant, by the lock service's own clock (stations' clocks and time zones differ).
    pub age: Duration,
    /// Whether a write of this grant is in flight now (its gate open and its window not over).
    pub writing: bool,
}

/// What a force-release left behind: the lock it removed (to put back if the row cannot be written), and the
/// fence it moved to.
#[derive(Debug, Clone, PartialEq)]
pub struct ForcedRelease {
    pub previous: Option<HeldLock>,
    pub fence: u64,
}

/// Whether a write of a grant may be sent now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    Admitted,
    /// The token no longer holds the spool (force-released, or the lock service lost it).
    Lost,
    /// Another write of the same grant is in flight (the same worker acting at another station).
    Busy,
}

/// The answer of one force-release attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum ForceAttempt {
    Released(ForcedRelease),
    /// The holder's write is in flight (its gate is open): nothing was changed; try again when it is answered.
    WriteInFlight,
}

/// Opened by a store right before it sends an attempt of a write, closed when the attempt is answered.
#[async_trait]
pub trait WriteGate: Send + Sync {
    /// Whether the writer may still write: LOCK_LOST naming a spool whose lock moved on (nothing may be sent).
    /// Marks the write as in flight for at most `window`, the longest the attempt may take.
    async fn open(&self, window: Duration) -> Result<(), SpoolError>;

    /// The attempt was answered (or given up): a force-release need not wait for it any longer.
    async fn close(&self);
}

/// The gate of writers that hold no lock: a force-release, a reconcile correction.
pub struct NoGate;

#[async_trait]
impl WriteGate for NoGate {
    async fn open(&self, _window: Duration) -> Result<(), SpoolError> {
        Ok(())
    }

    async fn close(&self) {}
}

#[derive(Debug, Clone, PartialEq)]
pub enum Acquisition {
    Granted(Grant),
    Held(Holder),
}

/// One lock per spool, exclusive across every station; locks never expire on a timer.
#[async_trait]
pub trait LockService: Send + Sync {
    /// Takes each free spool for its own holder, atomically per spool, all in one call. A lock service whose
    /// mark is gone grants nothing (LOCK_DATA_LOST) until a reconcile run has restored it.
    async fn acquire(&self, requests: &[(String, Holder)]) -> Result<Vec<Acquisition>, SpoolError>;

    /// The current lock of each tag, if any.
    async fn inspect(&self, tags: &[String]) -> Result<Vec<Option<HeldLock>>, SpoolError>;

    /// Whether each token still holds its spool (a force-release in between answers false).
    async fn confirm(&self, grants: &[(String, LockToken)]) -> Result<Vec<bool>, SpoolError>;

    /// Releases each lock whose token matches; answers which were released.
    async fn release(&self, grants: &[(String, LockToken)]) -> Result<Vec<bool>, SpoolError>;

    /// The same, leaving alone a lock whose holder's write is in flight: a lock given back as left behind, decided
    /// on a row read before that write lands, must not overtake it.
    async fn release_idle(&self, grants: &[(String, LockToken)]) -> Result<Vec<bool>, SpoolError>;

    /// Marks the write of these grants by `writer` as in flight for `window`, when every grant admits it:
    /// its token still holds the spool and no other writer's mark is in force (otherwise nothing is marked).
    /// The same writer may mark again (a retry of its own write).
    async fn begin_write(
        &self,
        grants: &[(String, LockToken)],
        writer: &str,
        window: Duration,
    ) -> Result<Vec<Admission>, SpoolError>;

    /// Clears the in-flight mark `writer` left on these grants (another writer's mark stays).
    async fn end_write(&self, grants: &[(String, LockToken)], writer: &str) -> Result<(), SpoolError>;

    /// Removes whatever lock a spool has and bumps the fence, unless the holder's write is in flight;
    /// answers the previous lock and the new fence.
    async fn force_release(&self, tag: &str) -> Result<ForceAttempt, SpoolError>;

    /// Puts back a lock a force-release removed, when the release could not be written; answers false (and
    /// changes nothing) when the spool has a lock again.
    async fn restore(&self, tag: &str, lock: &HeldLock) -> Result<bool, SpoolError>;

    /// What `doctor` says about the lock service when it answers (version, persistence, latency).
    async fn health(&self) -> Result<String, SpoolError>;

    /// Takes (or renews) the lease of a periodic task for `station` unless another station holds it; answers
    /// whether this station leads. The lease ends by itself `lease` after it was last taken or renewed, so a
    /// station that vanished hands over.
    async fn try_lead(&self, task: &str, station: &str, lease: std::time::Duration) -> Result<bool, SpoolError>;

    /// Counts `attempt`, a supervisor's PIN typed at `station` (a wrong one adds one, a right one clears the
    /// count, a look changes nothing), and answers the station's count; a count is forgotten `kept` after its
    /// last wrong PIN. Kept with the locks, so a new process of the station (a command-line run) goes on from it.
    async fn pin_attempts(
        &self,
        station: &str,
        attempt: PinAttempt,
        kept: std::time::Duration,
    ) -> Result<PinTally, SpoolError>;

    /// The station that leads `task` now and how long its lease has left unless renewed; none when nobody
    /// does, or when this lock service has no leases (one PC, which leads every task).
    async fn leader(&self, _task: &str) -> Result<Option<(String, std::time::Duration)>, SpoolError> {
        Ok(None)
    }

    /// Every tag that has a lock, for the reconciler.
    async fn held_tags(&self) -> Result<Vec<String>, SpoolError>;

    /// Leaves the mark that says the lock service kept its data; answers whether it was already there (absent
    /// means a first start, or a lock service that lost everything, such as a Redis restarted without
    /// persistence). When it was absent, the fence counter (which then started again from zero) is first moved
    /// up to at least `fence_at_least`, the highest fence a row carries, so no new grant reuses one.
    async fn mark_intact(&self, fence_at_least: u64) -> Result<bool, SpoolError>;

    /// Records that `station` is alive at `at` (its heartbeat). Silence never frees a spool; it only shows.
    async fn beat(&self, station: &str, at: DateTime<Utc>) -> Result<(), SpoolError>;

    /// When each station last beat, if ever.
    async fn last_beats(&self, stations: &[String]) -> Result<Vec<Option<DateTime<Utc>>>, SpoolError>;
}

/// How fast a shared request budget refills: `calls` every `window`, at most `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub calls: u32,
    pub window: Duration,
    pub burst: u32,
}

/// A supervisor's PIN typed at a station, as the lock service counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinAttempt {
    Look,
    Wrong,
    Right,
}

impl PinAttempt {
    pub fn code(self) -> &'static str {
        match self {
            PinAttempt::Look => "look",
            PinAttempt::Wrong => "wrong",
            PinAttempt::Right => "right",
        }
    }
}

/// A station's wrong PINs in a row, and how long ago the last one was by the lock service's clock.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PinTally {
    pub wrong: u32,
    pub since_last: Duration,
}

/// A request budget every station of the shop draws from (the spreadsheet's quota belongs to the one service
/// account they share), kept where all of them reach it: the shop's Redis.
#[async_trait]
pub trait SharedBudget: Send + Sync {
    /// Takes one call from each bucket named, all at once: when one of them is empty, takes nothing and answers
    /// how long to wait before asking again. A write and the read that confirms its rows take their turns
    /// together, so neither is sent long after its turn.
    async fn take(&self, buckets: &[(&str, Rate)]) -> Result<Option<Duration>, SpoolError>;

    /// The calls left in the bucket `name` now, taking none (for doctor).
    async fn level(&self, name: &str, rate: Rate) -> Result<f64, SpoolError>;
}

/// Where a station keeps its last good copy of the shared snapshot (its local file), to start from at once
/// and to keep showing while the network is away.
#[async_trait]
pub trait SnapshotKeeper: Send + Sync {
    async fn load(&self) -> Result<Option<crate::Snapshot>, SpoolError>;

    async fn save(&self, snapshot: &crate::Snapshot) -> Result<(), SpoolError>;
}

/// Time, injectable so tests control it.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

#[cfg(test)]
mod tests {
    use spooltrack_domain::{layout::ShopLayout, schema::Tab};

    use super::*;

    #[test]
    fn guards_compare_the_row_version_and_occupation_at_write_time() {
        let mut shop = ShopLayout::default();
        shop.add_spool(&[(&ops::TAG, Cell::text("A")), (&ops::VERSION, Cell::Number(5.0))]);
        shop.add_spool(&[(&ops::TAG, Cell::text("B"))]);
        shop.add_spool(&[
            (&ops::TAG, Cell::text("H")),
            (&ops::VERSION, Cell::Number(7.0)),
            (&ops::OCUPADO_POR, Cell::text("MR(93)")),
        ]);
        let map = ColumnMap::of(Tab::Operaciones, "Operaciones", &shop.operaciones).expect("schema");
        let placed = |tag: &str, guard| {
            let update = RowUpdate { tag: tag.into(), cells: vec![(&ops::OCUPADO_POR, Cell::text("MR(93)"))], guard };
            Change { rows: vec![update], ..Change::default() }
                .place_rows(&shop.operaciones, &map)
                .map(|rows| rows[0].row)
        };
        let fence = |fence| RowGuard { version: VersionGuard::Fence(fence), occupation: OccupationGuard::Any };
        assert_eq!(placed("A", fence(5)), Ok(0));
        assert_eq!(placed("A", fence(4)), Err(SpoolError::LockLost { tag: "A".into() }));
        assert_eq!(placed("A", RowGuard::as_read(Some(5))), Ok(0));
        assert_eq!(placed("A", RowGuard::as_read(None)), Err(SpoolError::RowChanged { tag: "A".into() }));
        assert_eq!(placed("B", RowGuard::free_as_read(None)), Ok(1), "never taken, still blank");
        assert_eq!(placed("A", RowGuard::holding(5, 93)), Err(SpoolError::NotOccupied { tag: "A".into() }), "free");
        assert_eq!(placed("C", RowGuard::as_read(None)), Err(SpoolError::SpoolNotFound { tag: "C".into() }));
        // The same version, an occupation a person typed: never overwritten, never released by another.
        assert_eq!(placed("H", RowGuard::free_as_read(Some(7))), Err(SpoolError::RowChanged { tag: "H".into() }));
        assert_eq!(placed("H", RowGuard::holding(7, 93)), Ok(2));
        assert_eq!(
            placed("H", RowGuard::holding(7, 94)),
            Err(SpoolError::NotOwner { tag: "H".into(), holder: "MR(93)".into() })
        );
        assert_eq!(placed("H", RowGuard::held_as_read(Some(7), 93)), Ok(2));
        assert_eq!(placed("H", RowGuard::as_read(Some(7))), Ok(2), "a force-release frees whoever holds it");
        let over_a_freed_row =
            |worker| RowGuard { version: VersionGuard::Fence(7), occupation: OccupationGuard::FreeOrHeldBy(worker) };
        assert_eq!(placed("H", over_a_freed_row(93)), Ok(2));
        assert_eq!(
            placed("H", over_a_freed_row(94)),
            Err(SpoolError::NotOwner { tag: "H".into(), holder: "MR(93)".into() })
        );
    }

    #[test]
    fn tokens_never_print_their_secret() {
        let token = LockToken::new("s3cr3t".into());
        assert_eq!(format!("{token:?}"), "LockToken(***)");
    }
}
