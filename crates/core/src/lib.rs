//! Spooltrack's core: every action and query of the spec, depending only on the store, lock and clock traits.

mod actions;
pub mod config;
mod doctor;
mod feed;
mod history;
mod ports;
mod queries;
mod reconcile;
mod service;
mod views;

pub use doctor::{DoctorCheck, DoctorReport};
pub use feed::{ChangeFeed, LocalFeed, SpoolEvent, FEED_BACKLOG};
pub use history::{SessionEnd, WorkSession};
pub use ports::{
    Acquisition, Admission, Change, Clock, ForceAttempt, ForcedRelease, Grant, HeldLock, Holder, LockService,
    LockToken, NoGate, PlacedRow, RowGuard, RowUpdate, Store, SystemClock, WriteGate,
};
pub use queries::{ListFilter, ListScope};
pub use reconcile::{describe as describe_reconciliation, ReconcileReport};
pub use service::{SpoolService, DEFAULT_HEARTBEAT_SECONDS};
pub use views::{parse_fecha, ActionOutcome, BatchEntry, BatchOutcome, SpoolView, WorkerView, MAX_BATCH};
