//! Workers, their roles, and the `INICIALES(ID)` name the shop writes in the sheet.

use std::fmt;

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::{header::normalize_header, Operation, SpoolError};

pub type WorkerId = u32;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Type)]
pub enum Role {
    Armador,
    Soldador,
    Ayudante,
    Metrologia,
    Revestimiento,
    Pintura,
    Despacho,
    /// The admin role: the only one that may force-release.
    Supervisor,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Armador,
        Role::Soldador,
        Role::Ayudante,
        Role::Metrologia,
        Role::Revestimiento,
        Role::Pintura,
        Role::Despacho,
        Role::Supervisor,
    ];

    /// Case- and accent-insensitive, as humans type roles (`Metrología`, `SOLDADOR`).
    pub fn parse(text: &str) -> Option<Role> {
        let wanted = normalize_header(text);
        Role::ALL.into_iter().find(|role| normalize_header(&format!("{role:?}")) == wanted)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{self:?}")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct Worker {
    pub id: WorkerId,
    pub nombre: String,
    pub apellido: String,
    pub activo: bool,
    pub roles: Vec<Role>,
}

impl Worker {
    /// `INICIALES(ID)`: first letter of the first word of Nombre and of Apellido, then the id.
    pub fn display_name(&self) -> String {
        let initial = |text: &str| {
            text.split_whitespace()
                .next()
                .and_then(|word| word.chars().next())
                .map(|letter| letter.to_uppercase().collect::<String>())
                .unwrap_or_default()
        };
        format!("{}{}({})", initial(&self.nombre), initial(&self.apellido), self.id)
    }

    pub fn full_name(&self) -> String {
        format!("{} {}", self.nombre.trim(), self.apellido.trim()).trim().to_string()
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn can_do(&self, operation: Operation) -> bool {
        operation.allowed_roles().iter().any(|role| self.has_role(*role))
    }

    /// Operations this worker's roles allow, in the shop's order.
    pub fn operations(&self) -> Vec<Operation> {
        Operation::ALL.into_iter().filter(|operation| self.can_do(*operation)).collect()
    }
}

/// The worker id inside an `INICIALES(ID)` text such as `MR(93)`.
pub fn id_from_display_name(display: &str) -> Option<WorkerId> {
    let open = display.rfind('(')?;
    let close = display.rfind(')')?;
    display.get(open + 1..close)?.trim().parse().ok()
}

/// Finds an active worker who may act, checking in the order of the spec: exists, active, has the role.
pub fn require_worker<'a>(workers: &'a [Worker], id: WorkerId, needed: &[Role]) -> Result<&'a Worker, SpoolError> {
    let worker = workers.iter().find(|worker| worker.id == id).ok_or(SpoolError::WorkerNotFound { worker_id: id })?;
    if !worker.activo {
        return Err(SpoolError::WorkerInactive { worker_id: id, worker: worker.display_name() });
    }
    if !needed.iter().any(|role| worker.has_role(*role)) {
        let needed = needed.iter().map(Role::to_string).collect::<Vec<_>>().join(" o ");
        return Err(SpoolError::RoleNotAllowed { worker_id: id, worker: worker.display_name(), needed });
    }
    Ok(worker)
}

/// Workers from Trabajadores with their active roles from Roles; rows without a numeric id are not workers.
pub fn decode_workers(
    people: &crate::Grid,
    people_map: &crate::schema::ColumnMap,
    roles: &crate::Grid,
    roles_map: &crate::schema::ColumnMap,
) -> Vec<Worker> {
    use crate::schema::{roles as role_cols, trabajadores as cols};
    let cell = |grid: &'_ crate::Grid, map: &crate::schema::ColumnMap, row, spec| {
        map.position(spec).map(|column| grid.cell(row, column).clone()).unwrap_or_default()
    };
    let id_of = |value: crate::Cell| value.as_integer().ok().flatten().and_then(|id| WorkerId::try_from(id).ok());
    let mut workers: Vec<Worker> = (0..people.rows.len())
        .filter_map(|row| {
            Some(Worker {
                id: id_of(cell(people, people_map, row, &cols::ID))?,
                nombre: cell(people, people_map, row, &cols::NOMBRE).display(),
                apellido: cell(people, people_map, row, &cols::APELLIDO).display(),
                activo: cell(people, people_map, row, &cols::ACTIVO).as_flag().unwrap_or(false),
                roles: Vec::new(),
            })
        })
        .collect();
    for row in 0..roles.rows.len() {
        let active = cell(roles, roles_map, row, &role_cols::ACTIVO).as_flag().unwrap_or(false);
        let role = Role::parse(&cell(roles, roles_map, row, &role_cols::ROL).display());
        let id = id_of(cell(roles, roles_map, row, &role_cols::ID));
        if let (true, Some(role), Some(id)) = (active, role, id) {
            if let Some(worker) = workers.iter_mut().find(|worker| worker.id == id) {
                if !worker.roles.contains(&role) {
                    worker.roles.push(role);
                }
            }
        }
    }
    for worker in &mut workers {
        worker.roles.sort();
    }
    workers
}

/// The PIN hashes kept in Trabajadores (`PIN_Hash`), by worker id; rows with none are left out.
pub fn pin_hashes(people: &crate::Grid, map: &crate::schema::ColumnMap) -> Vec<(WorkerId, String)> {
    use crate::schema::trabajadores as cols;
    let (Some(id_column), Some(hash_column)) = (map.position(&cols::ID), map.position(&cols::PIN_HASH)) else {
        return Vec::new();
    };
    (0..people.rows.len())
        .filter_map(|row| {
            let id = people.cell(row, id_column).as_integer().ok().flatten()?;
            let hash = people.cell(row, hash_column).as_text()?;
            Some((WorkerId::try_from(id).ok()?, hash))
        })
        .collect()
}

/// Where a worker's PIN hash goes: the worker's row of Trabajadores and its `PIN_Hash` column, which a
/// spreadsheet must have for PINs to be set (SCHEMA_DRIFT naming it otherwise).
pub fn pin_cell(
    people: &crate::Grid,
    map: &crate::schema::ColumnMap,
    tab: &str,
    worker_id: WorkerId,
) -> Result<(usize, usize), SpoolError> {
    use crate::schema::trabajadores as cols;
    let column = map
        .position(&cols::PIN_HASH)
        .ok_or_else(|| SpoolError::SchemaDrift { tab: tab.to_string(), column: cols::PIN_HASH.header.into() })?;
    let row = map
        .position(&cols::ID)
        .and_then(|id| {
            (0..people.rows.len()).find(|row| people.cell(*row, id).as_integer() == Ok(Some(i64::from(worker_id))))
        })
        .ok_or(SpoolError::WorkerNotFound { worker_id })?;
    Ok((row, column))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn worker(nombre: &str, apellido: &str, id: WorkerId) -> Worker {
        Worker { id, nombre: nombre.into(), apellido: apellido.into(), activo: true, roles: vec![Role::Armador] }
    }

    #[test]
    fn initials_use_first_words_and_the_id() {
        assert_eq!(worker("Mauricio", "Rodriguez", 93).display_name(), "MR(93)");
        assert_eq!(worker("juan pablo", "de la fuente", 7).display_name(), "JD(7)");
        assert_eq!(worker("Ángel", "Ñuñez", 12).display_name(), "ÁÑ(12)");
        assert_eq!(id_from_display_name("MR(93)"), Some(93));
        assert_eq!(id_from_display_name("MR"), None);
    }

    #[test]
    fn roles_parse_without_case_or_accents() {
        assert_eq!(Role::parse("Metrología"), Some(Role::Metrologia));
        assert_eq!(Role::parse(" SOLDADOR "), Some(Role::Soldador));
        assert_eq!(Role::parse("supervisor"), Some(Role::Supervisor));
        assert_eq!(Role::parse("Gerente"), None);
    }

    #[test]
    fn checks_come_in_the_spec_order() {
        let mut inactive = worker("Ana", "Soto", 2);
        inactive.activo = false;
        let workers = vec![worker("Mauricio", "Rodriguez", 93), inactive];
        assert!(matches!(require_worker(&workers, 5, &[Role::Armador]), Err(SpoolError::WorkerNotFound { .. })));
        assert!(matches!(require_worker(&workers, 2, &[Role::Soldador]), Err(SpoolError::WorkerInactive { .. })));
        assert!(matches!(require_worker(&workers, 93, &[Role::Soldador]), Err(SpoolError::RoleNotAllowed { .. })));
        assert!(require_worker(&workers, 93, &Operation::Arm.allowed_roles()).is_ok());
    }
}
