//! The production-like seed reads back as a real shop would: every column the app needs among ~70, every row
//! readable, every state present, dates both as serial numbers and as text.

use spooltrack_domain::{
    audit::decode_events,
    schema::{ColumnMap, Tab},
    spool::decode_spools,
    worker::decode_workers,
    Cell, Operation,
};
use spooltrack_testkit::production::{production_shop, WORKERS};

#[test]
fn a_production_shop_is_readable_and_has_every_state() {
    let now = chrono::NaiveDate::from_ymd_opt(2025, 3, 7).and_then(|day| day.and_hms_opt(10, 0, 0)).expect("valid");
    let shop = production_shop(3_000, now);
    assert!(shop.operaciones.header.len() >= 65, "about 70 columns");
    let map = ColumnMap::of(Tab::Operaciones, "Operaciones", &shop.operaciones).expect("critical columns present");
    let spools: Vec<_> = decode_spools(&shop.operaciones, &map)
        .iter()
        .map(|record| record.spool().cloned())
        .collect::<Result<_, _>>()
        .expect("no row is corrupt");
    assert_eq!(spools.len(), 3_000);

    let count = |test: &dyn Fn(&spooltrack_domain::Spool) -> bool| spools.iter().filter(|spool| test(spool)).count();
    assert!(count(&|spool| spool.fecha_materiales.is_none()) > 100, "waiting for materials");
    assert!(
        count(&|spool| spool.is_eligible_for(Operation::Arm) && spool.ocupado_por.is_none()) > 500,
        "ready for ARM"
    );
    assert!(count(&|spool| spool.occupied_operation(&Operation::ALL) == Ok(Some(Operation::Arm))) > 50, "in ARM");
    assert!(count(&|spool| spool.occupied_operation(&Operation::ALL) == Ok(Some(Operation::Sold))) > 50, "in SOLD");
    assert!(count(&|spool| spool.paused_operation() == Some(Operation::Arm)) > 50, "ARM paused");
    assert!(count(&|spool| spool.is_completed(Operation::Sold)) > 200, "finished");

    let materiales = map.position(&spooltrack_domain::schema::ops::FECHA_MATERIALES).expect("column");
    let kinds = |test: fn(&Cell) -> bool| {
        shop.operaciones.rows.iter().filter(|row| row.get(materiales).is_some_and(test)).count()
    };
    assert!(kinds(|cell| matches!(cell, Cell::Number(_))) > 500, "serial dates");
    assert!(kinds(|cell| matches!(cell, Cell::Text(_))) > 500, "text dates");

    let people = ColumnMap::of(Tab::Trabajadores, "Trabajadores", &shop.trabajadores).expect("schema");
    let roles = ColumnMap::of(Tab::Roles, "Roles", &shop.roles).expect("schema");
    assert_eq!(decode_workers(&shop.trabajadores, &people, &shop.roles, &roles).len(), WORKERS as usize);
    let audit = ColumnMap::of(Tab::Metadata, "Metadata", &shop.metadata).expect("schema");
    let in_progress = count(&|spool| spool.ocupado_por.is_some());
    assert_eq!(decode_events(&shop.metadata, &audit).len(), in_progress, "a TOMAR for every spool in progress");
}
