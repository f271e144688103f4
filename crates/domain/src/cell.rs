//! Cell values as a spreadsheet answers them, and their tolerant decoding into dates, numbers and text.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

/// One cell, read with unformatted values: dates may arrive as serial numbers or as text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(untagged)]
pub enum Cell {
    #[default]
    Empty,
    Bool(bool),
    Number(f64),
    Text(String),
}

/// A cell whose content is not of the kind asked for (text in a date column, a fraction for an id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unreadable;

/// Text formats a human or another tool may have left in a date cell, tried in order.
const DATE_TIME_FORMATS: &[&str] = &[
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%y %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%d-%b-%Y %H:%M:%S",
];
const DATE_FORMATS: &[&str] = &["%d-%m-%Y", "%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d-%b-%Y"];

/// Spanish month abbreviations, mapped to the English ones chrono's `%b` reads.
const SPANISH_MONTHS: &[(&str, &str)] =
    &[("ene", "jan"), ("abr", "apr"), ("ago", "aug"), ("sept", "sep"), ("set", "sep"), ("dic", "dec")];

impl Cell {
    pub fn text(value: impl Into<String>) -> Self {
        Cell::Text(value.into())
    }

    /// Empty cells and empty strings both mean "absent".
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(text) => text.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as a human would read it, for error messages and plain-text columns.
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Bool(value) => if *value { "TRUE" } else { "FALSE" }.to_string(),
            Cell::Number(value) if value.fract() == 0.0 && value.abs() < 1e15 => format!("{}", *value as i64),
            Cell::Number(value) => value.to_string(),
            Cell::Text(text) => text.trim().to_string(),
        }
    }

    /// Text content, `None` when blank.
    pub fn as_text(&self) -> Option<String> {
        (!self.is_blank()).then(|| self.display())
    }

    /// A date-time from a serial number (days since 1899-12-30) or any accepted text format.
    /// `Ok(None)` when blank, `Err(Unreadable)` when the cell holds something that is not a date.
    pub fn as_date_time(&self) -> Result<Option<NaiveDateTime>, Unreadable> {
        match self {
            Cell::Empty => Ok(None),
            Cell::Bool(_) => Err(Unreadable),
            Cell::Number(serial) => serial_to_date_time(*serial).map(Some).ok_or(Unreadable),
            Cell::Text(text) if text.trim().is_empty() => Ok(None),
            Cell::Text(text) => parse_date_text(text.trim()).map(Some).ok_or(Unreadable),
        }
    }

    /// Like [`Cell::as_date_time`], keeping only the day.
    pub fn as_date(&self) -> Result<Option<NaiveDate>, Unreadable> {
        Ok(self.as_date_time()?.map(|moment| moment.date()))
    }

    /// A whole number from a number cell or from digits typed as text.
    pub fn as_integer(&self) -> Result<Option<i64>, Unreadable> {
        match self {
            Cell::Number(value) if value.fract() == 0.0 => Ok(Some(*value as i64)),
            Cell::Text(text) if text.trim().is_empty() => Ok(None),
            Cell::Text(text) => text.trim().parse().map(Some).map_err(|_| Unreadable),
            Cell::Empty => Ok(None),
            _ => Err(Unreadable),
        }
    }

    /// TRUE/FALSE in any case (also `SI`/`1`); empty is FALSE, as the spec says for `Activo`.
    pub fn as_flag(&self) -> Result<bool, Unreadable> {
        match self {
            Cell::Empty => Ok(false),
            Cell::Bool(value) => Ok(*value),
            Cell::Number(value) => Ok(*value != 0.0),
            Cell::Text(text) => match text.trim().to_lowercase().as_str() {
                "" | "false" | "falso" | "no" | "0" => Ok(false),
                "true" | "verdadero" | "si" | "sí" | "1" => Ok(true),
                _ => Err(Unreadable),
            },
        }
    }
}

fn serial_epoch() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(1899, 12, 30).and_then(|day| day.and_hms_opt(0, 0, 0)).unwrap_or_default()
}

/// Days since 1899-12-30, the fraction being the time of day (rounded to the second).
pub fn serial_to_date_time(serial: f64) -> Option<NaiveDateTime> {
    if !serial.is_finite() || !(0.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let seconds = (serial * 86_400.0).round() as i64;
    serial_epoch().checked_add_signed(Duration::seconds(seconds))
}

/// The serial number of a moment, as the spreadsheet stores dates.
pub fn date_time_to_serial(moment: NaiveDateTime) -> f64 {
    (moment - serial_epoch()).num_seconds() as f64 / 86_400.0
}

fn parse_date_text(text: &str) -> Option<NaiveDateTime> {
    let text = english_month(text);
    // `%Y` also accepts `25`; a two-digit year must fall through to the `%y` formats.
    let plausible = |moment: &NaiveDateTime| moment.year() >= 1900;
    DATE_TIME_FORMATS
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(&text, format).ok().filter(plausible))
        .or_else(|| {
            DATE_FORMATS.iter().find_map(|format| {
                let day = NaiveDate::parse_from_str(&text, format).ok()?;
                Some(day.and_time(NaiveTime::MIN)).filter(plausible)
            })
        })
}

/// `15-Ene-2025` becomes `15-jan-2025`; other text is only lower-cased.
fn english_month(text: &str) -> String {
    let lower = text.to_lowercase();
    SPANISH_MONTHS
        .iter()
        .find(|(spanish, _)| lower.contains(&format!("-{spanish}-")))
        .map(|(spanish, english)| lower.replace(&format!("-{spanish}-"), &format!("-{english}-")))
        .unwrap_or(lower)
}

/// Writes use RAW text: `DD-MM-YYYY`.
pub fn format_date(day: NaiveDate) -> String {
    day.format("%d-%m-%Y").to_string()
}

/// Writes use RAW text: `DD-MM-YYYY HH:MM:SS`.
pub fn format_date_time(moment: NaiveDateTime) -> String {
    moment.format("%d-%m-%Y %H:%M:%S").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d).and_then(|day| day.and_hms_opt(h, min, s)).expect("valid")
    }

    #[test]
    fn serial_numbers_with_and_without_fraction() {
        assert_eq!(Cell::Number(45658.0).as_date_time(), Ok(Some(at(2025, 1, 1, 0, 0, 0))));
        assert_eq!(Cell::Number(45658.75).as_date_time(), Ok(Some(at(2025, 1, 1, 18, 0, 0))));
        assert_eq!(date_time_to_serial(at(2025, 1, 1, 18, 0, 0)), 45658.75);
    }

    #[test]
    fn every_text_format_of_the_spec() {
        let day = Ok(Some(at(2025, 3, 7, 0, 0, 0)));
        for text in ["07-03-2025", "7/3/2025", "7/3/25", "2025-03-07", "07-Mar-2025", "07-mar-2025"] {
            assert_eq!(Cell::text(text).as_date_time(), day, "{text}");
        }
        assert_eq!(Cell::text("15-Ene-2025").as_date(), Ok(NaiveDate::from_ymd_opt(2025, 1, 15)));
        assert_eq!(Cell::text("07-03-2025 14:05:09").as_date_time(), Ok(Some(at(2025, 3, 7, 14, 5, 9))));
        assert_eq!(Cell::text("2025-03-07 14:05:09").as_date_time(), Ok(Some(at(2025, 3, 7, 14, 5, 9))));
    }

    #[test]
    fn blanks_are_absent_and_garbage_is_an_error() {
        assert_eq!(Cell::Empty.as_date_time(), Ok(None));
        assert_eq!(Cell::text("  ").as_date_time(), Ok(None));
        assert_eq!(Cell::text("ayer").as_date_time(), Err(Unreadable));
        assert_eq!(Cell::text("31-02-2025").as_date_time(), Err(Unreadable));
        assert_eq!(Cell::Bool(true).as_date_time(), Err(Unreadable));
    }

    #[test]
    fn flags_and_integers() {
        assert_eq!(Cell::Empty.as_flag(), Ok(false));
        assert_eq!(Cell::text("true").as_flag(), Ok(true));
        assert_eq!(Cell::text("FALSE").as_flag(), Ok(false));
        assert_eq!(Cell::text("quizás").as_flag(), Err(Unreadable));
        assert_eq!(Cell::Number(93.0).as_integer(), Ok(Some(93)));
        assert_eq!(Cell::text("93").as_integer(), Ok(Some(93)));
        assert_eq!(Cell::Number(93.5).as_integer(), Err(Unreadable));
    }

    #[test]
    fn round_trips_the_write_formats() {
        let moment = at(2025, 3, 7, 14, 5, 9);
        assert_eq!(format_date_time(moment), "07-03-2025 14:05:09");
        assert_eq!(Cell::text(format_date_time(moment)).as_date_time(), Ok(Some(moment)));
        assert_eq!(format_date(moment.date()), "07-03-2025");
    }
}
