//! The shop-wide request budget for the spreadsheet as token buckets in Redis (`<prefix>:quota:<name>`): every
//! station takes from the same bucket, refilled by Redis's own clock, so the service account's quota holds for
//! the shop as a whole and not for each station apart.

use std::time::Duration;

use async_trait::async_trait;
use redis::Script;
use spooltrack_core::{Rate, SharedBudget};
use spooltrack_domain::SpoolError;

use crate::{scripts::NOW, RedisLock};

/// The Lua function both scripts use: the calls left in the bucket `KEYS[1]` now (ARGV: its capacity, the
/// refill in calls per millisecond), refilled by Redis's own clock, and that clock in milliseconds.
const REFILLED: &str = r"
local function refilled()
  local now = now_ms()
  local capacity = tonumber(ARGV[1])
  local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
  local tokens = tonumber(state[1]) or capacity
  local at = tonumber(state[2]) or now
  return math.min(capacity, tokens + math.max(0, now - at) * tonumber(ARGV[2])), now
end
";

/// KEYS: the bucket. ARGV: its capacity, the refill in calls per millisecond, how long an idle bucket is kept
/// (milliseconds). Takes one call and answers 0, or takes nothing and answers the milliseconds until one is due.
const TAKE: &str = r"
local tokens, now = refilled()
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) / tonumber(ARGV[2])) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return wait
";

/// KEYS: the bucket. ARGV: its capacity, the refill in calls per millisecond. Answers the calls left, as text
/// (Redis would cut a number's fraction), taking none.
const LEVEL: &str = r"
local tokens = refilled()
return tostring(tokens)
";

pub(crate) fn take_script() -> Script {
    Script::new(&format!("{NOW}{REFILLED}{TAKE}"))
}

pub(crate) fn level_script() -> Script {
    Script::new(&format!("{NOW}{REFILLED}{LEVEL}"))
}

#[async_trait]
impl SharedBudget for RedisLock {
    async fn take(&self, name: &str, rate: Rate) -> Result<Option<Duration>, SpoolError> {
        let mut invocation = self.scripts.take.prepare_invoke();
        let window = bucket(&mut invocation, &self.prefix, name, rate);
        invocation.arg(window * 2);
        let wait: u64 = self.run(&invocation).await?;
        Ok((wait > 0).then(|| Duration::from_millis(wait)))
    }

    async fn level(&self, name: &str, rate: Rate) -> Result<f64, SpoolError> {
        let mut invocation = self.scripts.level.prepare_invoke();
        bucket(&mut invocation, &self.prefix, name, rate);
        let left: String = self.run(&invocation).await?;
        left.parse().map_err(|_| SpoolError::LockUnavailable { reason: format!("cupo ilegible en Redis: {left}") })
    }
}

/// The bucket's key, capacity and refill; answers its window in milliseconds.
fn bucket(invocation: &mut redis::ScriptInvocation<'_>, prefix: &str, name: &str, rate: Rate) -> u64 {
    let window = rate.window.as_millis().max(1) as f64;
    invocation.key(format!("{prefix}:quota:{name}"));
    invocation.arg(rate.burst.max(1)).arg(f64::from(rate.calls.max(1)) / window);
    window as u64
}
