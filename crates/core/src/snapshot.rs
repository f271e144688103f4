//! The shop's shared snapshot (SPEC §5): the spools, workers and roles as every station shows them, kept in step
//! by numbered patches instead of each station re-reading the spreadsheet. A station that writes publishes the
//! cells it changed; the one reader of the shop publishes what a re-read found different (a person's edits).
//! Every station applies the same patches in the same order, so every copy ends the same.

use std::{collections::BTreeMap, sync::Arc};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use spooltrack_domain::{
    schema::{ops, ColumnMap, Tab},
    Cell, Grid,
};

use crate::Change;

/// The three tabs a screen shows, at a sequence number.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The number of the last patch applied.
    pub seq: u64,
    /// Shared with the readers of the copy: a patch copies a tab only while a reader still holds it.
    pub operaciones: Arc<Grid>,
    pub trabajadores: Arc<Grid>,
    pub roles: Arc<Grid>,
    /// When the spreadsheet was last read for it: how old "the last data" is.
    pub read_at: Option<DateTime<Utc>>,
    /// The number of the last station write to each spool's row: a re-read started before it does not undo it.
    pub(crate) written: BTreeMap<String, u64>,
}

/// One cell's new value, found by the row's tag and the column's header (people insert rows and columns).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellUpdate {
    pub tag: String,
    pub column: String,
    pub value: Cell,
}

/// What changed in the snapshot. A station's write carries its cells; a re-read carries what it found
/// different, with the number it was read after, and whole tabs when rows were added, removed or moved.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SnapshotPatch {
    /// For a re-read of the spreadsheet: the last patch number seen before reading.
    pub read_after: Option<u64>,
    pub read_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cells: Vec<CellUpdate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operaciones: Option<Grid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trabajadores: Option<Grid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Grid>,
}

impl SnapshotPatch {
    /// The cells a station's write changed, each column by its known name (the snapshot finds it by header).
    pub fn of_change(change: &Change) -> SnapshotPatch {
        let cells = change
            .rows
            .iter()
            .flat_map(|row| {
                row.cells.iter().map(|(spec, value)| CellUpdate {
                    tag: row.tag.clone(),
                    column: spec.header.to_string(),
                    value: value.clone(),
                })
            })
            .collect();
        SnapshotPatch { cells, ..SnapshotPatch::default() }
    }

    /// What a fresh read of the spreadsheet changes in `snapshot`, read after patch `read_after`.
    pub fn of_reread(snapshot: &Snapshot, fresh: [Grid; 3], read_after: u64, read_at: DateTime<Utc>) -> SnapshotPatch {
        let [operaciones, trabajadores, roles] = fresh;
        let mut patch = SnapshotPatch { read_after: Some(read_after), read_at: Some(read_at), ..Default::default() };
        if same_rows(&snapshot.operaciones, &operaciones) {
            patch.cells = changed_cells(&snapshot.operaciones, &operaciones);
        } else {
            patch.operaciones = Some(operaciones);
        }
        patch.trabajadores = (*snapshot.trabajadores != trabajadores).then_some(trabajadores);
        patch.roles = (*snapshot.roles != roles).then_some(roles);
        patch
    }

    /// A whole snapshot as a patch: how the first station seeds the shop's copy.
    pub fn seed(fresh: [Grid; 3], read_after: u64, read_at: DateTime<Utc>) -> SnapshotPatch {
        let [operaciones, trabajadores, roles] = fresh;
        SnapshotPatch {
            read_after: Some(read_after),
            read_at: Some(read_at),
            cells: Vec::new(),
            operaciones: Some(operaciones),
            trabajadores: Some(trabajadores),
            roles: Some(roles),
        }
    }

    /// Whether a screen has anything to show again: rows, workers or roles changed.
    pub fn changes_anything(&self) -> bool {
        !self.cells.is_empty() || self.operaciones.is_some() || self.trabajadores.is_some() || self.roles.is_some()
    }

    /// The spools whose rows this patch changes; none when it replaces whole tabs (every screen reloads).
    pub fn changed_tags(&self) -> Vec<String> {
        if self.operaciones.is_some() || self.trabajadores.is_some() || self.roles.is_some() {
            return Vec::new();
        }
        let mut tags: Vec<String> = self.cells.iter().map(|cell| cell.tag.clone()).collect();
        tags.sort();
        tags.dedup();
        tags
    }

    /// Whether it changes who occupies a spool (the reconciler then looks at the locks).
    pub fn changes_occupation(&self) -> bool {
        self.operaciones.is_some() || self.cells.iter().any(|cell| ops::OCUPADO_POR.header == cell.column)
    }
}

impl Snapshot {
    /// Applies patch number `seq`. Rows a station wrote after a re-read was started keep what the station
    /// wrote: the re-read saw them before the write.
    pub fn apply(&mut self, seq: u64, patch: &SnapshotPatch) {
        let written_since = |written: &BTreeMap<String, u64>, tag: &str| {
            patch.read_after.is_some_and(|read_after| written.get(tag).is_some_and(|at| *at > read_after))
        };
        if let Some(fresh) = &patch.operaciones {
            let mut replaced = fresh.clone();
            let (from, into) = (TagIndex::of(&self.operaciones), TagIndex::of(&replaced));
            for tag in self.written.keys().filter(|tag| written_since(&self.written, tag)) {
                if let (Some(source), Some(target)) = (from.row(tag), into.row(tag)) {
                    copy_row(&self.operaciones, source, &mut replaced, target);
                }
            }
            self.operaciones = Arc::new(replaced);
        }
        let index = TagIndex::of(&self.operaciones);
        let map = ColumnMap::of(Tab::Operaciones, "Operaciones", &self.operaciones).ok();
        for update in &patch.cells {
            if written_since(&self.written, &update.tag) {
                continue;
            }
            let column = column_of(&self.operaciones, map.as_ref(), &update.column);
            let (Some(row), Some(column)) = (index.row(&update.tag), column) else { continue };
            Arc::make_mut(&mut self.operaciones).set(row, column, update.value.clone());
        }
        if patch.read_after.is_none() {
            for update in &patch.cells {
                self.written.insert(update.tag.clone(), seq);
            }
        }
        if let Some(trabajadores) = &patch.trabajadores {
            self.trabajadores = Arc::new(trabajadores.clone());
        }
        if let Some(roles) = &patch.roles {
            self.roles = Arc::new(roles.clone());
        }
        if patch.read_at.is_some() {
            self.read_at = patch.read_at;
        }
        self.seq = seq;
    }

    /// The grid of a tab this snapshot holds (the audit is never kept in it).
    pub fn tab(&self, tab: Tab) -> Option<&Arc<Grid>> {
        match tab {
            Tab::Operaciones => Some(&self.operaciones),
            Tab::Trabajadores => Some(&self.trabajadores),
            Tab::Roles => Some(&self.roles),
            Tab::Metadata => None,
        }
    }
}

/// Rows found by tag without scanning the tab for every cell of a patch.
struct TagIndex(std::collections::HashMap<String, usize>);

impl TagIndex {
    fn of(grid: &Grid) -> TagIndex {
        let column = ColumnMap::of(Tab::Operaciones, "Operaciones", grid).ok().and_then(|map| map.position(&ops::TAG));
        let rows = column.map_or_else(Default::default, |column| {
            (0..grid.rows.len()).filter_map(|row| Some((grid.cell(row, column).as_text()?, row))).rev().collect()
        });
        TagIndex(rows)
    }

    fn row(&self, tag: &str) -> Option<usize> {
        self.0.get(tag).copied()
    }
}

fn position(grid: &Grid, header: &str) -> Option<usize> {
    grid.header.iter().position(|name| name == header)
}

/// A column by its header as the tab spells it, or by a known column's name (a station's write names its
/// columns so; the sheet may spell them otherwise: `SPLIT`, accents, case).
fn column_of(grid: &Grid, map: Option<&ColumnMap>, name: &str) -> Option<usize> {
    position(grid, name).or_else(|| {
        let spec = Tab::Operaciones.columns().iter().find(|spec| spec.header == name)?;
        map?.position(spec)
    })
}

/// Same header, same spools in the same order: the tab can be patched cell by cell.
fn same_rows(old: &Grid, new: &Grid) -> bool {
    let tags = |grid: &Grid| {
        let column = ColumnMap::of(Tab::Operaciones, "Operaciones", grid).ok()?.position(&ops::TAG)?;
        Some((0..grid.rows.len()).map(|row| grid.cell(row, column).display()).collect::<Vec<_>>())
    };
    old.header == new.header && old.rows.len() == new.rows.len() && tags(old).is_some_and(|old| Some(old) == tags(new))
}

/// Every cell of `new` that differs from `old`, for two tabs with the same rows (see [`same_rows`]).
fn changed_cells(old: &Grid, new: &Grid) -> Vec<CellUpdate> {
    let Some(tag_column) =
        ColumnMap::of(Tab::Operaciones, "Operaciones", new).ok().and_then(|map| map.position(&ops::TAG))
    else {
        return Vec::new();
    };
    let mut cells = Vec::new();
    for row in 0..new.rows.len() {
        let tag = new.cell(row, tag_column).display();
        for (column, header) in new.header.iter().enumerate() {
            let value = new.cell(row, column);
            if old.cell(row, column) != value {
                cells.push(CellUpdate { tag: tag.clone(), column: header.clone(), value: value.clone() });
            }
        }
    }
    cells
}

/// Puts row `source` of `from` into row `target` of `into`, column by header.
fn copy_row(from: &Grid, source: usize, into: &mut Grid, target: usize) {
    for (column, header) in from.header.iter().enumerate() {
        if let Some(destination) = position(into, header) {
            into.set(target, destination, from.cell(source, column).clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use spooltrack_domain::{layout::ShopLayout, schema::ops};

    use super::*;
    use crate::{RowGuard, RowUpdate};

    fn shop(tags: &[&str]) -> Grid {
        let mut shop = ShopLayout::default();
        for tag in tags {
            shop.add_spool(&[(&ops::TAG, Cell::text(*tag))]);
        }
        shop.operaciones
    }

    fn snapshot(tags: &[&str]) -> Snapshot {
        let mut snapshot = Snapshot::default();
        snapshot.apply(1, &SnapshotPatch::seed([shop(tags), Grid::default(), Grid::default()], 0, Utc::now()));
        snapshot
    }

    fn occupied(snapshot: &Snapshot, tag: &str) -> Cell {
        let grid = &snapshot.operaciones;
        let row = TagIndex::of(grid).row(tag).expect("row");
        grid.cell(row, position(grid, ops::OCUPADO_POR.header).expect("column")).clone()
    }

    fn write(tag: &str, value: &str) -> Change {
        let update = RowUpdate {
            tag: tag.into(),
            cells: vec![(&ops::OCUPADO_POR, Cell::text(value))],
            guard: RowGuard::as_read(None),
        };
        Change { rows: vec![update], ..Change::default() }
    }

    #[test]
    fn a_write_patch_sets_its_cells_by_tag_and_header() {
        let mut copy = snapshot(&["A", "B"]);
        let patch = SnapshotPatch::of_change(&write("B", "MR(93)"));
        copy.apply(2, &patch);
        assert_eq!(occupied(&copy, "B"), Cell::text("MR(93)"));
        assert_eq!(occupied(&copy, "A"), Cell::Empty);
        assert_eq!((copy.seq, patch.changed_tags()), (2, vec!["B".to_string()]));
        assert!(patch.changes_occupation());
    }

    #[test]
    fn a_write_patch_finds_a_column_the_sheet_spells_otherwise() {
        let mut copy = snapshot(&["A"]);
        let column = position(&copy.operaciones, ops::OCUPADO_POR.header).expect("column");
        Arc::make_mut(&mut copy.operaciones).header[column] = "OCUPADO POR".into();
        copy.apply(2, &SnapshotPatch::of_change(&write("A", "MR(93)")));
        assert_eq!(copy.operaciones.cell(0, column), &Cell::text("MR(93)"));
    }

    #[test]
    fn a_reread_patch_brings_a_copy_to_the_fresh_tab() {
        let copy = snapshot(&["A", "B"]);
        let mut edited = Grid::clone(&copy.operaciones);
        let column = position(&edited, ops::OCUPADO_POR.header).expect("column");
        edited.set(0, column, Cell::text("JP(7)"));
        let patch = SnapshotPatch::of_reread(&copy, [edited.clone(), Grid::default(), Grid::default()], 1, Utc::now());
        assert_eq!((patch.cells.len(), patch.operaciones.is_none()), (1, true), "one cell, not the tab");
        let mut applied = copy.clone();
        applied.apply(2, &patch);
        assert_eq!(*applied.operaciones, edited);

        let mut sorted = edited.clone();
        sorted.rows.reverse();
        let patch = SnapshotPatch::of_reread(&copy, [sorted.clone(), Grid::default(), Grid::default()], 1, Utc::now());
        assert!(patch.operaciones.is_some() && patch.changed_tags().is_empty(), "moved rows replace the tab");
        let mut applied = copy;
        applied.apply(2, &patch);
        assert_eq!(*applied.operaciones, sorted);
    }

    #[test]
    fn a_reread_started_before_a_write_does_not_undo_it() {
        let mut copy = snapshot(&["A", "B"]);
        let stale = Grid::clone(&copy.operaciones);
        copy.apply(2, &SnapshotPatch::of_change(&write("A", "MR(93)")));
        // The reader read the sheet after patch 1, before the write of patch 2 landed.
        let mut reread = stale.clone();
        let column = position(&reread, ops::OCUPADO_POR.header).expect("column");
        reread.set(1, column, Cell::text("JP(7)"));
        let cells = SnapshotPatch::of_reread(&copy, [reread.clone(), Grid::default(), Grid::default()], 1, Utc::now());
        let mut sorted = reread;
        sorted.rows.reverse();
        let whole = SnapshotPatch::of_reread(&copy, [sorted, Grid::default(), Grid::default()], 1, Utc::now());
        for patch in [cells, whole] {
            let mut applied = copy.clone();
            applied.apply(3, &patch);
            assert_eq!(occupied(&applied, "A"), Cell::text("MR(93)"), "the write stands");
            assert_eq!(occupied(&applied, "B"), Cell::text("JP(7)"), "the person's edit arrives");
        }
        // A re-read started after the write is the truth, even if it says otherwise.
        let mut later = copy.clone();
        later.apply(3, &SnapshotPatch::of_reread(&copy, [stale, Grid::default(), Grid::default()], 2, Utc::now()));
        assert_eq!(occupied(&later, "A"), Cell::Empty);
    }

    #[test]
    fn people_travel_as_whole_tabs() {
        let copy = snapshot(&["A"]);
        let workers = Grid { header: vec!["Id".into()], rows: vec![vec![Cell::Number(93.0)]] };
        let patch = SnapshotPatch::of_reread(
            &copy,
            [Grid::clone(&copy.operaciones), workers.clone(), Grid::default()],
            1,
            Utc::now(),
        );
        assert!(patch.changes_anything() && patch.changed_tags().is_empty());
        let unchanged = SnapshotPatch::of_reread(
            &copy,
            [Grid::clone(&copy.operaciones), Grid::default(), Grid::default()],
            1,
            Utc::now(),
        );
        assert!(!unchanged.changes_anything(), "nothing to show, only a newer read time");
    }
}
