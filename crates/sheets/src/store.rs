//! The Sheets store: the core's `Store` on a Google spreadsheet. Reads fetch every tab a screen needs in one
//! `values.batchGet` (workers and roles kept for minutes, spools for seconds, the audit never kept). Each write
//! re-reads the rows it touches, places every update by header and tag, checks fences, and sends row updates
//! and audit rows as one `spreadsheets.batchUpdate`. An answer lost on the way back is settled by looking for
//! the action's event id in the audit tab before any retry, so no action is ever recorded twice.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use async_trait::async_trait;
use google_sheets4::api::Request;
use spooltrack_core::{Change, PinHash, PlacedRow, Store, WriteGate};
use spooltrack_domain::{
    a1::{column_letters, A1Range},
    pin_cell, pin_hashes,
    schema::{audit, ops, trabajadores, ColumnMap, Tab, TabNames},
    spool::find_row,
    Cell, Grid, SpoolError, WorkerId,
};

use crate::{
    client::{unavailable, Failure, SheetsClient, SheetsSettings, Spreadsheet, WriteTurn},
    requests::{append_rows, update_row},
    Tuning,
};

struct Cached {
    at: Instant,
    /// Shared with the readers: a write's cells copy it only while a reader still holds it.
    grid: Arc<Grid>,
}

/// What a write confirms before it is sent, read in one call.
struct ForWrite {
    /// The rows it updates (only their columns, when the header is known).
    operaciones: Option<Grid>,
    /// Trabajadores as it is, for a new PIN hash.
    trabajadores: Option<Grid>,
    /// The audit tab's header, for the audit rows.
    audit_header: Option<Vec<String>>,
}

/// A write ready to send, and what it was built from.
struct Prepared {
    requests: Vec<Request>,
    /// The rows written, each with the tag the confirmation found there: the cache after a successful write.
    placed: Vec<(PlacedRow, Option<Cell>)>,
    /// The audit tab's `ID` column, where a lost answer's event id is looked for.
    audit_ids: Option<usize>,
}

pub struct SheetsStore {
    client: SheetsClient,
    tabs: TabNames,
    /// Each tab's numeric id, which batchUpdate requests address; learnt from `spreadsheets.get`.
    sheet_ids: Mutex<HashMap<String, i32>>,
    cache: Mutex<HashMap<Tab, Cached>>,
    /// Operaciones' header as last read in full: where the columns a write confirms are.
    header: Mutex<Option<Vec<String>>>,
}

impl SheetsStore {
    /// Prepares the client; nothing is fetched until the first read, so a station starts without the network.
    pub async fn open(settings: &SheetsSettings, tabs: TabNames, tuning: Tuning) -> Result<SheetsStore, SpoolError> {
        let client = SheetsClient::connect(settings, tuning).await?;
        Ok(SheetsStore { client, tabs, sheet_ids: Mutex::default(), cache: Mutex::default(), header: Mutex::default() })
    }

    pub fn client(&self) -> &SheetsClient {
        &self.client
    }

    /// Spends the shop's request budget (kept in its Redis) as well as this station's.
    pub fn with_shop_budget(mut self, shop: std::sync::Arc<dyn spooltrack_core::SharedBudget>) -> Self {
        self.client.share_budget(shop);
        self
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

    fn cached(&self, tab: Tab) -> Option<Arc<Grid>> {
        let max_age = self.max_age(tab)?;
        let cache = lock(&self.cache);
        cache.get(&tab).filter(|cached| cached.at.elapsed() < max_age).map(|cached| cached.grid.clone())
    }

    fn remember(&self, tab: Tab, grid: Arc<Grid>) {
        if tab == Tab::Operaciones {
            *lock(&self.header) = Some(grid.header.clone());
        }
        if self.max_age(tab).is_some() {
            lock(&self.cache).insert(tab, Cached { at: Instant::now(), grid });
        }
    }

    /// One `values.batchGet` of A1 ranges, retried; a range naming a tab the spreadsheet lacks is SCHEMA_DRIFT.
    async fn fetch(&self, ranges: &[String], tabs: &[Tab], turn: Option<&WriteTurn>) -> Result<Vec<Grid>, SpoolError> {
        let mut delays = self.client.tuning().backoff();
        loop {
            match self.client.batch_get(ranges, turn).await {
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

    /// The columns of Operaciones a write must confirm (the tag that finds the rows, `version` and the
    /// occupation that guard them), by position in the header last read; none while no header is known. The
    /// columns it changes are confirmed by the header row, read with them.
    fn confirmed_columns(&self) -> Option<(Vec<String>, ColumnMap, Vec<usize>)> {
        let header = lock(&self.header).clone()?;
        let map = ColumnMap::locate(Tab::Operaciones, &self.tabs.operaciones, &header).ok()?;
        let mut columns: Vec<usize> =
            [&ops::TAG, &ops::VERSION, &ops::OCUPADO_POR].into_iter().filter_map(|spec| map.position(spec)).collect();
        columns.sort_unstable();
        columns.dedup();
        Some((header, map, columns))
    }

    /// Operaciones as it is now, for the rows a write touches: the header row and the confirmed columns when
    /// the header is known (the other cells read blank), the whole tab otherwise. Trabajadores (for a PIN) and
    /// the audit tab's header come in the same call.
    async fn read_for_write(&self, change: &Change, turn: &WriteTurn) -> Result<ForWrite, SpoolError> {
        let narrow = if change.rows.is_empty() { None } else { self.confirmed_columns() };
        let tab = A1Range::tab(&self.tabs.operaciones);
        let mut tabs = Vec::new();
        let mut ranges = Vec::new();
        match &narrow {
            Some((_, _, columns)) => {
                tabs.push(Tab::Operaciones);
                ranges.push(format!("{tab}!1:1"));
                for column in columns {
                    let letters = column_letters(*column);
                    tabs.push(Tab::Operaciones);
                    ranges.push(format!("{tab}!{letters}:{letters}"));
                }
            }
            None if !change.rows.is_empty() => {
                tabs.push(Tab::Operaciones);
                ranges.push(tab.to_string());
            }
            None => {}
        }
        if change.pin.is_some() {
            tabs.push(Tab::Trabajadores);
            ranges.push(A1Range::tab(&self.tabs.trabajadores).to_string());
        }
        if !change.audit.is_empty() {
            tabs.push(Tab::Metadata);
            ranges.push(format!("{}!1:1", A1Range::tab(&self.tabs.metadata)));
        }
        let mut grids = self.fetch(&ranges, &tabs, Some(turn)).await?;
        let audit_header = (!change.audit.is_empty()).then(|| grids.pop().unwrap_or_default().header);
        let trabajadores = change.pin.is_some().then(|| grids.pop().unwrap_or_default());
        let operaciones = match narrow {
            Some((header, map, columns)) => match assemble(&header, &map, &columns, &grids, change) {
                Some(grid) => Some(grid),
                None => {
                    // A person moved, added or renamed a column since the header was read: read the whole tab.
                    lock(&self.header).take();
                    return Box::pin(self.read_for_write(change, turn)).await;
                }
            },
            None => grids.pop().inspect(|grid| *lock(&self.header) = Some(grid.header.clone())),
        };
        Ok(ForWrite { operaciones, trabajadores, audit_header })
    }

    /// Confirms the rows against the spreadsheet as it is now and builds the requests.
    async fn prepare(&self, change: &Change, turn: &WriteTurn) -> Result<Prepared, SpoolError> {
        let ForWrite { operaciones, trabajadores, audit_header } = self.read_for_write(change, turn).await?;
        let mut prepared = Prepared { requests: Vec::new(), placed: Vec::new(), audit_ids: None };
        if let (Some(grid), Some(pin)) = (trabajadores, &change.pin) {
            let map = ColumnMap::of(Tab::Trabajadores, &self.tabs.trabajadores, &grid)?;
            let (row, column) = pin_cell(&grid, &map, &self.tabs.trabajadores, pin.worker_id)?;
            let hash = Cell::text(pin.hash.as_stored());
            prepared.requests.extend(update_row(
                self.sheet_id(Tab::Trabajadores).await?,
                row + 1,
                vec![(column, hash)],
            ));
        }
        if let Some(grid) = operaciones {
            let map = ColumnMap::of(Tab::Operaciones, &self.tabs.operaciones, &grid)?;
            let placed = change.place_rows(&grid, &map)?;
            let sheet_id = self.sheet_id(Tab::Operaciones).await?;
            let tag_column = map.position(&ops::TAG);
            for row in placed {
                // Grid rows start after the header: sheet row = grid row + 1.
                prepared.requests.extend(update_row(sheet_id, row.row + 1, row.cells.clone()));
                let tag = tag_column.map(|column| grid.cell(row.row, column).clone());
                prepared.placed.push((row, tag));
            }
        }
        if let Some(header) = audit_header {
            let map = ColumnMap::locate(Tab::Metadata, &self.tabs.metadata, &header)?;
            let rows: Vec<_> = change.audit.iter().map(|event| event.to_row(&map, header.len())).collect();
            prepared.requests.push(append_rows(self.sheet_id(Tab::Metadata).await?, &rows));
            prepared.audit_ids = map.position(&audit::ID);
        }
        Ok(prepared)
    }

    /// After a write: the kept copy of Operaciones gets the written cells, when its rows are still where the
    /// confirmation found them (otherwise it is dropped and read again).
    fn remember_written(&self, placed: Vec<(PlacedRow, Option<Cell>)>) {
        let mut cache = lock(&self.cache);
        let Some(cached) = cache.get_mut(&Tab::Operaciones) else { return };
        let map = ColumnMap::of(Tab::Operaciones, &self.tabs.operaciones, &cached.grid).ok();
        let tag_column = map.as_ref().and_then(|map| map.position(&ops::TAG));
        let same_rows = Some(&cached.grid.header) == lock(&self.header).as_ref()
            && placed
                .iter()
                .all(|(row, tag)| tag_column.map(|column| cached.grid.cell(row.row, column)) == tag.as_ref());
        if !same_rows {
            cache.remove(&Tab::Operaciones);
            return;
        }
        for (row, _) in placed {
            for (column, value) in row.cells {
                Arc::make_mut(&mut cached.grid).set(row.row, column, value);
            }
        }
    }

    /// Whether a write whose answer was lost reached the sheet: its first event id is in the audit tab.
    async fn landed(&self, change: &Change, audit_ids: Option<usize>) -> Result<bool, SpoolError> {
        let (Some(event), Some(column)) = (change.audit.first(), audit_ids) else {
            // Only row updates: writing them again leaves the same rows.
            return Ok(false);
        };
        let letters = column_letters(column);
        let range = format!("{}!{letters}:{letters}", A1Range::tab(&self.tabs.metadata));
        let ids = self.fetch(&[range], &[Tab::Metadata], None).await?.remove(0);
        Ok(ids.rows.iter().any(|row| row.first().is_some_and(|id| id.display() == event.id)))
    }
}

#[async_trait]
impl Store for SheetsStore {
    fn tab_names(&self) -> &TabNames {
        &self.tabs
    }

    async fn read(&self, tabs: &[Tab]) -> Result<Vec<Grid>, SpoolError> {
        Ok(self.read_shared(tabs).await?.into_iter().map(Arc::unwrap_or_clone).collect())
    }

    async fn diagnose_source(&self, timezone: &str) -> spooltrack_core::SourceDiagnosis {
        self.doctor(timezone).await
    }

    async fn read_shared(&self, tabs: &[Tab]) -> Result<Vec<Arc<Grid>>, SpoolError> {
        if lock(&self.sheet_ids).is_empty() {
            self.spreadsheet().await?;
        }
        let mut grids: Vec<Option<Arc<Grid>>> = tabs.iter().map(|tab| self.cached(*tab)).collect();
        let mut missing: Vec<Tab> =
            tabs.iter().zip(&grids).filter(|(_, grid)| grid.is_none()).map(|(tab, _)| *tab).collect();
        missing.dedup();
        if !missing.is_empty() {
            let ranges: Vec<String> =
                missing.iter().map(|tab| A1Range::tab(self.tabs.name(*tab)).to_string()).collect();
            let fetched = self.fetch(&ranges, &missing, None).await?;
            for (tab, mut grid) in missing.into_iter().zip(fetched) {
                // The header is checked on every read: a tab missing a critical column is never served or kept.
                ColumnMap::of(tab, self.tabs.name(tab), &grid)?;
                if tab == Tab::Trabajadores {
                    trabajadores::blank_pin_hashes(&mut grid);
                }
                let grid = Arc::new(grid);
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

    async fn pin_hashes(&self) -> Result<Vec<(WorkerId, PinHash)>, SpoolError> {
        let range = A1Range::tab(&self.tabs.trabajadores).to_string();
        let grid = self.fetch(&[range], &[Tab::Trabajadores], None).await?.remove(0);
        let map = ColumnMap::of(Tab::Trabajadores, &self.tabs.trabajadores, &grid)?;
        Ok(pin_hashes(&grid, &map).into_iter().map(|(id, hash)| (id, PinHash::stored(hash))).collect())
    }

    async fn write(&self, change: &Change, gate: &dyn WriteGate) -> Result<(), SpoolError> {
        if change.rows.is_empty() && change.audit.is_empty() && change.pin.is_none() {
            return Ok(());
        }
        let mut delays = self.client.tuning().backoff();
        loop {
            let turn = self.client.write_turn().await?;
            let prepared = self.prepare(change, &turn).await.inspect_err(|_| {
                // The sheet is not what this station remembered (a column or a row gone): read it again.
                self.invalidate();
            })?;
            let failure = match self.client.batch_update(turn, prepared.requests, gate).await {
                Ok(()) => {
                    self.remember_written(prepared.placed);
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

    fn reach(&self) -> spooltrack_core::Reach {
        self.client.reach()
    }

    fn busy(&self) -> bool {
        self.client.busy()
    }
}

/// Lays the confirmed columns out under the whole header: every row gets its tag (which finds the rows), and
/// only the rows the write touches get the other columns, so confirming one row does not lay out the tab.
/// `grids` are the header row, then the columns. None when the header is not what it was (a person moved,
/// added or renamed a column): the write's cells would land under other columns.
fn assemble(header: &[String], map: &ColumnMap, columns: &[usize], grids: &[Grid], change: &Change) -> Option<Grid> {
    let (now, grids) = grids.split_first()?;
    if now.header != header {
        return None;
    }
    let tag_column = map.position(&ops::TAG)?;
    let tags = &grids[columns.iter().position(|column| *column == tag_column)?];
    let mut grid = Grid::new(header.to_vec());
    grid.rows = vec![Vec::new(); grids.iter().map(|column| column.rows.len()).max().unwrap_or(0)];
    for row in 0..tags.rows.len() {
        grid.set(row, tag_column, tags.cell(row, 0).clone());
    }
    for update in &change.rows {
        let Some(row) = find_row(&grid, map, &update.tag) else { continue };
        for (column, values) in columns.iter().zip(grids) {
            grid.set(row, *column, values.cell(row, 0).clone());
        }
    }
    Some(grid)
}

fn missing_tab(name: &str) -> SpoolError {
    SpoolError::SchemaDrift { tab: name.to_string(), column: "(pestaña completa)".into() }
}

/// A poisoned cache only means a panic elsewhere; its content is still usable.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
