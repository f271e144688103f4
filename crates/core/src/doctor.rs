//! `doctor`: can this station read its store and reach its lock service, and does every tab have its
//! critical columns. Each check says what was looked at and, when it fails, what is wrong in plain words.

use serde::{Deserialize, Serialize};
use specta::Type;
use spooltrack_domain::schema::{ops, ColumnMap, Tab};

use crate::{sync::READER_TASK, SpoolService};

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
    /// The store's source (a spreadsheet's key, token, sharing and time zone), then every tab (unless the
    /// source could not be reached: no point waiting on each tab), then the lock service and the feed.
    pub async fn doctor(&self) -> DoctorReport {
        let source = self.store.diagnose_source(self.timezone().name()).await;
        let mut checks = source.checks;
        if source.reachable {
            checks.extend(self.doctor_store().await);
        }
        checks.extend(self.doctor_services().await);
        DoctorReport::of(checks)
    }

    /// Every tab and its critical columns, one tab at a time, so every tab missing a column (or missing
    /// altogether) is named, not just the first.
    async fn doctor_store(&self) -> Vec<DoctorCheck> {
        let names = self.store.tab_names();
        let mut checks = Vec::new();
        for tab in Tab::ALL {
            let name = names.name(tab);
            let (ok, detail) = match self.store.read(&[tab]).await.map(|mut grids| grids.remove(0)) {
                Ok(grid) => match ColumnMap::of(tab, name, &grid) {
                    Ok(map) => {
                        if tab == Tab::Operaciones {
                            checks.push(fencing(&map));
                        }
                        (true, format!("{} filas, columnas críticas presentes", grid.rows.len()))
                    }
                    Err(error) => (false, error.to_string()),
                },
                Err(error) => (false, error.diagnosis()),
            };
            checks.push(DoctorCheck { name: format!("pestaña {name}"), ok, detail });
        }
        checks
    }

    /// The lock service and the time zone dates are written in.
    async fn doctor_services(&self) -> Vec<DoctorCheck> {
        let (ok, detail) = match self.lock.health().await {
            Ok(detail) => (true, detail),
            Err(error) => (false, error.diagnosis()),
        };
        let (feed_ok, feed_detail) = match self.feed.probe().await {
            Ok(detail) => (true, detail),
            Err(error) => (false, error.diagnosis()),
        };
        let mut checks = vec![
            DoctorCheck { name: "bloqueos".into(), ok, detail },
            DoctorCheck { name: "avisos entre estaciones".into(), ok: feed_ok, detail: feed_detail },
        ];
        if self.shared.is_some() {
            checks.push(self.doctor_reader().await);
        }
        checks.push(DoctorCheck { name: "zona horaria".into(), ok: true, detail: self.timezone().name().to_string() });
        checks
    }

    /// On the shared snapshot one station at a time re-reads the spreadsheet for people's edits by hand (the
    /// reader's lease): which one, or that none does and such edits reach no screen for now.
    async fn doctor_reader(&self) -> DoctorCheck {
        let (ok, detail) = match self.lock.leader(READER_TASK).await {
            Ok(Some((station, left))) => {
                let which = if station == self.station { " (esta estación)" } else { "" };
                (true, format!("«{station}»{which} relee la planilla; su turno sigue {} s más", left.as_secs()))
            }
            // Said, not failed: with no window open (at night, at setup) there is nobody to read yet.
            Ok(None) => (
                true,
                "ninguna estación relee la planilla ahora: lo que se edite a mano llega a las pantallas en \
                 cuanto abra una ventana de una estación con la clave de la cuenta de servicio"
                    .to_string(),
            ),
            Err(error) => (false, error.diagnosis()),
        };
        DoctorCheck { name: "lector de la planilla".into(), ok, detail }
    }
}

/// Without a `version` column the row cannot carry the fence: a force-released holder's late write and a row
/// changed since it was read go unnoticed. Optional in the spec, so it is said plainly.
fn fencing(map: &ColumnMap) -> DoctorCheck {
    let present = map.position(&ops::VERSION).is_some();
    let detail = if present {
        "columna version presente: escrituras tardías y filas cambiadas se detectan".to_string()
    } else {
        "falta la columna «version» en Operaciones: sin ella no se detecta la escritura tardía de un titular \
         liberado ni una fila cambiada mientras se guardaba; agréguela (puede estar vacía)"
            .to_string()
    };
    DoctorCheck { name: "cercado de escrituras".into(), ok: present, detail }
}
