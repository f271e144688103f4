//! Live updates between stations: every action announces which spools changed, and every station listening
//! refreshes its screen. The shop's Redis carries them between PCs; on one PC an in-process feed does.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use specta::Type;
use spooltrack_domain::SpoolError;
use tokio::sync::broadcast;

/// Events a slow listener may fall behind by before it skips ahead (it then refreshes everything anyway).
pub const FEED_BACKLOG: usize = 256;

/// Some spools changed: which, by which action (TOMAR, PAUSAR, …), by whom and at which station. The default,
/// with no tags, means "events were missed: refresh everything".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct SpoolEvent {
    pub tags: Vec<String>,
    pub action: String,
    /// `INICIALES(ID)` of who acted.
    pub worker: String,
    pub station: String,
}

#[async_trait]
pub trait ChangeFeed: Send + Sync {
    /// Announces a change to every station.
    async fn publish(&self, event: &SpoolEvent) -> Result<(), SpoolError>;

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
    async fn publish(&self, event: &SpoolEvent) -> Result<(), SpoolError> {
        // No listener is not an error: nobody is looking.
        let _ = self.sender.send(event.clone());
        Ok(())
    }

    fn subscribe(&self) -> broadcast::Receiver<SpoolEvent> {
        self.sender.subscribe()
    }

    async fn probe(&self) -> Result<String, SpoolError> {
        Ok("solo dentro de esta estación (sin Redis)".into())
    }
}
