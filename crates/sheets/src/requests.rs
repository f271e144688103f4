//! An action's change as `spreadsheets.batchUpdate` requests: the row updates as updateCells over runs of
//! adjacent columns (cells between them are left alone), and the audit rows as one appendCells. RAW values:
//! text stays text, numbers stay numbers.

use std::str::FromStr;

use google_sheets4::{
    api::{AppendCellsRequest, CellData, ExtendedValue, GridCoordinate, Request, RowData, UpdateCellsRequest},
    FieldMask,
};
use spooltrack_domain::Cell;

fn user_entered_value() -> Option<FieldMask> {
    FieldMask::from_str("userEnteredValue").ok()
}

fn cell_data(cell: &Cell) -> CellData {
    let value = match cell {
        // No value with the field in the mask: the cell is cleared.
        Cell::Empty => return CellData::default(),
        Cell::Text(text) => ExtendedValue { string_value: Some(text.clone()), ..Default::default() },
        Cell::Number(number) => ExtendedValue { number_value: Some(*number), ..Default::default() },
        Cell::Bool(flag) => ExtendedValue { bool_value: Some(*flag), ..Default::default() },
    };
    CellData { user_entered_value: Some(value), ..Default::default() }
}

fn row_data(cells: &[Cell]) -> RowData {
    RowData { values: Some(cells.iter().map(cell_data).collect()) }
}

/// Sets `cells` (column index → value) of the 0-based sheet row `row`: one updateCells per run of adjacent
/// columns.
pub(crate) fn update_row(sheet_id: i32, row: usize, mut cells: Vec<(usize, Cell)>) -> Vec<Request> {
    cells.sort_by_key(|(column, _)| *column);
    let mut runs: Vec<(usize, Vec<Cell>)> = Vec::new();
    for (column, value) in cells {
        match runs.last_mut() {
            Some((start, values)) if *start + values.len() == column => values.push(value),
            _ => runs.push((column, vec![value])),
        }
    }
    runs.into_iter()
        .map(|(column, values)| Request {
            update_cells: Some(UpdateCellsRequest {
                start: Some(GridCoordinate {
                    sheet_id: Some(sheet_id),
                    row_index: Some(row as i32),
                    column_index: Some(column as i32),
                }),
                rows: Some(vec![row_data(&values)]),
                fields: user_entered_value(),
                ..Default::default()
            }),
            ..Default::default()
        })
        .collect()
}

/// Appends whole rows after the last row in use.
pub(crate) fn append_rows(sheet_id: i32, rows: &[Vec<Cell>]) -> Request {
    Request {
        append_cells: Some(AppendCellsRequest {
            sheet_id: Some(sheet_id),
            rows: Some(rows.iter().map(|cells| row_data(cells)).collect()),
            fields: user_entered_value(),
            ..Default::default()
        }),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adjacent_columns_share_one_request_and_gaps_are_left_alone() {
        let cells = vec![(12, Cell::text("b")), (3, Cell::Empty), (11, Cell::text("a")), (13, Cell::Number(4.0))];
        let requests = update_row(7, 41, cells);
        assert_eq!(requests.len(), 2);
        let starts: Vec<(i32, i32, usize)> = requests
            .iter()
            .map(|request| {
                let update = request.update_cells.as_ref().expect("updateCells");
                let start = update.start.as_ref().expect("start");
                let width = update.rows.as_ref().expect("rows")[0].values.as_ref().expect("values").len();
                (start.row_index.unwrap_or(-1), start.column_index.unwrap_or(-1), width)
            })
            .collect();
        assert_eq!(starts, vec![(41, 3, 1), (41, 11, 3)]);
        let cleared = &requests[0].update_cells.as_ref().expect("updateCells").rows.as_ref().expect("rows")[0];
        assert!(cleared.values.as_ref().expect("values")[0].user_entered_value.is_none(), "an empty cell is cleared");
    }
}
