//! Supervisors' PINs: what proves the person at a station is the supervisor they say they are before a
//! force-release or a change of the station's settings. A PIN is kept only as a slow salted hash (argon2id)
//! where the shop keeps its data, checked against the source (never a copy another station could read), and
//! wrong PINs make the station wait and are audited.

use std::{fmt, time::Duration};

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version, ARGON2ID_IDENT,
};
use serde_json::json;
use spooltrack_domain::{audit::EventKind, require_worker, Role, SpoolError, Worker, WorkerId};

use crate::{Change, NoGate, PinAttempt, PinTally, SpoolService};

/// The fewest and the most digits of a PIN (the keypad's limits too).
pub const PIN_MIN_DIGITS: usize = 4;
pub const PIN_MAX_DIGITS: usize = 8;

/// A PIN as typed on the keypad: 4 to 8 digits. It never prints.
#[derive(Clone)]
pub struct Pin(String);

impl Pin {
    /// `field` names the PIN in the refusal ("PIN", "nuevo PIN").
    pub fn parse(field: &str, text: &str) -> Result<Pin, SpoolError> {
        let digits = text.trim();
        if (PIN_MIN_DIGITS..=PIN_MAX_DIGITS).contains(&digits.len())
            && digits.chars().all(|digit| digit.is_ascii_digit())
        {
            Ok(Pin(digits.to_string()))
        } else {
            let reason = format!("debe tener de {PIN_MIN_DIGITS} a {PIN_MAX_DIGITS} dígitos");
            Err(SpoolError::InvalidInput { field: field.into(), reason })
        }
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("Pin(***)")
    }
}

/// The costs of every PIN hash (memory in KiB, passes, lanes): argon2's recommended ones, written down so that
/// a new version of the library with other defaults never locks every supervisor out.
const COSTS: (u32, u32, u32) = (19 * 1024, 2, 1);

/// The hasher of PINs, with the costs every hash is made and checked with.
fn hasher() -> Argon2<'static> {
    let (memory, passes, lanes) = COSTS;
    let params = Params::new(memory, passes, lanes, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A PIN's argon2id hash with its salt, in the PHC text the shop keeps (`$argon2id$v=19$…`). It never prints:
/// a hash of a few digits is guessed offline by whoever holds it.
#[derive(Clone, PartialEq)]
pub struct PinHash(String);

impl PinHash {
    /// Hashes with a new random salt. Slow by design (tens of milliseconds): call it off the async threads.
    pub fn of(pin: &Pin) -> PinHash {
        let salt = SaltString::generate(&mut OsRng);
        let hash = hasher().hash_password(pin.0.as_bytes(), &salt).expect("argon2 with valid costs");
        PinHash(hash.to_string())
    }

    /// A hash as the store keeps it.
    pub fn stored(text: String) -> PinHash {
        PinHash(text)
    }

    pub fn as_stored(&self) -> &str {
        &self.0
    }

    /// Whether `pin` is the one hashed; a hash the app cannot read (edited by hand) admits nothing, and neither
    /// does one made with other costs than the app's: verifying uses the costs the hash states, and a cell
    /// asking for gigabytes of memory would take the station down with it.
    pub fn admits(&self, pin: &Pin) -> bool {
        let Ok(hash) = PasswordHash::new(&self.0) else { return false };
        let made_here = |params: Params| (params.m_cost(), params.t_cost(), params.p_cost()) == COSTS;
        hash.algorithm == ARGON2ID_IDENT
            && Params::try_from(&hash).is_ok_and(made_here)
            && hasher().verify_password(pin.0.as_bytes(), &hash).is_ok()
    }
}

impl fmt::Debug for PinHash {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("PinHash(***)")
    }
}

/// A PIN hash to keep for a worker, written with the change's audit row.
#[derive(Debug, Clone, PartialEq)]
pub struct PinChange {
    pub worker_id: WorkerId,
    pub hash: PinHash,
}

/// Wrong PINs a station accepts before it makes the next one wait.
pub const FREE_ATTEMPTS: u32 = 3;
/// The first wait; each wrong PIN after it doubles the wait, up to [`LONGEST_WAIT`].
const FIRST_WAIT: Duration = Duration::from_secs(30);
const LONGEST_WAIT: Duration = Duration::from_secs(300);

/// How long a station's count of wrong PINs is kept after the last one.
const COUNT_KEPT: Duration = Duration::from_secs(24 * 3600);

/// How long the station still makes PINs wait after `tally`: not before [`FREE_ATTEMPTS`] wrong ones in a row
/// (whoever typed them, for whichever supervisor: guessing four digits at one keypad takes days, not minutes),
/// then [`FIRST_WAIT`], doubling with each wrong one more, up to [`LONGEST_WAIT`].
fn wait_left(tally: PinTally) -> Option<Duration> {
    let doublings = tally.wrong.checked_sub(FREE_ATTEMPTS)?.min(8);
    let wait = (FIRST_WAIT * 2u32.pow(doublings)).min(LONGEST_WAIT);
    Some(wait.saturating_sub(tally.since_last)).filter(|left| !left.is_zero())
}

impl SpoolService {
    /// Whether `admin_id` is an active supervisor and `pin` is theirs: for unlocking the station's settings.
    pub async fn verify_supervisor(&self, admin_id: WorkerId, pin: &str) -> Result<Worker, SpoolError> {
        self.prove_supervisor(admin_id, pin, "", "ajustes").await
    }

    /// The same, for closing a kiosk station's window.
    pub async fn verify_supervisor_to_close(&self, admin_id: WorkerId, pin: &str) -> Result<Worker, SpoolError> {
        self.prove_supervisor(admin_id, pin, "", "cerrar_quiosco").await
    }

    /// The same, for reopening the station's setup (its spreadsheet, key and Redis).
    pub async fn verify_supervisor_to_reconfigure(&self, admin_id: WorkerId, pin: &str) -> Result<Worker, SpoolError> {
        self.prove_supervisor(admin_id, pin, "", "configurar_estacion").await
    }

    /// Sets the PIN of supervisor `worker_id`, authorized by a supervisor's PIN (their own current one to change
    /// it, another's to set or reset it). Only the shop's very first PIN is set with no authorization: there is
    /// nobody yet to authorize it. Audited `PIN_CAMBIADO`, never with the PIN or its hash.
    pub async fn set_pin(
        &self,
        worker_id: WorkerId,
        new_pin: &str,
        authorizer: Option<(WorkerId, &str)>,
    ) -> Result<(), SpoolError> {
        self.refuse_when_offline()?;
        let new_pin = Pin::parse("nuevo PIN", new_pin)?;
        let workers = self.load_of(&[], false, false).await?.workers;
        let target = require_worker(&workers, worker_id, &[Role::Supervisor])?.clone();
        let by = match authorizer {
            Some((admin_id, pin)) => self.check_pin(&workers, admin_id, pin, "", "cambiar_pin").await?,
            None if self.store.pin_hashes().await?.is_empty() => target.clone(),
            None => {
                return Err(SpoolError::InvalidInput {
                    field: "PIN de quien autoriza".into(),
                    reason: "es obligatorio: el taller ya tiene PIN de supervisor".into(),
                })
            }
        };
        let hash = tokio::task::spawn_blocking(move || PinHash::of(&new_pin)).await.map_err(hashing_failed)?;
        let metadata = json!({ "estacion": self.station, "por": by.display_name() });
        let change = Change {
            audit: vec![self.event(EventKind::PinCambiado, "", &target, None, metadata, None)],
            pin: Some(PinChange { worker_id, hash }),
            ..Change::default()
        };
        self.write(&change, &NoGate).await?;
        tracing::info!(worker = worker_id, by = by.id, "PIN de supervisor definido");
        Ok(())
    }

    /// The supervisor `admin_id` proven by `pin`, before an action on `tag` (empty for none) described by
    /// `purpose` in the audit of a wrong PIN.
    pub(crate) async fn prove_supervisor(
        &self,
        admin_id: WorkerId,
        pin: &str,
        tag: &str,
        purpose: &str,
    ) -> Result<Worker, SpoolError> {
        let workers = self.load_of(&[], false, false).await?.workers;
        self.check_pin(&workers, admin_id, pin, tag, purpose).await
    }

    async fn check_pin(
        &self,
        workers: &[Worker],
        admin_id: WorkerId,
        pin: &str,
        tag: &str,
        purpose: &str,
    ) -> Result<Worker, SpoolError> {
        let tally = self.lock.pin_attempts(&self.station, PinAttempt::Look, COUNT_KEPT).await?;
        if let Some(left) = wait_left(tally) {
            return Err(SpoolError::PinBlocked { seconds: u32::try_from(left.as_secs()).unwrap_or(u32::MAX).max(1) });
        }
        let pin = Pin::parse("PIN", pin)?;
        let admin = require_worker(workers, admin_id, &[Role::Supervisor])?.clone();
        let hash = self.store.pin_hashes().await?.into_iter().find(|(id, _)| *id == admin_id).map(|(_, hash)| hash);
        let Some(hash) = hash else {
            return Err(SpoolError::PinNotSet { worker_id: admin_id, worker: admin.display_name() });
        };
        let admitted = tokio::task::spawn_blocking(move || hash.admits(&pin)).await.map_err(hashing_failed)?;
        if admitted {
            if let Err(error) = self.lock.pin_attempts(&self.station, PinAttempt::Right, COUNT_KEPT).await {
                // The PIN was right: only the count of earlier wrong ones stays until the next right one.
                tracing::warn!(code = ?error.code(), "no se pudo borrar la cuenta de PIN incorrectos");
            }
            return Ok(admin);
        }
        let tally = self.lock.pin_attempts(&self.station, PinAttempt::Wrong, COUNT_KEPT).await?;
        let remaining = FREE_ATTEMPTS.saturating_sub(tally.wrong);
        tracing::warn!(admin = admin_id, purpose, "PIN de supervisor incorrecto");
        let metadata = json!({ "estacion": self.station, "para": purpose });
        let audit = Change {
            audit: vec![self.event(EventKind::PinIncorrecto, tag, &admin, None, metadata, None)],
            ..Change::default()
        };
        if let Err(error) = self.write(&audit, &NoGate).await {
            tracing::warn!(code = ?error.code(), "no se pudo registrar un PIN incorrecto en la auditoría");
        }
        Err(SpoolError::PinIncorrect { worker_id: admin_id, worker: admin.display_name(), remaining })
    }
}

fn hashing_failed(error: tokio::task::JoinError) -> SpoolError {
    SpoolError::InvalidInput { field: "PIN".into(), reason: format!("no se pudo comprobar ({error})") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pin_is_four_to_eight_digits() {
        for good in ["1234", " 12345678 "] {
            assert!(Pin::parse("PIN", good).is_ok(), "{good}");
        }
        for bad in ["123", "123456789", "12a4", "", "１２３４"] {
            let refused = Pin::parse("PIN", bad).map(|_| ());
            assert!(matches!(refused, Err(SpoolError::InvalidInput { .. })), "{bad}");
        }
    }

    #[test]
    fn a_hash_admits_its_pin_only_and_never_prints() {
        let pin = Pin::parse("PIN", "4821").expect("a PIN");
        let hash = PinHash::of(&pin);
        assert!(hash.as_stored().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "the written-down costs");
        assert!(hash.admits(&pin));
        assert!(!hash.admits(&Pin::parse("PIN", "4822").expect("a PIN")));
        assert_ne!(PinHash::of(&pin), hash, "salted: the same PIN hashes differently each time");
        assert!(!PinHash::stored("4821".into()).admits(&pin), "a hash edited by hand admits nothing");
        // The right PIN, hashed with costs of another's choosing (a cell can ask for gigabytes): admits nothing.
        let params = Params::new(8 * 1024, 1, 1, None).expect("valid costs");
        let salt = SaltString::generate(&mut OsRng);
        let other = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(pin.0.as_bytes(), &salt)
            .expect("hashed");
        assert!(!PinHash::stored(other.to_string()).admits(&pin), "never verified with costs the cell asks for");
        let printed = format!("{pin:?} {hash:?} {:?}", PinChange { worker_id: 1, hash: hash.clone() });
        assert!(!printed.contains("4821") && !printed.contains(hash.as_stored()), "{printed}");
    }

    #[test]
    fn wrong_pins_make_the_station_wait_longer_each_time() {
        let tally = |wrong, seconds_ago| PinTally { wrong, since_last: Duration::from_secs(seconds_ago) };
        assert_eq!(wait_left(tally(FREE_ATTEMPTS - 1, 0)), None, "the first ones are free");
        assert_eq!(wait_left(tally(FREE_ATTEMPTS, 0)), Some(Duration::from_secs(30)));
        assert_eq!(wait_left(tally(FREE_ATTEMPTS, 20)), Some(Duration::from_secs(10)));
        assert_eq!(wait_left(tally(FREE_ATTEMPTS, 30)), None, "waited out");
        assert_eq!(wait_left(tally(FREE_ATTEMPTS + 1, 0)), Some(Duration::from_secs(60)), "doubled");
        assert_eq!(wait_left(tally(FREE_ATTEMPTS + 9, 0)), Some(LONGEST_WAIT));
        assert_eq!(wait_left(tally(u32::MAX, 0)), Some(LONGEST_WAIT));
    }
}
