//! The four tabs and their columns, found by header name (never by letter), with SCHEMA_DRIFT when a critical
//! column is missing.

use std::collections::HashMap;

use crate::{header::normalize_header, Grid, SpoolError};

/// Which of the spreadsheet's four tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tab {
    Operaciones,
    Trabajadores,
    Roles,
    Metadata,
}

impl Tab {
    pub const ALL: [Tab; 4] = [Tab::Operaciones, Tab::Trabajadores, Tab::Roles, Tab::Metadata];

    /// The columns the app knows in this tab.
    pub fn columns(self) -> &'static [ColumnSpec] {
        match self {
            Tab::Operaciones => ops::ALL,
            Tab::Trabajadores => trabajadores::ALL,
            Tab::Roles => roles::ALL,
            Tab::Metadata => audit::ALL,
        }
    }
}

/// The tab names of one spreadsheet; configurable because every shop names its tabs its own way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TabNames {
    pub operaciones: String,
    pub trabajadores: String,
    pub roles: String,
    pub metadata: String,
}

impl Default for TabNames {
    fn default() -> Self {
        TabNames {
            operaciones: "Operaciones".into(),
            trabajadores: "Trabajadores".into(),
            roles: "Roles".into(),
            metadata: "Metadata".into(),
        }
    }
}

impl TabNames {
    pub fn name(&self, tab: Tab) -> &str {
        match tab {
            Tab::Operaciones => &self.operaciones,
            Tab::Trabajadores => &self.trabajadores,
            Tab::Roles => &self.roles,
            Tab::Metadata => &self.metadata,
        }
    }
}

/// A column the app knows: its canonical header, the other headers some sheets use, and whether the app
/// refuses to touch the tab without it.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ColumnSpec {
    pub header: &'static str,
    pub aliases: &'static [&'static str],
    pub critical: bool,
}

const fn critical(header: &'static str) -> ColumnSpec {
    ColumnSpec { header, aliases: &[], critical: true }
}

const fn optional(header: &'static str) -> ColumnSpec {
    ColumnSpec { header, aliases: &[], critical: false }
}

impl ColumnSpec {
    fn matches(&self, normalized: &str) -> bool {
        std::iter::once(&self.header).chain(self.aliases).any(|name| normalize_header(name) == normalized)
    }
}

/// Operaciones: one row per spool.
pub mod ops {
    use super::{critical, optional, ColumnSpec};

    pub const TAG: ColumnSpec = ColumnSpec { header: "TAG_SPOOL", aliases: &["SPLIT"], critical: true };
    pub const NV: ColumnSpec = optional("NV");
    pub const OT: ColumnSpec = optional("OT");
    pub const FECHA_MATERIALES: ColumnSpec = critical("Fecha_Materiales");
    pub const ARMADOR: ColumnSpec = critical("Armador");
    pub const FECHA_ARMADO: ColumnSpec = critical("Fecha_Armado");
    pub const SOLDADOR: ColumnSpec = critical("Soldador");
    pub const FECHA_SOLDADURA: ColumnSpec = critical("Fecha_Soldadura");
    pub const FECHA_QC_METROLOGIA: ColumnSpec = optional("Fecha_QC_Metrologia");
    pub const OCUPADO_POR: ColumnSpec = critical("Ocupado_Por");
    pub const FECHA_OCUPACION: ColumnSpec = critical("Fecha_Ocupacion");
    pub const ESTADO_DETALLE: ColumnSpec = optional("Estado_Detalle");
    pub const VERSION: ColumnSpec = optional("version");

    pub const ALL: &[ColumnSpec] = &[
        TAG,
        NV,
        OT,
        FECHA_MATERIALES,
        ARMADOR,
        FECHA_ARMADO,
        SOLDADOR,
        FECHA_SOLDADURA,
        FECHA_QC_METROLOGIA,
        OCUPADO_POR,
        FECHA_OCUPACION,
        ESTADO_DETALLE,
        VERSION,
    ];
}

/// Trabajadores: one row per worker.
pub mod trabajadores {
    use super::{critical, normalize_header, ColumnSpec};

    pub const ID: ColumnSpec = critical("Id");
    pub const NOMBRE: ColumnSpec = critical("Nombre");
    pub const APELLIDO: ColumnSpec = critical("Apellido");
    pub const ACTIVO: ColumnSpec = critical("Activo");
    /// A supervisor's PIN, as a slow salted hash (argon2). Never served by a read: see [`blank_pin_hashes`].
    pub const PIN_HASH: ColumnSpec = super::optional("PIN_Hash");

    pub const ALL: &[ColumnSpec] = &[ID, NOMBRE, APELLIDO, ACTIVO, PIN_HASH];

    /// Blanks the PIN hashes of a Trabajadores tab just read: what stations read is shared with every other
    /// station and kept on disk, and a hash there could be guessed offline (a PIN has few digits). Only the
    /// check of a PIN reads them, from the source.
    pub fn blank_pin_hashes(grid: &mut crate::Grid) {
        let Some(column) = grid.header.iter().position(|name| PIN_HASH.matches(&normalize_header(name))) else {
            return;
        };
        for row in &mut grid.rows {
            if let Some(cell) = row.get_mut(column) {
                *cell = crate::Cell::Empty;
            }
        }
    }
}

/// Roles: one row per (worker, role).
pub mod roles {
    use super::{critical, ColumnSpec};

    pub const ID: ColumnSpec = critical("Id");
    pub const ROL: ColumnSpec = critical("Rol");
    pub const ACTIVO: ColumnSpec = critical("Activo");

    pub const ALL: &[ColumnSpec] = &[ID, ROL, ACTIVO];
}

/// Metadata: the append-only audit log.
pub mod audit {
    use super::{critical, ColumnSpec};

    pub const ID: ColumnSpec = critical("ID");
    pub const TIMESTAMP: ColumnSpec = critical("Timestamp");
    pub const EVENTO_TIPO: ColumnSpec = critical("Evento_Tipo");
    pub const TAG_SPOOL: ColumnSpec = critical("TAG_SPOOL");
    pub const WORKER_ID: ColumnSpec = critical("Worker_ID");
    pub const WORKER_NOMBRE: ColumnSpec = critical("Worker_Nombre");
    pub const OPERACION: ColumnSpec = critical("Operacion");
    pub const ACCION: ColumnSpec = critical("Accion");
    pub const FECHA_OPERACION: ColumnSpec = critical("Fecha_Operacion");
    pub const METADATA_JSON: ColumnSpec = critical("Metadata_JSON");

    pub const ALL: &[ColumnSpec] = &[
        ID,
        TIMESTAMP,
        EVENTO_TIPO,
        TAG_SPOOL,
        WORKER_ID,
        WORKER_NOMBRE,
        OPERACION,
        ACCION,
        FECHA_OPERACION,
        METADATA_JSON,
    ];
}

/// Where each known column sits in one tab's header, found again on every read.
#[derive(Debug, Clone)]
pub struct ColumnMap {
    positions: HashMap<&'static str, usize>,
}

impl ColumnMap {
    /// Finds every known column of `tab` in `header`; a missing critical column is SCHEMA_DRIFT naming it, and
    /// so is a known column that appears twice (the app never guesses which one is meant). When a column and
    /// its alias both appear (`TAG_SPOOL` and `SPLIT`), the column's own name wins.
    pub fn locate(tab: Tab, tab_name: &str, header: &[String]) -> Result<ColumnMap, SpoolError> {
        let normalized: Vec<String> = header.iter().map(|name| normalize_header(name)).collect();
        let mut positions = HashMap::new();
        for spec in tab.columns() {
            let own = normalize_header(spec.header);
            let found: Vec<usize> = (0..normalized.len()).filter(|index| spec.matches(&normalized[*index])).collect();
            let named: Vec<usize> = found.iter().copied().filter(|index| normalized[*index] == own).collect();
            let position = match (found.as_slice(), named.as_slice()) {
                ([], _) if spec.critical => {
                    return Err(SpoolError::SchemaDrift { tab: tab_name.to_string(), column: spec.header.to_string() })
                }
                ([], _) => continue,
                ([only], _) | (_, [only]) => *only,
                _ => {
                    return Err(SpoolError::DuplicateColumn {
                        tab: tab_name.to_string(),
                        column: spec.header.to_string(),
                    })
                }
            };
            positions.insert(spec.header, position);
        }
        Ok(ColumnMap { positions })
    }

    /// Convenience for a whole grid.
    pub fn of(tab: Tab, tab_name: &str, grid: &Grid) -> Result<ColumnMap, SpoolError> {
        ColumnMap::locate(tab, tab_name, &grid.header)
    }

    pub fn position(&self, spec: &ColumnSpec) -> Option<usize> {
        self.positions.get(spec.header).copied()
    }

    /// The width a row needs to hold every known column.
    pub fn width(&self) -> usize {
        self.positions.values().max().map_or(0, |last| last + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| name.to_string()).collect()
    }

    #[test]
    fn finds_columns_by_name_wherever_they_are() {
        let names = header(&[
            "Notas",
            "SPLIT",
            "Fecha_Materiales",
            "ARMADOR",
            "fecha armado",
            "Soldador",
            "Fecha_Soldadura",
            "Fecha_QC_Metrología",
            "Ocupado Por",
            "Fecha_Ocupacion",
        ]);
        let map = ColumnMap::locate(Tab::Operaciones, "Operaciones", &names).expect("all critical present");
        assert_eq!(map.position(&ops::TAG), Some(1));
        assert_eq!(map.position(&ops::FECHA_QC_METROLOGIA), Some(7));
        assert_eq!(map.position(&ops::OCUPADO_POR), Some(8));
        assert_eq!(map.position(&ops::VERSION), None);
    }

    #[test]
    fn a_missing_critical_column_is_schema_drift_naming_it() {
        let names = header(&[
            "TAG_SPOOL",
            "Fecha_Materiales",
            "Armador",
            "Fecha_Armado",
            "Soldador",
            "Fecha_Soldadura",
            "Fecha_Ocupacion",
        ]);
        let error = ColumnMap::locate(Tab::Operaciones, "Operaciones", &names).expect_err("Ocupado_Por missing");
        assert_eq!(error, SpoolError::SchemaDrift { tab: "Operaciones".into(), column: "Ocupado_Por".into() });
    }

    #[test]
    fn a_known_column_twice_is_refused_and_an_alias_yields_to_the_column_s_own_name() {
        let mut names = header(&[
            "SPLIT",
            "Fecha_Materiales",
            "Armador",
            "Fecha_Armado",
            "Soldador",
            "Fecha_Soldadura",
            "Ocupado_Por",
            "Fecha_Ocupacion",
            "TAG_SPOOL",
        ]);
        let map = ColumnMap::locate(Tab::Operaciones, "Operaciones", &names).expect("the alias yields");
        assert_eq!(map.position(&ops::TAG), Some(8));
        names.push("Ocupado por".into());
        let error = ColumnMap::locate(Tab::Operaciones, "Operaciones", &names).expect_err("which one?");
        assert_eq!(error, SpoolError::DuplicateColumn { tab: "Operaciones".into(), column: "Ocupado_Por".into() });
        assert_eq!(error.code(), crate::ErrorCode::SchemaDrift);
    }
}
