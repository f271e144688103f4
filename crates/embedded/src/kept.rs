//! The station's last good copy of the shop's shared snapshot, kept in its SQLite file: the window starts from
//! it at once, and viewing goes on from it while Redis or Google cannot be reached. The copy names the shop it
//! is of, and only that shop's station reads it back.

use std::path::Path;

use async_trait::async_trait;
use rusqlite::OptionalExtension;
use spooltrack_core::{Snapshot, SnapshotKeeper};
use spooltrack_domain::SpoolError;

use crate::database::{sql_error, unavailable, Database};

pub struct KeptSnapshot {
    database: Database,
    /// The shop whose copy this is (its spreadsheet and Redis, never a password).
    shop: String,
}

impl KeptSnapshot {
    pub fn open(path: &Path, shop: &str) -> Result<KeptSnapshot, SpoolError> {
        Ok(KeptSnapshot { database: Database::open(path)?, shop: shop.to_string() })
    }
}

#[async_trait]
impl SnapshotKeeper for KeptSnapshot {
    async fn load(&self) -> Result<Option<Snapshot>, SpoolError> {
        let shop = self.shop.clone();
        let body: Option<String> = self
            .database
            .run(move |connection| {
                connection
                    .query_row("SELECT body FROM kept_snapshot WHERE id = 1 AND shop = ?1", [shop], |row| row.get(0))
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
        let (seq, shop) = (snapshot.seq as i64, self.shop.clone());
        self.database
            .run(move |connection| {
                connection
                    .execute(
                        "INSERT INTO kept_snapshot (id, seq, body, shop) VALUES (1, ?1, ?2, ?3)
                         ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, body = excluded.body, shop = excluded.shop",
                        rusqlite::params![seq, body, shop],
                    )
                    .map(|_| ())
                    .map_err(sql_error)
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use spooltrack_core::{Snapshot, SnapshotKeeper, SnapshotPatch};
    use spooltrack_domain::Grid;

    use super::KeptSnapshot;

    #[tokio::test]
    async fn a_kept_copy_is_read_back_by_its_own_shop_only() {
        let folder = tempfile::tempdir().expect("temp dir");
        let path = folder.path().join("estacion.db");
        let mut copy = Snapshot::default();
        copy.apply(7, &SnapshotPatch::seed([Grid::default(), Grid::default(), Grid::default()], 0, chrono::Utc::now()));
        KeptSnapshot::open(&path, "planilla-1 redis:6379 (prefijo planta1)")
            .expect("opened")
            .save(&copy)
            .await
            .expect("kept");

        let same = KeptSnapshot::open(&path, "planilla-1 redis:6379 (prefijo planta1)").expect("opened");
        assert_eq!(same.load().await.expect("read").map(|kept| kept.seq), Some(7));
        for other in ["planilla-2 redis:6379 (prefijo planta1)", "planilla-1 redis:6379 (prefijo planta2)", ""] {
            let elsewhere = KeptSnapshot::open(&path, other).expect("opened");
            assert!(elsewhere.load().await.expect("read").is_none(), "a station set up for {other:?}");
        }
    }
}
