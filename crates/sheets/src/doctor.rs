//! What `doctor` checks on the Sheets side, in the order a failure blocks the next: the key, a token, the
//! spreadsheet, its time zone; then the use of the request quota. Tabs and critical columns are the core's checks, read through the store.

use spooltrack_core::{DoctorCheck, SourceDiagnosis};

use crate::SheetsStore;

fn check(name: &str, result: Result<String, String>) -> DoctorCheck {
    let (ok, detail) = match result {
        Ok(detail) => (true, detail),
        Err(detail) => (false, detail),
    };
    DoctorCheck { name: name.into(), ok, detail }
}

impl SheetsStore {
    /// The key was read when the store opened; here a token is obtained and the spreadsheet opened. The tabs
    /// can be read when the spreadsheet opened.
    pub async fn doctor(&self, timezone: &str) -> SourceDiagnosis {
        let mut checks = vec![check("clave de la cuenta de servicio", Ok("se pudo leer".into()))];
        let token = self.client().token().await.map(|()| "obtenido".to_string()).map_err(|error| error.diagnosis());
        let token_ok = token.is_ok();
        checks.push(check("token de acceso", token));
        if !token_ok {
            return SourceDiagnosis { checks, reachable: false };
        }
        let reachable = match self.spreadsheet().await {
            Ok(spreadsheet) => {
                let titles: Vec<&str> = spreadsheet.tabs.iter().map(|(title, _)| title.as_str()).collect();
                checks.push(check("planilla", Ok(format!("se abrió; pestañas: {}", titles.join(", ")))));
                let zone = if spreadsheet.time_zone == timezone {
                    Ok(spreadsheet.time_zone)
                } else {
                    Err(format!(
                        "la planilla usa {} y la estación {timezone}: las horas quedarían corridas",
                        spreadsheet.time_zone
                    ))
                };
                checks.push(check("zona horaria de la planilla", zone));
                true
            }
            Err(error) => {
                checks.push(check("planilla", Err(error.diagnosis())));
                false
            }
        };
        checks.push(check("cuota de Google Sheets", self.client().quota_use().await));
        SourceDiagnosis { checks, reachable }
    }
}
