//! The shared SQLite file: schema, connection settings, and running blocking SQLite work off the async runtime.

use std::{
    path::Path,
    sync::{Arc, Mutex},
};

use rusqlite::Connection;
use spooltrack_domain::SpoolError;

/// How long a process waits for another one (the window, the CLI) to finish its transaction.
const BUSY_TIMEOUT_MS: u64 = 10_000;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS sheet_rows (
    tab TEXT NOT NULL,
    position INTEGER NOT NULL,
    cells TEXT NOT NULL,
    PRIMARY KEY (tab, position)
);
CREATE TABLE IF NOT EXISTS spool_locks (
    tag TEXT PRIMARY KEY,
    worker_id INTEGER NOT NULL,
    worker TEXT NOT NULL,
    operation TEXT NOT NULL,
    station TEXT NOT NULL,
    since TEXT NOT NULL,
    token TEXT NOT NULL,
    fence INTEGER NOT NULL,
    granted_at INTEGER NOT NULL DEFAULT 0,
    writing_until INTEGER NOT NULL DEFAULT 0,
    writer TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS lock_fence (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
);
INSERT OR IGNORE INTO lock_fence (id, value) VALUES (1, 0);
CREATE TABLE IF NOT EXISTS station_beats (
    station TEXT PRIMARY KEY,
    at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS pin_attempts (
    station TEXT PRIMARY KEY,
    wrong INTEGER NOT NULL,
    at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS kept_snapshot (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    body TEXT NOT NULL,
    shop TEXT NOT NULL DEFAULT ''
);
";

/// One connection to the store file; each user (store, lock) opens its own so neither waits behind the other
/// inside one process, while SQLite's file locks keep processes apart.
#[derive(Clone)]
pub struct Database {
    connection: Arc<Mutex<Connection>>,
}

impl Database {
    pub fn open(path: &Path) -> Result<Database, SpoolError> {
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder).map_err(|error| unavailable(format!("{}: {error}", folder.display())))?;
        }
        let connection = Connection::open(path).map_err(sql_error)?;
        connection.busy_timeout(std::time::Duration::from_millis(BUSY_TIMEOUT_MS)).map_err(sql_error)?;
        connection.pragma_update(None, "journal_mode", "WAL").map_err(sql_error)?;
        connection.pragma_update(None, "synchronous", "NORMAL").map_err(sql_error)?;
        connection.execute_batch(SCHEMA).map_err(sql_error)?;
        add_columns(&connection, "spool_locks", LOCK_TIMING)?;
        add_columns(&connection, "kept_snapshot", KEPT_SHOP)?;
        Ok(Database { connection: Arc::new(Mutex::new(connection)) })
    }

    /// Runs SQLite work on the blocking pool, so a busy file never stalls the async runtime.
    pub async fn run<T, F>(&self, work: F) -> Result<T, SpoolError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, SpoolError> + Send + 'static,
    {
        let connection = Arc::clone(&self.connection);
        tokio::task::spawn_blocking(move || {
            let mut guard = connection.lock().map_err(|_| unavailable("conexión envenenada".into()))?;
            work(&mut guard)
        })
        .await
        .map_err(|error| unavailable(error.to_string()))?
    }
}

/// Files made before locks carried their grant time and write mark get those columns (milliseconds since the
/// epoch; 0 reads as "long ago" and "no write in flight").
const LOCK_TIMING: &[(&str, &str)] = &[
    ("granted_at", "INTEGER NOT NULL DEFAULT 0"),
    ("writing_until", "INTEGER NOT NULL DEFAULT 0"),
    ("writer", "TEXT NOT NULL DEFAULT ''"),
];

/// Files made before a kept copy named its shop: such a copy names none, so no station reads it back.
const KEPT_SHOP: &[(&str, &str)] = &[("shop", "TEXT NOT NULL DEFAULT ''")];

/// Adds to `table` those of `added` (name, type) that a file made by an older version lacks.
fn add_columns(connection: &Connection, table: &str, added: &[(&str, &str)]) -> Result<(), SpoolError> {
    let mut statement =
        connection.prepare(&format!("SELECT name FROM pragma_table_info('{table}')")).map_err(sql_error)?;
    let columns: Vec<String> =
        statement.query_map([], |row| row.get(0)).map_err(sql_error)?.collect::<Result<_, _>>().map_err(sql_error)?;
    for (column, kind) in added {
        if !columns.iter().any(|name| name == column) {
            connection.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {kind}")).map_err(sql_error)?;
        }
    }
    Ok(())
}

pub(crate) fn sql_error(error: rusqlite::Error) -> SpoolError {
    unavailable(error.to_string())
}

pub(crate) fn unavailable(reason: String) -> SpoolError {
    SpoolError::SheetsUnavailable { reason: format!("base de datos local: {reason}") }
}
