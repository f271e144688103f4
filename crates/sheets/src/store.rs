//! The Sheets store: the core's `Store` on a Google spreadsheet. Reads fetch every tab a screen needs in one
//! `values.batchGet` (workers and roles kept for minutes, spools for seconds, the audit never kept). Each write
//! re-reads the rows it touches, places every update by header and tag, checks fences, and sends row updates
//! and audit rows as one `spreadsheets.batchUpdate`. An answer lost on the way back is settled by looking for
//! the action's event id in the audit tab before any retry, so no action is ever recorded twice.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use async_trait::async_trait;
use google_sheets4::api::Request;
use spooltrack_core::{Change, Store, WriteGate};
use spooltrack_domain::{
    a1::{column_letters, A1Range},
    schema::{audit, ColumnMap, Tab, TabNames},
    Grid, SpoolError,
};

use crate::{
    client::{unavailable, Failure, SheetsClient, SheetsSettings, Spreadsheet},
    requests::{append_rows, update_row},
    Tuning,
};

struct Cached {
    at: Instant,
    grid: Grid,
}

/// A write ready to send, and what it was built from.
struct Prepared {
    requests: Vec<Request>,
    /// Operaciones as read just before, with the change applied: the cache after a successful write.
    operaciones: Option<Grid>,
    /// The audit tab's `ID` column, where a lost answer's event id is looked for.
    audit_ids: Option<usize>,
}

pub struct SheetsStore {
    client: SheetsClient,
    tabs: TabNames,
    /// Each tab's numeric id, which batchUpdate requests address; learnt from `spreadsheets.get`.
    sheet_ids: Mutex<HashMap<String, i32>>,
    cache: Mutex<HashMap<Tab, Cached>>,
}

impl SheetsStore {
    /// Prepares the client; nothing is fetched until the first read, so a station starts without the network.
    pub async fn open(settings: &SheetsSettings, tabs: TabNames, tuning: Tuning) -> Result<SheetsStore, SpoolError> {
        let client = SheetsClient::connect(settings, tuning).await?;
        Ok(SheetsStore { client, tabs, sheet_ids: Mutex::default(), cache: Mutex::default() })
    }

    pub fn client(&self) -> &SheetsClient {
        &self.client
    }

    /// The spreadsheet's properties (time zone, tabs), fetched now; the tab ids are remembered.
    pub async fn spreadsheet(&self) -> Result<Spreadsheet, SpoolError> {
        let spreadsheet = self.client.retrying(|| self.client.spreadsheet()).await?;
        *lock(&self.sheet_ids) = spreadsheet.tabs.iter().cloned().collect();
        Ok(spreadsheet)
    }

    /// The numeric id of a tab; a tab the spreadsheet lacks is SCHEMA_DRIFT naming it.
    async fn sheet_id(&self, tab: Tab) -> Result<i32, SpoolError> {
        let name = self.tabs.name(tab);
        if let Some(id) = lock(&self.sheet_ids).get(name) {
            return Ok(*id);
        }
        let spreadsheet = self.spreadsheet().await?;
        spreadsheet.tabs.iter().find(|(title, _)| title == name).map(|(_, id)| *id).ok_or_else(|| missing_tab(name))
    }

    fn max_age(&self, tab: Tab) -> Option<Duration> {
        let tuning = self.client.tuning();
        match tab {
            Tab::Trabajadores | Tab::Roles => Some(tuning.people_max_age),
            Tab::Operaciones => Some(tuning.spools_max_age),
            Tab::Metadata => None,
        }
    }

    fn cached(&self, tab: Tab) -> Option<Grid> {
        let max_age = self.max_age(tab)?;
        let cache = lock(&self.cache);
        cache.get(&tab).filter(|cached| cached.at.elapsed() < max_age).map(|cached| cached.grid.clone())
    }

    fn remember(&self, tab: Tab, grid: Grid) {
        if self.max_age(tab).is_some() {
            lock(&self.cache).insert(tab, Cached { at: Instant::now(), grid });
        }
    }

    /// One `values.batchGet` of A1 ranges, retried; a range naming a tab the spreadsheet lacks is SCHEMA_DRIFT.
    async fn fetch(&self, ranges: &[String], tabs: &[Tab]) -> Result<Vec<Grid>, SpoolError> {
        let mut delays = self.client.tuning().backoff();
        loop {
            match self.client.batch_get(ranges).await {
                Ok(grids) => return Ok(grids),
                Err(Failure::Refused { status: 400, message }) => {
                    let spreadsheet = self.spreadsheet().await?;
                    let missing = tabs
                        .iter()
                        .map(|tab| self.tabs.name(*tab))
                        .find(|name| !spreadsheet.tabs.iter().any(|(title, _)| title == name));
                    return Err(missing.map_or_else(|| unavailable(message), missing_tab));
                }
                Err(failure) => self.client.pause_before_retry(failure, delays.next()).await?,
            }
        }
    }

    /// Confirms the rows against the spreadsheet as it is now and builds the requests.
    async fn prepare(&self, change: &Change) -> Result<Prepared, SpoolError> {
        let mut tabs = Vec::new();
        let mut ranges = Vec::new();
        if !change.rows.is_empty() {
            tabs.push(Tab::Operaciones);
            ranges.push(A1Range::tab(&self.tabs.operaciones).to_string());
        }
        if !change.audit.is_empty() {
            tabs.push(Tab::Metadata);
            ranges.push(format!("{}!1:1", A1Range::tab(&self.tabs.metadata)));
        }
        let mut grids = self.fetch(&ranges, &tabs).await?.into_iter();
        let mut prepared = Prepared { requests: Vec::new(), operaciones: None, audit_ids: None };
        if !change.rows.is_empty() {
            let mut grid = grids.next().unwrap_or_default();
            let map = ColumnMap::of(Tab::Operaciones, &self.tabs.operaciones, &grid)?;
            let placed = change.place_rows(&grid, &map)?;
            let sheet_id = self.sheet_id(Tab::Operaciones).await?;
            for row in placed {
                // Grid rows start after the header: sheet row = grid row + 1.
                prepared.requests.extend(update_row(sheet_id, row.row + 1, row.cells.clone()));
                for (column, value) in row.cells {
                    grid.set(row.row, column, value);
                }
            }
            prepared.operaciones = Some(grid);
        }
        if !change.audit.is_empty() {
            let header = grids.next().unwrap_or_default().header;
            let map = ColumnMap::locate(Tab::Metadata, &self.tabs.metadata, &header)?;
            let rows: Vec<_> = change.audit.iter().map(|event| event.to_row(&map, header.len())).collect();
            prepared.requests.push(append_rows(self.sheet_id(Tab::Metadata).await?, &rows));
            prepared.audit_ids = map.position(&audit::ID);
        }
        Ok(prepared)
    }

    /// Whether a write whose answer was lost reached the sheet: its first event id is in the audit tab.
    async fn landed(&self, change: &Change, audit_ids: Option<usize>) -> Result<bool, SpoolError> {
        let (Some(event), Some(column)) = (change.audit.first(), audit_ids) else {
            // Only row updates: writing them again leaves the same rows.
            return Ok(false);
        };
        let letters = column_letters(column);
        let range = format!("{}!{letters}:{letters}", A1Range::tab(&self.tabs.metadata));
        let ids = self.fetch(&[range], &[Tab::Metadata]).await?.remove(0);
        Ok(ids.rows.iter().any(|row| row.first().is_some_and(|id| id.display() == event.id)))
    }
}

#[async_trait]
impl Store for SheetsStore {
    fn tab_names(&self) -> &TabNames {
        &self.tabs
    }

    async fn read(&self, tabs: &[Tab]) -> Result<Vec<Grid>, SpoolError> {
        if lock(&self.sheet_ids).is_empty() {
            self.spreadsheet().await?;
        }
        let mut grids: Vec<Option<Grid>> = tabs.iter().map(|tab| self.cached(*tab)).collect();
        let mut missing: Vec<Tab> =
            tabs.iter().zip(&grids).filter(|(_, grid)| grid.is_none()).map(|(tab, _)| *tab).collect();
        missing.dedup();
        if !missing.is_empty() {
            let ranges: Vec<String> =
                missing.iter().map(|tab| A1Range::tab(self.tabs.name(*tab)).to_string()).collect();
            let fetched = self.fetch(&ranges, &missing).await?;
            for (tab, grid) in missing.into_iter().zip(fetched) {
                // The header is checked on every read: a tab missing a critical column is never served or kept.
                ColumnMap::of(tab, self.tabs.name(tab), &grid)?;
                self.remember(tab, grid.clone());
                for (asked, slot) in tabs.iter().zip(grids.iter_mut()) {
                    if *asked == tab && slot.is_none() {
                        *slot = Some(grid.clone());
                    }
                }
            }
        }
        Ok(grids.into_iter().map(Option::unwrap_or_default).collect())
    }

    async fn write(&self, change: &Change, gate: &dyn WriteGate) -> Result<(), SpoolError> {
        if change.rows.is_empty() && change.audit.is_empty() {
            return Ok(());
        }
        let mut delays = self.client.tuning().backoff();
        loop {
            let prepared = self.prepare(change).await.inspect_err(|_| {
                // The sheet is not what this station remembered (a column or a row gone): read it again.
                self.invalidate();
            })?;
            let failure = match self.client.batch_update(prepared.requests, gate).await {
                Ok(()) => {
                    if let Some(grid) = prepared.operaciones {
                        self.remember(Tab::Operaciones, grid);
                    }
                    return Ok(());
                }
                Err(failure) => failure,
            };
            if let Failure::Uncertain(reason) = &failure {
                self.invalidate();
                match self.landed(change, prepared.audit_ids).await {
                    Ok(true) => {
                        tracing::info!(reason = %reason, "la respuesta se perdió, pero el cambio quedó registrado");
                        return Ok(());
                    }
                    Ok(false) => {}
                    Err(error) => {
                        // Sent, answer lost, and the audit cannot say whether it landed.
                        return Err(SpoolError::OutcomeUnknown { reason: format!("{reason}; {}", error.diagnosis()) });
                    }
                }
            }
            self.client.pause_before_retry(failure, delays.next()).await?;
        }
    }

    fn invalidate(&self) {
        lock(&self.cache).remove(&Tab::Operaciones);
    }
}

fn missing_tab(name: &str) -> SpoolError {
    SpoolError::SchemaDrift { tab: name.to_string(), column: "(pestaña completa)".into() }
}

/// A poisoned cache only means a panic elsewhere; its content is still usable.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
