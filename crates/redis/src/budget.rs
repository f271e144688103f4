//! The shop-wide request budget for the spreadsheet as token buckets in Redis (`<prefix>:quota:<name>`): every
//! station takes from the same bucket, refilled by Redis's own clock, so the service account's quota holds for
//! the shop as a whole and not for each station apart.

use std::time::Duration;

use async_trait::async_trait;
use redis::Script;
use spooltrack_core::{Rate, SharedBudget};
use spooltrack_domain::SpoolError;

use crate::RedisLock;

/// KEYS: the bucket. ARGV: its capacity, the refill in calls per millisecond, how long an idle bucket is kept
/// (milliseconds). Takes one call and answers 0, or takes nothing and answers the milliseconds until one is due.
const TAKE: &str = r"
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) / rate) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return wait
";

pub(crate) fn take_script() -> Script {
    Script::new(TAKE)
}

#[async_trait]
impl SharedBudget for RedisLock {
    async fn take(&self, name: &str, rate: Rate) -> Result<Option<Duration>, SpoolError> {
        let window = rate.window.as_millis().max(1) as f64;
        let mut invocation = self.scripts.take.prepare_invoke();
        invocation.key(format!("{}:quota:{name}", self.prefix));
        invocation.arg(rate.burst.max(1)).arg(f64::from(rate.calls.max(1)) / window).arg(window as u64 * 2);
        let wait: u64 = self.run(&invocation).await?;
        Ok((wait > 0).then(|| Duration::from_millis(wait)))
    }
}
