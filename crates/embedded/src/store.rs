//! The four tabs as grids in SQLite: header row at position 0, one JSON array of cells per row, so a column
//! inserted by hand or a renamed header behaves exactly as in the spreadsheet.

use std::path::Path;

use async_trait::async_trait;
use rusqlite::{params, Connection, TransactionBehavior};
use spooltrack_core::{Change, PinHash, Store, WriteGate};
use spooltrack_domain::{
    schema::{trabajadores, ColumnMap, Tab, TabNames},
    Cell, Grid, SpoolError, WorkerId,
};

use crate::database::{sql_error, unavailable, Database};

/// The longest a write may take once its gate is open: the file's busy timeout, and a margin.
const WRITE_WINDOW: std::time::Duration = std::time::Duration::from_secs(12);

pub struct EmbeddedStore {
    database: Database,
    tabs: TabNames,
}

impl EmbeddedStore {
    pub fn open(path: &Path, tabs: TabNames) -> Result<EmbeddedStore, SpoolError> {
        Ok(EmbeddedStore { database: Database::open(path)?, tabs })
    }

    /// Replaces whole tabs, as seeding or a person pasting a sheet would.
    pub async fn replace(&self, grids: Vec<(Tab, Grid)>) -> Result<(), SpoolError> {
        let named: Vec<(String, Grid)> =
            grids.into_iter().map(|(tab, grid)| (self.tabs.name(tab).to_string(), grid)).collect();
        self.database
            .run(move |connection| {
                let transaction =
                    connection.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql_error)?;
                write_grids(&transaction, &named)?;
                transaction.commit().map_err(sql_error)
            })
            .await
    }
}

#[async_trait]
impl Store for EmbeddedStore {
    fn tab_names(&self) -> &TabNames {
        &self.tabs
    }

    async fn read(&self, tabs: &[Tab]) -> Result<Vec<Grid>, SpoolError> {
        let names: Vec<String> = tabs.iter().map(|tab| self.tabs.name(*tab).to_string()).collect();
        let mut grids = self
            .database
            .run(move |connection| {
                // One transaction: every tab from the same moment.
                let transaction = connection.transaction().map_err(sql_error)?;
                let grids = names.iter().map(|name| read_grid(&transaction, name)).collect();
                transaction.commit().map_err(sql_error)?;
                grids
            })
            .await?;
        for (tab, grid) in tabs.iter().zip(&mut grids) {
            if *tab == Tab::Trabajadores {
                trabajadores::blank_pin_hashes(grid);
            }
        }
        Ok(grids)
    }

    async fn pin_hashes(&self) -> Result<Vec<(WorkerId, PinHash)>, SpoolError> {
        let tab = self.tabs.trabajadores.clone();
        let grid = self.database.run(move |connection| read_grid(connection, &tab)).await?;
        let map = ColumnMap::of(Tab::Trabajadores, &self.tabs.trabajadores, &grid)?;
        Ok(spooltrack_domain::pin_hashes(&grid, &map)
            .into_iter()
            .map(|(id, hash)| (id, PinHash::stored(hash)))
            .collect())
    }

    async fn write(&self, change: &Change, gate: &dyn WriteGate) -> Result<(), SpoolError> {
        let change = change.clone();
        let tabs = self.tabs.clone();
        gate.open(WRITE_WINDOW).await?;
        let written = self
            .database
            .run(move |connection| {
                let transaction =
                    connection.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql_error)?;
                apply_rows(&transaction, &tabs.operaciones, &change)?;
                keep_pin(&transaction, &tabs.trabajadores, &change)?;
                append_audit(&transaction, &tabs.metadata, &change)?;
                transaction.commit().map_err(sql_error)
            })
            .await;
        gate.close().await;
        written
    }
}

/// Replaces whole tabs inside the caller's transaction.
pub(crate) fn write_grids(transaction: &Connection, grids: &[(String, Grid)]) -> Result<(), SpoolError> {
    for (name, grid) in grids {
        transaction.execute("DELETE FROM sheet_rows WHERE tab = ?1", params![name]).map_err(sql_error)?;
        let header: Vec<Cell> = grid.header.iter().map(Cell::text).collect();
        for (position, cells) in std::iter::once(&header).chain(&grid.rows).enumerate() {
            insert_row(transaction, name, position, cells)?;
        }
    }
    Ok(())
}

/// Sets the named columns of each tag's row, found again by its id; any missing tag or lost fence aborts all.
fn apply_rows(transaction: &Connection, tab: &str, change: &Change) -> Result<(), SpoolError> {
    if change.rows.is_empty() {
        return Ok(());
    }
    let mut grid = read_grid(transaction, tab)?;
    let map = ColumnMap::of(Tab::Operaciones, tab, &grid)?;
    for placed in change.place_rows(&grid, &map)? {
        for (column, value) in placed.cells {
            grid.set(placed.row, column, value);
        }
        let cells = serde_json::to_string(&grid.rows[placed.row]).map_err(|error| unavailable(error.to_string()))?;
        transaction
            .execute(
                "UPDATE sheet_rows SET cells = ?1 WHERE tab = ?2 AND position = ?3",
                params![cells, tab, placed.row as i64 + 1],
            )
            .map_err(sql_error)?;
    }
    Ok(())
}

/// Keeps a supervisor's new PIN hash in the worker's row of Trabajadores.
fn keep_pin(transaction: &Connection, tab: &str, change: &Change) -> Result<(), SpoolError> {
    let Some(pin) = &change.pin else { return Ok(()) };
    let mut grid = read_grid(transaction, tab)?;
    let map = ColumnMap::of(Tab::Trabajadores, tab, &grid)?;
    let (row, column) = spooltrack_domain::pin_cell(&grid, &map, tab, pin.worker_id)?;
    grid.set(row, column, Cell::text(pin.hash.as_stored()));
    let cells = serde_json::to_string(&grid.rows[row]).map_err(|error| unavailable(error.to_string()))?;
    transaction
        .execute(
            "UPDATE sheet_rows SET cells = ?1 WHERE tab = ?2 AND position = ?3",
            params![cells, tab, row as i64 + 1],
        )
        .map_err(sql_error)?;
    Ok(())
}

/// Appends audit rows after the last one, laid out along the Metadata header.
fn append_audit(transaction: &Connection, tab: &str, change: &Change) -> Result<(), SpoolError> {
    if change.audit.is_empty() {
        return Ok(());
    }
    let header = read_header(transaction, tab)?;
    let map = ColumnMap::locate(Tab::Metadata, tab, &header)?;
    let last: i64 = transaction
        .query_row("SELECT COALESCE(MAX(position), 0) FROM sheet_rows WHERE tab = ?1", params![tab], |row| row.get(0))
        .map_err(sql_error)?;
    for (offset, event) in change.audit.iter().enumerate() {
        insert_row(transaction, tab, (last + 1) as usize + offset, &event.to_row(&map, header.len()))?;
    }
    Ok(())
}

fn insert_row(transaction: &Connection, tab: &str, position: usize, cells: &[Cell]) -> Result<(), SpoolError> {
    let cells = serde_json::to_string(cells).map_err(|error| unavailable(error.to_string()))?;
    transaction
        .execute(
            "INSERT INTO sheet_rows (tab, position, cells) VALUES (?1, ?2, ?3)",
            params![tab, position as i64, cells],
        )
        .map_err(sql_error)?;
    Ok(())
}

fn read_header(connection: &Connection, tab: &str) -> Result<Vec<String>, SpoolError> {
    Ok(read_grid_rows(connection, tab, true)?.header)
}

fn read_grid(connection: &Connection, tab: &str) -> Result<Grid, SpoolError> {
    read_grid_rows(connection, tab, false)
}

/// A tab that does not exist reads as SCHEMA_DRIFT naming its id column, as a missing sheet tab would.
fn read_grid_rows(connection: &Connection, tab: &str, header_only: bool) -> Result<Grid, SpoolError> {
    let sql = if header_only {
        "SELECT position, cells FROM sheet_rows WHERE tab = ?1 AND position = 0"
    } else {
        "SELECT position, cells FROM sheet_rows WHERE tab = ?1 ORDER BY position"
    };
    let mut statement = connection.prepare_cached(sql).map_err(sql_error)?;
    let mut rows = statement.query(params![tab]).map_err(sql_error)?;
    let mut grid = Grid::default();
    let mut has_header = false;
    while let Some(row) = rows.next().map_err(sql_error)? {
        let position: i64 = row.get(0).map_err(sql_error)?;
        let json: String = row.get(1).map_err(sql_error)?;
        let cells: Vec<Cell> =
            serde_json::from_str(&json).map_err(|error| unavailable(format!("fila {position} de {tab}: {error}")))?;
        if position < 0 {
            // A row put above the header by hand: it cannot be addressed like the sheet's rows, and is not
            // dropped either: the tab is refused, naming the row, until a person moves it.
            let tag = cells.first().map(Cell::display).filter(|text| !text.is_empty());
            return Err(SpoolError::DataCorrupt {
                tag: tag.unwrap_or_else(|| format!("(fila {position} de {tab})")),
                column: "posición de la fila".into(),
                raw: position.to_string(),
            });
        }
        if position == 0 {
            grid.header = cells.iter().map(Cell::display).collect();
            has_header = true;
        } else {
            // Gaps (rows a person deleted) stay as empty rows, keeping positions aligned with the table.
            grid.rows.resize(position as usize - 1, Vec::new());
            grid.rows.push(cells);
        }
    }
    if !has_header {
        return Err(SpoolError::SchemaDrift { tab: tab.to_string(), column: "(pestaña completa)".into() });
    }
    Ok(grid)
}
