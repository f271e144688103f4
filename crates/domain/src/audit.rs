//! Audit events: the rows of the append-only Metadata tab, written with every action and read back for history.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::{
    cell::{format_date, format_date_time},
    schema::{audit as cols, ColumnMap, ColumnSpec},
    Cell, Grid, Operation, WorkerId,
};

/// The `Evento_Tipo` values the app writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EventKind {
    TomarSpool,
    PausarSpool,
    CompletarArm,
    CompletarSold,
    CancelarSpool,
    LiberacionForzada,
    /// A correction by the reconciler: a stale lock released, or a lost lock rebuilt from the row.
    Reconciliacion,
    /// A supervisor's PIN was entered wrong at a station (what it was for, never the PIN).
    PinIncorrecto,
    /// A supervisor's PIN was set or changed (by whom), never the PIN or its hash.
    PinCambiado,
}

impl EventKind {
    pub const ALL: [EventKind; 9] = [
        EventKind::TomarSpool,
        EventKind::PausarSpool,
        EventKind::CompletarArm,
        EventKind::CompletarSold,
        EventKind::CancelarSpool,
        EventKind::LiberacionForzada,
        EventKind::Reconciliacion,
        EventKind::PinIncorrecto,
        EventKind::PinCambiado,
    ];

    pub fn code(self) -> &'static str {
        match self {
            EventKind::TomarSpool => "TOMAR_SPOOL",
            EventKind::PausarSpool => "PAUSAR_SPOOL",
            EventKind::CompletarArm => "COMPLETAR_ARM",
            EventKind::CompletarSold => "COMPLETAR_SOLD",
            EventKind::CancelarSpool => "CANCELAR_SPOOL",
            EventKind::LiberacionForzada => "LIBERACION_FORZADA",
            EventKind::Reconciliacion => "RECONCILIACION",
            EventKind::PinIncorrecto => "PIN_INCORRECTO",
            EventKind::PinCambiado => "PIN_CAMBIADO",
        }
    }

    pub fn completar(operation: Operation) -> Self {
        match operation {
            Operation::Arm => EventKind::CompletarArm,
            Operation::Sold => EventKind::CompletarSold,
        }
    }

    /// The `Accion` column: the verb the worker pressed.
    pub fn accion(self) -> &'static str {
        match self {
            EventKind::TomarSpool => "TOMAR",
            EventKind::PausarSpool => "PAUSAR",
            EventKind::CompletarArm | EventKind::CompletarSold => "COMPLETAR",
            EventKind::CancelarSpool => "CANCELAR",
            EventKind::LiberacionForzada => "LIBERAR",
            EventKind::Reconciliacion => "RECONCILIAR",
            EventKind::PinIncorrecto | EventKind::PinCambiado => "PIN",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        EventKind::ALL.into_iter().find(|kind| kind.code() == text.trim())
    }
}

/// One audit row. `metadata` holds what later steps need (the row before a TOMAR, a force-release reason).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub id: String,
    pub timestamp: NaiveDateTime,
    pub kind: EventKind,
    pub tag: String,
    pub worker_id: WorkerId,
    pub worker_name: String,
    pub operation: Option<Operation>,
    pub fecha_operacion: NaiveDate,
    pub metadata: serde_json::Value,
}

impl AuditEvent {
    /// The row's cells by column, RAW text for dates and timestamps.
    pub fn cells(&self) -> Vec<(&'static ColumnSpec, Cell)> {
        vec![
            (&cols::ID, Cell::text(&self.id)),
            (&cols::TIMESTAMP, Cell::text(format_date_time(self.timestamp))),
            (&cols::EVENTO_TIPO, Cell::text(self.kind.code())),
            (&cols::TAG_SPOOL, Cell::text(&self.tag)),
            (&cols::WORKER_ID, Cell::Number(f64::from(self.worker_id))),
            (&cols::WORKER_NOMBRE, Cell::text(&self.worker_name)),
            (&cols::OPERACION, self.operation.map_or(Cell::Empty, |operation| Cell::text(operation.code()))),
            (&cols::ACCION, Cell::text(self.kind.accion())),
            (&cols::FECHA_OPERACION, Cell::text(format_date(self.fecha_operacion))),
            (&cols::METADATA_JSON, Cell::text(self.metadata.to_string())),
        ]
    }

    /// Lays the event out along the tab's header, wherever its columns are.
    pub fn to_row(&self, map: &ColumnMap, width: usize) -> Vec<Cell> {
        let mut row = vec![Cell::Empty; width.max(map.width())];
        for (spec, value) in self.cells() {
            if let Some(column) = map.position(spec) {
                row[column] = value;
            }
        }
        row
    }
}

/// Reads back the events of the app; rows of other kinds or unreadable rows are not the app's events.
pub fn decode_events(grid: &Grid, map: &ColumnMap) -> Vec<AuditEvent> {
    let cell = |row, spec: &ColumnSpec| map.position(spec).map_or(&Cell::Empty, |column| grid.cell(row, column));
    (0..grid.rows.len())
        .filter_map(|row| {
            let timestamp = cell(row, &cols::TIMESTAMP).as_date_time().ok()??;
            Some(AuditEvent {
                id: cell(row, &cols::ID).display(),
                timestamp,
                kind: EventKind::parse(&cell(row, &cols::EVENTO_TIPO).display())?,
                tag: cell(row, &cols::TAG_SPOOL).as_text()?,
                worker_id: WorkerId::try_from(cell(row, &cols::WORKER_ID).as_integer().ok()??).ok()?,
                worker_name: cell(row, &cols::WORKER_NOMBRE).display(),
                operation: cell(row, &cols::OPERACION).display().parse().ok(),
                fecha_operacion: cell(row, &cols::FECHA_OPERACION).as_date().ok().flatten().unwrap_or(timestamp.date()),
                metadata: serde_json::from_str(&cell(row, &cols::METADATA_JSON).display()).unwrap_or_default(),
            })
        })
        .collect()
}
