//! The embedded default of SPEC §7: one SQLite file holds the same four tabs and columns as the spreadsheet
//! and the spool locks, so the window and the CLI can share it on one PC without any server.

mod database;
pub mod demo;
mod kept;
mod lock;
mod store;

pub use database::Database;
pub use kept::KeptSnapshot;
pub use lock::EmbeddedLock;
pub use store::EmbeddedStore;
