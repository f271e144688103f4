//! Supervisors' PINs (issue 12): a force-release and the station's settings need the supervisor's PIN, kept
//! only as a hash no read serves; wrong PINs make the station wait and are audited.

use spooltrack_core::{Store, FREE_ATTEMPTS};
use spooltrack_domain::{audit::EventKind, schema::Tab, Cell, ErrorCode, Operation, SpoolError};

use super::{code, standard};
use crate::{fixture::*, Backend, Harness};

/// The audit's rows of one kind, as raw cells: PIN rows name no spool, so the event decoder leaves them out.
async fn audit_rows_of(shop: &Harness, kind: EventKind) -> Vec<Vec<Cell>> {
    let grid = shop.grid(Tab::Metadata).await;
    grid.rows.into_iter().filter(|row| row.iter().any(|cell| cell.display() == kind.code())).collect()
}

pub async fn force_release_needs_the_supervisor_s_pin(backend: &dyn Backend) {
    let shop = standard(backend).await;
    shop.service.tomar(&ready(13), ARMADOR, Operation::Arm).await.expect("taken");

    let wrong = shop.service.liberar(&ready(13), SUPERVISOR, "se fue", "0000").await;
    assert!(
        matches!(wrong, Err(SpoolError::PinIncorrect { worker_id: SUPERVISOR, remaining, .. }) if remaining == FREE_ATTEMPTS - 1),
        "{wrong:?}"
    );
    assert_eq!(shop.row(&ready(13)).await["Ocupado_Por"], Cell::text("MR(93)"), "a wrong PIN frees nothing");
    let audited = audit_rows_of(&shop, EventKind::PinIncorrecto).await;
    assert_eq!(audited.len(), 1, "the wrong PIN is audited");
    let row: Vec<String> = audited[0].iter().map(Cell::display).collect();
    assert!(row.contains(&ready(13)) && row.contains(&"CR(109)".to_string()), "{row:?}");
    assert!(!row.iter().any(|cell| cell.contains("0000")), "never the PIN typed: {row:?}");

    for malformed in ["", "12", "12ab"] {
        assert_eq!(
            code(shop.service.liberar(&ready(13), SUPERVISOR, "se fue", malformed).await),
            ErrorCode::InvalidInput
        );
    }
    assert_eq!(
        code(shop.service.liberar(&ready(13), NEW_SUPERVISOR, "se fue", "1234").await),
        ErrorCode::PinNotSet,
        "a supervisor with no PIN yet cannot force-release"
    );
    shop.service.liberar(&ready(13), SUPERVISOR, "se fue", SUPERVISOR_PIN).await.expect("the right PIN releases");
    assert!(shop.row(&ready(13)).await["Ocupado_Por"].is_blank());
}

pub async fn wrong_pins_make_the_station_wait(backend: &dyn Backend) {
    let shop = standard(backend).await;
    for left in (0..FREE_ATTEMPTS).rev() {
        let wrong = shop.service.verify_supervisor(SUPERVISOR, "9999").await;
        assert!(matches!(wrong, Err(SpoolError::PinIncorrect { remaining, .. }) if remaining == left), "{wrong:?}");
    }
    let blocked = shop.service.verify_supervisor(SUPERVISOR, SUPERVISOR_PIN).await;
    assert!(matches!(blocked, Err(SpoolError::PinBlocked { seconds }) if seconds > 0), "even the right PIN waits");
    let writes = shop.store.writes();
    assert_eq!(code(shop.service.verify_supervisor(SUPERVISOR, "9999").await), ErrorCode::PinBlocked);
    assert_eq!(shop.store.writes(), writes, "a PIN refused unchecked is not audited again");
    assert_eq!(audit_rows_of(&shop, EventKind::PinIncorrecto).await.len(), FREE_ATTEMPTS as usize);
    let again = shop.station("estacion-A").await;
    assert_eq!(
        code(again.verify_supervisor(SUPERVISOR, SUPERVISOR_PIN).await),
        ErrorCode::PinBlocked,
        "a new process of the station (a command-line run) goes on waiting"
    );
    let other = shop.station("estacion-B").await;
    other.verify_supervisor(SUPERVISOR, SUPERVISOR_PIN).await.expect("the wait is this station's, not the shop's");
}

pub async fn supervisors_set_and_change_pins(backend: &dyn Backend) {
    let shop = standard(backend).await;
    let service = &shop.service;
    assert_eq!(
        code(service.set_pin(NEW_SUPERVISOR, "2468", None).await),
        ErrorCode::InvalidInput,
        "once the shop has a PIN, a new one needs a supervisor's"
    );
    assert_eq!(
        code(service.set_pin(NEW_SUPERVISOR, "2468", Some((SUPERVISOR, "0000"))).await),
        ErrorCode::PinIncorrect
    );
    assert_eq!(
        code(service.set_pin(ARMADOR, "2468", Some((SUPERVISOR, SUPERVISOR_PIN))).await),
        ErrorCode::RoleNotAllowed
    );
    assert_eq!(
        code(service.set_pin(NEW_SUPERVISOR, "24", Some((SUPERVISOR, SUPERVISOR_PIN))).await),
        ErrorCode::InvalidInput
    );

    service.set_pin(NEW_SUPERVISOR, "2468", Some((SUPERVISOR, SUPERVISOR_PIN))).await.expect("set by a supervisor");
    service.verify_supervisor(NEW_SUPERVISOR, "2468").await.expect("the new PIN");
    service.set_pin(NEW_SUPERVISOR, "13579", Some((NEW_SUPERVISOR, "2468"))).await.expect("changed with the old one");
    assert_eq!(code(service.verify_supervisor(NEW_SUPERVISOR, "2468").await), ErrorCode::PinIncorrect);
    service.verify_supervisor(NEW_SUPERVISOR, "13579").await.expect("the changed PIN");

    let changes = audit_rows_of(&shop, EventKind::PinCambiado).await;
    assert_eq!(changes.len(), 2);
    let cells: Vec<String> = changes.iter().flatten().map(Cell::display).collect();
    assert!(cells.iter().any(|cell| cell.contains("CR(109)")), "who authorized it: {cells:?}");
    assert!(!cells.iter().any(|cell| cell.contains("2468") || cell.contains("$argon2")), "{cells:?}");
}

pub async fn the_shop_s_first_pin_needs_no_authorizer(backend: &dyn Backend) {
    let mut layout = standard_shop();
    layout.set_pin_hash(SUPERVISOR, "");
    let shop = Harness::start(backend, layout).await;
    assert_eq!(code(shop.service.verify_supervisor(SUPERVISOR, SUPERVISOR_PIN).await), ErrorCode::PinNotSet);
    shop.service.set_pin(SUPERVISOR, "8642", None).await.expect("nobody could authorize the first one");
    shop.service.verify_supervisor(SUPERVISOR, "8642").await.expect("the first PIN");
    assert_eq!(code(shop.service.set_pin(NEW_SUPERVISOR, "1357", None).await), ErrorCode::InvalidInput);
}

/// What stations read (and share through Redis, and keep on disk) never holds a PIN hash: only the check of a
/// PIN reads them, from the source.
pub async fn reads_never_carry_pin_hashes(backend: &dyn Backend) {
    let shop = standard(backend).await;
    let hashes = shop.store.pin_hashes().await.expect("the source keeps them");
    assert_eq!(hashes.iter().map(|(id, _)| *id).collect::<Vec<_>>(), [SUPERVISOR]);
    assert!(hashes[0].1.as_stored().starts_with("$argon2id$"));
    for fresh in [false, true] {
        let tabs = [Tab::Trabajadores, Tab::Roles];
        let grids = if fresh { shop.store.read_fresh(&tabs).await } else { shop.store.read(&tabs).await };
        let text = format!("{:?}", grids.expect("readable"));
        assert!(!text.contains("$argon2"), "fresh: {fresh}: {text}");
    }
    let workers = format!("{:?}", shop.service.workers().await.expect("workers"));
    assert!(workers.contains("CR(109)") && !workers.contains("argon2"), "{workers}");
}
