//! Spooltrack's domain: the shop's words and rules, free of any I/O so every rule is testable on its own.

pub mod a1;
pub mod audit;
pub mod cell;
pub mod error;
pub mod grid;
pub mod header;
pub mod layout;
pub mod operation;
pub mod schema;
pub mod spool;
pub mod worker;

pub use cell::Cell;
pub use error::{ErrorCode, ErrorDetails, ErrorPayload, SpoolError};
pub use grid::Grid;
pub use operation::Operation;
pub use spool::{Spool, SpoolRecord, Stage};
pub use worker::{pin_cell, pin_hashes, require_worker, Role, Worker, WorkerId};
