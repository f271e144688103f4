//! What an action costs on Google Sheets, against the project's fake with Google-like latency on every call:
//! wall time and Sheets calls of a single TOMAR, of a batch TOMAR of 50 spools, and of the same 50 taken one
//! by one. `cargo bench -p spooltrack-sheets --bench actions`; figures are recorded in BENCHMARKS.md.
//!
//! Each scenario runs on a fresh station (its own request budget, the production default of 60 reads and 60
//! writes a minute) that has shown the spool list once, as a worker's screen has before anyone taps TOMAR.
//! "Station's own" is the wall time less the injected latency of each call and the fake's own work: what the
//! station spent deciding, locking, encoding and decoding (the loopback HTTP included).

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
/// The shop's size: 3,000 spools unless `SPOOLS` says otherwise (the reference shop had 400).
fn spools() -> usize {
    std::env::var("SPOOLS").ok().and_then(|count| count.parse().ok()).unwrap_or(3_000)
}

/// A fresh station that has listed the spools once, with the call log cleared after that.
async fn listed_station(shop: &SheetsShop) -> SpoolService {
    let station = shop.station(Tuning::default()).await;
    station.list(&ListFilter::default()).await.expect("list");
    shop.fake.clear_calls();
    station
}

/// What one scenario cost: its wall time, its Sheets calls and the fake's own work on them.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Cost {
    elapsed: Duration,
    reads: usize,
    writes: usize,
    fake: Duration,
}

impl Cost {
    fn of(shop: &SheetsShop, elapsed: Duration) -> Cost {
        Cost { elapsed, reads: shop.reads(), writes: shop.writes(), fake: shop.fake.own_time() }
    }

    fn report(&self, name: &str, spools: usize) {
        let ms = |duration: Duration| duration.as_secs_f64() * 1000.0;
        let waited = latency() * (self.reads + self.writes) as u32;
        let own = self.elapsed.saturating_sub(waited).saturating_sub(self.fake);
        println!(
            "{name:<38} {:>9.0} ms  {:>7.0} ms/spool  {:>3} reads  {:>3} writes  fake's own {:>5.1} ms  station's own {:>5.1} ms",
            ms(self.elapsed),
            ms(self.elapsed) / spools as f64,
            self.reads,
            self.writes,
            ms(self.fake),
            ms(own),
        );
    }
}

#[tokio::main]
async fn main() {
    let now = chrono::NaiveDate::from_ymd_opt(2025, 3, 7).and_then(|day| day.and_hms_opt(9, 0, 0)).expect("valid");
    let shop = SheetsShop::start(production_shop(spools(), now)).await;
    shop.fake.set_latency(latency());
    println!("{} spools, ~70 columns, {} ms per Sheets call", spools(), latency().as_millis());

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
        singles.push(Cost::of(&shop, started.elapsed()));
    }
    singles.sort();
    singles[singles.len() / 2].report("single TOMAR (median of 5)", 1);

    let station = listed_station(&shop).await;
    let batch = take(50);
    let started = Instant::now();
    let outcome = station.tomar_batch(&batch, AN_ARMADOR, Operation::Arm).await.expect("batch");
    assert_eq!(outcome.succeeded, 50);
    Cost::of(&shop, started.elapsed()).report("batch TOMAR of 50", 50);

    let station = listed_station(&shop).await;
    let started = Instant::now();
    for tag in take(50) {
        station.tomar(&tag, AN_ARMADOR, Operation::Arm).await.expect("taken");
    }
    Cost::of(&shop, started.elapsed()).report("50 single TOMARs, one after another", 50);
}
