//! How the client treats Google's limits: a request budget shared by every call of this station (the shop's
//! service account allows 60 reads and 60 writes a minute for everyone), and retries with exponential backoff
//! and jitter. A burst waits for its turn instead of failing; only a long wait or a storm of 429s gives up.

use std::{num::NonZeroU32, time::Duration};

use backon::{BackoffBuilder, ExponentialBuilder};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use spooltrack_domain::SpoolError;

/// The knobs of the client's patience. Production uses the defaults; tests shrink the delays.
#[derive(Debug, Clone, PartialEq)]
pub struct Tuning {
    /// Reads this station may make per minute.
    pub reads_per_minute: u32,
    /// Writes this station may make per minute.
    pub writes_per_minute: u32,
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
    wait: Duration,
}

impl Budget {
    pub fn new(tuning: &Tuning) -> Budget {
        Budget {
            reads: limiter(tuning.reads_per_minute),
            writes: limiter(tuning.writes_per_minute),
            wait: tuning.budget_wait,
        }
    }

    /// Waits for the budget to allow one more call of `kind`; SHEETS_QUOTA when that would take too long.
    pub async fn spend(&self, kind: Kind) -> Result<(), SpoolError> {
        let limiter = match kind {
            Kind::Read => &self.reads,
            Kind::Write => &self.writes,
        };
        tokio::time::timeout(self.wait, limiter.until_ready()).await.map_err(|_| {
            tracing::warn!(?kind, "presupuesto de llamadas a la planilla agotado");
            SpoolError::SheetsQuota
        })
    }
}

/// `per_minute` calls a minute, evenly: a burst of a sixth of them at once, then one every `60 / per_minute`
/// seconds. The quota is shared by every station of the shop, so no station spends a whole minute's worth at once.
fn limiter(per_minute: u32) -> DefaultDirectRateLimiter {
    let rate = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(per_minute / 6).unwrap_or(NonZeroU32::MIN);
    RateLimiter::direct(Quota::per_minute(rate).allow_burst(burst))
}
