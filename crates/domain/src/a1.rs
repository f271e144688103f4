//! A1 notation as the Sheets API speaks it: `'Tab name'!A2:K`, `Tab!A:A`, a bare `Tab`. Used to ask the
//! spreadsheet for exactly the cells a screen needs, and by the project's Sheets fake to answer them.

use std::fmt;

use crate::SpoolError;

/// A rectangle of one tab; an open end (`A2:K`, `A:A`, a bare tab) runs to the last row or column in use.
/// Rows and columns are 0-based here; A1 text is 1-based with letters for columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct A1Range {
    pub tab: String,
    pub first_column: usize,
    pub first_row: usize,
    pub last_column: Option<usize>,
    pub last_row: Option<usize>,
}

impl A1Range {
    /// The whole tab.
    pub fn tab(name: &str) -> Self {
        A1Range { tab: name.to_string(), first_column: 0, first_row: 0, last_column: None, last_row: None }
    }

    pub fn parse(text: &str) -> Result<A1Range, SpoolError> {
        let invalid =
            |reason: &str| SpoolError::InvalidInput { field: "rango".into(), reason: format!("«{text}»: {reason}") };
        let (tab, cells) = split_tab(text).ok_or_else(|| invalid("nombre de pestaña mal escrito"))?;
        if tab.is_empty() {
            return Err(invalid("falta la pestaña"));
        }
        let Some(cells) = cells else { return Ok(A1Range::tab(&tab)) };
        let (start, end) = cells.split_once(':').map_or((cells, None), |(start, end)| (start, Some(end)));
        let (first_column, first_row) = cell(start).ok_or_else(|| invalid("celda inicial"))?;
        let mut range = A1Range {
            tab,
            first_column: first_column.unwrap_or(0),
            first_row: first_row.unwrap_or(0),
            last_column: first_column,
            last_row: first_row,
        };
        if let Some(end) = end {
            let (last_column, last_row) = cell(end).ok_or_else(|| invalid("celda final"))?;
            range.last_column = last_column;
            range.last_row = last_row;
        }
        Ok(range)
    }
}

impl fmt::Display for A1Range {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plain = self.tab.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if plain {
            write!(formatter, "{}", self.tab)?;
        } else {
            write!(formatter, "'{}'", self.tab.replace('\'', "''"))?;
        }
        if *self == A1Range::tab(&self.tab) {
            return Ok(());
        }
        let row = |row: Option<usize>| row.map(|row| (row + 1).to_string()).unwrap_or_default();
        let column = |column: Option<usize>| column.map(column_letters).unwrap_or_default();
        write!(formatter, "!{}{}", column_letters(self.first_column), self.first_row + 1)?;
        write!(formatter, ":{}{}", column(self.last_column), row(self.last_row))
    }
}

/// `0` → `A`, `25` → `Z`, `26` → `AA`.
pub fn column_letters(mut index: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.reverse();
    String::from_utf8_lossy(&letters).into_owned()
}

/// `A` → `0`, `AA` → `26`; `None` for anything but letters.
pub fn column_index(letters: &str) -> Option<usize> {
    if letters.is_empty() || !letters.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    letters
        .chars()
        .try_fold(0usize, |index, letter| {
            let value = (letter.to_ascii_uppercase() as u8 - b'A') as usize + 1;
            index.checked_mul(26)?.checked_add(value)
        })
        .map(|index| index - 1)
}

/// `'Tab ''x'''!A1` → (`Tab 'x'`, Some(`A1`)); a bare tab has no cells part.
fn split_tab(text: &str) -> Option<(String, Option<&str>)> {
    let text = text.trim();
    if let Some(quoted) = text.strip_prefix('\'') {
        let mut name = String::new();
        let mut chars = quoted.char_indices();
        while let Some((at, c)) = chars.next() {
            if c != '\'' {
                name.push(c);
                continue;
            }
            match quoted[at + 1..].chars().next() {
                Some('\'') => {
                    name.push('\'');
                    chars.next();
                }
                None => return Some((name, None)),
                Some('!') => return Some((name, Some(&quoted[at + 2..]))),
                Some(_) => return None,
            }
        }
        return None;
    }
    Some(match text.split_once('!') {
        Some((tab, cells)) => (tab.to_string(), Some(cells)),
        None => (text.to_string(), None),
    })
}

/// `B12` → (Some(1), Some(11)); `K` → (Some(10), None); `5` → (None, Some(4)).
fn cell(text: &str) -> Option<(Option<usize>, Option<usize>)> {
    let split = text.find(|c: char| c.is_ascii_digit()).unwrap_or(text.len());
    let (letters, digits) = text.split_at(split);
    let column = if letters.is_empty() { None } else { Some(column_index(letters)?) };
    let row = if digits.is_empty() { None } else { Some(digits.parse::<usize>().ok()?.checked_sub(1)?) };
    (column.is_some() || row.is_some()).then_some((column, row))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_round_trip() {
        for (index, letters) in [(0, "A"), (25, "Z"), (26, "AA"), (51, "AZ"), (52, "BA"), (701, "ZZ"), (702, "AAA")] {
            assert_eq!(column_letters(index), letters);
            assert_eq!(column_index(letters), Some(index));
        }
        assert_eq!(column_index("a"), Some(0));
        assert_eq!(column_index("A1"), None);
    }

    #[test]
    fn parses_the_forms_the_api_uses() {
        let range = A1Range::parse("'Hoja de Operación'!A2:K").expect("valid");
        assert_eq!(range.tab, "Hoja de Operación");
        assert_eq!((range.first_column, range.first_row, range.last_column, range.last_row), (0, 1, Some(10), None));
        let column = A1Range::parse("Metadata!A:A").expect("valid");
        assert_eq!((column.first_row, column.last_column, column.last_row), (0, Some(0), None));
        assert_eq!(A1Range::parse("Trabajadores").expect("valid"), A1Range::tab("Trabajadores"));
        assert_eq!(A1Range::parse("'Roles'").expect("valid"), A1Range::tab("Roles"));
        let cell = A1Range::parse("'It''s'!C7").expect("valid");
        assert_eq!(
            (cell.tab.as_str(), cell.first_column, cell.first_row, cell.last_column, cell.last_row),
            ("It's", 2, 6, Some(2), Some(6))
        );
    }

    #[test]
    fn refuses_what_is_not_a_range() {
        for text in ["", "'sin cerrar!A1", "Tab!", "Tab!1A", "Tab!A0", "'Tab'x!A1"] {
            assert!(A1Range::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn formats_back_quoting_only_when_needed() {
        for text in ["Operaciones", "'Hoja de Operación'!A2:K", "Metadata!A1:A", "'It''s'!C7:C7", "Tab!B3:D10"] {
            assert_eq!(A1Range::parse(text).expect("valid").to_string(), text);
        }
    }
}
