//! Live updates between stations over Redis pub/sub: every action is numbered, kept in the shared snapshot's
//! log and published on `<prefix>:events` in one script, and each station's listener hands what it hears to
//! the station. The listener reconnects with backoff by itself and, after a gap, says so (an event with no
//! number), since messages sent while it was away are not replayed: the station then reads the log.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use redis::aio::ConnectionManager;
use redis::AsyncCommands;
use spooltrack_core::{ChangeFeed, Snapshot, SnapshotLog, SpoolEvent, FEED_BACKLOG};
use spooltrack_domain::{audit::AuditEvent, SpoolError};
use tokio::sync::broadcast;

use crate::{
    history::{self, KEEP_STEP},
    snapshot::{decode_checkpoint, decode_entry, deflate, SnapshotScripts, LOG_LIMIT},
    unavailable,
};

const FIRST_RETRY: Duration = Duration::from_millis(200);
const LAST_RETRY: Duration = Duration::from_secs(5);
/// How long doctor's probe waits for its own message to come back.
const PROBE_WAIT: Duration = Duration::from_secs(2);

pub struct RedisFeed {
    client: redis::Client,
    publisher: ConnectionManager,
    prefix: String,
    channel: String,
    heard: broadcast::Sender<SpoolEvent>,
    listener: tokio::task::JoinHandle<()>,
    scripts: SnapshotScripts,
}

impl RedisFeed {
    /// Publishes through the lock service's connection and starts listening (pub/sub needs a connection of
    /// its own) in the background on the current Tokio runtime.
    pub(crate) fn start(client: redis::Client, publisher: ConnectionManager, prefix: &str) -> RedisFeed {
        let channel = format!("{prefix}:events");
        let (heard, _) = broadcast::channel(FEED_BACKLOG);
        let listener = tokio::spawn(listen(client.clone(), channel.clone(), heard.clone()));
        let scripts = SnapshotScripts::new();
        RedisFeed { client, publisher, prefix: prefix.to_string(), channel, heard, listener, scripts }
    }

    fn key(&self, name: &str) -> String {
        format!("{}:snapshot{name}", self.prefix)
    }

    async fn run<T: redis::FromRedisValue>(&self, invocation: &redis::ScriptInvocation<'_>) -> Result<T, SpoolError> {
        let mut connection = self.publisher.clone();
        invocation.invoke_async(&mut connection).await.map_err(unavailable)
    }
}

impl Drop for RedisFeed {
    fn drop(&mut self) {
        self.listener.abort();
    }
}

#[async_trait]
impl ChangeFeed for RedisFeed {
    async fn publish(&self, event: &SpoolEvent) -> Result<Option<u64>, SpoolError> {
        let mut invocation = self.scripts.publish.prepare_invoke();
        invocation.key(self.key(":seq")).key(self.key(":log"));
        invocation.arg(deflate(event)?).arg(&self.channel).arg(LOG_LIMIT);
        history::add_events(&mut invocation, &self.prefix, &event.audit)?;
        self.run(&invocation).await.map(Some)
    }

    async fn history(&self, tag: &str) -> Result<Option<Vec<AuditEvent>>, SpoolError> {
        let mut invocation = self.scripts.read_history.prepare_invoke();
        invocation.key(history::whole_key(&self.prefix)).key(history::list_key(&self.prefix, tag));
        let entries: Option<Vec<String>> = self.run(&invocation).await?;
        entries.map(|entries| entries.iter().map(|entry| history::decode(entry)).collect()).transpose()
    }

    async fn latest(&self, limit: usize) -> Result<Option<Vec<AuditEvent>>, SpoolError> {
        let mut invocation = self.scripts.read_latest.prepare_invoke();
        history::add_latest_keys(&mut invocation, &self.prefix);
        invocation.arg(limit.max(1));
        let entries: Option<Vec<Option<String>>> = self.run(&invocation).await?;
        // The set and the hash change together in one script: only a hand in Redis leaves an id without entry.
        entries.map(|entries| entries.iter().flatten().map(|entry| history::decode(entry)).collect()).transpose()
    }

    async fn history_is_whole(&self) -> Result<bool, SpoolError> {
        let mut connection = self.publisher.clone();
        connection.exists(history::whole_key(&self.prefix)).await.map_err(unavailable)
    }

    async fn keep_history(&self, audit: &[AuditEvent]) -> Result<(), SpoolError> {
        let steps: Vec<&[AuditEvent]> = if audit.is_empty() { vec![&[]] } else { audit.chunks(KEEP_STEP).collect() };
        let last = steps.len() - 1;
        for (index, step) in steps.into_iter().enumerate() {
            let mut invocation = self.scripts.keep_history.prepare_invoke();
            invocation.key(history::whole_key(&self.prefix)).arg(if index == last { "1" } else { "0" });
            history::add_events(&mut invocation, &self.prefix, step)?;
            let _: i64 = self.run(&invocation).await?;
        }
        Ok(())
    }

    async fn doubt_history(&self) -> Result<(), SpoolError> {
        let mut connection = self.publisher.clone();
        let _: i64 = connection.del(history::whole_key(&self.prefix)).await.map_err(unavailable)?;
        Ok(())
    }

    async fn snapshot_log(&self) -> Result<Option<SnapshotLog>, SpoolError> {
        let mut invocation = self.scripts.log.prepare_invoke();
        invocation.key(self.key("")).key(self.key(":log"));
        let (checkpoint, entries): (Vec<u8>, Vec<Vec<u8>>) = self.run(&invocation).await?;
        let events = entries
            .iter()
            .filter_map(|entry| {
                // An entry nobody can read is left out: the replay then meets a gap, and the copy is seeded anew.
                decode_entry(entry).inspect_err(|error| tracing::warn!(%error, "entrada del registro ilegible")).ok()
            })
            .collect();
        Ok(Some(SnapshotLog { checkpoint: decode_checkpoint(&checkpoint)?, events }))
    }

    async fn checkpoint(&self, snapshot: &Snapshot) -> Result<(), SpoolError> {
        let mut invocation = self.scripts.checkpoint.prepare_invoke();
        invocation.key(self.key("")).key(self.key(":checkpoint_seq")).key(self.key(":log"));
        invocation.arg(snapshot.seq).arg(deflate(snapshot)?);
        let _: i64 = self.run(&invocation).await?;
        Ok(())
    }

    async fn sheets_outage(
        &self,
        seen: Option<DateTime<Utc>>,
        lasting: Duration,
    ) -> Result<Option<DateTime<Utc>>, SpoolError> {
        let mut invocation = self.scripts.sheets_outage.prepare_invoke();
        invocation.key(format!("{}:sheets:outage", self.prefix));
        invocation.arg(seen.map(|since| since.timestamp_millis().to_string()).unwrap_or_default());
        invocation.arg(lasting.as_millis() as u64);
        let word: String = self.run(&invocation).await?;
        Ok(word.parse().ok().and_then(DateTime::from_timestamp_millis))
    }

    fn subscribe(&self) -> broadcast::Receiver<SpoolEvent> {
        self.heard.subscribe()
    }

    /// Subscribes to a channel of its own under the prefix (so no station refreshes for it), publishes there
    /// and waits for the message: both rights an ACL must grant for live updates to work.
    async fn probe(&self) -> Result<String, SpoolError> {
        let channel = format!("{}:doctor:{}", self.prefix, std::process::id());
        let refused = |what: &str, error: redis::RedisError| SpoolError::LockUnavailable {
            reason: format!("{what} en {channel}: {}", error.code().unwrap_or(error.category())),
        };
        let mut listener = tokio::time::timeout(PROBE_WAIT, self.client.get_async_pubsub())
            .await
            .map_err(|_| SpoolError::LockUnavailable { reason: "sin respuesta al suscribirse".into() })?
            .map_err(|error| refused("no se pudo suscribir", error))?;
        listener.subscribe(&channel).await.map_err(|error| refused("no se pudo suscribir", error))?;
        let mut connection = self.publisher.clone();
        let _: i64 = redis::cmd("PUBLISH")
            .arg(&channel)
            .arg("doctor")
            .query_async(&mut connection)
            .await
            .map_err(|error| refused("no se pudo publicar", error))?;
        let heard = tokio::time::timeout(PROBE_WAIT, listener.on_message().next()).await;
        match heard {
            Ok(Some(_)) => Ok(format!("publicar y escuchar funcionan (canal {})", self.channel)),
            _ => Err(SpoolError::LockUnavailable { reason: format!("el aviso de prueba no volvió por {channel}") }),
        }
    }
}

/// Subscribes, forwards every event heard, and starts over with backoff whenever the connection drops.
async fn listen(client: redis::Client, channel: String, heard: broadcast::Sender<SpoolEvent>) {
    let mut retry = FIRST_RETRY;
    let mut had_gap = false;
    loop {
        if let Ok(mut pubsub) = client.get_async_pubsub().await {
            if pubsub.subscribe(&channel).await.is_ok() {
                retry = FIRST_RETRY;
                if had_gap {
                    let _ = heard.send(SpoolEvent::default());
                }
                let mut messages = pubsub.on_message();
                while let Some(message) = messages.next().await {
                    let event =
                        message.get_payload::<Vec<u8>>().map_err(unavailable).and_then(|bytes| decode_entry(&bytes));
                    // An unreadable message is a gap like any other: the station reads the log.
                    let event = event.unwrap_or_else(|error| {
                        tracing::warn!(%channel, %error, "aviso ilegible");
                        SpoolEvent::default()
                    });
                    let _ = heard.send(event);
                }
            }
        }
        had_gap = true;
        tracing::warn!(%channel, "sin conexión a los avisos de Redis; reintentando");
        tokio::time::sleep(retry).await;
        retry = (retry * 2).min(LAST_RETRY);
    }
}
