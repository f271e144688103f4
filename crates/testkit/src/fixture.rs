//! The standard shop of the behaviour suite: workers of every kind and spools in every state the rules care about.

use spooltrack_core::{Holder, Pin, PinHash};
use spooltrack_domain::{
    layout::ShopLayout,
    schema::{ops, ColumnMap, Tab},
    spool::find_row,
    Cell, Grid, Operation, Role, WorkerId,
};

use crate::HandEdit;

pub const ARMADOR: WorkerId = 93;
pub const ARMADOR_SOLDADOR: WorkerId = 94;
pub const SOLDADOR: WorkerId = 101;
pub const AYUDANTE: WorkerId = 104;
pub const METROLOGO: WorkerId = 105;
pub const INACTIVE: WorkerId = 108;
pub const SUPERVISOR: WorkerId = 109;
/// The PIN of [`SUPERVISOR`], kept hashed in the fixture's Trabajadores.
pub const SUPERVISOR_PIN: &str = "1090";
/// A supervisor who has not set a PIN yet.
pub const NEW_SUPERVISOR: WorkerId = 110;
/// Twenty armadores, for contention tests.
pub const CONTENDERS: std::ops::Range<WorkerId> = 200..220;

/// Spools ready for ARM: `S-001` … `S-060`.
pub const READY_SPOOLS: usize = 60;
pub const NO_MATERIALS: &str = "S-NOMAT";
pub const ARM_DONE: &str = "S-ARMDONE";
pub const BOTH_DONE: &str = "S-BOTHDONE";
/// Held in the sheet by CP(101) for SOLD since serial 45658.75 (01-01-2025 18:00:00), with no lock.
pub const HELD_IN_SHEET: &str = "S-HELD";
/// Held in the sheet by CP(101), the Soldador, with Estado_Detalle blanked by a person and ARM not finished.
pub const HELD_BLANK_ESTADO: &str = "S-SOLD-SIN-ESTADO";
/// Held in the sheet by NR(94) (Armador and Soldador), who is neither its Armador nor its Soldador, both
/// operations open and begun by others, Estado blank: nothing says which one NR(94) works on.
pub const HELD_AMBIGUOUS: &str = "S-AMBIGUO";
/// Held in the sheet for SOLD by MR(93), who is only an Armador.
pub const HELD_WITHOUT_ROLE: &str = "S-SIN-ROL";
/// Fecha_Materiales reads `ayer`.
pub const CORRUPT: &str = "S-CORRUPT";

pub fn ready(number: usize) -> String {
    format!("S-{number:03}")
}

pub fn ready_tags(count: usize) -> Vec<String> {
    (1..=count).map(ready).collect()
}

/// A holder of an ARM lock at its own station, taken on the fixture's day, for lock-level tests.
pub fn holder(worker_id: WorkerId) -> Holder {
    Holder {
        worker_id,
        worker: format!("W{worker_id}({worker_id})"),
        operation: Operation::Arm,
        station: format!("estacion-{worker_id}"),
        since: chrono::NaiveDate::from_ymd_opt(2025, 3, 7).and_then(|day| day.and_hms_opt(8, 15, 0)).expect("valid"),
    }
}

/// A person typing an occupation into a spool's row (`Ocupado_Por`, `Fecha_Ocupacion`, `Estado_Detalle`) and
/// leaving its `version` as it was, as people do.
pub fn occupied_by_hand(tag: &str, holder: &str, operation: Operation) -> HandEdit {
    let (tag, holder) = (tag.to_string(), holder.to_string());
    Box::new(move |grid: &mut Grid| {
        let Ok(map) = ColumnMap::of(Tab::Operaciones, "Operaciones", grid) else { return };
        let Some(row) = find_row(grid, &map, &tag) else { return };
        let typed = [
            (&ops::OCUPADO_POR, Cell::text(&holder)),
            (&ops::FECHA_OCUPACION, Cell::text("07-03-2025 09:00:00")),
            (&ops::ESTADO_DETALLE, Cell::text(operation.estado_trabajando(&holder))),
        ];
        for (spec, value) in typed {
            if let Some(column) = map.position(spec) {
                grid.set(row, column, value);
            }
        }
    })
}

/// Hashed once per test process: a hash takes tens of milliseconds, and every test builds the shop.
fn supervisor_pin_hash() -> &'static str {
    static HASH: std::sync::OnceLock<PinHash> = std::sync::OnceLock::new();
    HASH.get_or_init(|| PinHash::of(&Pin::parse("PIN", SUPERVISOR_PIN).expect("a valid PIN"))).as_stored()
}

pub fn standard_shop() -> ShopLayout {
    let mut shop = ShopLayout::default();
    shop.add_worker(ARMADOR, "Mauricio", "Rodriguez", true, &[Role::Armador]);
    shop.add_worker(ARMADOR_SOLDADOR, "Nicolás", "Rodríguez", true, &[Role::Armador, Role::Soldador]);
    shop.add_worker(SOLDADOR, "Carlos", "Pérez", true, &[Role::Soldador]);
    shop.add_worker(AYUDANTE, "Pedro", "Soto", true, &[Role::Ayudante]);
    shop.add_worker(METROLOGO, "Andrea", "Fuentes", true, &[Role::Metrologia]);
    shop.add_worker(INACTIVE, "Sebastián", "Díaz", false, &[Role::Armador]);
    shop.add_worker(SUPERVISOR, "Camila", "Rojas", true, &[Role::Supervisor]);
    shop.set_pin_hash(SUPERVISOR, supervisor_pin_hash());
    shop.add_worker(NEW_SUPERVISOR, "Felipe", "Vidal", true, &[Role::Supervisor]);
    for id in CONTENDERS {
        shop.add_worker(id, &format!("Armador{id}"), "Turno", true, &[Role::Armador]);
    }

    for number in 1..=READY_SPOOLS {
        let nv = if number <= 30 { "NV-100" } else { "NV-200" };
        shop.add_ready_spool(&ready(number), nv, &format!("OT-{}", number / 10), Cell::text("02-01-2025"));
    }
    shop.add_spool(&[(&ops::TAG, Cell::text(NO_MATERIALS)), (&ops::NV, Cell::text("NV-100"))]);
    shop.add_spool(&[
        (&ops::TAG, Cell::text(ARM_DONE)),
        (&ops::FECHA_MATERIALES, Cell::Number(45600.0)),
        (&ops::ARMADOR, Cell::text("MR(93)")),
        (&ops::FECHA_ARMADO, Cell::text("2025-01-03")),
        (&ops::ESTADO_DETALLE, Cell::text("ARM completado, SOLD pendiente")),
    ]);
    shop.add_spool(&[
        (&ops::TAG, Cell::text(BOTH_DONE)),
        (&ops::FECHA_MATERIALES, Cell::text("1/12/24")),
        (&ops::ARMADOR, Cell::text("MR(93)")),
        (&ops::FECHA_ARMADO, Cell::text("03-Ene-2025")),
        (&ops::SOLDADOR, Cell::text("CP(101)")),
        (&ops::FECHA_SOLDADURA, Cell::Number(45662.0)),
    ]);
    shop.add_spool(&[
        (&ops::TAG, Cell::text(HELD_IN_SHEET)),
        (&ops::FECHA_MATERIALES, Cell::text("02-01-2025")),
        (&ops::ARMADOR, Cell::text("MR(93)")),
        (&ops::SOLDADOR, Cell::text("CP(101)")),
        (&ops::OCUPADO_POR, Cell::text("CP(101)")),
        (&ops::FECHA_OCUPACION, Cell::Number(45658.75)),
        (&ops::ESTADO_DETALLE, Cell::text("CP(101) trabajando SOLD")),
    ]);
    shop.add_spool(&[(&ops::TAG, Cell::text(CORRUPT)), (&ops::FECHA_MATERIALES, Cell::text("ayer"))]);
    shop
}

/// The standard shop plus occupations a person edited by hand: Estado_Detalle blanked, a holder the row cannot
/// place, a holder without the role for the work.
pub fn hand_edited_shop() -> ShopLayout {
    let mut shop = standard_shop();
    shop.add_spool(&[
        (&ops::TAG, Cell::text(HELD_BLANK_ESTADO)),
        (&ops::FECHA_MATERIALES, Cell::text("02-01-2025")),
        (&ops::ARMADOR, Cell::text("MR(93)")),
        (&ops::SOLDADOR, Cell::text("CP(101)")),
        (&ops::OCUPADO_POR, Cell::text("CP(101)")),
        (&ops::FECHA_OCUPACION, Cell::Number(45658.75)),
    ]);
    shop.add_spool(&[
        (&ops::TAG, Cell::text(HELD_AMBIGUOUS)),
        (&ops::FECHA_MATERIALES, Cell::text("02-01-2025")),
        (&ops::ARMADOR, Cell::text("MR(93)")),
        (&ops::SOLDADOR, Cell::text("CP(101)")),
        (&ops::OCUPADO_POR, Cell::text("NR(94)")),
        (&ops::FECHA_OCUPACION, Cell::Number(45658.75)),
    ]);
    shop.add_spool(&[
        (&ops::TAG, Cell::text(HELD_WITHOUT_ROLE)),
        (&ops::FECHA_MATERIALES, Cell::text("02-01-2025")),
        (&ops::ARMADOR, Cell::text("MR(93)")),
        (&ops::FECHA_ARMADO, Cell::text("03-01-2025")),
        (&ops::SOLDADOR, Cell::text("MR(93)")),
        (&ops::OCUPADO_POR, Cell::text("MR(93)")),
        (&ops::FECHA_OCUPACION, Cell::Number(45658.75)),
        (&ops::ESTADO_DETALLE, Cell::text("MR(93) trabajando SOLD")),
    ]);
    shop
}
