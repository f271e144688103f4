//! What an action costs on Google Sheets, against the project's fake with Google-like latency on every call:
//! wall time and Sheets calls of a single TOMAR, of a batch TOMAR of 50 spools, and of the same 50 taken one
//! by one. `cargo bench -p spooltrack-sheets --bench actions`; figures are recorded in BENCHMARKS.md.
//!
//! Each scenario runs on a fresh station (its own request budget, the production default of 60 reads and 60
//! writes a minute) that has shown the spool list once, as a worker's screen has before anyone taps TOMAR.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::SheetsShop;
use spooltrack_core::{ListFilter, ListScope, SpoolService};
use spooltrack_domain::Operation;
use spooltrack_sheets::Tuning;
use spooltrack_testkit::production::{production_shop, AN_ARMADOR};

/// Google's round trip from a shop; `LATENCY_MS` overrides it (0 shows what the app and the fake cost alone).
fn latency() -> Duration {
    Duration::from_millis(std::env::var("LATENCY_MS").ok().and_then(|ms| ms.parse().ok()).unwrap_or(150))
}
const SPOOLS: usize = 3_000;

/// A fresh station that has listed the spools once, with the call log cleared after that.
async fn listed_station(shop: &SheetsShop) -> SpoolService {
    let station = shop.station(Tuning::default()).await;
    station.list(&ListFilter::default()).await.expect("list");
    shop.fake.clear_calls();
    station
}

fn report(name: &str, elapsed: Duration, spools: usize, (reads, writes): (usize, usize)) {
    println!(
        "{name:<38} {:>9.0} ms  {:>7.0} ms/spool  {reads:>3} reads  {writes:>3} writes",
        elapsed.as_secs_f64() * 1000.0,
        elapsed.as_secs_f64() * 1000.0 / spools as f64,
    );
}

#[tokio::main]
async fn main() {
    let now = chrono::NaiveDate::from_ymd_opt(2025, 3, 7).and_then(|day| day.and_hms_opt(9, 0, 0)).expect("valid");
    let shop = SheetsShop::start(production_shop(SPOOLS, now)).await;
    shop.fake.set_latency(latency());
    let cost = || (shop.reads(), shop.writes());
    println!("{SPOOLS} spools, ~70 columns, {} ms per Sheets call", latency().as_millis());

    let probe = listed_station(&shop).await;
    let available = ListFilter { operation: Some(Operation::Arm), scope: ListScope::Available, ..Default::default() };
    let mut tags: Vec<String> = probe.list(&available).await.expect("list").into_iter().map(|view| view.tag).collect();
    assert!(tags.len() >= 105, "enough spools ready for ARM");
    let mut take = |count: usize| tags.drain(..count).collect::<Vec<String>>();

    // The single TOMAR is short enough to repeat: the median of five, each on a fresh station.
    let mut singles = Vec::new();
    for tag in take(5) {
        let station = listed_station(&shop).await;
        let started = Instant::now();
        station.tomar(&tag, AN_ARMADOR, Operation::Arm).await.expect("taken");
        singles.push((started.elapsed(), cost()));
    }
    singles.sort();
    let (median, single_cost) = singles[singles.len() / 2];
    report("single TOMAR (median of 5)", median, 1, single_cost);

    let station = listed_station(&shop).await;
    let batch = take(50);
    let started = Instant::now();
    let outcome = station.tomar_batch(&batch, AN_ARMADOR, Operation::Arm).await.expect("batch");
    assert_eq!(outcome.succeeded, 50);
    report("batch TOMAR of 50", started.elapsed(), 50, cost());

    let station = listed_station(&shop).await;
    let started = Instant::now();
    for tag in take(50) {
        station.tomar(&tag, AN_ARMADOR, Operation::Arm).await.expect("taken");
    }
    report("50 single TOMARs, one after another", started.elapsed(), 50, cost());
}
