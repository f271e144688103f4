//! Test support shared by every crate: fixtures for the four tabs, a clock tests move by hand, a store
//! wrapper that fails on demand and counts calls, the behaviour suite that every store/lock pair runs, and the
//! shop simulation that every deployment runs.

mod clock;
mod faults;
pub mod fixture;
mod harness;
pub mod production;
mod redis_server;
mod sheets_fake;
mod shop_to_connect;
pub mod simulation;
pub mod suite;
pub mod window;

pub use clock::ManualClock;
pub use faults::FaultyStore;
pub use harness::{Backend, HandEdit, Harness, Site};
pub use redis_server::RedisServer;
pub use sheets_fake::SheetsFake;
pub use shop_to_connect::ShopToConnect;
