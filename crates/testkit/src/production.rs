//! A shop shaped like production, for benchmarks and for trying the app against the Sheets fake: about 70
//! Operaciones columns in the order a spool shop keeps them (the app's among many it ignores), thousands of
//! spools in every state, dates as serial numbers and as text in several formats, blank cells, forty workers
//! with their roles, and an audit tab with the TOMAR of every spool in progress. Deterministic: same size,
//! same shop.

use chrono::{Duration, NaiveDateTime};
use spooltrack_domain::{
    cell::{date_time_to_serial, format_date, format_date_time},
    layout::ShopLayout,
    schema::{ops, ColumnMap, ColumnSpec, Tab},
    Cell, Grid, Operation, Role, WorkerId,
};

/// Operaciones as a real shop's sheet has it; the app finds its twelve columns among these by name.
pub const OPERACIONES_HEADER: &[&str] = &[
    "TAG_SPOOL",
    "NV",
    "OT",
    "Cliente",
    "Proyecto",
    "Linea",
    "Isometrico",
    "Revision",
    "Hoja_Iso",
    "Spool_N",
    "Descripcion",
    "Material",
    "Norma",
    "Schedule",
    "Diametro_Pulg",
    "Espesor_mm",
    "Largo_m",
    "Peso_kg",
    "Cantidad_Soldaduras",
    "Pulgadas_Diametrales",
    "Clase",
    "Fluido",
    "Temperatura_Diseno",
    "Presion_Diseno",
    "Area",
    "Sector",
    "Prioridad",
    "Fecha_Ingreso",
    "Fecha_Programada",
    "Fecha_Materiales",
    "Guia_Materiales",
    "Proveedor",
    "Colada",
    "Certificado_Material",
    "Fecha_Corte",
    "Operador_Corte",
    "Armador",
    "Fecha_Armado",
    "Observaciones_Armado",
    "Soldador",
    "Fecha_Soldadura",
    "WPS",
    "Proceso_Soldadura",
    "Estampa_Soldador",
    "Fecha_QC_Metrología",
    "Inspector_QC",
    "Resultado_QC",
    "Fecha_END",
    "Tipo_END",
    "Informe_END",
    "Resultado_END",
    "Fecha_Prueba_Hidro",
    "Presion_Prueba",
    "Fecha_Revestimiento",
    "Tipo_Revestimiento",
    "Fecha_Pintura",
    "Esquema_Pintura",
    "Espesor_Pintura_um",
    "Fecha_Despacho",
    "Guia_Despacho",
    "Camion",
    "Destino",
    "Ocupado_Por",
    "Fecha_Ocupacion",
    "Estado_Detalle",
    "version",
    "Observaciones",
    "Ultima_Modificacion",
    "Modificado_Por",
    "Link_Plano",
];

const NOMBRES: &[&str] = &[
    "Mauricio",
    "Nicolás",
    "Carlos",
    "Jorge",
    "Luis",
    "Pedro",
    "Andrea",
    "Rodrigo",
    "Felipe",
    "Sebastián",
    "Camila",
    "Javier",
    "Patricio",
    "Daniela",
    "Cristián",
    "Francisca",
    "Gonzalo",
    "Héctor",
    "Iván",
    "José",
];
const APELLIDOS: &[&str] = &[
    "Rodríguez",
    "Pérez",
    "Muñoz",
    "González",
    "Soto",
    "Fuentes",
    "Silva",
    "Contreras",
    "Díaz",
    "Rojas",
    "Morales",
    "Vera",
    "Castro",
    "Araya",
    "Espinoza",
    "Tapia",
    "Reyes",
    "Núñez",
    "Sepúlveda",
    "Valenzuela",
];

/// Workers 300.. : armadores, soldadores, ayudantes, both, supervisors, an inactive one now and then.
pub const FIRST_WORKER: WorkerId = 300;
pub const WORKERS: u32 = 40;

/// The role mix of worker `offset` (0-based from [`FIRST_WORKER`]).
fn roles_of(offset: u32) -> &'static [Role] {
    match offset % 10 {
        0..=3 => &[Role::Armador],
        4..=6 => &[Role::Soldador],
        7 => &[Role::Ayudante],
        8 => &[Role::Armador, Role::Soldador],
        _ if offset % 20 == 9 => &[Role::Supervisor],
        _ => &[Role::Metrologia, Role::Pintura],
    }
}

/// An armador of the production shop, for benchmarks.
pub const AN_ARMADOR: WorkerId = FIRST_WORKER;

/// A cheap deterministic generator: the same shop every time, without a dependency.
struct Dice(u64);

impl Dice {
    /// A day between `at_least` and `at_least + spread - 1` days before `today`, the way a sheet keeps dates: a
    /// serial number, or text in one of the formats people type.
    fn date(&mut self, today: chrono::NaiveDate, at_least: u64, spread: u64) -> Cell {
        let days_ago = at_least + self.roll(spread);
        let day = today - Duration::days(days_ago as i64);
        match self.roll(5) {
            0 | 1 => Cell::Number(date_time_to_serial(day.and_time(chrono::NaiveTime::MIN))),
            2 => Cell::text(format_date(day)),
            3 => Cell::text(day.format("%d/%m/%Y").to_string()),
            _ => Cell::text(day.format("%Y-%m-%d").to_string()),
        }
    }

    fn roll(&mut self, sides: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % sides.max(1)
    }
}

fn display_name(offset: u32) -> String {
    let id = FIRST_WORKER + offset;
    let nombre = NOMBRES[offset as usize % NOMBRES.len()];
    let apellido = APELLIDOS[(offset as usize * 7) % APELLIDOS.len()];
    let initial = |word: &str| word.chars().next().map(|c| c.to_uppercase().to_string()).unwrap_or_default();
    format!("{}{}({id})", initial(nombre), initial(apellido))
}

/// A shop of `spools` spools as of `now` (the shop's local time).
pub fn production_shop(spools: usize, now: NaiveDateTime) -> ShopLayout {
    let mut shop = ShopLayout {
        operaciones: Grid::new(OPERACIONES_HEADER.iter().map(|name| name.to_string()).collect()),
        ..ShopLayout::default()
    };
    for offset in 0..WORKERS {
        let nombre = NOMBRES[offset as usize % NOMBRES.len()];
        let apellido = APELLIDOS[(offset as usize * 7) % APELLIDOS.len()];
        shop.add_worker(FIRST_WORKER + offset, nombre, apellido, offset % 13 != 12, roles_of(offset));
    }
    let map = ColumnMap::of(Tab::Operaciones, "Operaciones", &shop.operaciones)
        .unwrap_or_else(|error| unreachable!("the production header has every critical column: {error}"));
    let armadores: Vec<u32> = (0..WORKERS).filter(|offset| roles_of(*offset).contains(&Role::Armador)).collect();
    let soldadores: Vec<u32> = (0..WORKERS).filter(|offset| roles_of(*offset).contains(&Role::Soldador)).collect();
    let mut dice = Dice(0x5EED_0001_u64.wrapping_add(spools as u64));
    for index in 0..spools {
        let armador = armadores[dice.roll(armadores.len() as u64) as usize];
        let soldador = soldadores[dice.roll(soldadores.len() as u64) as usize];
        let row = spool_row(index, now, &mut dice, &map, (armador, soldador));
        shop.operaciones.rows.push(row.cells);
        if let Some((tag, offset, operation, since)) = row.taken {
            shop.metadata.rows.push(tomar_event(&tag, offset, operation, since));
        }
    }
    shop
}

struct Row {
    cells: Vec<Cell>,
    /// In progress: (tag, worker offset, operation, since), for the audit's TOMAR.
    taken: Option<(String, u32, Operation, NaiveDateTime)>,
}

fn spool_row(
    index: usize,
    now: NaiveDateTime,
    dice: &mut Dice,
    map: &ColumnMap,
    (armador, soldador): (u32, u32),
) -> Row {
    let column = |name: &str| OPERACIONES_HEADER.iter().position(|header| *header == name).unwrap_or(0);
    let app = |spec: &ColumnSpec| map.position(spec).unwrap_or(0);
    let mut cells = vec![Cell::Empty; OPERACIONES_HEADER.len()];
    let nv = 1300 + index / 60;
    let tag = format!("MK-{nv}-CW-{}-{:03}", 25000 + index / 15, index % 15 + 1);
    let today = now.date();
    cells[app(&ops::TAG)] = Cell::text(&tag);
    cells[app(&ops::NV)] = Cell::text(format!("NV-{nv}"));
    cells[app(&ops::OT)] = Cell::text(format!("OT-{}", 5000 + index / 12));
    cells[column("Cliente")] = Cell::text(["Codelco", "ENAP", "Anglo American", "BHP"][index % 4]);
    cells[column("Proyecto")] = Cell::text(format!("P-{}", 200 + index / 500));
    cells[column("Linea")] =
        Cell::text(format!("{}\"-{}-{:04}", [2, 4, 6, 8, 10][index % 5], ["AG", "VA", "CO"][index % 3], index % 997));
    cells[column("Isometrico")] = Cell::text(format!("ISO-{:05}", index / 3));
    cells[column("Revision")] = Cell::text(["0", "A", "B", "1"][index % 4]);
    cells[column("Spool_N")] = Cell::Number((index % 15 + 1) as f64);
    cells[column("Material")] = Cell::text(["A106 Gr.B", "A312 TP316L", "A333 Gr.6"][index % 3]);
    cells[column("Schedule")] = Cell::text(["STD", "40", "80", "XS"][index % 4]);
    cells[column("Diametro_Pulg")] = Cell::Number([2.0, 4.0, 6.0, 8.0, 10.0][index % 5]);
    cells[column("Peso_kg")] = Cell::Number(20.0 + (index % 180) as f64 * 1.5);
    cells[column("Cantidad_Soldaduras")] = Cell::Number((2 + index % 9) as f64);
    cells[column("Prioridad")] = if index.is_multiple_of(9) { Cell::text("ALTA") } else { Cell::Empty };
    cells[column("Fecha_Ingreso")] = dice.date(today, 60 + (index % 40) as u64, 1);
    if !index.is_multiple_of(4) {
        cells[column("Fecha_Programada")] = dice.date(today, (index % 30) as u64, 1);
    }
    cells[column("Link_Plano")] = Cell::text(format!("https://planos.example/iso/{:05}.pdf", index / 3));

    let armador_name = display_name(armador);
    let soldador_name = display_name(soldador);
    let mut taken = None;
    let mut occupy = |cells: &mut Vec<Cell>, offset: u32, name: &str, operation: Operation| {
        let since = now - Duration::minutes((index % 11 * 37 + 15) as i64);
        cells[app(&ops::OCUPADO_POR)] = Cell::text(name);
        cells[app(&ops::FECHA_OCUPACION)] = if index.is_multiple_of(2) {
            Cell::text(format_date_time(since))
        } else {
            Cell::Number(date_time_to_serial(since))
        };
        cells[app(&ops::ESTADO_DETALLE)] = Cell::text(operation.estado_trabajando(name));
        taken = Some((tag.clone(), offset, operation, since));
    };
    // The mix of a busy floor: waiting for materials, ready, in ARM, paused, ARM done, in SOLD, finished.
    let stage = dice.roll(100);
    if stage >= 12 {
        cells[app(&ops::FECHA_MATERIALES)] = dice.date(today, 20, 40);
        cells[column("Proveedor")] = Cell::text(["Tubexa", "Ferrocentro", "Acma"][index % 3]);
        cells[column("Colada")] = Cell::text(format!("C{:06}", index * 7 % 999_983));
    }
    if (48..94).contains(&stage) {
        cells[app(&ops::ARMADOR)] = Cell::text(&armador_name);
    }
    match stage {
        48..=53 => cells[app(&ops::ESTADO_DETALLE)] = Cell::text(Operation::Arm.estado_pausado()),
        54..=61 => occupy(&mut cells, armador, &armador_name, Operation::Arm),
        62..=93 => {
            cells[app(&ops::FECHA_ARMADO)] = dice.date(today, 5, 10);
            cells[app(&ops::ESTADO_DETALLE)] = Cell::text(Operation::Arm.estado_completado());
        }
        _ => {}
    }
    match stage {
        74..=79 => {
            cells[app(&ops::SOLDADOR)] = Cell::text(&soldador_name);
            occupy(&mut cells, soldador, &soldador_name, Operation::Sold);
        }
        80..=93 => {
            cells[app(&ops::SOLDADOR)] = Cell::text(&soldador_name);
            cells[app(&ops::FECHA_SOLDADURA)] = dice.date(today, 1, 4);
            cells[app(&ops::ESTADO_DETALLE)] = Cell::text(Operation::Sold.estado_completado());
            cells[column("WPS")] = Cell::text(format!("WPS-{:03}", index % 12));
            if stage >= 86 {
                cells[app(&ops::FECHA_QC_METROLOGIA)] = dice.date(today, 0, 2);
                cells[column("Resultado_QC")] = Cell::text("APROBADO");
            }
        }
        _ => {}
    }
    while cells.last().is_some_and(Cell::is_blank) {
        cells.pop();
    }
    Row { cells, taken }
}

fn tomar_event(tag: &str, offset: u32, operation: Operation, since: NaiveDateTime) -> Vec<Cell> {
    let nombre = NOMBRES[offset as usize % NOMBRES.len()];
    let apellido = APELLIDOS[(offset as usize * 7) % APELLIDOS.len()];
    vec![
        Cell::text(format!("seed-{tag}-{}", operation.code())),
        Cell::text(format_date_time(since)),
        Cell::text("TOMAR_SPOOL"),
        Cell::text(tag),
        Cell::Number(f64::from(FIRST_WORKER + offset)),
        Cell::text(format!("{nombre} {apellido}")),
        Cell::text(operation.code()),
        Cell::text("TOMAR"),
        Cell::text(format_date(since.date())),
        Cell::text(r#"{"estado_anterior":null,"asigna_trabajador":false,"estacion":"semilla"}"#),
    ]
}
