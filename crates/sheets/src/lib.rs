//! The Google Sheets side of the system of record: the real google-sheets4 client authenticated with a
//! service-account key, a request budget with retries, and the core's `Store` on top of them.

mod budget;
mod client;
mod doctor;
mod requests;
mod store;

pub use budget::Tuning;
pub use client::{service_account_email, SheetsClient, SheetsSettings, Spreadsheet, GOOGLE_ENDPOINT};
pub use store::SheetsStore;
