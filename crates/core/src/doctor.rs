//! `doctor`: can this station read its store and reach its lock service, and does every tab have its
//! critical columns. Each check says what was looked at and, when it fails, what is wrong in plain words.

use serde::{Deserialize, Serialize};
use specta::Type;
use spooltrack_domain::schema::{ColumnMap, Tab};

use crate::SpoolService;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct DoctorCheck {
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct DoctorReport {
    pub ok: bool,
    pub checks: Vec<DoctorCheck>,
}

impl DoctorReport {
    /// A report that is ok when every check is.
    pub fn of(checks: Vec<DoctorCheck>) -> Self {
        DoctorReport { ok: checks.iter().all(|check| check.ok), checks }
    }
}

impl SpoolService {
    pub async fn doctor(&self) -> DoctorReport {
        let mut checks = self.doctor_store().await;
        checks.extend(self.doctor_services().await);
        DoctorReport::of(checks)
    }

    /// Every tab and its critical columns, one tab at a time, so every tab missing a column (or missing
    /// altogether) is named, not just the first.
    pub async fn doctor_store(&self) -> Vec<DoctorCheck> {
        let names = self.store.tab_names();
        let mut checks = Vec::new();
        for tab in Tab::ALL {
            let name = names.name(tab);
            let (ok, detail) = match self.store.read(&[tab]).await.map(|mut grids| grids.remove(0)) {
                Ok(grid) => match ColumnMap::of(tab, name, &grid) {
                    Ok(_) => (true, format!("{} filas, columnas críticas presentes", grid.rows.len())),
                    Err(error) => (false, error.to_string()),
                },
                Err(error) => (false, error.diagnosis()),
            };
            checks.push(DoctorCheck { name: format!("pestaña {name}"), ok, detail });
        }
        checks
    }

    /// The lock service and the time zone dates are written in.
    pub async fn doctor_services(&self) -> Vec<DoctorCheck> {
        let (ok, detail) = match self.lock.health().await {
            Ok(detail) => (true, detail),
            Err(error) => (false, error.diagnosis()),
        };
        vec![
            DoctorCheck { name: "bloqueos".into(), ok, detail },
            DoctorCheck { name: "zona horaria".into(), ok: true, detail: self.timezone().name().to_string() },
        ]
    }
}
