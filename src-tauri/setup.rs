//! Connecting a station to the shop (`spooltrack setup`, and the window's first start): the answers are checked
//! with doctor's own checks on the configuration they make, before anything is written; only a configuration
//! that passes them is written, with the key copied next to it.

use std::path::Path;

use serde::Serialize;
use spooltrack_config::{setup::SetupAnswers, Config};
use spooltrack_core::DoctorCheck;
use spooltrack_domain::SpoolError;

use crate::station::Station;

/// What the checks found of a set of answers.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct SetupReport {
    pub ok: bool,
    /// The service account's e-mail, read from its key: the spreadsheet must be shared with it.
    pub service_account: Option<String>,
    pub checks: Vec<DoctorCheck>,
}

/// Checks `answers` as the station would run them: the key, then every check of `doctor`.
pub async fn check(answers: &SetupAnswers) -> SetupReport {
    let config = match answers.config() {
        Ok(config) => config,
        Err(error) => return refused("respuestas", &error),
    };
    let service_account = match config.sheets.as_ref().filter(|_| !config.viewer) {
        Some(sheets) => match spooltrack_sheets::service_account_email(&sheets.credentials).await {
            Ok(email) => Some(email),
            Err(error) => return refused("clave de la cuenta de servicio", &error),
        },
        None => None,
    };
    let report = Station::diagnose(config).await;
    let checks = report
        .checks
        .into_iter()
        .map(|mut check| {
            // Google says only that access is refused: say with whom the spreadsheet must be shared.
            if let (false, "planilla", Some(email)) = (check.ok, check.name.as_str(), &service_account) {
                check.detail = format!("{}; compártala (como editor) con {email}", check.detail);
            }
            check
        })
        .collect();
    SetupReport { ok: report.ok, service_account, checks }
}

/// Checks `answers` and, when every check passes, writes them to `path` (the key copied next to it).
pub async fn save(answers: &SetupAnswers, path: &Path) -> Result<(SetupReport, Option<Config>), SpoolError> {
    let report = check(answers).await;
    if !report.ok {
        return Ok((report, None));
    }
    let config = answers.write(path)?;
    tracing::info!(path = %path.display(), station = %config.station, "configuración de la estación guardada");
    Ok((report, Some(config)))
}

fn refused(name: &str, error: &SpoolError) -> SetupReport {
    let check = DoctorCheck { name: name.into(), ok: false, detail: error.to_string() };
    SetupReport { ok: false, service_account: None, checks: vec![check] }
}
