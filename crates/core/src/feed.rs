//! Live updates between stations: every action announces which spools changed, and every station listening
//! refreshes its screen. The shop's Redis carries them between PCs; on one PC an in-process feed does.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use spooltrack_domain::{audit::AuditEvent, SpoolError};
use tokio::sync::broadcast;

use crate::{Snapshot, SnapshotPatch};

/// Events a slow listener may fall behind by before it skips ahead (it then refreshes everything anyway).
pub const FEED_BACKLOG: usize = 256;

/// Some spools changed: which, by which action (TOMAR, PAUSAR, …), by whom and at which station. The default,
/// with no tags, means "events were missed: refresh everything".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SpoolEvent {
    pub tags: Vec<String>,
    pub action: String,
    /// `INICIALES(ID)` of who acted.
    pub worker: String,
    pub station: String,
    /// Its number in the shop's sequence, on a feed that keeps the shared snapshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    /// What it changed in the shared snapshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patch: Option<SnapshotPatch>,
    /// The audit rows it wrote, for the history a feed keeps; not part of what is announced.
    #[serde(skip)]
    pub audit: Vec<AuditEvent>,
}

/// The shared snapshot as the feed keeps it: the last checkpoint, and every event numbered after it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SnapshotLog {
    pub checkpoint: Option<Snapshot>,
    pub events: Vec<SpoolEvent>,
}

#[async_trait]
pub trait ChangeFeed: Send + Sync {
    /// Announces a change to every station; on a feed that keeps the shared snapshot, answers the number the
    /// event got in the shop's sequence (and the event is kept in the snapshot's log).
    async fn publish(&self, event: &SpoolEvent) -> Result<Option<u64>, SpoolError>;

    /// The shared snapshot's checkpoint and log, on a feed that keeps one.
    async fn snapshot_log(&self) -> Result<Option<SnapshotLog>, SpoolError> {
        Ok(None)
    }

    /// Keeps `snapshot` as the checkpoint (unless a later one is kept), and forgets the events it includes.
    async fn checkpoint(&self, _snapshot: &Snapshot) -> Result<(), SpoolError> {
        Ok(())
    }

    /// Adds this station's sighting of the spreadsheet out of reach (since when) to the shop's word, which
    /// lasts `lasting` unless said again, and answers the shop's word: the earliest sighting still standing.
    /// Stations that do not call the spreadsheet at rest learn of an outage from the one that saw it.
    async fn sheets_outage(
        &self,
        _seen: Option<DateTime<Utc>>,
        _lasting: Duration,
    ) -> Result<Option<DateTime<Utc>>, SpoolError> {
        Ok(None)
    }

    /// The audit events of `tag` as the feed keeps them for the shop (an audit row of every event published
    /// since the shop's reader gave it the whole audit), so that showing a history costs no read of the
    /// spreadsheet's audit; none when this feed keeps no history, or not a whole one.
    async fn history(&self, _tag: &str) -> Result<Option<Vec<AuditEvent>>, SpoolError> {
        Ok(None)
    }

    /// The shop's latest events, newest first (at most `limit`), as the feed keeps them; none when this feed
    /// keeps no history, or not a whole one.
    async fn latest(&self, _limit: usize) -> Result<Option<Vec<AuditEvent>>, SpoolError> {
        Ok(None)
    }

    /// Whether the history the feed keeps is whole; a feed that keeps none has nothing to be given.
    async fn history_is_whole(&self) -> Result<bool, SpoolError> {
        Ok(true)
    }

    /// Adds the audit rows it lacks of `audit` (the spreadsheet's whole audit log) to the history it keeps,
    /// which is then whole.
    async fn keep_history(&self, _audit: &[AuditEvent]) -> Result<(), SpoolError> {
        Ok(())
    }

    /// Says the history may lack events (a write this station could not announce): the reader gives it the
    /// audit again.
    async fn doubt_history(&self) -> Result<(), SpoolError> {
        Ok(())
    }

    /// Every event announced from now on, by any station this feed reaches (this one included).
    fn subscribe(&self) -> broadcast::Receiver<SpoolEvent>;

    /// For `doctor`: whether this station can both announce and hear, said in plain words.
    async fn probe(&self) -> Result<String, SpoolError>;
}

/// The feed of a single PC: changes made through this process reach its own listeners.
pub struct LocalFeed {
    sender: broadcast::Sender<SpoolEvent>,
}

impl Default for LocalFeed {
    fn default() -> Self {
        LocalFeed { sender: broadcast::channel(FEED_BACKLOG).0 }
    }
}

#[async_trait]
impl ChangeFeed for LocalFeed {
    async fn publish(&self, event: &SpoolEvent) -> Result<Option<u64>, SpoolError> {
        // No listener is not an error: nobody is looking.
        let _ = self.sender.send(event.clone());
        Ok(None)
    }

    fn subscribe(&self) -> broadcast::Receiver<SpoolEvent> {
        self.sender.subscribe()
    }

    async fn probe(&self) -> Result<String, SpoolError> {
        Ok("solo dentro de esta estación (sin Redis)".into())
    }
}
