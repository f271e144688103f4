//! The station's commands, declared once: each one calls the core (or, for setup, the station's slot) once and
//! answers its result, or its error as `{code, message, details}`. The declaration makes both hosts of the
//! interface: the Tauri commands of the window and `dispatch`, the test host's way in (`dev_host`), so the two
//! cannot drift apart. Changes reach the interface as `spool-changed` events through the station's change feed.
//! Actions come as batches only: one spool is a batch of one, at the same cost.

use spooltrack_core::{
    parse_fecha, ActionOutcome, ActivityEntry, BatchOutcome, ConnectionState, CrewMember, DoctorReport, ExportFilter,
    ListFilter, NvProgress, PausedSpool, SpoolView, WorkSession, WorkerView,
};
use spooltrack_domain::{ErrorPayload, Operation, SpoolError, WorkerId};
use tauri::State;

use crate::{
    export::SavedExport,
    setup::{self, SetupForm, SetupReport},
    slot::StationSlot,
    station::Station,
};

type Answer<T> = Result<T, ErrorPayload>;

/// What the screen is for.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, specta::Type)]
pub struct ScreenMode {
    /// A wall screen for the shop floor: read-only, large type, nobody identifies.
    pub pantalla: bool,
    /// A kiosk: full screen, closed only on a supervisor's PIN.
    pub kiosk: bool,
}

fn fecha(text: Option<String>) -> Result<Option<chrono::NaiveDate>, SpoolError> {
    text.filter(|text| !text.trim().is_empty()).map(|text| parse_fecha(&text)).transpose()
}

/// A command's arguments as the interface sends them; missing or malformed ones are INVALID_INPUT.
fn read<T: serde::de::DeserializeOwned>(command: &str, arguments: serde_json::Value) -> Result<T, SpoolError> {
    serde_json::from_value(arguments)
        .map_err(|error| SpoolError::InvalidInput { field: command.into(), reason: error.to_string() })
}

/// What a command works on: the open station (refused while there is none), or the slot itself (setup).
trait Reach {
    type Held<'a>: std::ops::Deref<Target = Self>
    where
        Self: 'a;
    fn reach(slot: &StationSlot) -> Result<Self::Held<'_>, SpoolError>;
}

impl Reach for Station {
    type Held<'a> = std::sync::Arc<Station>;
    fn reach(slot: &StationSlot) -> Result<Self::Held<'_>, SpoolError> {
        slot.get()
    }
}

impl Reach for StationSlot {
    type Held<'a> = &'a StationSlot;
    fn reach(slot: &StationSlot) -> Result<Self::Held<'_>, SpoolError> {
        Ok(slot)
    }
}

/// Declares the commands: `fn name(target: &Kind, argument: Type, …) -> Answer { body }`, where `Kind` is
/// `Station` or `StationSlot` (see [`Reach`]) and `body` is a `Result<Answer, SpoolError>` computed from `target`
/// and the arguments (named as the interface sends them, in camelCase). The declaration makes the Tauri commands
/// and `dispatch`.
macro_rules! commands {
    ($($(#[$meta:meta])* fn $name:ident($target:ident: &$kind:ident $(, $argument:ident: $type:ty)*) -> $answer:ty $body:block)*) => {
        $(
            $(#[$meta])*
            #[tauri::command]
            #[specta::specta]
            pub async fn $name(slot: State<'_, StationSlot>, $($argument: $type),*) -> Answer<$answer> {
                let held = <$kind as Reach>::reach(&slot)?;
                let $target: &$kind = &held;
                Ok($body?)
            }
        )*

        /// Runs the command called `command` with its arguments as the interface sends them (a JSON object),
        /// answering its result as JSON; `None` for a command that does not exist.
        pub async fn dispatch(
            slot: &StationSlot,
            command: &str,
            arguments: serde_json::Value,
        ) -> Option<Result<serde_json::Value, ErrorPayload>> {
            match command {
                $(stringify!($name) => Some(
                    async {
                        #[derive(serde::Deserialize)]
                        #[serde(rename_all = "camelCase")]
                        struct Arguments { $($argument: $type),* }
                        let Arguments { $($argument),* } = read(stringify!($name), arguments)?;
                        let held = <$kind as Reach>::reach(slot)?;
                        let $target: &$kind = &held;
                        let answer: $answer = $body?;
                        Ok(serde_json::to_value(answer).expect("answers serialize"))
                    }
                    .await
                    .map_err(|error: SpoolError| ErrorPayload::from(error)),
                ),)*
                _ => None,
            }
        }
    };
}

commands! {
    /// Whether this window shows setup: no configuration yet, or a supervisor reopened it.
    fn setup_needed(slot: &StationSlot) -> bool {
        Ok::<_, SpoolError>(setup::needed(slot))
    }

    /// The running station's answers while a supervisor has its setup open (none on a first start).
    fn current_setup(slot: &StationSlot) -> Option<SetupForm> {
        Ok::<_, SpoolError>(setup::current(slot))
    }

    /// Checks the answers with doctor's own checks; writes nothing.
    fn check_setup(slot: &StationSlot, form: SetupForm) -> SetupReport {
        setup::check_form(slot, form).await
    }

    /// Writes the answers when they pass every check, and opens the station they configure.
    fn connect_station(slot: &StationSlot, form: SetupForm) -> SetupReport {
        setup::connect(slot, form).await
    }

    /// Writes the demo's configuration and opens the station on the demo shop.
    fn open_demo(slot: &StationSlot, station: String) -> () {
        setup::demo(slot, &station).await
    }

    /// Reopens the running station's setup, proven by a supervisor's PIN.
    fn reopen_setup(slot: &StationSlot, admin_id: WorkerId, pin: String) -> () {
        setup::reopen(slot, admin_id, &pin).await
    }

    /// Closes a reopened setup, the station as it was.
    fn cancel_setup(slot: &StationSlot) -> () {
        slot.cancel_setup()
    }

    fn list_spools(station: &Station, filter: ListFilter) -> Vec<SpoolView> {
        station.service.list(&filter).await
    }

    fn history(station: &Station, tag: String) -> Vec<WorkSession> {
        station.service.history(&tag).await
    }

    /// The supervisor's progress bars: per NV and OT, the spools in each stage.
    fn progress(station: &Station) -> Vec<NvProgress> {
        station.service.progress().await
    }

    /// The paused spools: who paused each, and since when.
    fn paused(station: &Station) -> Vec<PausedSpool> {
        station.service.paused().await
    }

    /// The shop's latest events, newest first.
    fn activity(station: &Station) -> Vec<ActivityEntry> {
        station.service.activity().await
    }

    /// Who works on what now, and who holds nothing.
    fn crew(station: &Station) -> Vec<CrewMember> {
        station.service.crew().await
    }

    fn workers(station: &Station) -> Vec<WorkerView> {
        station.service.workers().await
    }

    /// The banner's state as the station last saw it (then kept up to date by `connection-changed`).
    fn connection(station: &Station) -> ConnectionState {
        Ok::<_, SpoolError>(station.service.connection())
    }

    /// How this station's screen is used: a wall screen shows only the shop's live state.
    fn screen(station: &Station) -> ScreenMode {
        Ok::<_, SpoolError>(ScreenMode { pantalla: station.config.wall_screen, kiosk: station.config.kiosk })
    }

    fn doctor(station: &Station) -> DoctorReport {
        Ok::<_, SpoolError>(station.doctor().await)
    }

    fn tomar_batch(station: &Station, tags: Vec<String>, worker_id: WorkerId, operation: Operation) -> BatchOutcome {
        station.service.tomar_batch(&tags, worker_id, operation).await
    }

    fn pausar_batch(station: &Station, tags: Vec<String>, worker_id: WorkerId) -> BatchOutcome {
        station.service.pausar_batch(&tags, worker_id).await
    }

    /// `fecha` is `DD-MM-YYYY`; empty means today.
    fn completar_batch(station: &Station, tags: Vec<String>, worker_id: WorkerId, fecha: Option<String>) -> BatchOutcome {
        station.service.completar_batch(&tags, worker_id, self::fecha(fecha)?).await
    }

    fn cancelar_batch(station: &Station, tags: Vec<String>, worker_id: WorkerId) -> BatchOutcome {
        station.service.cancelar_batch(&tags, worker_id).await
    }

    /// Saves the work sessions of the days `desde` to `hasta` (`DD-MM-YYYY` or `YYYY-MM-DD`), of one operation or
    /// worker when given, as a CSV in the station's export folder.
    fn export_sessions(
        station: &Station,
        desde: String,
        hasta: String,
        operation: Option<Operation>,
        worker_id: Option<WorkerId>
    ) -> SavedExport {
        let filter = ExportFilter { desde: parse_fecha(&desde)?, hasta: parse_fecha(&hasta)?, operation, worker: worker_id };
        station.export_to_folder(&filter).await
    }

    /// Force-release, proven by the supervisor's PIN.
    fn liberar(station: &Station, tag: String, admin_id: WorkerId, motivo: String, pin: String) -> ActionOutcome {
        station.service.liberar(&tag, admin_id, &motivo, &pin).await
    }

    /// Whether the supervisor's PIN is right: the station's settings open to them.
    fn verify_supervisor(station: &Station, admin_id: WorkerId, pin: String) -> WorkerView {
        station.service.verify_supervisor(admin_id, &pin).await.map(|worker| WorkerView::from(&worker))
    }

    /// Lets a kiosk station's window close, on a supervisor's PIN (the window then closes).
    fn close_kiosk(station: &Station, admin_id: WorkerId, pin: String) -> () {
        station.allow_closing(admin_id, &pin).await
    }

    /// Sets a supervisor's PIN, authorized by a supervisor's PIN (none only for the shop's first).
    fn set_pin(
        station: &Station,
        worker_id: WorkerId,
        new_pin: String,
        authorizer_id: Option<WorkerId>,
        authorizer_pin: Option<String>
    ) -> () {
        let authorizer = authorizer_id.map(|id| (id, authorizer_pin.as_deref().unwrap_or_default()));
        station.service.set_pin(worker_id, &new_pin, authorizer).await
    }
}
