//! Exports saved as files, the one kind of file the shell writes for a person: the CSV the core makes, in the
//! export folder (the board) or where the command line was told (`export --csv`).

use std::path::Path;

use serde::{Deserialize, Serialize};
use specta::Type;
use spooltrack_core::{sessions_csv, ExportFilter, ShopSession};
use spooltrack_domain::{cell::format_date, SpoolError};

use crate::station::Station;

/// Where an export was saved, and how many work sessions it holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct SavedExport {
    pub archivo: String,
    pub sesiones: u32,
}

/// Writes `sessions` as the CSV Excel opens; `what` names the setting or argument that chose the path.
pub fn save_sessions(path: &Path, sessions: &[ShopSession], what: &str) -> Result<(), SpoolError> {
    std::fs::write(path, sessions_csv(sessions)).map_err(|error| SpoolError::InvalidInput {
        field: what.into(),
        reason: format!("no se pudo escribir {}: {error}", path.display()),
    })
}

impl Station {
    /// Saves the sessions `filter` asks for in the export folder, named after their days (a new export of the
    /// same days replaces the last one: it is the same work, seen later).
    pub async fn export_to_folder(&self, filter: &ExportFilter) -> Result<SavedExport, SpoolError> {
        let sessions = self.service.export_sessions(filter).await?;
        let days = match (format_date(filter.desde), format_date(filter.hasta)) {
            (desde, hasta) if desde == hasta => desde,
            (desde, hasta) => format!("{desde}-a-{hasta}"),
        };
        let path = self.config.export_folder.join(format!("sesiones-{days}.csv"));
        save_sessions(&path, &sessions, "export.folder")?;
        Ok(SavedExport { archivo: path.display().to_string(), sesiones: sessions.len() as u32 })
    }
}
