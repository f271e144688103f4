//! A tab as the store hands it over: the header row and the data rows, cells left out past the last value.

use serde::{Deserialize, Serialize};

use crate::Cell;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Grid {
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

static EMPTY: Cell = Cell::Empty;

impl Grid {
    pub fn new(header: Vec<String>) -> Self {
        Grid { header, rows: Vec::new() }
    }

    /// The cell at a position; trailing cells a sheet leaves out read as empty.
    pub fn cell(&self, row: usize, column: usize) -> &Cell {
        self.rows.get(row).and_then(|cells| cells.get(column)).unwrap_or(&EMPTY)
    }

    /// Sets a cell, growing the row as needed.
    pub fn set(&mut self, row: usize, column: usize, value: Cell) {
        if let Some(cells) = self.rows.get_mut(row) {
            if cells.len() <= column {
                cells.resize(column + 1, Cell::Empty);
            }
            cells[column] = value;
        }
    }

    /// Inserts a column at `position` in the header and in every row, as a person editing the sheet would.
    pub fn insert_column(&mut self, position: usize, header: &str) {
        let position = position.min(self.header.len());
        self.header.insert(position, header.to_string());
        for row in &mut self.rows {
            if row.len() >= position {
                row.insert(position, Cell::Empty);
            }
        }
    }
}
