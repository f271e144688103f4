//! The station's last good copy of the shop's shared snapshot, kept in its SQLite file: the window starts from
//! it at once, and viewing goes on from it while Redis or Google cannot be reached.

use std::path::Path;

use async_trait::async_trait;
use rusqlite::OptionalExtension;
use spooltrack_core::{Snapshot, SnapshotKeeper};
use spooltrack_domain::SpoolError;

use crate::database::{sql_error, unavailable, Database};

pub struct KeptSnapshot {
    database: Database,
}

impl KeptSnapshot {
    pub fn open(path: &Path) -> Result<KeptSnapshot, SpoolError> {
        Ok(KeptSnapshot { database: Database::open(path)? })
    }
}

#[async_trait]
impl SnapshotKeeper for KeptSnapshot {
    async fn load(&self) -> Result<Option<Snapshot>, SpoolError> {
        let body: Option<String> = self
            .database
            .run(|connection| {
                connection
                    .query_row("SELECT body FROM kept_snapshot WHERE id = 1", [], |row| row.get(0))
                    .optional()
                    .map_err(sql_error)
            })
            .await?;
        body.map(|body| {
            serde_json::from_str(&body).map_err(|error| unavailable(format!("copia local ilegible: {error}")))
        })
        .transpose()
    }

    async fn save(&self, snapshot: &Snapshot) -> Result<(), SpoolError> {
        let body = serde_json::to_string(snapshot).map_err(|error| unavailable(error.to_string()))?;
        let seq = snapshot.seq as i64;
        self.database
            .run(move |connection| {
                connection
                    .execute(
                        "INSERT INTO kept_snapshot (id, seq, body) VALUES (1, ?1, ?2)
                         ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, body = excluded.body",
                        rusqlite::params![seq, body],
                    )
                    .map(|_| ())
                    .map_err(sql_error)
            })
            .await
    }
}
