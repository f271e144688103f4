//! The Lua scripts of the lock service. Each runs atomically inside Redis; the token comparison never leaves it.
//! Lock hashes hold: worker_id, worker, operation, station, since, token, fence, granted_at (milliseconds by
//! Redis's own clock) and, while the holder's write is in flight, writing_until.

use redis::Script;

/// Redis's clock in milliseconds: the one clock every station agrees on.
pub(crate) const NOW: &str =
    "local function now_ms() local t = redis.call('TIME') return t[1] * 1000 + math.floor(t[2] / 1000) end\n";

/// KEYS: the lock keys, then the fence counter, then the marker. ARGV: per key, its holder's five fields and its
/// token. Answers `-1` (and grants nothing) when the marker is gone: the data was lost and the fence counter may
/// have started again. Otherwise answers per key `{1, fence}` when granted or `{0, holder fields...}` when held.
const ACQUIRE: &str = r"
if redis.call('EXISTS', KEYS[#KEYS]) == 0 then return -1 end
local fence_key = KEYS[#KEYS - 1]
local answers = {}
local now = now_ms()
for i = 1, #KEYS - 2 do
  local current = redis.call('HMGET', KEYS[i], 'worker_id', 'worker', 'operation', 'station', 'since')
  if current[1] then
    answers[i] = {0, current[1], current[2], current[3], current[4], current[5]}
  else
    local a = (i - 1) * 6
    local fence = redis.call('INCR', fence_key)
    redis.call('HSET', KEYS[i], 'worker_id', ARGV[a + 1], 'worker', ARGV[a + 2], 'operation', ARGV[a + 3],
      'station', ARGV[a + 4], 'since', ARGV[a + 5], 'token', ARGV[a + 6], 'fence', fence, 'granted_at', now)
    answers[i] = {1, fence}
  end
end
return answers
";

/// KEYS: lock keys. Answers per key the holder fields, token, fence, age in milliseconds and whether a write
/// is in flight (1 or 0), or an empty list.
const INSPECT: &str = r"
local answers = {}
local now = now_ms()
for i = 1, #KEYS do
  local current = redis.call('HMGET', KEYS[i], 'worker_id', 'worker', 'operation', 'station', 'since', 'token',
    'fence', 'granted_at', 'writing_until')
  if current[1] then
    current[8] = math.max(0, now - (tonumber(current[8]) or 0))
    current[9] = (tonumber(current[9] or '0') > now) and 1 or 0
    answers[i] = current
  else
    answers[i] = {}
  end
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

/// KEYS: lock keys; ARGV[1]: the window in milliseconds, ARGV[2]: the writer, ARGV[3..]: their tokens. Answers
/// per key 1 (admitted), 0 (the token no longer holds) or 2 (another writer's mark is in force); when every key
/// is admitted, marks each write as the writer's until now + window.
const BEGIN_WRITE: &str = r"
local answers = {}
local all = true
local now = now_ms()
for i = 1, #KEYS do
  local current = redis.call('HMGET', KEYS[i], 'token', 'writing_until', 'writer')
  if current[1] ~= ARGV[i + 2] then
    answers[i] = 0
  elseif tonumber(current[2] or '0') > now and current[3] ~= ARGV[2] then
    answers[i] = 2
  else
    answers[i] = 1
  end
  all = all and answers[i] == 1
end
if all then
  for i = 1, #KEYS do redis.call('HSET', KEYS[i], 'writing_until', now + tonumber(ARGV[1]), 'writer', ARGV[2]) end
end
return answers
";

/// KEYS: lock keys; ARGV[1]: the writer, ARGV[2..]: their tokens. Clears the writer's own in-flight mark where
/// the token holds; answers 1 there.
const END_WRITE: &str = r"
local answers = {}
for i = 1, #KEYS do
  answers[i] = 0
  local current = redis.call('HMGET', KEYS[i], 'token', 'writer')
  if current[1] == ARGV[i + 1] and current[2] == ARGV[1] then
    redis.call('HDEL', KEYS[i], 'writing_until', 'writer')
    answers[i] = 1
  end
end
return answers
";

/// KEYS: lock keys; ARGV[1]: 1 to leave a lock whose write is in flight, ARGV[2..]: their tokens. Deletes each
/// lock whose token matches (and, asked so, with no write in flight); answers 1 where it did.
const RELEASE: &str = r"
local answers = {}
local now = now_ms()
for i = 1, #KEYS do
  local current = redis.call('HMGET', KEYS[i], 'token', 'writing_until')
  local busy = ARGV[1] == '1' and tonumber(current[2] or '0') > now
  if current[1] == ARGV[i + 1] and not busy then
    redis.call('DEL', KEYS[i])
    answers[i] = 1
  else
    answers[i] = 0
  end
end
return answers
";

/// KEYS[1]: the lock key, KEYS[2]: the fence counter. Answers `{-1}` while the holder's write is in flight;
/// otherwise deletes the lock whatever its token, bumps the fence, and answers the new fence followed by the
/// previous lock's fields as INSPECT gives them (none when nobody held it).
const FORCE_RELEASE: &str = r"
local now = now_ms()
local writing = tonumber(redis.call('HGET', KEYS[1], 'writing_until') or '0')
if writing > now then return {-1} end
local previous = redis.call('HMGET', KEYS[1], 'worker_id', 'worker', 'operation', 'station', 'since', 'token',
  'fence', 'granted_at')
redis.call('DEL', KEYS[1])
local fence = redis.call('INCR', KEYS[2])
if not previous[1] then return {fence} end
previous[8] = math.max(0, now - (tonumber(previous[8]) or 0))
return {fence, previous[1], previous[2], previous[3], previous[4], previous[5], previous[6], previous[7], previous[8], 0}
";

/// KEYS[1]: the lock key. ARGV: the five holder fields, token, fence, age in milliseconds. Puts the lock back
/// (with no write in flight)
/// unless the spool has one again; answers 1 when it did.
const RESTORE: &str = r"
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'worker_id', ARGV[1], 'worker', ARGV[2], 'operation', ARGV[3], 'station', ARGV[4],
  'since', ARGV[5], 'token', ARGV[6], 'fence', ARGV[7], 'granted_at', now_ms() - tonumber(ARGV[8]))
return 1
";

/// KEYS[1]: the marker, KEYS[2]: the fence counter; ARGV[1]: the least the counter may read when the marker is
/// gone. Answers 1 when the marker was there; otherwise raises the counter (never lowers it), leaves the marker
/// and answers 0.
const MARK_INTACT: &str = r"
if redis.call('EXISTS', KEYS[1]) == 1 then return 1 end
if tonumber(redis.call('GET', KEYS[2]) or '0') < tonumber(ARGV[1]) then redis.call('SET', KEYS[2], ARGV[1]) end
redis.call('SET', KEYS[1], '1')
return 0
";

/// The scripts, hashed once per lock service and sent by hash (EVALSHA, loading them when Redis lacks them).
/// KEYS: a task's lease. ARGV: the station, the lease in milliseconds. Takes the lease when nobody holds it and
/// renews it when the station already does; answers 1 when the station leads.
const LEAD: &str = r"
local current = redis.call('GET', KEYS[1])
if current and current ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
";

/// KEYS: a task's lease. Answers the station that holds it (or nothing) and the milliseconds it has left.
const LEADER: &str = r"
return {redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1])}
";

/// KEYS: a station's count of wrong PINs. ARGV: the attempt (`look`, `wrong`, `right`), how long a count is
/// kept after its last wrong PIN (milliseconds). Answers the count and the milliseconds since its last one.
const PIN_ATTEMPTS: &str = r"
if ARGV[1] == 'right' then redis.call('DEL', KEYS[1]) return {0, 0} end
local now = now_ms()
local state = redis.call('HMGET', KEYS[1], 'wrong', 'at')
local wrong, at = tonumber(state[1]) or 0, tonumber(state[2]) or now
if ARGV[1] == 'wrong' then
  wrong, at = wrong + 1, now
  redis.call('HSET', KEYS[1], 'wrong', wrong, 'at', at)
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return {wrong, now - at}
";

pub struct Scripts {
    pub acquire: Script,
    pub inspect: Script,
    pub confirm: Script,
    pub begin_write: Script,
    pub end_write: Script,
    pub release: Script,
    pub force_release: Script,
    pub restore: Script,
    pub mark_intact: Script,
    pub lead: Script,
    pub leader: Script,
    pub pin_attempts: Script,
    pub take: Script,
    pub level: Script,
}

fn timed(body: &str) -> Script {
    Script::new(&format!("{NOW}{body}"))
}

impl Scripts {
    pub fn new() -> Self {
        Scripts {
            acquire: timed(ACQUIRE),
            inspect: timed(INSPECT),
            confirm: Script::new(CONFIRM),
            begin_write: timed(BEGIN_WRITE),
            end_write: Script::new(END_WRITE),
            release: timed(RELEASE),
            force_release: timed(FORCE_RELEASE),
            restore: timed(RESTORE),
            mark_intact: Script::new(MARK_INTACT),
            lead: Script::new(LEAD),
            leader: Script::new(LEADER),
            pin_attempts: timed(PIN_ATTEMPTS),
            take: crate::budget::take_script(),
            level: crate::budget::level_script(),
        }
    }
}
