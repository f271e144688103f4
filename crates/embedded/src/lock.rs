//! The local lock: one row per held spool in the shared SQLite file. Grants happen inside IMMEDIATE
//! transactions, so the lock stays exclusive across processes (the window and the CLI at once).

use std::{path::Path, time::Duration};

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use spooltrack_core::{
    Acquisition, Admission, ForceAttempt, ForcedRelease, Grant, HeldLock, Holder, LockService, LockToken, PinAttempt,
    PinTally,
};
use spooltrack_domain::SpoolError;

use crate::database::{sql_error, Database};

const SINCE_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

pub struct EmbeddedLock {
    database: Database,
}

impl EmbeddedLock {
    pub fn open(path: &Path) -> Result<EmbeddedLock, SpoolError> {
        Ok(EmbeddedLock { database: Database::open(path).map_err(as_lock_error)? })
    }

    async fn run<T, F>(&self, work: F) -> Result<T, SpoolError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, SpoolError> + Send + 'static,
    {
        self.database.run(work).await.map_err(as_lock_error)
    }

    /// Deletes each lock whose token matches, with no write in flight when `only_idle`.
    async fn released(&self, grants: &[(String, LockToken)], only_idle: bool) -> Result<Vec<bool>, SpoolError> {
        let grants = grants.to_vec();
        self.run(move |connection| {
            let transaction =
                connection.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql_error)?;
            // A mark ending after this instant is a write in flight (none counts when any lock may go).
            let busy_after = if only_idle { now_ms() } else { i64::MAX };
            let released = grants
                .iter()
                .map(|(tag, token)| {
                    let deleted = transaction
                        .execute(
                            "DELETE FROM spool_locks WHERE tag = ?1 AND token = ?2 AND writing_until <= ?3",
                            params![tag, token.expose(), busy_after],
                        )
                        .map_err(sql_error)?;
                    Ok(deleted > 0)
                })
                .collect::<Result<Vec<bool>, SpoolError>>()?;
            transaction.commit().map_err(sql_error)?;
            Ok(released)
        })
        .await
    }

    /// Grants a lock with a chosen token; seeding uses it to give the demo's occupied spools their locks.
    pub(crate) fn insert(
        connection: &Connection,
        tag: &str,
        holder: &Holder,
        token: &LockToken,
    ) -> Result<u64, SpoolError> {
        let fence = next_fence(connection)?;
        let lock =
            HeldLock { holder: holder.clone(), token: token.clone(), fence, age: Duration::ZERO, writing: false };
        put(connection, tag, &lock)?;
        Ok(fence)
    }
}

#[async_trait]
impl LockService for EmbeddedLock {
    async fn acquire(&self, requests: &[(String, Holder)]) -> Result<Vec<Acquisition>, SpoolError> {
        let requests = requests.to_vec();
        self.run(move |connection| {
            let transaction =
                connection.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql_error)?;
            let mut answers = Vec::with_capacity(requests.len());
            for (tag, holder) in &requests {
                match select(&transaction, tag)? {
                    Some(current) => answers.push(Acquisition::Held(current.holder)),
                    None => {
                        let token = LockToken::random();
                        let fence = EmbeddedLock::insert(&transaction, tag, holder, &token)?;
                        answers.push(Acquisition::Granted(Grant { token, fence }));
                    }
                }
            }
            transaction.commit().map_err(sql_error)?;
            Ok(answers)
        })
        .await
    }

    async fn inspect(&self, tags: &[String]) -> Result<Vec<Option<HeldLock>>, SpoolError> {
        let tags = tags.to_vec();
        self.run(move |connection| {
            let transaction = connection.transaction().map_err(sql_error)?;
            let locks = tags.iter().map(|tag| select(&transaction, tag)).collect();
            transaction.commit().map_err(sql_error)?;
            locks
        })
        .await
    }

    async fn confirm(&self, grants: &[(String, LockToken)]) -> Result<Vec<bool>, SpoolError> {
        let grants = grants.to_vec();
        self.run(move |connection| {
            grants
                .iter()
                .map(|(tag, token)| Ok(select(connection, tag)?.is_some_and(|lock| lock.token == *token)))
                .collect()
        })
        .await
    }

    async fn release(&self, grants: &[(String, LockToken)]) -> Result<Vec<bool>, SpoolError> {
        self.released(grants, false).await
    }

    async fn release_idle(&self, grants: &[(String, LockToken)]) -> Result<Vec<bool>, SpoolError> {
        self.released(grants, true).await
    }

    async fn begin_write(
        &self,
        grants: &[(String, LockToken)],
        writer: &str,
        window: Duration,
    ) -> Result<Vec<Admission>, SpoolError> {
        let (grants, writer) = (grants.to_vec(), writer.to_string());
        self.run(move |connection| {
            let transaction =
                connection.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql_error)?;
            let now = now_ms();
            let admissions = grants
                .iter()
                .map(|(tag, token)| {
                    let mark: Option<(String, i64, String)> = transaction
                        .query_row(
                            "SELECT token, writing_until, writer FROM spool_locks WHERE tag = ?1",
                            params![tag],
                            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
                        )
                        .optional()
                        .map_err(sql_error)?;
                    Ok(match mark {
                        Some((held, _, _)) if held != token.expose() => Admission::Lost,
                        None => Admission::Lost,
                        Some((_, until, marked_by)) if until > now && marked_by != writer => Admission::Busy,
                        Some(_) => Admission::Admitted,
                    })
                })
                .collect::<Result<Vec<Admission>, SpoolError>>()?;
            if admissions.iter().all(|admission| *admission == Admission::Admitted) {
                let until = now + window.as_millis() as i64;
                for (tag, _) in &grants {
                    transaction
                        .execute(
                            "UPDATE spool_locks SET writing_until = ?1, writer = ?2 WHERE tag = ?3",
                            params![until, writer, tag],
                        )
                        .map_err(sql_error)?;
                }
            }
            transaction.commit().map_err(sql_error)?;
            Ok(admissions)
        })
        .await
    }

    async fn end_write(&self, grants: &[(String, LockToken)], writer: &str) -> Result<(), SpoolError> {
        let (grants, writer) = (grants.to_vec(), writer.to_string());
        self.run(move |connection| {
            for (tag, token) in &grants {
                connection
                    .execute(
                        "UPDATE spool_locks SET writing_until = 0, writer = '' WHERE tag = ?1 AND token = ?2
                         AND writer = ?3",
                        params![tag, token.expose(), writer],
                    )
                    .map_err(sql_error)?;
            }
            Ok(())
        })
        .await
    }

    async fn force_release(&self, tag: &str) -> Result<ForceAttempt, SpoolError> {
        let tag = tag.to_string();
        self.run(move |connection| {
            let transaction =
                connection.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql_error)?;
            let writing: Option<i64> = transaction
                .query_row("SELECT writing_until FROM spool_locks WHERE tag = ?1", params![tag], |row| row.get(0))
                .optional()
                .map_err(sql_error)?;
            if writing.is_some_and(|until| until > now_ms()) {
                return Ok(ForceAttempt::WriteInFlight);
            }
            let previous = select(&transaction, &tag)?;
            transaction.execute("DELETE FROM spool_locks WHERE tag = ?1", params![tag]).map_err(sql_error)?;
            let fence = next_fence(&transaction)?;
            transaction.commit().map_err(sql_error)?;
            Ok(ForceAttempt::Released(ForcedRelease { previous, fence }))
        })
        .await
    }

    async fn restore(&self, tag: &str, lock: &HeldLock) -> Result<bool, SpoolError> {
        let (tag, lock) = (tag.to_string(), lock.clone());
        self.run(move |connection| {
            let transaction =
                connection.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql_error)?;
            if select(&transaction, &tag)?.is_some() {
                return Ok(false);
            }
            put(&transaction, &tag, &lock)?;
            transaction.commit().map_err(sql_error)?;
            Ok(true)
        })
        .await
    }

    async fn health(&self) -> Result<String, SpoolError> {
        let held = self.held_tags().await?.len();
        Ok(format!("local, en el archivo del almacenamiento; {held} spools con bloqueo"))
    }

    /// One PC: every process here may run the periodic tasks; their corrections are safe to repeat.
    async fn try_lead(&self, _task: &str, _station: &str, _lease: std::time::Duration) -> Result<bool, SpoolError> {
        Ok(true)
    }

    async fn held_tags(&self) -> Result<Vec<String>, SpoolError> {
        self.run(|connection| {
            let mut statement =
                connection.prepare_cached("SELECT tag FROM spool_locks ORDER BY tag").map_err(sql_error)?;
            let tags = statement.query_map([], |row| row.get(0)).map_err(sql_error)?;
            tags.collect::<Result<Vec<String>, _>>().map_err(sql_error)
        })
        .await
    }

    /// The locks live in the same file as the rows: they cannot be lost apart from them.
    async fn mark_intact(&self, _fence_at_least: u64) -> Result<bool, SpoolError> {
        Ok(true)
    }

    /// Times are milliseconds of this PC's clock: the station's count is this PC's alone.
    async fn pin_attempts(&self, station: &str, attempt: PinAttempt, kept: Duration) -> Result<PinTally, SpoolError> {
        let station = station.to_string();
        let now = Utc::now().timestamp_millis();
        let forgotten_before = now - i64::try_from(kept.as_millis()).unwrap_or(i64::MAX);
        self.run(move |connection| {
            let transaction =
                connection.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql_error)?;
            transaction
                .execute("DELETE FROM pin_attempts WHERE station = ?1 AND at < ?2", params![station, forgotten_before])
                .map_err(sql_error)?;
            match attempt {
                PinAttempt::Look => 0,
                PinAttempt::Right => transaction
                    .execute("DELETE FROM pin_attempts WHERE station = ?1", params![station])
                    .map_err(sql_error)?,
                PinAttempt::Wrong => transaction
                    .execute(
                        "INSERT INTO pin_attempts (station, wrong, at) VALUES (?1, 1, ?2)
                         ON CONFLICT (station) DO UPDATE SET wrong = wrong + 1, at = excluded.at",
                        params![station, now],
                    )
                    .map_err(sql_error)?,
            };
            let state: Option<(u32, i64)> = transaction
                .query_row("SELECT wrong, at FROM pin_attempts WHERE station = ?1", params![station], |row| {
                    Ok((row.get(0)?, row.get(1)?))
                })
                .optional()
                .map_err(sql_error)?;
            transaction.commit().map_err(sql_error)?;
            Ok(state.map_or_else(PinTally::default, |(wrong, at)| PinTally {
                wrong,
                since_last: Duration::from_millis(u64::try_from(now - at).unwrap_or(0)),
            }))
        })
        .await
    }

    async fn beat(&self, station: &str, at: DateTime<Utc>) -> Result<(), SpoolError> {
        let station = station.to_string();
        self.run(move |connection| {
            connection
                .execute(
                    "INSERT INTO station_beats (station, at) VALUES (?1, ?2)
                     ON CONFLICT (station) DO UPDATE SET at = excluded.at",
                    params![station, epoch(at)],
                )
                .map_err(sql_error)?;
            Ok(())
        })
        .await
    }

    async fn last_beats(&self, stations: &[String]) -> Result<Vec<Option<DateTime<Utc>>>, SpoolError> {
        let stations = stations.to_vec();
        self.run(move |connection| {
            let mut statement =
                connection.prepare_cached("SELECT at FROM station_beats WHERE station = ?1").map_err(sql_error)?;
            stations
                .iter()
                .map(|station| {
                    let at: Option<i64> =
                        statement.query_row(params![station], |row| row.get(0)).optional().map_err(sql_error)?;
                    Ok(at.and_then(|seconds| DateTime::from_timestamp(seconds, 0)))
                })
                .collect()
        })
        .await
    }
}

fn next_fence(connection: &Connection) -> Result<u64, SpoolError> {
    let fence: i64 = connection
        .query_row("UPDATE lock_fence SET value = value + 1 WHERE id = 1 RETURNING value", [], |row| row.get(0))
        .map_err(sql_error)?;
    Ok(fence as u64)
}

/// Writes a lock row; its grant time is now less its age.
fn put(connection: &Connection, tag: &str, lock: &HeldLock) -> Result<(), SpoolError> {
    let holder = &lock.holder;
    connection
        .execute(
            "INSERT INTO spool_locks (tag, worker_id, worker, operation, station, since, token, fence, granted_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                tag,
                holder.worker_id,
                holder.worker,
                holder.operation.code(),
                holder.station,
                holder.since.format(SINCE_FORMAT).to_string(),
                lock.token.expose(),
                lock.fence as i64,
                now_ms() - lock.age.as_millis() as i64
            ],
        )
        .map_err(sql_error)?;
    Ok(())
}

/// This PC's clock in milliseconds: every process sharing the file reads the same one.
fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// Seconds since the epoch, as the beats are stored.
fn epoch(at: DateTime<Utc>) -> i64 {
    at.timestamp()
}

fn select(connection: &Connection, tag: &str) -> Result<Option<HeldLock>, SpoolError> {
    connection
        .prepare_cached(
            "SELECT worker_id, worker, operation, station, since, token, fence, granted_at, writing_until
             FROM spool_locks WHERE tag = ?1",
        )
        .map_err(sql_error)?
        .query_row(params![tag], |row| {
            let operation: String = row.get(2)?;
            let since: String = row.get(4)?;
            let fence: i64 = row.get(6)?;
            let granted_at: i64 = row.get(7)?;
            let writing_until: i64 = row.get(8)?;
            let now = now_ms();
            let age = Duration::from_millis(now.saturating_sub(granted_at).max(0) as u64);
            Ok((
                Holder {
                    worker_id: row.get(0)?,
                    worker: row.get(1)?,
                    operation: operation.parse().unwrap_or(spooltrack_domain::Operation::Arm),
                    station: row.get(3)?,
                    since: NaiveDateTime::parse_from_str(&since, SINCE_FORMAT).unwrap_or_default(),
                },
                LockToken::new(row.get(5)?),
                fence as u64,
                age,
                writing_until > now,
            ))
        })
        .optional()
        .map_err(sql_error)
        .map(|found| found.map(|(holder, token, fence, age, writing)| HeldLock { holder, token, fence, age, writing }))
}

/// Failures of the lock file are the lock service being unavailable, not the store.
fn as_lock_error(error: SpoolError) -> SpoolError {
    match error {
        SpoolError::SheetsUnavailable { reason } => SpoolError::LockUnavailable { reason },
        other => other,
    }
}
