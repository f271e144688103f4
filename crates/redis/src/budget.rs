//! The shop-wide request budget for the spreadsheet as token buckets in Redis (`<prefix>:quota:<name>`): every
//! station takes from the same bucket, refilled by Redis's own clock, so the service account's quota holds for
//! the shop as a whole and not for each station apart.

use std::time::Duration;

use async_trait::async_trait;
use redis::Script;
use spooltrack_core::{Rate, SharedBudget};
use spooltrack_domain::SpoolError;

use crate::{scripts::NOW, RedisLock};

/// The Lua function both scripts use: the calls left now in the bucket `KEYS[i]` (ARGV[2i - 1]: its capacity,
/// ARGV[2i]: the refill in calls per millisecond), refilled by Redis's own clock (`now`, in milliseconds).
const REFILLED: &str = r"
local function refilled(i, now)
  local capacity = tonumber(ARGV[2 * i - 1])
  local state = redis.call('HMGET', KEYS[i], 'tokens', 'at')
  local tokens = tonumber(state[1]) or capacity
  local at = tonumber(state[2]) or now
  return math.min(capacity, tokens + math.max(0, now - at) * tonumber(ARGV[2 * i]))
end
";

/// KEYS: the buckets. ARGV: each one's capacity and refill in calls per millisecond, then how long an idle
/// bucket is kept (milliseconds). Takes one call from every bucket and answers 0, or takes nothing and answers
/// the milliseconds until every one has a call due.
const TAKE: &str = r"
local now = now_ms()
local tokens, wait = {}, 0
for i = 1, #KEYS do
  tokens[i] = refilled(i, now)
  if tokens[i] < 1 then wait = math.max(wait, math.ceil((1 - tokens[i]) / tonumber(ARGV[2 * i]))) end
end
for i = 1, #KEYS do
  if wait == 0 then tokens[i] = tokens[i] - 1 end
  redis.call('HSET', KEYS[i], 'tokens', tostring(tokens[i]), 'at', now)
  redis.call('PEXPIRE', KEYS[i], ARGV[#ARGV])
end
return wait
";

/// KEYS: the bucket. ARGV: its capacity, the refill in calls per millisecond. Answers the calls left, as text
/// (Redis would cut a number's fraction), taking none.
const LEVEL: &str = r"
return tostring(refilled(1, now_ms()))
";

pub(crate) fn take_script() -> Script {
    Script::new(&format!("{NOW}{REFILLED}{TAKE}"))
}

pub(crate) fn level_script() -> Script {
    Script::new(&format!("{NOW}{REFILLED}{LEVEL}"))
}

#[async_trait]
impl SharedBudget for RedisLock {
    async fn take(&self, buckets: &[(&str, Rate)]) -> Result<Option<Duration>, SpoolError> {
        let mut invocation = self.scripts.take.prepare_invoke();
        let mut longest = 1;
        for (name, rate) in buckets {
            longest = longest.max(bucket(&mut invocation, &self.prefix, name, *rate));
        }
        invocation.arg(longest * 2);
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
