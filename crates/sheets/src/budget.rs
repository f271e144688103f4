//! How the client treats Google's limits: a request budget for every call of this station and, with Redis, one
//! shared by every station of the shop (its service account allows 60 reads and 60 writes a minute for
//! everyone), and retries with exponential backoff and jitter. A burst waits for its turn instead of failing;
//! only a long wait or a storm of 429s gives up.

use std::{
    num::NonZeroU32,
    sync::{
        atomic::{AtomicU64, AtomicUsize, Ordering},
        Arc,
    },
    time::Duration,
};

use backon::{BackoffBuilder, ExponentialBuilder};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use spooltrack_core::{Rate, SharedBudget};
use spooltrack_domain::SpoolError;

/// The knobs of the client's patience. Production uses the defaults; tests shrink the delays.
#[derive(Debug, Clone, PartialEq)]
pub struct Tuning {
    /// Reads this station may make per minute.
    pub reads_per_minute: u32,
    /// Writes this station may make per minute.
    pub writes_per_minute: u32,
    /// Google's "minute": tests shrink it to see a quota refill within seconds.
    pub quota_window: Duration,
    /// The longest a call waits for the budget before giving up with SHEETS_QUOTA.
    pub budget_wait: Duration,
    /// How long one call may take before its answer counts as lost.
    pub request_timeout: Duration,
    /// The first retry's delay; each next one doubles, up to `max_delay`, with jitter.
    pub first_delay: Duration,
    pub max_delay: Duration,
    pub retries: usize,
    /// How long workers and roles are served from memory.
    pub people_max_age: Duration,
    /// How long spools are served from memory when nothing said they changed.
    pub spools_max_age: Duration,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            reads_per_minute: 60,
            writes_per_minute: 60,
            quota_window: Duration::from_secs(60),
            budget_wait: Duration::from_secs(20),
            request_timeout: Duration::from_secs(10),
            // About five seconds of retries in all: long enough for a blip, short enough for a worker waiting.
            first_delay: Duration::from_millis(300),
            max_delay: Duration::from_secs(3),
            retries: 4,
            people_max_age: Duration::from_secs(300),
            spools_max_age: Duration::from_secs(5),
        }
    }
}

impl Tuning {
    /// The delays between attempts: exponential with jitter, `retries` of them.
    pub(crate) fn backoff(&self) -> impl Iterator<Item = Duration> {
        ExponentialBuilder::default()
            .with_min_delay(self.first_delay)
            .with_max_delay(self.max_delay)
            .with_max_times(self.retries)
            .with_jitter()
            .build()
    }
}

/// Google counts reads and writes against separate quotas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Read,
    Write,
}

pub(crate) struct Budget {
    reads: DefaultDirectRateLimiter,
    writes: DefaultDirectRateLimiter,
    rates: [Rate; 2],
    wait: Duration,
    /// The shop's budget, when its Redis keeps one.
    shop: Option<Arc<dyn SharedBudget>>,
    /// Calls of this station waiting their turn in the shop's budget now.
    waiting: AtomicUsize,
    /// Reads and writes this station was allowed since it opened.
    spent: [AtomicU64; 2],
}

impl Budget {
    pub fn new(tuning: &Tuning) -> Budget {
        // A burst of a sixth of the quota, and a refill of the rest: no window of Google's ever sees more than
        // the quota (a token bucket lets its burst plus a window's refill through in one window).
        let rate = |calls: u32| {
            let burst = (calls / 6).max(1);
            Rate { calls: calls.saturating_sub(burst).max(1), window: tuning.quota_window, burst }
        };
        let rates = [rate(tuning.reads_per_minute), rate(tuning.writes_per_minute)];
        let (reads, writes) = (limiter(rates[0]), limiter(rates[1]));
        let spent = [AtomicU64::new(0), AtomicU64::new(0)];
        Budget { reads, writes, rates, wait: tuning.budget_wait, shop: None, waiting: AtomicUsize::new(0), spent }
    }

    pub fn share(&mut self, shop: Arc<dyn SharedBudget>) {
        self.shop = Some(shop);
    }

    /// Whether a call of this station is waiting its turn in the shop's budget ("Google Sheets ocupado").
    pub fn busy(&self) -> bool {
        self.waiting.load(Ordering::SeqCst) > 0
    }

    /// Waits for the budget to allow one more call of each of `kinds` at once (this station's, then the shop's);
    /// SHEETS_QUOTA when that would take too long. A shop budget that cannot be reached leaves this station's own.
    pub async fn spend(&self, kinds: &[Kind]) -> Result<(), SpoolError> {
        self.wait_turn(kinds).await?;
        for kind in kinds {
            self.spent[*kind as usize].fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }

    /// What doctor says of the budget: this station's calls since it opened, and the calls the shop may make
    /// at once now (an error when the shop's budget cannot be reached).
    pub async fn describe(&self) -> Result<String, String> {
        let [reads, writes] = [Kind::Read, Kind::Write].map(|kind| self.spent[kind as usize].load(Ordering::Relaxed));
        let own = format!("llamadas de esta estación desde que abrió: {reads} de lectura y {writes} de escritura");
        let refill = |rate: Rate| format!("{} cada {} s", rate.calls, rate.window.as_secs());
        let Some(shop) = &self.shop else {
            let [read_rate, write_rate] = self.rates;
            return Ok(format!(
                "{own}; cupo de esta estación: {} lecturas y {} escrituras",
                refill(read_rate),
                refill(write_rate)
            ));
        };
        let mut left = Vec::new();
        for kind in [Kind::Read, Kind::Write] {
            let (_, rate, bucket) = self.bucket(kind);
            match shop.level(bucket, rate).await {
                Ok(calls) => {
                    left.push(format!("{:.0} de {} {bucket} (se reponen {})", calls.floor(), rate.burst, refill(rate)))
                }
                Err(error) => {
                    return Err(format!("{own}; el cupo de la planta en Redis no responde ({})", error.diagnosis()))
                }
            }
        }
        Ok(format!("{own}; la planta puede hacer ya {}", left.join(" y ")))
    }

    fn bucket(&self, kind: Kind) -> (&DefaultDirectRateLimiter, Rate, &'static str) {
        match kind {
            Kind::Read => (&self.reads, self.rates[0], "lecturas"),
            Kind::Write => (&self.writes, self.rates[1], "escrituras"),
        }
    }

    async fn wait_turn(&self, kinds: &[Kind]) -> Result<(), SpoolError> {
        let deadline = tokio::time::Instant::now() + self.wait;
        let exhausted = || {
            tracing::warn!(?kinds, "presupuesto de llamadas a la planilla agotado");
            SpoolError::SheetsQuota
        };
        for kind in kinds {
            let (limiter, _, _) = self.bucket(*kind);
            tokio::time::timeout_at(deadline, limiter.until_ready()).await.map_err(|_| exhausted())?;
        }
        let Some(shop) = &self.shop else { return Ok(()) };
        let buckets: Vec<(&str, Rate)> = kinds
            .iter()
            .map(|kind| {
                let (_, rate, bucket) = self.bucket(*kind);
                (bucket, rate)
            })
            .collect();
        loop {
            match shop.take(&buckets).await {
                Ok(None) => return Ok(()),
                Ok(Some(wait)) if tokio::time::Instant::now() + wait <= deadline => {
                    tracing::info!(?kinds, wait_ms = wait.as_millis() as u64, "Google Sheets ocupado, reintentando…");
                    self.waiting.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(wait).await;
                    self.waiting.fetch_sub(1, Ordering::SeqCst);
                }
                Ok(Some(_)) => return Err(exhausted()),
                Err(error) => {
                    tracing::warn!(code = ?error.code(), "presupuesto compartido sin respuesta: rige el de la estación");
                    return Ok(());
                }
            }
        }
    }
}

/// `rate.calls` a window, evenly, after a burst of `rate.burst`: no station spends a whole window's worth at once.
fn limiter(rate: Rate) -> DefaultDirectRateLimiter {
    let burst = NonZeroU32::new(rate.burst).unwrap_or(NonZeroU32::MIN);
    let period = (rate.window / rate.calls.max(1)).max(Duration::from_nanos(1));
    let quota = Quota::with_period(period).unwrap_or_else(|| Quota::per_minute(NonZeroU32::MIN));
    RateLimiter::direct(quota.allow_burst(burst))
}
