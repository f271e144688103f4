//! Supervisors' PINs: what proves the person at a station is the supervisor they say they are before a
//! force-release or a change of the station's settings. A PIN is kept only as a slow salted hash (argon2id)
//! where the shop keeps its data, checked against the source (never a copy another station could read), and
//! wrong PINs make the station wait and are audited.

use std::{
    fmt,
    sync::Mutex,
    time::{Duration, Instant},
};

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use serde_json::json;
use spooltrack_domain::{audit::EventKind, require_worker, Role, SpoolError, Worker, WorkerId};

use crate::{Change, NoGate, SpoolService};

/// A PIN as typed on the keypad: 4 to 8 digits. It never prints.
#[derive(Clone)]
pub struct Pin(String);

impl Pin {
    const DIGITS: std::ops::RangeInclusive<usize> = 4..=8;

    /// `field` names the PIN in the refusal ("PIN", "nuevo PIN").
    pub fn parse(field: &str, text: &str) -> Result<Pin, SpoolError> {
        let digits = text.trim();
        if Pin::DIGITS.contains(&digits.len()) && digits.chars().all(|digit| digit.is_ascii_digit()) {
            Ok(Pin(digits.to_string()))
        } else {
            Err(SpoolError::InvalidInput { field: field.into(), reason: "debe tener de 4 a 8 dígitos".into() })
        }
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("Pin(***)")
    }
}

/// A PIN's argon2id hash with its salt, in the PHC text the shop keeps (`$argon2id$v=19$…`). It never prints:
/// a hash of a few digits is guessed offline by whoever holds it.
#[derive(Clone, PartialEq)]
pub struct PinHash(String);

impl PinHash {
    /// Hashes with a new random salt. Slow by design (tens of milliseconds): call it off the async threads.
    pub fn of(pin: &Pin) -> PinHash {
        let salt = SaltString::generate(&mut OsRng);
        let hash =
            Argon2::default().hash_password(pin.0.as_bytes(), &salt).expect("argon2 with its default parameters");
        PinHash(hash.to_string())
    }

    /// A hash as the store keeps it.
    pub fn stored(text: String) -> PinHash {
        PinHash(text)
    }

    pub fn as_stored(&self) -> &str {
        &self.0
    }

    /// Whether `pin` is the one hashed; a hash the app cannot read (edited by hand) admits nothing.
    pub fn admits(&self, pin: &Pin) -> bool {
        PasswordHash::new(&self.0).is_ok_and(|hash| Argon2::default().verify_password(pin.0.as_bytes(), &hash).is_ok())
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

/// The station's count of wrong PINs in a row, whoever typed them and for whichever supervisor: guessing
/// a PIN of four digits at one keypad takes days, not minutes.
#[derive(Debug, Default)]
pub(crate) struct PinAttempts {
    state: Mutex<Attempts>,
}

#[derive(Debug, Default)]
struct Attempts {
    wrong: u32,
    wait_until: Option<Instant>,
}

impl PinAttempts {
    /// PIN_BLOCKED while the station makes PINs wait.
    fn check(&self) -> Result<(), SpoolError> {
        let state = lock(&self.state);
        match state.wait_until.map(|until| until.saturating_duration_since(Instant::now())) {
            Some(left) if !left.is_zero() => {
                Err(SpoolError::PinBlocked { seconds: u32::try_from(left.as_secs()).unwrap_or(u32::MAX).max(1) })
            }
            _ => Ok(()),
        }
    }

    /// Counts a wrong PIN; answers how many more the station accepts before it waits.
    fn wrong(&self) -> u32 {
        let mut state = lock(&self.state);
        state.wrong += 1;
        if state.wrong < FREE_ATTEMPTS {
            return FREE_ATTEMPTS - state.wrong;
        }
        let doublings = (state.wrong - FREE_ATTEMPTS).min(8);
        state.wait_until = Some(Instant::now() + (FIRST_WAIT * 2u32.pow(doublings)).min(LONGEST_WAIT));
        0
    }

    fn right(&self) {
        *lock(&self.state) = Attempts::default();
    }
}

impl SpoolService {
    /// Whether `admin_id` is an active supervisor and `pin` is theirs: for unlocking the station's settings.
    pub async fn verify_supervisor(&self, admin_id: WorkerId, pin: &str) -> Result<Worker, SpoolError> {
        self.prove_supervisor(admin_id, pin, "", "ajustes").await
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
        self.store.write(&change, &NoGate).await?;
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
        self.pin_attempts.check()?;
        let pin = Pin::parse("PIN", pin)?;
        let admin = require_worker(workers, admin_id, &[Role::Supervisor])?.clone();
        let hash = self.store.pin_hashes().await?.into_iter().find(|(id, _)| *id == admin_id).map(|(_, hash)| hash);
        let Some(hash) = hash else {
            return Err(SpoolError::PinNotSet { worker_id: admin_id, worker: admin.display_name() });
        };
        let admitted = tokio::task::spawn_blocking(move || hash.admits(&pin)).await.map_err(hashing_failed)?;
        if admitted {
            self.pin_attempts.right();
            return Ok(admin);
        }
        let remaining = self.pin_attempts.wrong();
        tracing::warn!(admin = admin_id, purpose, "PIN de supervisor incorrecto");
        let metadata = json!({ "estacion": self.station, "para": purpose });
        let audit = Change {
            audit: vec![self.event(EventKind::PinIncorrecto, tag, &admin, None, metadata, None)],
            ..Change::default()
        };
        if let Err(error) = self.store.write(&audit, &NoGate).await {
            tracing::warn!(code = ?error.code(), "no se pudo registrar un PIN incorrecto en la auditoría");
        }
        Err(SpoolError::PinIncorrect { worker_id: admin_id, worker: admin.display_name(), remaining })
    }
}

fn hashing_failed(error: tokio::task::JoinError) -> SpoolError {
    SpoolError::InvalidInput { field: "PIN".into(), reason: format!("no se pudo comprobar ({error})") }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
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
        let pin = Pin::parse("PIN", "4821").unwrap();
        let hash = PinHash::of(&pin);
        assert!(hash.as_stored().starts_with("$argon2id$"));
        assert!(hash.admits(&pin));
        assert!(!hash.admits(&Pin::parse("PIN", "4822").unwrap()));
        assert_ne!(PinHash::of(&pin), hash, "salted: the same PIN hashes differently each time");
        assert!(!PinHash::stored("4821".into()).admits(&pin), "a hash edited by hand admits nothing");
        let printed = format!("{pin:?} {hash:?} {:?}", PinChange { worker_id: 1, hash: hash.clone() });
        assert!(!printed.contains("4821") && !printed.contains(hash.as_stored()), "{printed}");
    }

    #[test]
    fn wrong_pins_make_the_station_wait_longer_each_time() {
        let attempts = PinAttempts::default();
        assert_eq!((attempts.wrong(), attempts.wrong()), (2, 1));
        assert!(attempts.check().is_ok());
        assert_eq!(attempts.wrong(), 0);
        let Err(SpoolError::PinBlocked { seconds }) = attempts.check() else { panic!("blocked after three") };
        assert!((29..=30).contains(&seconds), "{seconds}");
        attempts.wrong();
        let Err(SpoolError::PinBlocked { seconds }) = attempts.check() else { panic!("still blocked") };
        assert!((59..=60).contains(&seconds), "doubled: {seconds}");
        attempts.right();
        assert!(attempts.check().is_ok(), "a right PIN clears the count");
    }
}
