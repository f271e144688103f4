//! Spooltrack's core: every action and query of the spec, depending only on the store, lock and clock traits.

mod actions;
pub mod config;
mod history;
mod ports;
mod queries;
mod service;
mod views;

pub use history::{SessionEnd, WorkSession};
pub use ports::{
    Acquisition, Change, Clock, Grant, HeldLock, Holder, LockService, LockToken, RowUpdate, Store, SystemClock,
};
pub use queries::{ListFilter, ListScope};
pub use service::SpoolService;
pub use views::{ActionOutcome, BatchEntry, BatchOutcome, SpoolView, MAX_BATCH};
