//! Connecting a station to the shop (`spooltrack setup`, and the window's first start): the answers are checked
//! with doctor's own checks on the configuration they make, before anything is written; only a configuration
//! that passes them is written, with the key copied next to it.

use std::path::Path;

use serde::Serialize;
use spooltrack_config::{setup::SetupAnswers, Config};
use spooltrack_core::DoctorCheck;
use spooltrack_domain::SpoolError;

use crate::{slot::StationSlot, station::Station};

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

/// The first start's answers as the window sends them.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize, specta::Type)]
pub struct SetupForm {
    pub station: String,
    /// The spreadsheet's id or its URL.
    pub spreadsheet: String,
    /// The service-account key file's path (none at a viewer station).
    pub key_file: Option<String>,
    pub redis_url: String,
    pub redis_prefix: String,
    pub viewer: bool,
    /// Another base URL for the Sheets API than Google's (the project's fake, a proxy): not asked on screen.
    #[serde(default)]
    pub endpoint: Option<String>,
}

impl From<SetupForm> for SetupAnswers {
    fn from(form: SetupForm) -> SetupAnswers {
        SetupAnswers {
            station: form.station,
            spreadsheet: form.spreadsheet,
            key_file: form.key_file.filter(|path| !path.trim().is_empty()).map(Into::into),
            redis_url: form.redis_url,
            redis_prefix: form.redis_prefix,
            viewer: form.viewer,
            endpoint: form.endpoint,
        }
    }
}

/// Whether this window still waits for its first setup (no configuration yet).
pub fn needed(slot: &StationSlot) -> bool {
    slot.setup_path().is_some()
}

/// Saves `form` when it passes every check and opens the station it configures.
pub async fn connect(slot: &StationSlot, form: SetupForm) -> Result<SetupReport, SpoolError> {
    let path = target(slot)?;
    let (report, config) = save(&form.into(), &path).await?;
    if let Some(config) = config {
        slot.fill(Station::open(config).await?)?;
    }
    Ok(report)
}

/// Writes the demo's configuration and opens the station on the demo shop.
pub async fn demo(slot: &StationSlot, station: &str) -> Result<(), SpoolError> {
    let config = spooltrack_config::setup::write_demo(&target(slot)?, station)?;
    slot.fill(Station::open(config).await?)?;
    Ok(())
}

fn target(slot: &StationSlot) -> Result<std::path::PathBuf, SpoolError> {
    slot.setup_path().map(Path::to_path_buf).ok_or_else(|| SpoolError::ConfigInvalid {
        key: "config".into(),
        reason: "esta estación ya está configurada".into(),
    })
}
