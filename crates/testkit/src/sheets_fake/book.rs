//! The fake's spreadsheet: tabs of stored cells, read back with Google's render options and written with its
//! input options. Cells keep whether they are formatted as a date, so a serial number renders as Google would.

use serde_json::{json, Value};
use spooltrack_domain::{
    a1::A1Range,
    cell::{format_date, format_date_time, serial_to_date_time},
    Cell, Grid,
};

/// One cell as the spreadsheet keeps it: its value and whether a date format applies.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Stored {
    pub value: Cell,
    pub date: bool,
}

impl Stored {
    fn plain(value: Cell) -> Self {
        Stored { value, date: false }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Sheet {
    pub id: i32,
    pub title: String,
    /// Every row of the tab, the header row included.
    pub rows: Vec<Vec<Stored>>,
}

/// How values come back: `valueRenderOption` and `dateTimeRenderOption`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Render {
    pub formatted: bool,
    pub serial_dates: bool,
}

impl Render {
    pub fn from_query(query: &[(String, String)]) -> Render {
        let option = |name: &str| query.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str());
        Render {
            // Google's default is FORMATTED_VALUE; SERIAL_NUMBER is the default date-time render.
            formatted: !matches!(option("valueRenderOption"), Some("UNFORMATTED_VALUE" | "FORMULA")),
            serial_dates: option("dateTimeRenderOption") != Some("FORMATTED_STRING"),
        }
    }
}

/// `valueInputOption`: RAW stores text as typed; USER_ENTERED parses numbers, booleans and dates as a person's
/// typing would (a date becomes a serial number with a date format).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Input {
    Raw,
    UserEntered,
}

impl Input {
    pub fn from_query(query: &[(String, String)]) -> Option<Input> {
        match query.iter().find(|(key, _)| key == "valueInputOption").map(|(_, value)| value.as_str()) {
            Some("RAW") => Some(Input::Raw),
            Some("USER_ENTERED") => Some(Input::UserEntered),
            _ => None,
        }
    }

    pub fn parse(self, value: &Value) -> Stored {
        match (self, value) {
            (_, Value::Null) => Stored::default(),
            (_, Value::Bool(flag)) => Stored::plain(Cell::Bool(*flag)),
            (_, Value::Number(number)) => Stored::plain(number.as_f64().map_or(Cell::Empty, Cell::Number)),
            (Input::Raw, Value::String(text)) => Stored::plain(text_cell(text)),
            (Input::UserEntered, Value::String(text)) => typed(text),
            (_, other) => Stored::plain(Cell::text(other.to_string())),
        }
    }
}

fn text_cell(text: &str) -> Cell {
    if text.is_empty() {
        Cell::Empty
    } else {
        Cell::text(text)
    }
}

/// What a person typing `text` into a cell ends up with.
fn typed(text: &str) -> Stored {
    let trimmed = text.trim();
    if let Some(literal) = text.strip_prefix('\'') {
        return Stored::plain(text_cell(literal));
    }
    if let Ok(number) = trimmed.parse::<f64>() {
        return Stored::plain(Cell::Number(number));
    }
    match trimmed.to_uppercase().as_str() {
        "TRUE" => return Stored::plain(Cell::Bool(true)),
        "FALSE" => return Stored::plain(Cell::Bool(false)),
        _ => {}
    }
    match Cell::text(trimmed).as_date_time() {
        Ok(Some(moment)) => {
            Stored { value: Cell::Number(spooltrack_domain::cell::date_time_to_serial(moment)), date: true }
        }
        _ => Stored::plain(text_cell(text)),
    }
}

impl Sheet {
    /// A tab from a grid: numbers in date columns (headers starting with `Fecha` or `Timestamp`) carry a date
    /// format, as they would in the shop's sheet.
    pub fn from_grid(id: i32, title: &str, grid: &Grid) -> Sheet {
        let dated: Vec<bool> = grid
            .header
            .iter()
            .map(|name| {
                let name = name.to_lowercase();
                name.starts_with("fecha") || name.starts_with("timestamp")
            })
            .collect();
        let header = grid.header.iter().map(|name| Stored::plain(text_cell(name))).collect();
        let rows = grid.rows.iter().map(|cells| {
            cells
                .iter()
                .enumerate()
                .map(|(column, value)| Stored {
                    value: value.clone(),
                    date: matches!(value, Cell::Number(_)) && dated.get(column).copied().unwrap_or(false),
                })
                .collect()
        });
        Sheet { id, title: title.to_string(), rows: std::iter::once(header).chain(rows).collect() }
    }

    /// The tab as a grid of unformatted values, for tests that look at what was written.
    pub fn grid(&self) -> Grid {
        let mut rows = self.rows.iter().map(|cells| cells.iter().map(|stored| stored.value.clone()).collect());
        let header: Vec<Cell> = rows.next().unwrap_or_default();
        Grid { header: header.iter().map(Cell::display).collect(), rows: rows.collect() }
    }

    /// The rectangle's values as Google answers them: trailing empty cells and rows left out.
    pub fn values(&self, range: &A1Range, render: Render) -> Vec<Vec<Value>> {
        let last_row = range.last_row.unwrap_or(usize::MAX).min(self.rows.len().saturating_sub(1));
        let mut rows: Vec<Vec<Value>> = (range.first_row..=last_row)
            .filter_map(|row| self.rows.get(row))
            .map(|cells| {
                let last_column = range.last_column.unwrap_or(usize::MAX).min(cells.len().saturating_sub(1));
                let mut values: Vec<Value> = (range.first_column..=last_column)
                    .filter_map(|column| cells.get(column))
                    .map(|stored| rendered(stored, render))
                    .collect();
                while values.last().is_some_and(|value| value == "") {
                    values.pop();
                }
                values
            })
            .collect();
        while rows.last().is_some_and(Vec::is_empty) {
            rows.pop();
        }
        rows
    }

    /// Writes a rectangle of cells with its top-left corner at (`row`, `column`), growing the tab as needed.
    pub fn write(&mut self, row: usize, column: usize, cells: Vec<Vec<Option<Stored>>>) {
        for (offset, values) in cells.into_iter().enumerate() {
            let target = row + offset;
            if self.rows.len() <= target {
                self.rows.resize(target + 1, Vec::new());
            }
            for (index, stored) in values.into_iter().enumerate() {
                // `None` leaves the cell as it is (a field the request did not set).
                let Some(stored) = stored else { continue };
                let cells = &mut self.rows[target];
                if cells.len() <= column + index {
                    cells.resize(column + index + 1, Stored::default());
                }
                cells[column + index] = stored;
            }
        }
    }

    /// The row after the last one holding anything: where an append lands.
    pub fn next_free_row(&self) -> usize {
        self.rows
            .iter()
            .rposition(|cells| cells.iter().any(|stored| stored.value != Cell::Empty))
            .map_or(0, |row| row + 1)
    }

    pub fn properties(&self, index: usize) -> Value {
        let columns = self.rows.iter().map(Vec::len).max().unwrap_or(0).max(26);
        json!({ "sheetId": self.id, "title": self.title, "index": index, "sheetType": "GRID",
            "gridProperties": { "rowCount": self.rows.len().max(1000), "columnCount": columns } })
    }
}

fn rendered(stored: &Stored, render: Render) -> Value {
    match &stored.value {
        Cell::Empty => json!(""),
        Cell::Number(serial) if stored.date && (render.formatted || !render.serial_dates) => {
            json!(formatted_date(*serial))
        }
        cell if render.formatted => json!(cell.display()),
        Cell::Bool(flag) => json!(flag),
        Cell::Number(number) => json!(number),
        Cell::Text(text) => json!(text),
    }
}

/// A date cell as the shop's locale shows it: `DD-MM-YYYY`, with the time when it has one.
fn formatted_date(serial: f64) -> String {
    match serial_to_date_time(serial) {
        Some(moment) if serial.fract() == 0.0 => format_date(moment.date()),
        Some(moment) => format_date_time(moment),
        None => Cell::Number(serial).display(),
    }
}

/// A cell of a `spreadsheets.batchUpdate` request (`CellData`): its user-entered value, and a date number format.
pub(crate) fn from_cell_data(data: &Value, fields: &str) -> Option<Stored> {
    let sets_value = fields == "*" || fields.split(',').any(|field| field.trim().starts_with("userEnteredValue"));
    if !sets_value {
        return None;
    }
    let entered = &data["userEnteredValue"];
    let value = if let Some(text) = entered["stringValue"].as_str() {
        text_cell(text)
    } else if let Some(number) = entered["numberValue"].as_f64() {
        Cell::Number(number)
    } else if let Some(flag) = entered["boolValue"].as_bool() {
        Cell::Bool(flag)
    } else if let Some(formula) = entered["formulaValue"].as_str() {
        Cell::text(formula)
    } else {
        Cell::Empty
    };
    let date = matches!(data["userEnteredFormat"]["numberFormat"]["type"].as_str(), Some("DATE" | "DATE_TIME"));
    Some(Stored { value, date })
}
