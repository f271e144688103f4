//! Spooltrack's core: every action and query of the spec, depending only on the store, lock and clock traits.

mod actions;
mod activity;
mod background;
mod connection;
mod crew;
mod doctor;
mod export;
mod feed;
mod history;
mod offline;
mod paused;
mod pin;
mod ports;
mod progress;
mod queries;
mod reconcile;
mod service;
mod shared;
mod snapshot;
mod sync;
mod views;

pub use activity::{ActivityEntry, ACTIVITY_LIMIT};
pub use connection::{ConnectionState, Outage, Service};
pub use crew::CrewMember;
pub use doctor::{DoctorCheck, DoctorReport};
pub use export::{sessions_csv, ExportFilter, ShopSession};
pub use feed::{ChangeFeed, LocalFeed, SnapshotLog, SpoolEvent, FEED_BACKLOG};
pub use history::{SessionEnd, WorkSession};
pub use offline::{OfflineLock, OfflineStore};
pub use paused::PausedSpool;
pub use pin::{Pin, PinChange, PinHash, FREE_ATTEMPTS, PIN_MAX_DIGITS, PIN_MIN_DIGITS};
pub use ports::{
    Acquisition, Admission, Change, Clock, ForceAttempt, ForcedRelease, Grant, HeldLock, Holder, LockService,
    LockToken, NoGate, OccupationGuard, PinAttempt, PinTally, PlacedRow, Rate, Reach, RowGuard, RowUpdate,
    SharedBudget, SnapshotKeeper, SourceDiagnosis, Store, SystemClock, VersionGuard, WriteGate,
};
pub use progress::{NvProgress, OtProgress, StageCounts};
pub use queries::{ListFilter, ListScope};
pub use reconcile::{describe as describe_reconciliation, ReconcileReport};
pub use service::{SpoolService, DEFAULT_HEARTBEAT_SECONDS};
pub use shared::SharedStore;
pub use snapshot::{CellUpdate, Snapshot, SnapshotPatch};
pub use sync::DEFAULT_REFRESH_SECONDS;
pub use views::{parse_fecha, ActionOutcome, BatchEntry, BatchOutcome, SpoolState, SpoolView, WorkerView, MAX_BATCH};
