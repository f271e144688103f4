//! The command line of the same binary: scripting and diagnosis on the station's store. Results go to
//! stdout (as JSON with `--json`), errors as `{code, message, details}`; the exit status tells scripts
//! what happened: 0 done, 1 refused, 2 usage, 3 a service unreachable or misconfigured.

use std::{path::PathBuf, process::ExitCode};

use clap::{Args, Parser, Subcommand};
use serde::Serialize;
use spooltrack_config::{setup::SetupAnswers, Config, LockConfig};
use spooltrack_core::{
    describe_reconciliation, parse_fecha, sessions_csv, ActionOutcome, BatchOutcome, DoctorReport, ExportFilter,
    ListFilter, ListScope, ReconcileReport, ShopSession, SpoolEvent, SpoolState, SpoolView, WorkSession, WorkerView,
};
use spooltrack_domain::{Operation, SpoolError, WorkerId};

use crate::{pin_entry::PinEntry, setup::SetupReport, slot::StationSlot, station::Station};

#[derive(Debug, Parser)]
#[command(name = "spooltrack", version, about = "Quién tiene cada spool, ahora. Sin subcomando abre la ventana.")]
pub struct Cli {
    /// Configuration file (else SPOOLTRACK_CONFIG, else the OS config folder, else the embedded default).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Print results and errors as JSON.
    #[arg(long, global = true)]
    pub json: bool,
    /// Without the network: status, list and workers from the copy of the shop this PC kept last.
    #[arg(long, global = true)]
    pub offline: bool,
    /// The window (or `serve --dev`) as a wall screen for the shop floor: full screen, read-only, large type.
    #[arg(long, global = true)]
    pub pantalla: bool,
    /// The window (or `serve --dev`) as a kiosk: full screen, no decorations, closed only on a supervisor's PIN.
    #[arg(long, global = true)]
    pub kiosk: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Status of one spool.
    Status { tag: String },
    /// Spools, filtered.
    List(ListArgs),
    /// Work sessions of a spool, from the audit log.
    History { tag: String },
    /// Workers and their roles.
    Workers,
    /// Take spools (several tags make a batch).
    Tomar {
        #[arg(required = true)]
        tags: Vec<String>,
        #[arg(long)]
        worker: WorkerId,
        #[arg(long, value_parser = parse_operation)]
        op: Operation,
    },
    /// Pause spools you hold.
    Pausar {
        #[arg(required = true)]
        tags: Vec<String>,
        #[arg(long)]
        worker: WorkerId,
    },
    /// Complete spools you hold.
    Completar {
        #[arg(required = true)]
        tags: Vec<String>,
        #[arg(long)]
        worker: WorkerId,
        /// Completion date DD-MM-YYYY (default: today).
        #[arg(long)]
        fecha: Option<String>,
    },
    /// Undo a TOMAR of the wrong spool.
    Cancelar {
        tag: String,
        #[arg(long)]
        worker: WorkerId,
    },
    /// Force-release a spool (Supervisor only): asks for the supervisor's PIN.
    Liberar {
        tag: String,
        #[arg(long)]
        admin: WorkerId,
        #[arg(long)]
        motivo: String,
        /// Read the PIN from the first line of standard input instead of asking at the terminal.
        #[arg(long)]
        pin_stdin: bool,
    },
    /// Set or change a supervisor's PIN: asks for the PIN of whoever authorizes it (`--por`, the supervisor
    /// themselves to change their own), then the new one. Only the shop's first PIN needs no `--por`.
    Pin {
        /// The supervisor whose PIN is set.
        #[arg(long)]
        worker: WorkerId,
        /// The supervisor who authorizes it with their PIN.
        #[arg(long)]
        por: Option<WorkerId>,
        /// Read the PINs from standard input, one a line: the authorizer's (with --por), then the new one.
        #[arg(long)]
        pin_stdin: bool,
    },
    /// What is configured, what is reachable, whether every critical column is present.
    Doctor,
    /// Connect this station to the shop: checks the answers with doctor's own checks and, only when they all
    /// pass, writes the configuration (to --config, else the OS config folder) with the key copied next to it.
    Setup {
        /// This station's name on the board.
        #[arg(long)]
        estacion: String,
        /// The Google spreadsheet: its id or its URL.
        #[arg(long)]
        planilla: String,
        /// The service-account key file (.json); not for a viewer station.
        #[arg(long, value_name = "FILE")]
        clave: Option<PathBuf>,
        /// The shop's Redis, redis://… or rediss://…
        #[arg(long)]
        redis: String,
        /// The site's prefix in Redis (default: spooltrack).
        #[arg(long, default_value = "")]
        prefijo: String,
        /// A viewer station ("solo visualización"): board and lists only, no key.
        #[arg(long)]
        visualizacion: bool,
        /// Another base URL for the Sheets API than Google's (the project's fake, a proxy).
        #[arg(long, value_name = "URL")]
        endpoint: Option<String>,
    },
    /// Print every change any station makes, as it happens (needs the shop's Redis).
    Watch,
    /// Compare locks with the rows now and fix what disagrees (every correction is audited).
    Reconcile,
    /// Work sessions that overlap a range of days, from the audit log: a CSV for Excel with Spanish settings
    /// (to the terminal, or to a file with --csv), or JSON with --json.
    Export {
        /// First day, DD-MM-YYYY.
        #[arg(long)]
        desde: String,
        /// Last day, DD-MM-YYYY (included).
        #[arg(long)]
        hasta: String,
        #[arg(long, value_parser = parse_operation)]
        op: Option<Operation>,
        #[arg(long)]
        worker: Option<WorkerId>,
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
    },
    /// The interface's test host: this station's commands and events over HTTP on 127.0.0.1, with no
    /// authentication, for running the interface in a browser on the real core. `--dev` is required: it is for
    /// tests and development only. Prints the address it listens on, then runs until stopped.
    Serve {
        #[arg(long, required = true)]
        dev: bool,
        /// Port on 127.0.0.1 (0 picks a free one).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// The built interface to serve as well (ui/dist).
        #[arg(long, value_name = "DIR")]
        ui: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[arg(long, value_parser = parse_operation)]
    op: Option<Operation>,
    /// Only spools nobody holds that need the operation.
    #[arg(long, conflicts_with_all = ["occupied", "worker"])]
    available: bool,
    /// Only spools somebody holds.
    #[arg(long, conflicts_with = "worker")]
    occupied: bool,
    /// Only spools this worker holds.
    #[arg(long)]
    worker: Option<WorkerId>,
    #[arg(long)]
    nv: Option<String>,
    #[arg(long)]
    ot: Option<String>,
    /// Text found in tag, NV or OT.
    #[arg(long)]
    text: Option<String>,
}

fn parse_operation(text: &str) -> Result<Operation, String> {
    text.parse().map_err(|error: SpoolError| error.to_string())
}

/// What a subcommand answers.
enum Report {
    Spool(Box<SpoolView>),
    Spools(Vec<SpoolView>),
    History(Vec<WorkSession>),
    Workers(Vec<WorkerView>),
    Action(ActionOutcome),
    Batch(BatchOutcome),
    Doctor(DoctorReport),
    Reconciled(ReconcileReport),
    /// `watch` ended: everything was printed as it came.
    Watched,
    Sessions(Vec<ShopSession>),
    /// The sessions went to a file.
    Exported {
        sessions: usize,
        file: PathBuf,
    },
    PinSet {
        worker: WorkerId,
    },
    /// What setup checked, and where it wrote the configuration (nowhere when a check failed).
    Setup {
        report: SetupReport,
        written: Option<PathBuf>,
    },
}

impl Cli {
    /// Where a first start's setup writes the configuration: its location, when no file is there yet.
    pub fn first_start(&self) -> Option<PathBuf> {
        Config::location(self.config.as_deref()).filter(|path| !path.exists())
    }

    /// The configuration, with what the command line adds to it.
    pub fn load_config(&self) -> Result<Config, SpoolError> {
        let mut config = Config::load(self.config.as_deref())?;
        config.wall_screen |= self.pantalla;
        config.kiosk |= self.kiosk;
        config.check_kiosk()?;
        Ok(config)
    }
}

pub async fn run(cli: Cli, command: Command) -> ExitCode {
    let result = match command {
        // Setup makes the configuration: there is none to load yet.
        Command::Setup { estacion, planilla, clave, redis, prefijo, visualizacion, endpoint } => {
            let answers = SetupAnswers {
                station: estacion,
                spreadsheet: planilla,
                key_file: clave,
                redis_url: redis,
                redis_prefix: prefijo,
                viewer: visualizacion,
                endpoint,
            };
            set_up(&answers, Config::location(cli.config.as_deref())).await
        }
        Command::Serve { port, ui, .. } if cli.first_start().is_some() => {
            let path = cli.first_start().unwrap_or_default();
            serve(StationSlot::first_start(path), port, ui).await
        }
        command => run_station(&cli, command).await,
    };
    finish(result, cli.json)
}

async fn set_up(answers: &SetupAnswers, path: Option<PathBuf>) -> Result<Report, SpoolError> {
    let path = path.ok_or_else(|| SpoolError::ConfigInvalid {
        key: "--config".into(),
        reason: "no hay carpeta de configuración en este equipo: indique dónde guardarla con --config".into(),
    })?;
    let (report, config) = crate::setup::save(answers, &path).await?;
    Ok(Report::Setup { report, written: config.and(Some(path)) })
}

async fn run_station(cli: &Cli, command: Command) -> Result<Report, SpoolError> {
    match cli.load_config() {
        Ok(config) => execute(config, command, cli.json, cli.offline).await,
        Err(error) => Err(error),
    }
}

/// The test host, until the process is stopped; it prints the address it listens on first.
async fn serve(slot: StationSlot, port: u16, ui: Option<PathBuf>) -> Result<Report, SpoolError> {
    crate::dev_host::serve(slot, port, ui, |address| {
        emit(&format!("http://{address}/\n"));
    })
    .await
    .map_err(|error| SpoolError::ConfigInvalid { key: "serve".into(), reason: error.to_string() })?;
    Ok(Report::Watched)
}

fn finish(result: Result<Report, SpoolError>, json: bool) -> ExitCode {
    match result {
        Ok(report) => print_report(&report, json),
        Err(error) => {
            if json {
                print_json(&error.payload());
            } else {
                eprintln!(
                    "{} [{}]",
                    error,
                    serde_json::to_value(error.code()).unwrap_or_default().as_str().unwrap_or_default()
                );
            }
            ExitCode::from(if error.code().is_infrastructure() { 3 } else { 1 })
        }
    }
}

async fn execute(config: Config, command: Command, json: bool, offline: bool) -> Result<Report, SpoolError> {
    if matches!(command, Command::Watch) && matches!(config.lock, LockConfig::Local { .. }) {
        return Err(SpoolError::ConfigInvalid {
            key: "lock.kind".into(),
            reason: "watch escucha a las demás estaciones a través de Redis: configure [lock] kind = \"redis\"".into(),
        });
    }
    if matches!(command, Command::Doctor) {
        return Ok(Report::Doctor(Station::diagnose(config).await));
    }
    if let Command::Serve { port, ui, .. } = command {
        // Like the window: the station opens, and its background work brings its copy up to date.
        return serve(StationSlot::with(Station::open(config).await?), port, ui).await;
    }
    let station = if offline {
        let station = Station::open_offline(config).await?;
        if let Some(note) = station.service.local_copy_age() {
            eprintln!("Sin conexión: {note}");
        }
        station
    } else {
        let station = Station::open(config).await?;
        if let Err(error) = station.service.sync_snapshot().await {
            tracing::warn!(code = ?error.code(), "sin copia compartida de la planta: se lee la planilla");
        }
        station
    };
    let service = &station.service;
    let report = match command {
        Command::Status { tag } => Report::Spool(Box::new(service.status(&tag).await?)),
        Command::List(args) => Report::Spools(service.list(&args.filter()).await?),
        Command::History { tag } => Report::History(service.history(&tag).await?),
        Command::Workers => Report::Workers(service.workers().await?),
        Command::Tomar { tags, worker, op } => match tags.as_slice() {
            [tag] => Report::Action(service.tomar(tag, worker, op).await?),
            _ => Report::Batch(service.tomar_batch(&tags, worker, op).await?),
        },
        Command::Pausar { tags, worker } => match tags.as_slice() {
            [tag] => Report::Action(service.pausar(tag, worker).await?),
            _ => Report::Batch(service.pausar_batch(&tags, worker).await?),
        },
        Command::Completar { tags, worker, fecha } => {
            let fecha = fecha.as_deref().map(parse_fecha).transpose()?;
            match tags.as_slice() {
                [tag] => Report::Action(service.completar(tag, worker, fecha).await?),
                _ => Report::Batch(service.completar_batch(&tags, worker, fecha).await?),
            }
        }
        Command::Cancelar { tag, worker } => Report::Action(service.cancelar(&tag, worker).await?),
        Command::Liberar { tag, admin, motivo, pin_stdin } => {
            let pin = PinEntry::new(pin_stdin).next("PIN de supervisor: ")?;
            Report::Action(service.liberar(&tag, admin, &motivo, &pin).await?)
        }
        Command::Pin { worker, por, pin_stdin } => {
            let entry = PinEntry::new(pin_stdin);
            let authorizer = por.map(|id| entry.next("PIN de quien autoriza: ").map(|pin| (id, pin))).transpose()?;
            let new_pin = entry.new_pin()?;
            service.set_pin(worker, &new_pin, authorizer.as_ref().map(|(id, pin)| (*id, pin.as_str()))).await?;
            Report::PinSet { worker }
        }
        Command::Doctor | Command::Serve { .. } | Command::Setup { .. } => unreachable!("answered before"),
        Command::Reconcile => Report::Reconciled(service.reconcile().await?),
        Command::Export { desde, hasta, op, worker, csv } => {
            let filter =
                ExportFilter { desde: parse_fecha(&desde)?, hasta: parse_fecha(&hasta)?, operation: op, worker };
            let sessions = service.export_sessions(&filter).await?;
            match csv {
                None => Report::Sessions(sessions),
                Some(file) => {
                    crate::export::save_sessions(&file, &sessions, "csv")?;
                    Report::Exported { sessions: sessions.len(), file }
                }
            }
        }
        Command::Watch => {
            watch(&station, json).await;
            Report::Watched
        }
    };
    // What this run learnt of the shop stays on this PC for viewing without the network.
    if let Err(error) = service.save_local_copy().await {
        tracing::warn!(code = ?error.code(), "no se pudo guardar la copia local de la planta");
    }
    Ok(report)
}

/// Prints changes as they are heard (one JSON object per line with `--json`) until the process is stopped. The
/// station takes each in first (its copy of the shop), so a re-read that changed nothing prints nothing.
async fn watch(station: &Station, json: bool) {
    let mut changes = station.service.changes();
    loop {
        let heard = match changes.recv().await {
            Ok(event) => event,
            Err(tokio::sync::broadcast::error::RecvError::Lagged(missed)) => {
                eprintln!("({missed} avisos perdidos)");
                SpoolEvent::default()
            }
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
        };
        let Some(mut event) = station.service.hear(heard).await else { continue };
        // What changed, not its number in the shop's sequence: that is the station's business.
        event.seq = None;
        let line = if json {
            serde_json::to_string(&event).unwrap_or_default()
        } else if event.tags.is_empty() {
            "(reconectado: refresque todo)".to_string()
        } else {
            format!("{} {} en {}: {}", event.worker, event.action, event.station, event.tags.join(", "))
        };
        if !emit(&format!("{line}\n")) {
            return;
        }
    }
}

impl ListArgs {
    fn filter(self) -> ListFilter {
        let scope = match (self.available, self.occupied, self.worker) {
            (true, _, _) => ListScope::Available,
            (_, true, _) => ListScope::Occupied,
            (_, _, Some(id)) => ListScope::Worker(id),
            _ => ListScope::All,
        };
        ListFilter { operation: self.op, scope, nv: self.nv, ot: self.ot, text: self.text }
    }
}

fn print_json(value: &impl Serialize) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => {
            emit(&format!("{text}\n"));
        }
        Err(error) => eprintln!("no se pudo escribir JSON: {error}"),
    }
}

fn emit(text: &str) -> bool {
    emit_bytes(text.as_bytes())
}

/// Writes to stdout; answers false when nobody reads it any more. A reader that went away early
/// (`spooltrack list | head -1`) is not a failure of the command.
fn emit_bytes(bytes: &[u8]) -> bool {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => true,
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => false,
        Err(error) => {
            eprintln!("no se pudo escribir la salida: {error}");
            false
        }
    }
}

fn print_report(report: &Report, json: bool) -> ExitCode {
    let code = match report {
        Report::Batch(batch) if batch.failed > 0 => ExitCode::from(1),
        Report::Doctor(doctor) if !doctor.ok => ExitCode::from(3),
        Report::Setup { written: None, .. } => ExitCode::from(3),
        _ => ExitCode::SUCCESS,
    };
    if json {
        match report {
            Report::Spool(view) => print_json(view),
            Report::Spools(views) => print_json(views),
            Report::History(sessions) => print_json(sessions),
            Report::Workers(workers) => print_json(workers),
            Report::Action(outcome) => print_json(outcome),
            Report::Batch(batch) => print_json(batch),
            Report::Doctor(doctor) => print_json(doctor),
            Report::Reconciled(report) => print_json(report),
            Report::Sessions(sessions) => print_json(sessions),
            Report::Exported { sessions, file } => {
                print_json(&serde_json::json!({ "sesiones": sessions, "archivo": file }))
            }
            Report::PinSet { worker } => print_json(&serde_json::json!({ "pin_definido": worker })),
            Report::Setup { report, written } => {
                print_json(&serde_json::json!({ "comprobacion": report, "guardada_en": written }))
            }
            Report::Watched => {}
        }
    } else if let Report::Sessions(sessions) = report {
        // The file as Excel reads it, byte-order mark included, for `spooltrack export … > dia.csv`.
        emit_bytes(&sessions_csv(sessions));
    } else {
        emit(&render(report));
    }
    code
}

/// Doctor's checks, a line each.
fn checks(checks: &[spooltrack_core::DoctorCheck], line: &mut impl FnMut(String)) {
    for check in checks {
        line(format!("[{}] {}: {}", if check.ok { "ok" } else { "FALLA" }, check.name, check.detail));
    }
}

fn or_dash(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or("-")
}

/// Plain text for a person at a terminal.
fn render(report: &Report) -> String {
    let mut out = String::new();
    let mut line = |text: String| {
        out.push_str(&text);
        out.push('\n');
    };
    match report {
        Report::Spool(view) => {
            line(format!("{}  NV {}  OT {}", view.tag, or_dash(&view.nv), or_dash(&view.ot)));
            match &view.ocupado_por {
                Some(holder) => line(format!("Ocupado por {holder} desde {}", or_dash(&view.ocupado_desde))),
                None => line("Libre".into()),
            }
            line(format!("Estado: {}", or_dash(&view.estado_detalle)));
            line(format!("Materiales: {}", or_dash(&view.fecha_materiales)));
            line(format!("ARM: {} {}", or_dash(&view.armador), or_dash(&view.fecha_armado)));
            line(format!("SOLD: {} {}", or_dash(&view.soldador), or_dash(&view.fecha_soldadura)));
        }
        Report::Spools(views) => {
            for view in views {
                let state = match view.estado {
                    SpoolState::Problema => {
                        view.problema.as_ref().map(|problem| problem.message.clone()).unwrap_or_default()
                    }
                    SpoolState::Ocupado => format!("Ocupado por {}", or_dash(&view.ocupado_por)),
                    SpoolState::Pausado => format!(
                        "{} pausado ({})",
                        view.pausado.map(|operation| operation.to_string()).unwrap_or_default(),
                        or_dash(&view.trabajo_previo)
                    ),
                    SpoolState::Libre => or_dash(&view.estado_detalle).to_string(),
                };
                line(format!("{:<24} {:<8} {:<8} {state}", view.tag, or_dash(&view.nv), or_dash(&view.ot)));
            }
            line(format!("{} spools", views.len()));
        }
        Report::History(sessions) => {
            for session in sessions {
                let operation = session.operation.map_or("-".to_string(), |operation| operation.to_string());
                let minutes = session.duracion_minutos.map_or("-".to_string(), |minutes| format!("{minutes} min"));
                line(format!(
                    "{:<10} {:<5} {} → {}  {minutes}  {:?}",
                    session.worker,
                    operation,
                    session.desde,
                    or_dash(&session.hasta),
                    session.fin
                ));
            }
        }
        Report::Workers(workers) => {
            for worker in workers {
                let roles: Vec<String> = worker.roles.iter().map(ToString::to_string).collect();
                let active = if worker.activo { "" } else { " (inactivo)" };
                line(format!(
                    "{:<9} {} {}{active}  {}",
                    worker.iniciales,
                    worker.nombre,
                    worker.apellido,
                    roles.join(", ")
                ));
            }
        }
        Report::Action(outcome) => line(format!("{}: {}", outcome.tag, outcome.estado_detalle)),
        Report::Batch(batch) => {
            for entry in &batch.details {
                line(format!(
                    "{:<24} {}",
                    entry.tag,
                    if entry.success { "ok" } else { entry.message.as_deref().unwrap_or("error") }
                ));
            }
            line(format!("{} de {} correctos; {} fallaron", batch.succeeded, batch.total, batch.failed));
        }
        Report::Doctor(doctor) => checks(&doctor.checks, &mut line),
        Report::Setup { report, written } => {
            if let Some(email) = &report.service_account {
                line(format!("cuenta de servicio: {email} (la planilla debe estar compartida con ella)"));
            }
            checks(&report.checks, &mut line);
            line(match written {
                Some(path) => format!("configuración guardada en {}", path.display()),
                None => "no se guardó nada: corrija lo que falla y vuelva a intentarlo".into(),
            });
        }
        Report::Reconciled(report) => line(describe_reconciliation(report)),
        Report::Exported { sessions, file } => line(format!("{sessions} sesiones escritas en {}", file.display())),
        Report::PinSet { worker } => line(format!("PIN definido para el supervisor {worker}.")),
        Report::Sessions(_) | Report::Watched => {}
    }
    out
}
