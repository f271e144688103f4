//! Connecting a station to the shop (`spooltrack setup`, the window's first start, and setup reopened by a
//! supervisor): the answers are checked with doctor's own checks on the configuration they make, before anything
//! is written; only a configuration that passes them is written, with the key copied next to it.

use std::path::Path;

use serde::Serialize;
use spooltrack_config::{setup::SetupAnswers, Config};
use spooltrack_core::DoctorCheck;
use spooltrack_domain::{SpoolError, WorkerId};

use crate::{slot::StationSlot, station::Station};

/// What the checks found of a set of answers.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct SetupReport {
    pub ok: bool,
    /// The service account's e-mail, read from its key: the spreadsheet must be shared with it.
    pub service_account: Option<String>,
    pub checks: Vec<DoctorCheck>,
}

/// Checks `answers`, written over the file at `path`, as the station would run them: the key, then every check
/// of `doctor`.
pub async fn check(answers: &SetupAnswers, path: &Path) -> SetupReport {
    let config = match answers.config(path) {
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
    let report = check(answers, path).await;
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

/// Setup's answers as the window sends them (on a first start, or reopened on a running station).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, specta::Type)]
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

impl From<SetupAnswers> for SetupForm {
    fn from(answers: SetupAnswers) -> SetupForm {
        SetupForm {
            station: answers.station,
            spreadsheet: answers.spreadsheet,
            key_file: answers.key_file.map(|path| path.display().to_string()),
            redis_url: answers.redis_url,
            redis_prefix: answers.redis_prefix,
            viewer: answers.viewer,
            endpoint: answers.endpoint,
        }
    }
}

/// Whether this window shows setup: no configuration yet, or a supervisor reopened it.
pub fn needed(slot: &StationSlot) -> bool {
    slot.setup_path().is_some()
}

/// The answers that configured the running station, while a supervisor has setup open on it (none on a
/// first start); the Redis password stays hidden.
pub fn current(slot: &StationSlot) -> Option<SetupForm> {
    slot.setup_path()?;
    let station = slot.get().ok()?;
    Some(SetupAnswers::of(&station.config).into())
}

/// The form's answers, with the running station's Redis password where the form kept it hidden.
fn answers(slot: &StationSlot, form: SetupForm) -> SetupAnswers {
    let answers = SetupAnswers::from(form);
    match slot.get() {
        Ok(station) => answers.keeping_password_of(&station.config),
        Err(_) => answers,
    }
}

/// Checks the form's answers where setup would write them; writes nothing.
pub async fn check_form(slot: &StationSlot, form: SetupForm) -> Result<SetupReport, SpoolError> {
    let path = slot.setup_path().ok_or_else(not_open)?;
    Ok(check(&answers(slot, form), &path).await)
}

/// Saves `form` when it passes every check and opens the station it configures, replacing any.
pub async fn connect(slot: &StationSlot, form: SetupForm) -> Result<SetupReport, SpoolError> {
    let answers = answers(slot, form);
    slot.save_with(async |path| {
        let (report, config) = save(&answers, &path).await?;
        let station = match config {
            Some(config) => Some(Station::open(config).await?),
            None => None,
        };
        Ok((report, station))
    })
    .await
}

/// Writes the demo's configuration and opens the station on the demo shop.
pub async fn demo(slot: &StationSlot, station: &str) -> Result<(), SpoolError> {
    slot.save_with(async |path| {
        let config = spooltrack_config::setup::write_demo(&path, station)?;
        Ok(((), Some(Station::open(config).await?)))
    })
    .await
}

/// Reopens setup on the running station, once `admin_id`'s PIN proves a supervisor asks for it.
pub async fn reopen(slot: &StationSlot, admin_id: WorkerId, pin: &str) -> Result<(), SpoolError> {
    let station = slot.get()?;
    let supervisor = station.service.verify_supervisor_to_reconfigure(admin_id, pin).await?;
    slot.reopen(&station)?;
    tracing::info!(supervisor = supervisor.id, "configuración de la estación abierta por un supervisor");
    Ok(())
}

/// Setup is asked for while it is not open.
pub(crate) fn not_open() -> SpoolError {
    SpoolError::ConfigInvalid {
        key: "config".into(),
        reason: "la configuración de esta estación no está abierta: un supervisor la abre desde el tablero".into(),
    }
}
