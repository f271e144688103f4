//! The Lua scripts of the lock service. Each runs atomically inside Redis; the token comparison never leaves it.
//! Lock hashes hold: worker_id, worker, operation, station, since, token, fence.

use redis::Script;

/// KEYS: the lock keys, then the fence counter. ARGV[1]: the five holder fields; ARGV[2..]: one token per key.
/// Answers per key `{1, fence}` when granted or `{0, holder fields...}` when already held.
const ACQUIRE: &str = r"
local fence_key = KEYS[#KEYS]
local answers = {}
for i = 1, #KEYS - 1 do
  local current = redis.call('HMGET', KEYS[i], 'worker_id', 'worker', 'operation', 'station', 'since')
  if current[1] then
    answers[i] = {0, current[1], current[2], current[3], current[4], current[5]}
  else
    local fence = redis.call('INCR', fence_key)
    redis.call('HSET', KEYS[i], 'worker_id', ARGV[1], 'worker', ARGV[2], 'operation', ARGV[3],
      'station', ARGV[4], 'since', ARGV[5], 'token', ARGV[5 + i], 'fence', fence)
    answers[i] = {1, fence}
  end
end
return answers
";

/// KEYS: lock keys. Answers per key the holder fields, token and fence, or an empty list.
const INSPECT: &str = r"
local answers = {}
for i = 1, #KEYS do
  local current = redis.call('HMGET', KEYS[i], 'worker_id', 'worker', 'operation', 'station', 'since', 'token', 'fence')
  if current[1] then answers[i] = current else answers[i] = {} end
end
return answers
";

/// KEYS: lock keys; ARGV: their tokens. Answers 1 where the token still holds the lock.
const CONFIRM: &str = r"
local answers = {}
for i = 1, #KEYS do
  answers[i] = (redis.call('HGET', KEYS[i], 'token') == ARGV[i]) and 1 or 0
end
return answers
";

/// KEYS: lock keys; ARGV: their tokens. Deletes each lock whose token matches; answers 1 where it did.
const RELEASE: &str = r"
local answers = {}
for i = 1, #KEYS do
  if redis.call('HGET', KEYS[i], 'token') == ARGV[i] then
    redis.call('DEL', KEYS[i])
    answers[i] = 1
  else
    answers[i] = 0
  end
end
return answers
";

/// KEYS[1]: the lock key, KEYS[2]: the fence counter. Deletes the lock whatever its token, bumps the fence,
/// answers the new fence followed by the previous holder fields (none when nobody held it).
const FORCE_RELEASE: &str = r"
local previous = redis.call('HMGET', KEYS[1], 'worker_id', 'worker', 'operation', 'station', 'since')
redis.call('DEL', KEYS[1])
local fence = redis.call('INCR', KEYS[2])
if previous[1] then return {fence, previous[1], previous[2], previous[3], previous[4], previous[5]} end
return {fence}
";

/// The scripts, hashed once per lock service and sent by hash (EVALSHA, loading them when Redis lacks them).
pub struct Scripts {
    pub acquire: Script,
    pub inspect: Script,
    pub confirm: Script,
    pub release: Script,
    pub force_release: Script,
}

impl Scripts {
    pub fn new() -> Self {
        Scripts {
            acquire: Script::new(ACQUIRE),
            inspect: Script::new(INSPECT),
            confirm: Script::new(CONFIRM),
            release: Script::new(RELEASE),
            force_release: Script::new(FORCE_RELEASE),
        }
    }
}
