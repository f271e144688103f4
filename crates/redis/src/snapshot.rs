//! The shop's shared snapshot in Redis: a numbered log of events (`<prefix>:snapshot:log`, each entry
//! `"<seq>\n"` and the deflated JSON of the event, published on the events channel as it is appended), and a
//! checkpoint (`<prefix>:snapshot`, the deflated JSON of a whole snapshot) that lets the log be cut short.
//! Numbering, appending and publishing happen in one script, so every station hears the events in the order
//! of their numbers.

use std::io::{Read, Write};

use flate2::{read::DeflateDecoder, write::DeflateEncoder, Compression};
use redis::Script;
use serde::{de::DeserializeOwned, Serialize};
use spooltrack_core::{Snapshot, SpoolEvent};
use spooltrack_domain::SpoolError;

use crate::history;

/// The most events the log keeps when no checkpoint cuts it: a station further behind reads the spreadsheet.
pub(crate) const LOG_LIMIT: usize = 10_000;

/// KEYS: the sequence counter, the log, then those of `keep_events` for the audit rows. ARGV: the deflated
/// event, the channel, the log limit, then those of `keep_events`. Answers the number.
const PUBLISH: &str = r"
keep_events(3, 4)
local seq = redis.call('INCR', KEYS[1])
local entry = seq .. '\n' .. ARGV[1]
redis.call('RPUSH', KEYS[2], entry)
if redis.call('LLEN', KEYS[2]) > tonumber(ARGV[3]) then redis.call('LPOP', KEYS[2]) end
redis.call('PUBLISH', ARGV[2], entry)
return seq
";

/// KEYS: the checkpoint, its number, the log. ARGV: the number, the deflated snapshot. Keeps it unless a later
/// one is kept, and drops the log's entries it includes. Answers 1 when kept.
const CHECKPOINT: &str = r"
local seq = tonumber(ARGV[1])
if seq <= tonumber(redis.call('GET', KEYS[2]) or '0') then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('SET', KEYS[2], seq)
while true do
  local first = redis.call('LINDEX', KEYS[3], 0)
  if not first then break end
  local number = tonumber(string.match(first, '^(%d+)\n'))
  if number == nil or number > seq then break end
  redis.call('LPOP', KEYS[3])
end
return 1
";

/// KEYS: the checkpoint, the log. Answers both at one instant.
const LOG: &str = r"
return {redis.call('GET', KEYS[1]) or '', redis.call('LRANGE', KEYS[2], 0, -1)}
";

/// KEYS: the shop's word on a spreadsheet outage. ARGV: this station's sighting (milliseconds since the epoch,
/// or empty for none), how long a word lasts (milliseconds). The earliest sighting stands while any station
/// repeats one. Answers the word, or empty.
const SHEETS_OUTAGE: &str = r"
local seen = tonumber(ARGV[1])
if seen then
  local word = tonumber(redis.call('GET', KEYS[1]))
  if word == nil or seen < word then
    redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  else
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
  end
end
return redis.call('GET', KEYS[1]) or ''
";

pub(crate) struct SnapshotScripts {
    pub publish: Script,
    pub checkpoint: Script,
    pub log: Script,
    pub sheets_outage: Script,
    pub keep_history: Script,
    pub read_history: Script,
    pub read_latest: Script,
}

impl SnapshotScripts {
    pub fn new() -> Self {
        SnapshotScripts {
            publish: history::keeping(PUBLISH),
            checkpoint: Script::new(CHECKPOINT),
            log: Script::new(LOG),
            sheets_outage: Script::new(SHEETS_OUTAGE),
            keep_history: history::keep_script(),
            read_history: history::read_script(),
            read_latest: history::read_latest_script(),
        }
    }
}

pub(crate) fn deflate(value: &impl Serialize) -> Result<Vec<u8>, SpoolError> {
    let json = serde_json::to_vec(value).map_err(|error| corrupt(&error.to_string()))?;
    let mut encoder = DeflateEncoder::new(Vec::with_capacity(json.len() / 4), Compression::fast());
    encoder.write_all(&json).map_err(|error| corrupt(&error.to_string()))?;
    encoder.finish().map_err(|error| corrupt(&error.to_string()))
}

pub(crate) fn inflate<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, SpoolError> {
    let mut json = Vec::with_capacity(bytes.len() * 4);
    DeflateDecoder::new(bytes).read_to_end(&mut json).map_err(|error| corrupt(&error.to_string()))?;
    serde_json::from_slice(&json).map_err(|error| corrupt(&error.to_string()))
}

/// An entry of the log (or a message of the channel): its number, then the event.
pub(crate) fn decode_entry(entry: &[u8]) -> Result<SpoolEvent, SpoolError> {
    let split = entry.iter().position(|byte| *byte == b'\n').ok_or_else(|| corrupt("sin número"))?;
    let seq = std::str::from_utf8(&entry[..split]).ok().and_then(|text| text.parse().ok());
    let mut event: SpoolEvent = inflate(&entry[split + 1..])?;
    event.seq = Some(seq.ok_or_else(|| corrupt("número ilegible"))?);
    Ok(event)
}

pub(crate) fn decode_checkpoint(bytes: &[u8]) -> Result<Option<Snapshot>, SpoolError> {
    if bytes.is_empty() {
        return Ok(None);
    }
    inflate(bytes).map(Some)
}

fn corrupt(reason: &str) -> SpoolError {
    SpoolError::LockUnavailable { reason: format!("copia compartida ilegible en Redis ({reason})") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_carry_their_number_and_the_event() {
        let event = SpoolEvent { tags: vec!["T-1".into()], action: "TOMAR".into(), ..SpoolEvent::default() };
        let mut entry = b"42\n".to_vec();
        entry.extend(deflate(&event).expect("encoded"));
        assert_eq!(decode_entry(&entry).expect("decoded"), SpoolEvent { seq: Some(42), ..event });
        assert!(decode_entry(b"no number").is_err());
        assert_eq!(decode_checkpoint(b"").expect("empty"), None);
    }
}
