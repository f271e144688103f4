//! A new shop in the canonical layout of the four tabs, filled row by row by column name: the embedded store's
//! demo seed and the test fixtures are built with it.

use crate::{
    schema::{audit, ops, roles, trabajadores, ColumnMap, ColumnSpec, Tab},
    Cell, Grid, Role, WorkerId,
};

/// Headers of Operaciones in a realistic order, with columns the app does not read in between.
const OPERACIONES_HEADER: &[&str] = &[
    "TAG_SPOOL",
    "NV",
    "OT",
    "Descripcion",
    "Diametro_Pulg",
    "Fecha_Materiales",
    "Armador",
    "Fecha_Armado",
    "Soldador",
    "Fecha_Soldadura",
    "Fecha_QC_Metrologia",
    "Ocupado_Por",
    "Fecha_Ocupacion",
    "Estado_Detalle",
    "version",
];

#[derive(Debug, Clone)]
pub struct ShopLayout {
    pub operaciones: Grid,
    pub trabajadores: Grid,
    pub roles: Grid,
    pub metadata: Grid,
}

fn grid_with(columns: &[&str]) -> Grid {
    Grid::new(columns.iter().map(|name| name.to_string()).collect())
}

fn headers(specs: &[ColumnSpec]) -> Vec<&'static str> {
    specs.iter().map(|spec| spec.header).collect()
}

impl Default for ShopLayout {
    fn default() -> Self {
        ShopLayout {
            operaciones: grid_with(OPERACIONES_HEADER),
            trabajadores: grid_with(&headers(trabajadores::ALL)),
            roles: grid_with(&headers(roles::ALL)),
            metadata: grid_with(&headers(audit::ALL)),
        }
    }
}

impl ShopLayout {
    pub fn add_worker(&mut self, id: WorkerId, nombre: &str, apellido: &str, activo: bool, worker_roles: &[Role]) {
        let active = Cell::Bool(activo);
        self.trabajadores.rows.push(vec![
            Cell::Number(f64::from(id)),
            Cell::text(nombre),
            Cell::text(apellido),
            active,
        ]);
        for role in worker_roles {
            self.roles.rows.push(vec![Cell::Number(f64::from(id)), Cell::text(role.to_string()), Cell::Bool(true)]);
        }
    }

    /// Keeps a worker's PIN hash in Trabajadores (`PIN_Hash`), as the app does when a supervisor sets a PIN.
    pub fn set_pin_hash(&mut self, id: WorkerId, hash: &str) {
        let map = ColumnMap::locate(Tab::Trabajadores, "Trabajadores", &self.trabajadores.header);
        let column = map.ok().and_then(|map| map.position(&trabajadores::PIN_HASH));
        let row = self.trabajadores.rows.iter().position(|row| row.first() == Some(&Cell::Number(f64::from(id))));
        if let (Some(column), Some(row)) = (column, row) {
            self.trabajadores.set(row, column, Cell::text(hash));
        }
    }

    /// Adds an Operaciones row; each cell goes under its column's header, wherever that header is.
    pub fn add_spool(&mut self, cells: &[(&ColumnSpec, Cell)]) {
        let map = ColumnMap::locate(Tab::Operaciones, "Operaciones", &self.operaciones.header);
        let mut row = vec![Cell::Empty; self.operaciones.header.len()];
        if let Ok(map) = map {
            for (spec, value) in cells {
                if let Some(column) = map.position(spec) {
                    row[column] = value.clone();
                }
            }
        }
        self.operaciones.rows.push(row);
    }

    /// A plain spool with materials on the given day, ready for ARM.
    pub fn add_ready_spool(&mut self, tag: &str, nv: &str, ot: &str, materiales: Cell) {
        self.add_spool(&[
            (&ops::TAG, Cell::text(tag)),
            (&ops::NV, Cell::text(nv)),
            (&ops::OT, Cell::text(ot)),
            (&ops::FECHA_MATERIALES, materiales),
        ]);
    }

    pub fn grids(self) -> Vec<(Tab, Grid)> {
        vec![
            (Tab::Operaciones, self.operaciones),
            (Tab::Trabajadores, self.trabajadores),
            (Tab::Roles, self.roles),
            (Tab::Metadata, self.metadata),
        ]
    }
}
