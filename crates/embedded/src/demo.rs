//! The demo shop a new embedded store starts with: a few hundred spools in every state, a dozen workers with
//! their roles (one inactive), and locks for the spools someone is working on.

use std::path::Path;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use rusqlite::TransactionBehavior;
use spooltrack_core::{Holder, LockToken, Pin, PinHash};
use spooltrack_domain::{
    cell::{date_time_to_serial, format_date, format_date_time},
    layout::ShopLayout,
    schema::{ops, ColumnMap, Tab, TabNames},
    Cell, Operation, Role, WorkerId,
};

use crate::{database::sql_error, store::write_grids, Database, EmbeddedLock};

pub const DEMO_SPOOLS: usize = 320;

/// (id, nombre, apellido, activo, roles)
const WORKERS: &[(WorkerId, &str, &str, bool, &[Role])] = &[
    (93, "Mauricio", "Rodriguez", true, &[Role::Armador]),
    (94, "Nicolás", "Rodríguez", true, &[Role::Armador, Role::Soldador]),
    (101, "Carlos", "Pérez", true, &[Role::Soldador]),
    (102, "Jorge", "Muñoz", true, &[Role::Soldador]),
    (103, "Luis", "González", true, &[Role::Armador]),
    (104, "Pedro", "Soto", true, &[Role::Ayudante]),
    (105, "Andrea", "Fuentes", true, &[Role::Metrologia]),
    (106, "Rodrigo", "Silva", true, &[Role::Armador, Role::Ayudante]),
    (107, "Felipe", "Contreras", true, &[Role::Soldador, Role::Ayudante]),
    (108, "Sebastián", "Díaz", false, &[Role::Armador]),
    (109, "Camila", "Rojas", true, &[Role::Supervisor]),
    (110, "Javier", "Morales", true, &[Role::Pintura, Role::Revestimiento]),
    (111, "Patricio", "Vera", true, &[Role::Despacho]),
    (112, "Daniela", "Castro", true, &[Role::Supervisor, Role::Armador]),
];

/// The demo supervisors' PINs (documented in the README), kept hashed as a real shop's are.
pub const DEMO_PINS: &[(WorkerId, &str)] = &[(109, "1090"), (112, "1120")];

const ARMADORES: &[(WorkerId, &str)] = &[(93, "MR(93)"), (94, "NR(94)"), (103, "LG(103)"), (106, "RS(106)")];
const SOLDADORES: &[(WorkerId, &str)] = &[(101, "CP(101)"), (102, "JM(102)"), (107, "FC(107)")];

/// A spool row and, when someone holds it, who.
struct DemoSpool {
    cells: Vec<(&'static spooltrack_domain::schema::ColumnSpec, Cell)>,
    holder: Option<Holder>,
}

/// Builds the demo shop around `now` (the shop's local time); the holders come with their row index.
fn demo(now: NaiveDateTime, station: &str) -> (ShopLayout, Vec<(usize, String, Holder)>) {
    let mut shop = ShopLayout::default();
    for (id, nombre, apellido, activo, roles) in WORKERS {
        shop.add_worker(*id, nombre, apellido, *activo, roles);
    }
    for (id, pin) in DEMO_PINS {
        let pin = Pin::parse("PIN", pin).expect("the demo's PINs are valid");
        shop.set_pin_hash(*id, PinHash::of(&pin).as_stored());
    }
    let mut locks = Vec::new();
    for index in 0..DEMO_SPOOLS {
        let spool = demo_spool(index, now, station);
        if let Some(holder) = spool.holder {
            locks.push((index, tag(index), holder));
        }
        shop.add_spool(&spool.cells);
    }
    (shop, locks)
}

fn tag(index: usize) -> String {
    format!("MK-{}-CW-{}-{:03}", 1335 + index / 80, 25238 + index / 20, index % 20 + 1)
}

fn demo_spool(index: usize, now: NaiveDateTime, station: &str) -> DemoSpool {
    let today = now.date();
    let day = |days_ago: usize| today - Duration::days(days_ago as i64);
    // Dates arrive both ways in real sheets: serial numbers and text.
    let date = |value: NaiveDate| {
        if index.is_multiple_of(3) {
            Cell::Number(date_time_to_serial(value.and_time(chrono::NaiveTime::MIN)))
        } else {
            Cell::text(format_date(value))
        }
    };
    let (armador_id, armador) = ARMADORES[index % ARMADORES.len()];
    let (soldador_id, soldador) = SOLDADORES[index % SOLDADORES.len()];
    let mut cells = vec![
        (&ops::TAG, Cell::text(tag(index))),
        (&ops::NV, Cell::text(format!("NV-{}", 1335 + index / 80))),
        (&ops::OT, Cell::text(format!("OT-{}", 5012 + index / 10))),
    ];
    let mut holder = None;
    let mut occupy = |cells: &mut Vec<_>, worker_id: WorkerId, worker: &str, operation: Operation| {
        let since = now - Duration::minutes((index % 7 * 47 + 20) as i64);
        cells.push((&ops::OCUPADO_POR, Cell::text(worker)));
        cells.push((&ops::FECHA_OCUPACION, Cell::text(format_date_time(since))));
        cells.push((&ops::ESTADO_DETALLE, Cell::text(operation.estado_trabajando(worker))));
        holder = Some(Holder { worker_id, worker: worker.to_string(), operation, station: station.to_string(), since });
    };
    let stage = index * 100 / DEMO_SPOOLS;
    if stage >= 6 {
        cells.push((&ops::FECHA_MATERIALES, date(day(30 + index % 20))));
    }
    match stage {
        0..=5 => {}
        6..=39 => {}
        40..=47 => {
            cells.push((&ops::ARMADOR, Cell::text(armador)));
            cells.push((&ops::ESTADO_DETALLE, Cell::text(Operation::Arm.estado_pausado())));
        }
        48..=55 => {
            cells.push((&ops::ARMADOR, Cell::text(armador)));
            occupy(&mut cells, armador_id, armador, Operation::Arm);
        }
        56..=74 => {
            cells.push((&ops::ARMADOR, Cell::text(armador)));
            cells.push((&ops::FECHA_ARMADO, date(day(3 + index % 9))));
            cells.push((&ops::ESTADO_DETALLE, Cell::text(Operation::Arm.estado_completado())));
        }
        75..=79 => {
            cells.push((&ops::ARMADOR, Cell::text(armador)));
            cells.push((&ops::FECHA_ARMADO, date(day(5 + index % 9))));
            cells.push((&ops::SOLDADOR, Cell::text(soldador)));
            cells.push((&ops::ESTADO_DETALLE, Cell::text(Operation::Sold.estado_pausado())));
        }
        80..=86 => {
            cells.push((&ops::ARMADOR, Cell::text(armador)));
            cells.push((&ops::FECHA_ARMADO, date(day(5 + index % 9))));
            cells.push((&ops::SOLDADOR, Cell::text(soldador)));
            occupy(&mut cells, soldador_id, soldador, Operation::Sold);
        }
        _ => {
            cells.push((&ops::ARMADOR, Cell::text(armador)));
            cells.push((&ops::FECHA_ARMADO, date(day(12 + index % 9))));
            cells.push((&ops::SOLDADOR, Cell::text(soldador)));
            cells.push((&ops::FECHA_SOLDADURA, date(day(4 + index % 5))));
            cells.push((&ops::ESTADO_DETALLE, Cell::text(Operation::Sold.estado_completado())));
            if index.is_multiple_of(2) {
                cells.push((&ops::FECHA_QC_METROLOGIA, date(day(1 + index % 3))));
            }
        }
    }
    DemoSpool { cells, holder }
}

/// Seeds the store file with the demo shop unless it already has a shop; safe when two processes start at once.
pub async fn seed_if_empty(
    path: &Path,
    tabs: &TabNames,
    now: NaiveDateTime,
    station: &str,
) -> Result<bool, spooltrack_domain::SpoolError> {
    let tabs = tabs.clone();
    let station = station.to_string();
    Database::open(path)?
        .run(move |connection| {
            let transaction =
                connection.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql_error)?;
            let seeded: bool = transaction
                .query_row("SELECT EXISTS (SELECT 1 FROM sheet_rows WHERE tab = ?1)", [&tabs.operaciones], |row| {
                    row.get(0)
                })
                .map_err(sql_error)?;
            if seeded {
                return Ok(false);
            }
            let (mut shop, locks) = demo(now, &station);
            // Each held row carries its grant's fence in `version`, as a TOMAR would have written it.
            let version =
                ColumnMap::of(Tab::Operaciones, &tabs.operaciones, &shop.operaciones)?.position(&ops::VERSION);
            for (row, tag, holder) in &locks {
                let fence = EmbeddedLock::insert(&transaction, tag, holder, &LockToken::random())?;
                if let Some(column) = version {
                    shop.operaciones.set(*row, column, Cell::Number(fence as f64));
                }
            }
            let named =
                shop.grids().into_iter().map(|(tab, grid)| (tabs.name(tab).to_string(), grid)).collect::<Vec<_>>();
            write_grids(&transaction, &named)?;
            transaction.commit().map_err(sql_error)?;
            tracing::info!(spools = DEMO_SPOOLS, "tienda de demostración creada");
            Ok(true)
        })
        .await
}
