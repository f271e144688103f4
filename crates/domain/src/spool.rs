//! A spool as its Operaciones row says, decoded tolerantly; a cell that cannot be understood makes the
//! spool DATA_CORRUPT instead of disappearing.

use chrono::{NaiveDate, NaiveDateTime};

use crate::{
    cell::format_date_time,
    cell::Unreadable,
    schema::{ops, ColumnMap, ColumnSpec},
    worker::id_from_display_name,
    Cell, Grid, Operation, SpoolError, WorkerId,
};

/// Where a spool stands in the work of its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    Pendiente,
    ArmEnCurso,
    ArmHecho,
    SoldEnCurso,
    SoldHecho,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Spool {
    pub tag: String,
    pub nv: Option<String>,
    pub ot: Option<String>,
    pub fecha_materiales: Option<NaiveDate>,
    pub armador: Option<String>,
    pub fecha_armado: Option<NaiveDate>,
    pub soldador: Option<String>,
    pub fecha_soldadura: Option<NaiveDate>,
    pub fecha_qc_metrologia: Option<NaiveDate>,
    pub ocupado_por: Option<String>,
    pub fecha_ocupacion: Option<NaiveDateTime>,
    pub estado_detalle: Option<String>,
    pub version: Option<i64>,
}

/// One Operaciones row: a readable spool, or the first cell that could not be understood.
#[derive(Debug, Clone, PartialEq)]
pub enum SpoolRecord {
    Valid(Spool),
    Corrupt { tag: String, column: String, raw: String },
}

impl SpoolRecord {
    pub fn tag(&self) -> &str {
        match self {
            SpoolRecord::Valid(spool) => &spool.tag,
            SpoolRecord::Corrupt { tag, .. } => tag,
        }
    }

    /// The spool, or DATA_CORRUPT naming tag, column and raw value.
    pub fn spool(&self) -> Result<&Spool, SpoolError> {
        match self {
            SpoolRecord::Valid(spool) => Ok(spool),
            SpoolRecord::Corrupt { tag, column, raw } => {
                Err(SpoolError::DataCorrupt { tag: tag.clone(), column: column.clone(), raw: raw.clone() })
            }
        }
    }
}

impl Spool {
    /// Who did (or is doing) an operation, as written in Armador / Soldador.
    pub fn worker_of(&self, operation: Operation) -> Option<&str> {
        match operation {
            Operation::Arm => self.armador.as_deref(),
            Operation::Sold => self.soldador.as_deref(),
        }
    }

    pub fn completed_on(&self, operation: Operation) -> Option<NaiveDate> {
        match operation {
            Operation::Arm => self.fecha_armado,
            Operation::Sold => self.fecha_soldadura,
        }
    }

    pub fn is_completed(&self, operation: Operation) -> bool {
        self.completed_on(operation).is_some()
    }

    pub fn arm_started(&self) -> bool {
        self.armador.is_some() || self.fecha_armado.is_some()
    }

    pub fn holder_id(&self) -> Option<WorkerId> {
        self.ocupado_por.as_deref().and_then(id_from_display_name)
    }

    pub fn occupied_since_text(&self) -> Option<String> {
        self.fecha_ocupacion.map(format_date_time)
    }

    /// The operation started by someone and left unfinished while nobody holds the spool: the paused badge.
    pub fn paused_operation(&self) -> Option<Operation> {
        if self.ocupado_por.is_some() {
            return None;
        }
        Operation::ALL
            .into_iter()
            .rev()
            .find(|operation| self.worker_of(*operation).is_some() && !self.is_completed(*operation))
    }

    /// The operations this row still leaves open: not completed, and for SOLD the assembly started.
    fn open_operations(&self) -> Vec<Operation> {
        Operation::ALL
            .into_iter()
            .filter(|operation| !self.is_completed(*operation))
            .filter(|operation| *operation == Operation::Arm || self.arm_started())
            .collect()
    }

    /// The operation the current holder works on (None when nobody holds the spool), read from the row's own
    /// columns and the operations the holder's roles allow, never guessed. Among the open operations the
    /// holder may do (all open ones when the roles allow none): the one Estado_Detalle says the holder is working on (TOMAR writes it); else the only
    /// one; else the only one whose worker column (Armador, Soldador) is filled, since TOMAR fills it when
    /// empty. A row that cannot tell is DATA_CORRUPT naming Estado_Detalle, for a person to settle.
    pub fn occupied_operation(&self, holder_can: &[Operation]) -> Result<Option<Operation>, SpoolError> {
        let Some(holder) = &self.ocupado_por else { return Ok(None) };
        let open = self.open_operations();
        let allowed: Vec<Operation> = open.iter().copied().filter(|operation| holder_can.contains(operation)).collect();
        // Roles that allow none of it do not narrow anything: the holder's role check refuses the action later.
        let candidates = if allowed.is_empty() { open } else { allowed };
        let estado = self.estado_detalle.as_deref().unwrap_or_default().trim().to_uppercase();
        let named = |operation: &Operation| estado == operation.estado_trabajando(holder).to_uppercase();
        let filled = |operation: &Operation| self.worker_of(*operation).is_some();
        let only = |found: Vec<Operation>| if let [only] = found.as_slice() { Some(*only) } else { None };
        only(candidates.iter().copied().filter(named).collect())
            .or_else(|| only(candidates.clone()))
            .or_else(|| only(candidates.iter().copied().filter(filled).collect()))
            .map(Some)
            .ok_or_else(|| SpoolError::DataCorrupt {
                tag: self.tag.clone(),
                column: ops::ESTADO_DETALLE.header.to_string(),
                raw: self.estado_detalle.clone().unwrap_or_default(),
            })
    }

    /// The spool-side checks of TOMAR, in the order of the spec: materials, not finished, ARM before SOLD,
    /// nobody holding it according to the sheet.
    pub fn check_can_take(&self, operation: Operation) -> Result<(), SpoolError> {
        let tag = || self.tag.clone();
        if self.fecha_materiales.is_none() {
            return Err(SpoolError::PrerequisiteMissing {
                tag: tag(),
                missing: "faltan los materiales (Fecha_Materiales)".into(),
            });
        }
        if self.is_completed(operation) {
            return Err(SpoolError::AlreadyCompleted { tag: tag(), operation });
        }
        if operation == Operation::Sold && !self.arm_started() {
            return Err(SpoolError::PrerequisiteMissing {
                tag: tag(),
                missing: "el armado (ARM) no ha comenzado".into(),
            });
        }
        if let Some(holder) = &self.ocupado_por {
            return Err(SpoolError::SpoolOccupied {
                tag: tag(),
                holder: holder.clone(),
                since: self.occupied_since_text(),
            });
        }
        Ok(())
    }

    /// How far the spool has come, by its furthest operation: SOLD may start once ARM has, so a spool with a
    /// soldador is in SOLD whatever its ARM says.
    pub fn stage(&self) -> Stage {
        match (self.fecha_soldadura, &self.soldador, self.fecha_armado, &self.armador) {
            (Some(_), _, _, _) => Stage::SoldHecho,
            (None, Some(_), _, _) => Stage::SoldEnCurso,
            (None, None, Some(_), _) => Stage::ArmHecho,
            (None, None, None, Some(_)) => Stage::ArmEnCurso,
            (None, None, None, None) => Stage::Pendiente,
        }
    }

    /// Whether the spool still needs this operation and its prerequisites are met.
    pub fn is_eligible_for(&self, operation: Operation) -> bool {
        self.fecha_materiales.is_some()
            && !self.is_completed(operation)
            && (operation == Operation::Arm || self.arm_started())
    }
}

/// Decodes every non-blank row of Operaciones; blank-tag rows are empty lines, not spools.
pub fn decode_spools(grid: &Grid, map: &ColumnMap) -> Vec<SpoolRecord> {
    decode_where(grid, map, |_| true)
}

/// Decodes the rows of `tags` only: an action decides on its own spools, not on the whole tab.
pub fn decode_spools_of(grid: &Grid, map: &ColumnMap, tags: &[String]) -> Vec<SpoolRecord> {
    decode_where(grid, map, |tag| tags.iter().any(|wanted| wanted == tag))
}

fn decode_where(grid: &Grid, map: &ColumnMap, wanted: impl Fn(&str) -> bool) -> Vec<SpoolRecord> {
    (0..grid.rows.len())
        .filter_map(|row| {
            let tag = read(grid, map, row, &ops::TAG).as_text().filter(|tag| wanted(tag))?;
            Some(decode_row(grid, map, row, tag))
        })
        .collect()
}

/// The row index holding `tag`, found by the id column (rows move when humans sort or insert).
pub fn find_row(grid: &Grid, map: &ColumnMap, tag: &str) -> Option<usize> {
    let column = map.position(&ops::TAG)?;
    (0..grid.rows.len()).find(|row| grid.cell(*row, column).as_text().as_deref() == Some(tag))
}

fn read<'a>(grid: &'a Grid, map: &ColumnMap, row: usize, spec: &ColumnSpec) -> &'a Cell {
    static EMPTY: Cell = Cell::Empty;
    map.position(spec).map_or(&EMPTY, |column| grid.cell(row, column))
}

fn decode_row(grid: &Grid, map: &ColumnMap, row: usize, tag: String) -> SpoolRecord {
    let corrupt = |spec: &ColumnSpec, cell: &Cell| SpoolRecord::Corrupt {
        tag: tag.clone(),
        column: grid.header[map.position(spec).unwrap_or_default()].clone(),
        raw: cell.display(),
    };
    macro_rules! decode {
        ($spec:expr, $method:ident) => {{
            let cell = read(grid, map, row, &$spec);
            match cell.$method() {
                Ok(value) => value,
                Err(Unreadable) => return corrupt(&$spec, cell),
            }
        }};
    }
    let text = |spec: &ColumnSpec| read(grid, map, row, spec).as_text();
    let spool = Spool {
        nv: text(&ops::NV),
        ot: text(&ops::OT),
        fecha_materiales: decode!(ops::FECHA_MATERIALES, as_date),
        armador: text(&ops::ARMADOR),
        fecha_armado: decode!(ops::FECHA_ARMADO, as_date),
        soldador: text(&ops::SOLDADOR),
        fecha_soldadura: decode!(ops::FECHA_SOLDADURA, as_date),
        fecha_qc_metrologia: decode!(ops::FECHA_QC_METROLOGIA, as_date),
        ocupado_por: text(&ops::OCUPADO_POR),
        fecha_ocupacion: decode!(ops::FECHA_OCUPACION, as_date_time),
        estado_detalle: text(&ops::ESTADO_DETALLE),
        version: decode!(ops::VERSION, as_integer),
        tag: tag.clone(),
    };
    SpoolRecord::Valid(spool)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Tab;

    fn grid() -> Grid {
        let header = [
            "TAG_SPOOL",
            "Fecha_Materiales",
            "Armador",
            "Fecha_Armado",
            "Soldador",
            "Fecha_Soldadura",
            "Ocupado_Por",
            "Fecha_Ocupacion",
            "Estado_Detalle",
        ];
        let mut grid = Grid::new(header.iter().map(|name| name.to_string()).collect());
        grid.rows.push(vec![
            Cell::text("A-1"),
            Cell::Number(45658.0),
            Cell::text("MR(93)"),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::text("MR(93)"),
            Cell::Number(45660.5),
        ]);
        grid.rows.push(vec![Cell::text("A-2"), Cell::text("ayer")]);
        grid.rows.push(vec![Cell::Empty]);
        grid.rows.push(vec![Cell::text("A-3"), Cell::text("01-01-2025"), Cell::text("MR(93)")]);
        grid
    }

    #[test]
    fn decodes_rows_and_flags_corrupt_cells() {
        let grid = grid();
        let map = ColumnMap::of(Tab::Operaciones, "Operaciones", &grid).expect("schema");
        let records = decode_spools(&grid, &map);
        assert_eq!(records.len(), 3);
        let first = records[0].spool().expect("valid");
        assert_eq!(first.holder_id(), Some(93));
        assert_eq!(first.occupied_since_text().as_deref(), Some("03-01-2025 12:00:00"));
        assert_eq!(first.occupied_operation(&Operation::ALL), Ok(Some(Operation::Arm)));
        assert_eq!(
            records[1].spool().expect_err("corrupt"),
            SpoolError::DataCorrupt { tag: "A-2".into(), column: "Fecha_Materiales".into(), raw: "ayer".into() }
        );
        assert_eq!(records[2].spool().expect("valid").paused_operation(), Some(Operation::Arm));
        assert_eq!(find_row(&grid, &map, "A-3"), Some(3));
        let only = decode_spools_of(&grid, &map, &["A-3".into(), "A-9".into()]);
        assert_eq!(only, records[2..], "the rows of the tags asked for, and nothing for a tag no row has");
    }

    #[test]
    fn an_occupation_operation_comes_from_the_row_s_columns_and_the_holder_s_roles() {
        let date = NaiveDate::from_ymd_opt(2025, 1, 3);
        let base = Spool {
            tag: "T".into(),
            nv: None,
            ot: None,
            fecha_materiales: date,
            armador: Some("MR(93)".into()),
            fecha_armado: None,
            soldador: Some("CP(101)".into()),
            fecha_soldadura: None,
            fecha_qc_metrologia: None,
            ocupado_por: Some("CP(101)".into()),
            fecha_ocupacion: None,
            estado_detalle: None,
            version: None,
        };
        let with = |can: &[Operation], change: &dyn Fn(&mut Spool)| {
            let mut spool = base.clone();
            change(&mut spool);
            spool.occupied_operation(can)
        };
        let (sold_only, both) = ([Operation::Sold], Operation::ALL);
        assert_eq!(with(&sold_only, &|_| {}), Ok(Some(Operation::Sold)), "Estado blank: a Soldador's work is SOLD");
        let estado = |spool: &mut Spool| spool.estado_detalle = Some("CP(101) trabajando ARM".into());
        assert_eq!(with(&both, &estado), Ok(Some(Operation::Arm)), "Estado names the holder's work");
        assert_eq!(with(&both, &|spool| spool.fecha_armado = date), Ok(Some(Operation::Sold)), "only SOLD is open");
        let no_soldador = |spool: &mut Spool| spool.soldador = None;
        assert_eq!(with(&both, &no_soldador), Ok(Some(Operation::Arm)), "a SOLD taken would have filled Soldador");
        let ambiguous = with(&both, &|_| {});
        assert!(matches!(ambiguous, Err(SpoolError::DataCorrupt { ref column, .. }) if column == "Estado_Detalle"));
        let stale = |spool: &mut Spool| spool.estado_detalle = Some("MR(93) trabajando ARM".into());
        assert!(with(&both, &stale).is_err(), "an Estado naming someone else says nothing of this holder");
        assert_eq!(with(&both, &|spool| spool.ocupado_por = None), Ok(None));
    }
}
