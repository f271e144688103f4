//! The shop's history in Redis, so that showing a spool's history costs no read of the spreadsheet's audit
//! and a viewer station (no service-account key) has one: each spool's audit events in
//! `<prefix>:history:<tag>`, entries `"<id>\n"` and the event's JSON. An entry is appended only when its id is
//! missing, so an event given twice (published, then found again in the audit) is kept once. The history is
//! whole (`<prefix>:history_whole`) once the shop's reader has given it the spreadsheet's whole audit; the
//! script that publishes an event appends its audit rows. The shop's latest events, for the board's activity
//! feed, are kept apart: their ids by time in the sorted set `<prefix>:latest`, their entries in the hash
//! `<prefix>:latest_events`, the oldest dropped beyond [`LATEST_KEPT`].

use redis::Script;
use spooltrack_domain::{audit::AuditEvent, SpoolError};

/// How many of the shop's latest events Redis keeps for the activity feed.
pub const LATEST_KEPT: usize = 200;

/// The Lua function both scripts use: `keep_events(first_key, first_arg)` keeps the events given from
/// `KEYS[first_key]` and `ARGV[first_arg]` on: KEYS the latest events' set and hash, then one spool's list per
/// event; ARGV how many latest events to keep, then one entry per list, then each entry's time (milliseconds).
/// An entry is appended to its spool's list unless an entry with its id is there; the latest keep it once, as
/// first given (published, its time to the millisecond; the audit's is to the second).
const KEEP_EVENTS: &str = r"
local function append_missing(key, entry)
  local id = string.match(entry, '^([^\n]*)\n')
  for _, kept in ipairs(redis.call('LRANGE', key, 0, -1)) do
    if string.match(kept, '^([^\n]*)\n') == id then return end
  end
  redis.call('RPUSH', key, entry)
end
local function keep_latest(times, entries, limit, time, entry)
  local id = string.match(entry, '^([^\n]*)\n')
  if redis.call('ZADD', times, 'NX', time, id) == 0 then return end
  redis.call('HSET', entries, id, entry)
  local surplus = redis.call('ZCARD', times) - limit
  if surplus > 0 then
    for _, old in ipairs(redis.call('ZRANGE', times, 0, surplus - 1)) do redis.call('HDEL', entries, old) end
    redis.call('ZREMRANGEBYRANK', times, 0, surplus - 1)
  end
end
local function keep_events(first_key, first_arg)
  local count = #KEYS - first_key - 1
  local limit = tonumber(ARGV[first_arg])
  for i = 1, count do
    local entry = ARGV[first_arg + i]
    append_missing(KEYS[first_key + 1 + i], entry)
    keep_latest(KEYS[first_key], KEYS[first_key + 1], limit, ARGV[first_arg + count + i], entry)
  end
end
";

/// KEYS: the mark of a whole history, then those of `keep_events`. ARGV: whether to mark the history whole
/// (`1`), then those of `keep_events`.
const KEEP: &str = r"
keep_events(2, 2)
if ARGV[1] == '1' then redis.call('SET', KEYS[1], '1') end
return 1
";

/// KEYS: the mark of a whole history, the spool's list. Answers the list, or nothing while not whole.
const READ: &str = r"
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
return redis.call('LRANGE', KEYS[2], 0, -1)
";

/// KEYS: the mark of a whole history, the latest events' set and hash. ARGV: how many. Answers the newest
/// entries first, or nothing while the history is not whole.
const READ_LATEST: &str = r"
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local ids = redis.call('ZRANGE', KEYS[2], 0, tonumber(ARGV[1]) - 1, 'REV')
if #ids == 0 then return {} end
return redis.call('HMGET', KEYS[3], unpack(ids))
";

/// How many events one script call appends: a long audit is given in steps, Redis answering others between.
pub(crate) const KEEP_STEP: usize = 500;

/// A script whose body calls `keep_events`.
pub(crate) fn keeping(body: &str) -> Script {
    Script::new(&format!("{KEEP_EVENTS}{body}"))
}

pub(crate) fn keep_script() -> Script {
    keeping(KEEP)
}

pub(crate) fn read_script() -> Script {
    Script::new(READ)
}

pub(crate) fn read_latest_script() -> Script {
    Script::new(READ_LATEST)
}

/// Adds `events` to a `keep_events` invocation: the latest events' keys and limit, each event's list and
/// entry, then each event's time. Called after the keys and args that come before them.
pub(crate) fn add_events(
    invocation: &mut redis::ScriptInvocation<'_>,
    prefix: &str,
    events: &[AuditEvent],
) -> Result<(), SpoolError> {
    invocation.key(format!("{prefix}:latest")).key(format!("{prefix}:latest_events")).arg(LATEST_KEPT);
    for event in events {
        invocation.key(list_key(prefix, &event.tag)).arg(encode(event)?);
    }
    for event in events {
        invocation.arg(event.timestamp.and_utc().timestamp_millis());
    }
    Ok(())
}

/// The latest events' keys after the mark of a whole history, for [`READ_LATEST`].
pub(crate) fn add_latest_keys(invocation: &mut redis::ScriptInvocation<'_>, prefix: &str) {
    invocation.key(whole_key(prefix)).key(format!("{prefix}:latest")).key(format!("{prefix}:latest_events"));
}

pub(crate) fn list_key(prefix: &str, tag: &str) -> String {
    format!("{prefix}:history:{tag}")
}

pub(crate) fn whole_key(prefix: &str) -> String {
    format!("{prefix}:history_whole")
}

pub(crate) fn encode(event: &AuditEvent) -> Result<String, SpoolError> {
    let json = serde_json::to_string(event).map_err(|error| corrupt(&error.to_string()))?;
    Ok(format!("{}\n{json}", event.id))
}

pub(crate) fn decode(entry: &str) -> Result<AuditEvent, SpoolError> {
    let (_, json) = entry.split_once('\n').ok_or_else(|| corrupt("sin identificador"))?;
    serde_json::from_str(json).map_err(|error| corrupt(&error.to_string()))
}

fn corrupt(reason: &str) -> SpoolError {
    SpoolError::LockUnavailable { reason: format!("historial ilegible en Redis ({reason})") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_carry_their_id_and_the_event() {
        let timestamp = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).and_then(|day| day.and_hms_opt(10, 42, 0));
        let event = AuditEvent {
            id: "e-1".into(),
            timestamp: timestamp.expect("valid"),
            kind: spooltrack_domain::audit::EventKind::TomarSpool,
            tag: "S-0001".into(),
            worker_id: 93,
            worker_name: "MR(93)".into(),
            operation: Some(spooltrack_domain::Operation::Arm),
            fecha_operacion: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("valid"),
            metadata: serde_json::json!({"motivo": "ñandú"}),
        };
        let entry = encode(&event).expect("encoded");
        assert!(entry.starts_with("e-1\n"));
        assert_eq!(decode(&entry).expect("decoded"), event);
        assert!(decode("no id").is_err());
    }
}
