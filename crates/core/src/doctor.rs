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
    /// Prepends facts about the configuration the host knows (file, store, station).
    pub fn with_configuration(mut self, facts: Vec<DoctorCheck>) -> Self {
        self.checks.splice(0..0, facts);
        self
    }
}

impl SpoolService {
    pub async fn doctor(&self) -> DoctorReport {
        let mut checks = Vec::new();
        let names = self.store.tab_names();
        // One tab at a time, so every tab missing a column (or missing altogether) is named, not just the first.
        for tab in Tab::ALL {
            let name = names.name(tab);
            let (ok, detail) = match self.store.read(&[tab]).await.map(|mut grids| grids.remove(0)) {
                Ok(grid) => match ColumnMap::of(tab, name, &grid) {
                    Ok(_) => (true, format!("{} filas, columnas críticas presentes", grid.rows.len())),
                    Err(error) => (false, error.to_string()),
                },
                Err(error) => (false, error.to_string()),
            };
            checks.push(DoctorCheck { name: format!("pestaña {name}"), ok, detail });
        }
        let (ok, detail) = match self.lock.health().await {
            Ok(detail) => (true, detail),
            Err(error) => (false, error.to_string()),
        };
        checks.push(DoctorCheck { name: "bloqueos".into(), ok, detail });
        checks.push(DoctorCheck { name: "zona horaria".into(), ok: true, detail: self.timezone().name().to_string() });
        DoctorReport { ok: checks.iter().all(|check| check.ok), checks }
    }
}
