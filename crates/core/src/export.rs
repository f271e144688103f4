//! The day's work out of the app: every work session of a date range, rebuilt from the audit log on the shop's
//! one clock (the spreadsheet's time zone), as rows and as a CSV that Excel opens as it is with Spanish settings
//! (`;` between fields, a UTF-8 byte-order mark so accents survive, dates `DD-MM-YYYY`).

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use specta::Type;
use spooltrack_domain::{Operation, SpoolError, WorkerId};

use crate::{
    history::{self, Built},
    SessionEnd, SpoolService, WorkSession,
};

/// Which sessions an export holds: those that overlap the days from `desde` to `hasta` (both included, shop
/// time; a session across midnight belongs to both days), of one operation or one worker when asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportFilter {
    pub desde: NaiveDate,
    pub hasta: NaiveDate,
    pub operation: Option<Operation>,
    pub worker: Option<WorkerId>,
}

/// One work session with the spool it was on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct ShopSession {
    pub tag: String,
    pub nv: Option<String>,
    pub ot: Option<String>,
    #[serde(flatten)]
    pub session: WorkSession,
}

impl ExportFilter {
    fn holds(&self, built: &Built, now: NaiveDateTime) -> bool {
        let first = self.desde.and_time(chrono::NaiveTime::MIN);
        let Some(after_last) = self.hasta.succ_opt().map(|day| day.and_time(chrono::NaiveTime::MIN)) else {
            return false;
        };
        let ended = built.ended.unwrap_or(now);
        built.started < after_last
            && ended >= first
            && self.operation.is_none_or(|operation| built.session.operation == Some(operation))
            && self.worker.is_none_or(|worker| built.session.worker_id == worker)
    }
}

impl SpoolService {
    /// The sessions `filter` asks for, in the order they started: one read of the rows, the workers and the
    /// audit together.
    pub async fn export_sessions(&self, filter: &ExportFilter) -> Result<Vec<ShopSession>, SpoolError> {
        if filter.hasta < filter.desde {
            return Err(SpoolError::InvalidInput {
                field: "hasta".into(),
                reason: "la fecha final es anterior a la inicial".into(),
            });
        }
        let shop = self.load_with_audit().await?;
        let now = self.now();
        Ok(history::build(&shop.events, &shop.workers, self.timezone())
            .into_iter()
            .filter(|built| filter.holds(built, now))
            .map(|built| {
                let spool = shop.spool(&built.tag).ok();
                ShopSession {
                    nv: spool.and_then(|spool| spool.nv.clone()),
                    ot: spool.and_then(|spool| spool.ot.clone()),
                    tag: built.tag,
                    session: built.session,
                }
            })
            .collect())
    }
}

const CSV_HEADER: [&str; 12] = [
    "TAG_SPOOL",
    "NV",
    "OT",
    "Operación",
    "Trabajador",
    "Fecha inicio",
    "Hora inicio",
    "Fecha fin",
    "Hora fin",
    "Duración (min)",
    "Terminó",
    "Nota",
];

/// How a session ended, in the shop's words.
fn ending(fin: SessionEnd) -> &'static str {
    match fin {
        SessionEnd::EnCurso => "En curso",
        SessionEnd::Pausado => "Pausado",
        SessionEnd::Completado => "Completado",
        SessionEnd::Cancelado => "Cancelado",
        SessionEnd::Liberado => "Liberado por supervisor",
    }
}

/// `DD-MM-YYYY HH:MM:SS` as two cells, a date and a time, which Excel reads as such.
fn date_and_time(moment: Option<&str>) -> (&str, &str) {
    moment.map_or(("", ""), |moment| moment.split_once(' ').unwrap_or((moment, "")))
}

/// The sessions as a CSV file for Excel with Spanish settings.
pub fn sessions_csv(sessions: &[ShopSession]) -> Vec<u8> {
    let mut writer =
        csv::WriterBuilder::new().delimiter(b';').terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    // Writing to memory cannot fail: every record has the header's width.
    let mut write = |record: &[&str]| writer.write_record(record).expect("a CSV record in memory");
    write(&CSV_HEADER);
    for shop_session in sessions {
        let session = &shop_session.session;
        let (start_day, start_time) = date_and_time(Some(&session.desde));
        let (end_day, end_time) = date_and_time(session.hasta.as_deref());
        let operation = session.operation.map(|operation| operation.to_string()).unwrap_or_default();
        let minutes = session.duracion_minutos.map(|minutes| minutes.to_string()).unwrap_or_default();
        write(&[
            &shop_session.tag,
            shop_session.nv.as_deref().unwrap_or_default(),
            shop_session.ot.as_deref().unwrap_or_default(),
            &operation,
            &session.worker,
            start_day,
            start_time,
            end_day,
            end_time,
            &minutes,
            ending(session.fin),
            session.nota.as_deref().unwrap_or_default(),
        ]);
    }
    let body = writer.into_inner().expect("a CSV in memory");
    [b"\xEF\xBB\xBF".as_slice(), &body].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(desde: &str, hasta: Option<&str>, nota: Option<&str>) -> ShopSession {
        ShopSession {
            tag: "MK-1335-CW-25238-001".into(),
            nv: Some("NV-1335".into()),
            ot: None,
            session: WorkSession {
                worker_id: 94,
                worker: "NR(94)".into(),
                operation: Some(Operation::Sold),
                desde: desde.into(),
                hasta: hasta.map(str::to_string),
                duracion_minutos: hasta.map(|_| 42),
                fin: if hasta.is_some() { SessionEnd::Liberado } else { SessionEnd::EnCurso },
                nota: nota.map(str::to_string),
            },
        }
    }

    /// Read back as Excel would: `;` between fields, quotes where a field holds one, accents intact.
    #[test]
    fn the_csv_reads_back_field_by_field() {
        let sessions = [
            session("01-12-2026 23:50:00", Some("02-12-2026 00:32:00"), Some("CR(109): se fue; volvió \"mañana\"")),
            session("02-12-2026 07:00:00", None, None),
        ];
        let bytes = sessions_csv(&sessions);
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a UTF-8 byte-order mark");
        let mut reader = csv::ReaderBuilder::new().delimiter(b';').from_reader(&bytes[3..]);
        let header: Vec<String> = reader.headers().expect("header").iter().map(str::to_string).collect();
        assert_eq!(header, CSV_HEADER);
        let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().expect("records");
        let fields = |row: &csv::StringRecord| row.iter().map(str::to_string).collect::<Vec<_>>();
        assert_eq!(
            fields(&rows[0]),
            [
                "MK-1335-CW-25238-001",
                "NV-1335",
                "",
                "SOLD",
                "NR(94)",
                "01-12-2026",
                "23:50:00",
                "02-12-2026",
                "00:32:00",
                "42",
                "Liberado por supervisor",
                "CR(109): se fue; volvió \"mañana\"",
            ]
        );
        assert_eq!(fields(&rows[1])[7..11], ["", "", "", "En curso"]);
        assert!(String::from_utf8_lossy(&bytes).contains("\r\n"), "Windows line ends");
    }
}
