//! The shop's history in Redis, so that showing a spool's history costs no read of the spreadsheet's audit
//! and a viewer station (no service-account key) has one: each spool's audit events in
//! `<prefix>:history:<tag>`, entries `"<id>\n"` and the event's JSON. An entry is appended only when its id is
//! missing, so an event given twice (published, then found again in the audit) is kept once. The history is
//! whole (`<prefix>:history_whole`) once the shop's reader has given it the spreadsheet's whole audit; the
//! script that publishes an event appends its audit rows.

use redis::Script;
use spooltrack_domain::{audit::AuditEvent, SpoolError};

/// The Lua function both scripts use: appends `entry` to the list `key` unless an entry with its id is there.
const APPEND_MISSING: &str = r"
local function append_missing(key, entry)
  local id = string.match(entry, '^([^\n]*)\n')
  for _, kept in ipairs(redis.call('LRANGE', key, 0, -1)) do
    if string.match(kept, '^([^\n]*)\n') == id then return end
  end
  redis.call('RPUSH', key, entry)
end
";

/// KEYS: the mark of a whole history, then one spool's list per event. ARGV: whether to mark the history
/// whole (`1`), then one entry per list.
const KEEP: &str = r"
for i = 2, #KEYS do append_missing(KEYS[i], ARGV[i]) end
if ARGV[1] == '1' then redis.call('SET', KEYS[1], '1') end
return 1
";

/// KEYS: the mark of a whole history, the spool's list. Answers the list, or nothing while not whole.
const READ: &str = r"
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
return redis.call('LRANGE', KEYS[2], 0, -1)
";

/// How many events one script call appends: a long audit is given in steps, Redis answering others between.
pub(crate) const KEEP_STEP: usize = 500;

/// A script whose body calls `append_missing`.
pub(crate) fn appending(body: &str) -> Script {
    Script::new(&format!("{APPEND_MISSING}{body}"))
}

pub(crate) fn keep_script() -> Script {
    appending(KEEP)
}

pub(crate) fn read_script() -> Script {
    Script::new(READ)
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
