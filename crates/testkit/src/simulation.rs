//! A seeded simulation of the shop as deployed: several stations (each with its own store and lock clients) on
//! one shop, driven by random but reproducible sequences of TOMAR, PAUSAR, COMPLETAR, CANCELAR, batches,
//! force-releases and reconcile runs from many workers, several at the same moment, interleaved with the faults
//! the deployment can suffer and with people editing the sheet. After every step the shop is compared with a
//! small reference model of who was told they hold what, and its invariants are checked:
//!
//! - never two holders: a TOMAR never succeeds while another worker was told they hold the spool, and the lock
//!   and the row never name different workers;
//! - every acknowledged action has its audit row, no action has two, and every audit row is an action;
//! - replaying the audit gives each row's occupation (rows a person edited are left out until the next action);
//! - after a reconcile run, every occupied row's lock names the row's holder and operation;
//! - a worker told "you hold it" can PAUSAR it (checked at the end for every holder).
//!
//! A failing run names its seed (`SIM_SEED=… `) and its last steps, so it can be replayed.

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    fmt::Write as _,
    sync::Arc,
    time::Duration,
};

use async_trait::async_trait;
use rand::{rngs::StdRng, seq::IndexedRandom, Rng, SeedableRng};
use spooltrack_core::{ChangeFeed, LockService, SpoolService, Store, SystemClock};
use spooltrack_domain::{
    audit::{decode_events, EventKind},
    schema::{ops, ColumnMap, Tab},
    spool::{decode_spools, find_row},
    worker::{decode_workers, id_from_display_name},
    Cell, ErrorCode, Grid, Operation, SpoolError, Worker, WorkerId,
};

pub use crate::HandEdit;
use crate::{fixture::*, FaultyStore};

/// The shop under simulation: how a station connects, where the truth is read, and what can go wrong.
#[async_trait]
pub trait SimulatedShop: Send + Sync {
    /// A new station's store and lock clients, as a PC of the shop has them.
    async fn connect(&self) -> (Arc<dyn Store>, Arc<dyn LockService>);
    /// The shop's live feed for a station, on a deployment that has one (Redis): the stations then serve their
    /// screens and decisions from the shared snapshot, as the production pair does.
    async fn feed(&self) -> Option<Arc<dyn ChangeFeed>> {
        None
    }
    /// A tab as it is at its source, never a station's copy.
    async fn truth(&self, tab: Tab) -> Grid;
    /// A person editing a tab of the spreadsheet.
    async fn edit(&self, tab: Tab, change: HandEdit);
    /// The faults of this deployment that the simulation may inject.
    fn faults(&self) -> &[Fault];
    async fn inject(&self, fault: Fault);
    /// Ends every fault still pending, before the final checks.
    async fn heal(&self);
}

/// Faults of the deployment (a station's own failed or held-back writes are played by the simulation itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Redis loses every key (FLUSHALL).
    LockDataLost,
    /// Redis is killed and started again empty.
    LockServiceRestarted,
    /// Every station's live-update connection is cut: each reconnects and catches up from the shop's log while
    /// the next actions are already landing.
    FeedsCut,
    /// Google answers 429 to the next calls.
    Throttled(usize),
    /// Google answers 500 to the next calls.
    ServerErrors(usize),
    /// The next write is applied and its answer lost.
    AnswerDropped,
    /// The next write is applied, its answer lost, and the audit cannot be read for a while.
    AnswerDroppedAuditUnreadable,
}

/// How long a run is, and how many stations take part.
#[derive(Debug, Clone)]
pub struct Simulation {
    pub seed: u64,
    pub stations: usize,
    pub steps: usize,
}

/// What a run did, for the test's output and the soak's record.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub steps: usize,
    pub actions: usize,
    pub faults: usize,
    pub hand_edits: usize,
    pub checks: usize,
    /// Answers by code (`ok` for successes), so a run shows it met the refusals it was meant to.
    pub answers: BTreeMap<String, usize>,
}

impl Tally {
    pub fn add(&mut self, other: &Tally) {
        self.steps += other.steps;
        self.actions += other.actions;
        self.faults += other.faults;
        self.hand_edits += other.hand_edits;
        self.checks += other.checks;
        for (code, count) in &other.answers {
            *self.answers.entry(code.clone()).or_default() += count;
        }
    }
}

const ARM_WORKERS: [WorkerId; 5] = [ARMADOR, ARMADOR_SOLDADOR, AYUDANTE, 200, 201];
const SOLD_WORKERS: [WorkerId; 3] = [ARMADOR_SOLDADOR, SOLDADOR, AYUDANTE];
/// Spools the stations fight over: few, so that they collide.
fn pool() -> Vec<String> {
    let mut tags: Vec<String> = (1..=10).map(ready).collect();
    tags.extend([ARM_DONE.to_string(), HELD_IN_SHEET.to_string()]);
    tags
}

/// One station: its service, and the store wrapper that fails or holds back its writes on demand.
struct Station {
    name: String,
    service: Arc<SpoolService>,
    store: Arc<FaultyStore>,
    /// Hears the feed into the station's copy of the shared snapshot, as a window does.
    follower: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for Station {
    fn drop(&mut self) {
        if let Some(follower) = &self.follower {
            follower.abort();
        }
    }
}

/// What one action asked for.
#[derive(Debug, Clone)]
enum Act {
    Tomar(Vec<String>, WorkerId, Operation),
    Pausar(Vec<String>, WorkerId),
    Completar(Vec<String>, WorkerId),
    Cancelar(String, WorkerId),
    Liberar(String),
    Reconcile,
}

/// What a worker was told about a spool they hold. `certain` is false after an answer that said the outcome
/// was unknown: the worker may hold it, and no other worker may be told they do.
#[derive(Debug, Clone, Copy)]
struct Belief {
    worker: WorkerId,
    operation: Operation,
    certain: bool,
}

/// Audit events the model counts, by what they record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Recorded {
    Take,
    End,
    Forced,
}

/// The audit event an action writes, if it writes one.
fn class_of(act: &Act) -> Option<Recorded> {
    match act {
        Act::Tomar(..) => Some(Recorded::Take),
        Act::Pausar(..) | Act::Completar(..) | Act::Cancelar(..) => Some(Recorded::End),
        Act::Liberar(_) => Some(Recorded::Forced),
        Act::Reconcile => None,
    }
}

fn recorded(kind: EventKind) -> Option<Recorded> {
    match kind {
        EventKind::TomarSpool => Some(Recorded::Take),
        EventKind::PausarSpool | EventKind::CompletarArm | EventKind::CompletarSold | EventKind::CancelarSpool => {
            Some(Recorded::End)
        }
        EventKind::LiberacionForzada => Some(Recorded::Forced),
        EventKind::Reconciliacion | EventKind::PinIncorrecto | EventKind::PinCambiado => None,
    }
}

#[derive(Default)]
struct Model {
    believed: HashMap<String, Belief>,
    /// Acknowledged actions that must each have written one audit row.
    written: HashMap<(String, Recorded), usize>,
    /// Actions that may have written one (an unknown outcome, or a success that may have been settled from an
    /// earlier unknown one without writing again).
    maybe: HashMap<(String, Recorded), usize>,
    /// Tags whose occupation a person edited since the app last acted on them.
    hand_edited: HashSet<String>,
    /// Tags whose Estado_Detalle a person blanked: their operation may no longer be readable from the row.
    estado_blanked: HashSet<String>,
}

struct Run<'a> {
    shop: Arc<dyn SimulatedShop>,
    config: &'a Simulation,
    rng: StdRng,
    stations: Vec<Station>,
    observer: Arc<dyn LockService>,
    model: Model,
    tally: Tally,
    log: Vec<String>,
    tags: Vec<String>,
    /// A reconcile run took part in the actions being absorbed: a lock it rebuilt at that moment moves the
    /// fence under a holder acting then, whose LOCK_LOST is a refusal to retry, not a lost spool.
    reconciling: bool,
    /// The lock service lost its data since the last reconcile run this simulation saw succeed: the first
    /// actions after it reconcile by themselves and rebuild locks under holders acting then.
    recovering: bool,
}

impl Simulation {
    /// The seed, stations and steps from `SIM_SEED`, `SIM_STATIONS` and `SIM_STEPS` when set.
    pub fn from_env(seed: u64, stations: usize, steps: usize) -> Simulation {
        let number =
            |name: &str, default: u64| std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default);
        Simulation {
            seed: number("SIM_SEED", seed),
            stations: number("SIM_STATIONS", stations as u64) as usize,
            steps: number("SIM_STEPS", steps as u64) as usize,
        }
    }

    /// Runs the simulation on `shop`, seeded with the standard shop; panics on the first violated invariant,
    /// naming the seed and the steps that led to it.
    pub async fn run(&self, shop: Arc<dyn SimulatedShop>) -> Tally {
        let mut stations = Vec::new();
        for index in 0..self.stations {
            let (store, lock) = shop.connect().await;
            let store = Arc::new(FaultyStore::new(store));
            let name = format!("estacion-{index}");
            // Locks a few milliseconds old are corrected as if they were minutes old: a run lasts seconds, and
            // the fences, not the grace, keep a correction racing an action safe.
            let mut service = SpoolService::new(
                store.clone(),
                lock,
                Arc::new(SystemClock),
                name.clone(),
                chrono_tz::America::Santiago,
            )
            .with_reconcile_grace(Duration::ZERO);
            let feed = shop.feed().await;
            if let Some(feed) = &feed {
                service = service.with_feed(feed.clone()).with_shared_snapshot(Duration::from_secs(30));
                // A shop whose Redis is away at the start seeds its copy on the first gap.
                let _ = service.sync_snapshot().await;
            }
            let service = Arc::new(service);
            let follower = feed.map(|_| {
                let service = service.clone();
                tokio::spawn(async move { service.follow_changes(|_| {}).await })
            });
            stations.push(Station { name, service, store, follower });
        }
        let observer = shop.connect().await.1;
        let mut model = Model::default();
        // The standard shop's legacy occupation: held in the sheet, with no TOMAR in the audit.
        model
            .believed
            .insert(HELD_IN_SHEET.to_string(), Belief { worker: SOLDADOR, operation: Operation::Sold, certain: true });
        model.hand_edited.insert(HELD_IN_SHEET.to_string());
        let mut run = Run {
            shop,
            config: self,
            rng: StdRng::seed_from_u64(self.seed),
            stations,
            observer,
            model,
            tally: Tally::default(),
            log: Vec::new(),
            tags: pool(),
            reconciling: false,
            recovering: false,
        };
        for step in 0..self.steps {
            run.step(step).await;
            run.check(false).await;
        }
        run.finish().await;
        run.tally
    }
}

impl Run<'_> {
    fn note(&mut self, line: String) {
        self.log.push(line);
    }

    /// Stops the run on a violated invariant, with everything needed to replay it.
    fn violated(&self, what: String) -> ! {
        let recent = self.log.iter().rev().take(80).rev().fold(String::new(), |mut out, line| {
            let _ = writeln!(out, "  {line}");
            out
        });
        panic!(
            "invariante violado: {what}\nrepetir con SIM_SEED={} SIM_STATIONS={} SIM_STEPS={}\núltimos pasos:\n{recent}",
            self.config.seed, self.config.stations, self.config.steps
        );
    }

    /// One tag, or a batch of 2..=`most` with probability `batch`.
    fn some_tags(&mut self, batch: f64, most: usize) -> Vec<String> {
        let count = if most > 1 && self.rng.random_bool(batch) { self.rng.random_range(2..=most) } else { 1 };
        let mut tags: Vec<String> = self.tags.choose_multiple(&mut self.rng, count).cloned().collect();
        tags.sort();
        tags
    }

    /// Tags to give back: mostly spools somebody was told they hold, so releases meet real holders.
    fn held_or_any(&mut self, batch: f64, most: usize) -> Vec<String> {
        let mut held: Vec<String> = self.model.believed.keys().cloned().collect();
        held.sort();
        if held.is_empty() || self.rng.random_bool(0.3) {
            return self.some_tags(batch, most);
        }
        let count = if most > 1 && self.rng.random_bool(batch) { self.rng.random_range(1..=most) } else { 1 };
        let mut tags: Vec<String> = held.choose_multiple(&mut self.rng, count).cloned().collect();
        tags.sort();
        tags
    }

    /// A worker with a reason to act on `tag`: usually whoever was told they hold it.
    fn actor_for(&mut self, tag: &str) -> WorkerId {
        match self.model.believed.get(tag) {
            Some(belief) if self.rng.random_bool(0.8) => belief.worker,
            _ => *[ARM_WORKERS.as_slice(), SOLD_WORKERS.as_slice()].concat().choose(&mut self.rng).unwrap_or(&ARMADOR),
        }
    }

    fn random_act(&mut self) -> Act {
        let roll = self.rng.random_range(0..100);
        match roll {
            0..=34 => {
                let operation = if self.rng.random_bool(0.6) { Operation::Arm } else { Operation::Sold };
                let workers =
                    if operation == Operation::Arm { ARM_WORKERS.as_slice() } else { SOLD_WORKERS.as_slice() };
                let worker = *workers.choose(&mut self.rng).unwrap_or(&ARMADOR);
                let tags = self.some_tags(0.25, 4);
                Act::Tomar(tags, worker, operation)
            }
            35..=59 => {
                let tags = self.held_or_any(0.2, 3);
                let worker = self.actor_for(&tags[0]);
                Act::Pausar(tags, worker)
            }
            60..=74 => {
                let tags = self.held_or_any(0.2, 3);
                let worker = self.actor_for(&tags[0]);
                Act::Completar(tags, worker)
            }
            75..=81 => {
                let tag = self.held_or_any(0.0, 1).remove(0);
                let worker = self.actor_for(&tag);
                Act::Cancelar(tag, worker)
            }
            82..=91 => Act::Liberar(self.some_tags(0.0, 1).remove(0)),
            _ => Act::Reconcile,
        }
    }

    async fn step(&mut self, step: usize) {
        self.tally.steps += 1;
        let roll = self.rng.random_range(0..100);
        match roll {
            0..=7 if !self.shop.faults().is_empty() => {
                let fault = *self.shop.faults().choose(&mut self.rng).unwrap_or(&Fault::Throttled(1));
                self.note(format!("{step}: falla {fault:?}"));
                self.tally.faults += 1;
                self.recovering |= matches!(fault, Fault::LockDataLost | Fault::LockServiceRestarted);
                self.shop.inject(fault).await;
            }
            8..=11 => {
                let station = self.rng.random_range(0..self.stations.len());
                self.note(format!("{step}: la próxima escritura de {} falla", self.stations[station].name));
                self.tally.faults += 1;
                self.stations[station].store.fail_next_writes(1);
            }
            12..=16 => self.hand_edit(step).await,
            17..=34 => self.concurrently(step).await,
            _ => {
                let station = self.rng.random_range(0..self.stations.len());
                let act = self.random_act();
                if let Act::Reconcile = act {
                    // Alone, so the rows and locks it leaves must agree.
                    let report = self.stations[station].service.reconcile().await;
                    self.note(format!("{step}: {} reconcilia -> {report:?}", self.stations[station].name));
                    if report.is_ok() {
                        self.recovering = false;
                        self.check(true).await;
                    }
                    return;
                }
                let answers = perform_on(&self.stations[station].service, &act).await;
                self.note(format!("{step}: {} {act:?} -> {answers:?}", self.stations[station].name));
                self.absorb(&act, answers, &HashSet::new());
            }
        }
    }

    /// Two to four actions from different stations at the same moment, one of them possibly held back before
    /// it is sent (a request budget, a back-off) while the others go ahead.
    async fn concurrently(&mut self, step: usize) {
        let count = self.rng.random_range(2..=4.min(self.stations.len().max(2)));
        let mut chosen: Vec<usize> = (0..self.stations.len()).collect();
        chosen.sort_by_key(|_| self.rng.random::<u32>());
        chosen.truncate(count);
        let acts: Vec<Act> = (0..chosen.len()).map(|_| self.random_act()).collect();
        // What a person typed while the first station's write was held back, once its write arrived.
        let typed: Arc<std::sync::Mutex<Option<(String, WorkerId, Operation)>>> = Arc::default();
        if self.rng.random_bool(0.3) {
            let held = chosen[0];
            let delay = Duration::from_millis(self.rng.random_range(100..600));
            self.note(format!("{step}: la próxima escritura de {} se retiene {delay:?}", self.stations[held].name));
            // Sometimes a person gives a spool only that station is taking to a worker, between its decision
            // and its write: the row's version does not move.
            let person = match self.only_taken_by_first(&acts) {
                Some(tag) if self.rng.random_bool(0.5) => {
                    self.hand_assignee(&tag).await.map(|(worker, name, operation)| (tag, worker, name, operation))
                }
                _ => None,
            };
            let (shop, typed) = (self.shop.clone(), typed.clone());
            self.stations[held].store.before_next_write(Box::new(move || {
                Box::pin(async move {
                    tokio::time::sleep(delay).await;
                    if let Some((tag, worker, name, operation)) = person {
                        shop.edit(Tab::Operaciones, occupied_by_hand(&tag, &name, operation)).await;
                        *typed.lock().unwrap_or_else(std::sync::PoisonError::into_inner) =
                            Some((tag, worker, operation));
                    }
                })
            }));
        }
        // Sometimes a person sorts the tab while these actions are on their way: between a station's reading of
        // where its rows are and its write (a write waiting for its turn in the request budget among them).
        let sorting = self.rng.random_bool(0.3).then(|| {
            let (shop, delay) = (self.shop.clone(), Duration::from_millis(self.rng.random_range(0..400)));
            self.note(format!("{step}: a mano, la pestaña se ordena al revés tras {delay:?}"));
            self.tally.hand_edits += 1;
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                shop.edit(Tab::Operaciones, Box::new(|grid: &mut Grid| grid.rows.reverse())).await;
            })
        });
        let tasks: Vec<_> = chosen
            .iter()
            .zip(&acts)
            .map(|(index, act)| {
                let (service, act) = (Arc::clone(&self.stations[*index].service), act.clone());
                tokio::spawn(async move { perform_on(&service, &act).await })
            })
            .collect();
        let mut answered = Vec::new();
        for task in tasks {
            answered
                .push(task.await.unwrap_or_else(|error| self.violated(format!("una acción entró en pánico: {error}"))));
        }
        if let Some(sorting) = sorting {
            sorting.await.unwrap_or_else(|error| self.violated(format!("la edición a mano entró en pánico: {error}")));
        }
        // Stale held-back hooks must not leak into later steps.
        for index in &chosen {
            self.stations[*index].store.before_next_write(Box::new(|| Box::pin(async {})));
        }
        let mut together: Vec<Answered> =
            chosen.into_iter().zip(acts).zip(answered).map(|((index, act), answers)| (index, act, answers)).collect();
        for (index, act, answers) in &together {
            self.note(format!("{step}: {} a la vez {act:?} -> {answers:?}", self.stations[*index].name));
        }
        let typed = typed.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        if let Some((tag, worker, operation)) = typed {
            // The person's edit came before the held-back write: that TOMAR must not have overwritten it.
            self.tally.hand_edits += 1;
            self.note(format!("{step}: a mano, {tag} pasó a {worker} antes de la escritura retenida"));
            self.model.believed.insert(tag.clone(), Belief { worker, operation, certain: true });
            self.model.hand_edited.insert(tag);
        }
        let taker = |act: &Act, answers: &[(String, Answer)], tag: &str| match act {
            Act::Tomar(_, worker, _) if answers.iter().any(|(asked, answer)| asked == tag && answer.is_ok()) => {
                Some(*worker)
            }
            _ => None,
        };
        for tag in self.tags.clone() {
            let mut takers: Vec<WorkerId> =
                together.iter().filter_map(|(_, act, answers)| taker(act, answers, &tag)).collect();
            takers.sort();
            takers.dedup();
            if takers.len() > 1 {
                self.violated(format!("{tag}: TOMAR simultáneos de {takers:?} tuvieron éxito"));
            }
        }
        // What happened first explains the others' refusals (a force-release, or the same worker's own action
        // at another station, before a holder's LOCK_LOST): the model hears the force-releases, then the
        // successes, then the rest.
        let rank = |act: &Act, answers: &[(String, Answer)]| match act {
            Act::Liberar(_) => 0,
            _ if answers.iter().any(|(_, answer)| answer.is_ok()) => 1,
            _ => 2,
        };
        together.sort_by_key(|(_, act, answers)| rank(act, answers));
        // Spools several of them acted on: which came first is read from the shop itself.
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (_, _, answers) in &together {
            for (tag, _) in answers {
                *seen.entry(tag.as_str()).or_default() += 1;
            }
        }
        let contested: HashSet<String> =
            seen.into_iter().filter(|(_, acts)| *acts > 1).map(|(tag, _)| tag.to_string()).collect();
        let taken_by: Vec<(String, WorkerId)> = together
            .iter()
            .filter_map(|(_, act, answers)| match act {
                Act::Tomar(_, worker, _) => Some((answers, *worker)),
                _ => None,
            })
            .flat_map(|(answers, worker)| {
                answers.iter().filter(|(_, answer)| answer.is_ok()).map(move |(tag, _)| (tag.clone(), worker))
            })
            .collect();
        let together_ok: Vec<String> = together
            .iter()
            .flat_map(|(_, _, answers)| answers.iter().filter(|(_, answer)| answer.is_ok()).map(|(tag, _)| tag.clone()))
            .collect();
        self.reconciling = together.iter().any(|(_, act, _)| matches!(act, Act::Reconcile));
        for (_, act, answers) in together {
            self.absorb(&act, answers, &contested);
        }
        self.reconciling = false;
        let changed: HashSet<String> = together_ok.iter().cloned().collect();
        for tag in contested {
            let told = |worker: WorkerId| taken_by.iter().any(|(taken, by)| *taken == tag && *by == worker);
            self.settle_from_truth(&tag, changed.contains(&tag), told).await;
        }
    }

    /// A person in the sheet: frees a row by hand, sorts the tab, blanks an Estado_Detalle, inserts a column in
    /// front of the occupation (a station that learnt the header before must not write the wrong cells), or
    /// gives the spool to a worker by typing their name (over whoever held it; stations' copies may not know yet).
    async fn hand_edit(&mut self, step: usize) {
        self.tally.hand_edits += 1;
        let tag = self.some_tags(0.0, 1).remove(0);
        let kind = self.rng.random_range(0..5);
        self.note(format!("{step}: edición a mano {kind} de {tag}"));
        let edited = tag.clone();
        let assigned = if kind == 4 { self.hand_assignee(&tag).await } else { None };
        let change: HandEdit = match kind {
            4 => match &assigned {
                Some((_, name, operation)) => {
                    self.note(format!("{step}: {tag} pasa a mano a {name} ({operation})"));
                    occupied_by_hand(&tag, name, *operation)
                }
                None => Box::new(|_: &mut Grid| {}),
            },
            0 => Box::new(move |grid: &mut Grid| {
                let Ok(map) = ColumnMap::of(Tab::Operaciones, "Operaciones", grid) else { return };
                let Some(row) = find_row(grid, &map, &edited) else { return };
                for spec in [&ops::OCUPADO_POR, &ops::FECHA_OCUPACION] {
                    if let Some(column) = map.position(spec) {
                        grid.set(row, column, Cell::Empty);
                    }
                }
            }),
            1 => Box::new(|grid: &mut Grid| grid.rows.reverse()),
            3 => Box::new(move |grid: &mut Grid| {
                let Some(position) = grid.header.iter().position(|name| name == ops::OCUPADO_POR.header) else {
                    return;
                };
                grid.insert_column(position, &format!("Notas_{step}"));
            }),
            _ => Box::new(move |grid: &mut Grid| {
                let Ok(map) = ColumnMap::of(Tab::Operaciones, "Operaciones", grid) else { return };
                let Some(row) = find_row(grid, &map, &edited) else { return };
                if let Some(column) = map.position(&ops::ESTADO_DETALLE) {
                    grid.set(row, column, Cell::Empty);
                }
            }),
        };
        self.shop.edit(Tab::Operaciones, change).await;
        if kind == 2 {
            self.model.estado_blanked.insert(tag.clone());
        }
        if kind == 0 {
            // The person took the spool from whoever held it: they may find it gone (a reconcile run agrees
            // with the row once the lock is old enough).
            if let Some(belief) = self.model.believed.get_mut(&tag) {
                belief.certain = false;
            }
            self.model.hand_edited.insert(tag.clone());
        }
        if let Some((worker, _, operation)) = assigned {
            // The sheet is the truth: the worker it names holds the spool, as surely as if told so, and whoever
            // held it before does not any more.
            self.model.believed.insert(tag.clone(), Belief { worker, operation, certain: true });
            self.model.estado_blanked.remove(&tag);
            self.model.hand_edited.insert(tag);
        }
        for station in &self.stations {
            station.store.invalidate();
        }
        // On the shared snapshot the shop's reader brings the edit within its period: sometimes at once,
        // sometimes only after stations have acted on copies that predate it.
        if self.rng.random_bool(0.5) {
            if let Err(error) = self.stations[0].service.reread_if_reader(Duration::from_secs(60)).await {
                self.note(format!("{step}: relectura fallida: {:?}", error.code()));
            }
        }
    }

    /// A spool the first act of a group takes and no other act names: a person's edit of it in the middle of the
    /// group meets that act alone.
    fn only_taken_by_first(&mut self, acts: &[Act]) -> Option<String> {
        let Some(Act::Tomar(tags, ..)) = acts.first() else { return None };
        let named_by_others = |tag: &String| acts[1..].iter().any(|act| names(act, tag));
        let free: Vec<&String> = tags.iter().filter(|tag| !named_by_others(tag)).collect();
        free.choose(&mut self.rng).map(|tag| (*tag).clone())
    }

    /// Who a person gives `tag` to: a worker allowed the operation its row still needs, named as the shop names
    /// them; none when the row needs no more work or cannot be read.
    async fn hand_assignee(&mut self, tag: &str) -> Option<(WorkerId, String, Operation)> {
        let grid = self.shop.truth(Tab::Operaciones).await;
        let map = ColumnMap::of(Tab::Operaciones, "Operaciones", &grid).ok()?;
        let record = decode_spools(&grid, &map).into_iter().find(|record| record.tag() == tag)?;
        let spool = record.spool().ok()?;
        let (operation, workers) = match (spool.fecha_armado, spool.fecha_soldadura) {
            (_, Some(_)) => return None,
            (Some(_), None) => (Operation::Sold, SOLD_WORKERS.as_slice()),
            (None, None) => (Operation::Arm, ARM_WORKERS.as_slice()),
        };
        let worker = *workers.choose(&mut self.rng)?;
        let people = self.shop.truth(Tab::Trabajadores).await;
        let roles = self.shop.truth(Tab::Roles).await;
        let people_map = ColumnMap::of(Tab::Trabajadores, "Trabajadores", &people).ok()?;
        let roles_map = ColumnMap::of(Tab::Roles, "Roles", &roles).ok()?;
        let name = decode_workers(&people, &people_map, &roles, &roles_map)
            .into_iter()
            .find(|candidate| candidate.id == worker)?
            .display_name();
        Some((worker, name, operation))
    }

    /// After several actions on one spool at once: the model takes the holder the row now names (told "you hold
    /// it" if one of those actions said so), or none. `changed`: one of them succeeded, so the app, not a
    /// person, last wrote the row.
    async fn settle_from_truth(&mut self, tag: &str, changed: bool, told: impl Fn(WorkerId) -> bool) {
        let grid = self.shop.truth(Tab::Operaciones).await;
        let Ok(map) = ColumnMap::of(Tab::Operaciones, "Operaciones", &grid) else { return };
        let records = decode_spools(&grid, &map);
        let Some(Ok(spool)) = records.iter().find(|record| record.tag() == tag).map(|record| record.spool()) else {
            return;
        };
        let holder = spool.ocupado_por.as_deref().and_then(id_from_display_name);
        let lock = self.observer.inspect(&[tag.to_string()]).await.ok().and_then(|mut locks| locks.remove(0));
        let prior = self.model.believed.get(tag).copied();
        if changed {
            self.model.hand_edited.remove(tag);
        }
        match holder {
            None => {
                self.model.believed.remove(tag);
            }
            Some(worker) if prior.is_some_and(|belief| belief.worker == worker) => {}
            Some(worker) => {
                let operation = lock
                    .filter(|lock| lock.holder.worker_id == worker)
                    .map(|lock| lock.holder.operation)
                    .or_else(|| spool.occupied_operation(&Operation::ALL).ok().flatten())
                    .unwrap_or(Operation::Arm);
                self.model.believed.insert(tag.to_string(), Belief { worker, operation, certain: told(worker) });
            }
        }
    }

    /// Brings the model up to date with what each worker was told. On `contested` spools (several actions at
    /// once) answers are only counted: the holder is read from the shop afterwards.
    fn absorb(&mut self, act: &Act, answers: Vec<(String, Answer)>, contested: &HashSet<String>) {
        self.tally.actions += 1;
        for (_, answer) in &answers {
            let code = match answer {
                Ok(()) => "ok".to_string(),
                Err(code) => {
                    serde_json::to_value(code).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
                }
            };
            *self.tally.answers.entry(code).or_default() += 1;
        }
        for (tag, answer) in answers {
            let unknown = answer == Err(ErrorCode::OutcomeUnknown);
            if contested.contains(&tag) {
                if let (true, Some(class)) = (answer.is_ok() || unknown, class_of(act)) {
                    *self.model.maybe.entry((tag.clone(), class)).or_default() += 1;
                }
                continue;
            }
            match act {
                Act::Tomar(_, worker, operation) => {
                    let before = self.model.believed.get(&tag).copied();
                    match (answer, before) {
                        (Ok(()), Some(belief)) if belief.certain && belief.worker != *worker => self.violated(format!(
                            "{tag}: TOMAR de {worker} tuvo éxito mientras {} lo tenía",
                            belief.worker
                        )),
                        // Only the same worker's own earlier TOMAR can be settled without a new audit row.
                        (Ok(()), before) if before.is_none_or(|belief| belief.worker != *worker) => {
                            *self.model.written.entry((tag.clone(), Recorded::Take)).or_default() += 1;
                            self.believe(&tag, *worker, *operation, true);
                        }
                        (Ok(()), _) => {
                            *self.model.maybe.entry((tag.clone(), Recorded::Take)).or_default() += 1;
                            self.believe(&tag, *worker, *operation, true);
                        }
                        (Err(_), _) if unknown => {
                            *self.model.maybe.entry((tag.clone(), Recorded::Take)).or_default() += 1;
                            self.believe(&tag, *worker, *operation, false);
                        }
                        (Err(_), _) => {}
                    }
                }
                Act::Pausar(_, worker) | Act::Completar(_, worker) | Act::Cancelar(_, worker) => {
                    let before = self.model.believed.get(&tag).copied();
                    match (answer, before) {
                        (Ok(()), Some(belief)) if belief.certain && belief.worker != *worker => {
                            self.violated(format!("{tag}: {worker} liberó un spool que {} tenía", belief.worker))
                        }
                        (Ok(()), Some(belief)) if belief.certain => {
                            *self.model.written.entry((tag.clone(), Recorded::End)).or_default() += 1;
                            self.forget(&tag);
                        }
                        (Ok(()), _) => {
                            *self.model.maybe.entry((tag.clone(), Recorded::End)).or_default() += 1;
                            self.forget(&tag);
                        }
                        (Err(_), Some(belief)) if unknown => {
                            *self.model.maybe.entry((tag.clone(), Recorded::End)).or_default() += 1;
                            self.model.believed.insert(tag.clone(), Belief { certain: false, ..belief });
                        }
                        (Err(code), Some(belief))
                            if belief.certain
                                && belief.worker == *worker
                                && (code == ErrorCode::NotOwner
                                    || (code == ErrorCode::LockLost && !self.reconciling && !self.recovering))
                                && !self.model.hand_edited.contains(&tag) =>
                        {
                            self.violated(format!("{tag}: {worker}, que lo tiene, recibió {code:?}"))
                        }
                        (Err(_), _) if unknown => {
                            *self.model.maybe.entry((tag.clone(), Recorded::End)).or_default() += 1;
                        }
                        (Err(_), _) => {}
                    }
                }
                Act::Liberar(_) => match answer {
                    Ok(()) => {
                        *self.model.written.entry((tag.clone(), Recorded::Forced)).or_default() += 1;
                        self.forget(&tag);
                    }
                    Err(ErrorCode::OutcomeUnknown) => {
                        *self.model.maybe.entry((tag.clone(), Recorded::Forced)).or_default() += 1;
                        if let Some(belief) = self.model.believed.get_mut(&tag) {
                            belief.certain = false;
                        }
                    }
                    // A free row (a person freed it) loses whatever lock was left behind; the row stays as the
                    // person left it.
                    Err(ErrorCode::NotOccupied) => {
                        self.model.believed.remove(&tag);
                    }
                    Err(_) => {}
                },
                Act::Reconcile => {}
            }
        }
    }

    fn believe(&mut self, tag: &str, worker: WorkerId, operation: Operation, certain: bool) {
        self.model.believed.insert(tag.to_string(), Belief { worker, operation, certain });
        // Only a TOMAR known to have landed rewrote the row a person had edited.
        if certain {
            self.model.hand_edited.remove(tag);
        }
    }

    fn forget(&mut self, tag: &str) {
        self.model.believed.remove(tag);
        self.model.hand_edited.remove(tag);
    }

    /// The invariants, on the shop as it stands between steps. `settled`: a reconcile run just finished with
    /// no fault pending, so locks and rows must agree.
    async fn check(&mut self, settled: bool) {
        self.tally.checks += 1;
        let operaciones = self.shop.truth(Tab::Operaciones).await;
        let metadata = self.shop.truth(Tab::Metadata).await;
        let people = self.shop.truth(Tab::Trabajadores).await;
        let roles = self.shop.truth(Tab::Roles).await;
        let Ok(ops_map) = ColumnMap::of(Tab::Operaciones, "Operaciones", &operaciones) else { return };
        let Ok(audit_map) = ColumnMap::of(Tab::Metadata, "Metadata", &metadata) else { return };
        let (Ok(people_map), Ok(roles_map)) =
            (ColumnMap::of(Tab::Trabajadores, "Trabajadores", &people), ColumnMap::of(Tab::Roles, "Roles", &roles))
        else {
            return;
        };
        let workers = decode_workers(&people, &people_map, &roles, &roles_map);
        let spools = decode_spools(&operaciones, &ops_map);
        let events = decode_events(&metadata, &audit_map);
        let locks = match self.observer.inspect(&self.tags).await {
            Ok(locks) => locks,
            // Redis away: the lock side cannot be looked at now.
            Err(_) => vec![None; self.tags.len()],
        };

        let mut ids = HashSet::new();
        for event in &events {
            if !ids.insert(event.id.clone()) {
                let rows: Vec<String> = events
                    .iter()
                    .filter(|other| other.id == event.id)
                    .map(|other| format!("{} de {} a las {}", other.kind.code(), other.worker_name, other.timestamp))
                    .collect();
                self.violated(format!("{}: la acción {} tiene dos filas de auditoría: {rows:?}", event.tag, event.id));
            }
        }
        let mut counted: HashMap<(String, Recorded), usize> = HashMap::new();
        for event in &events {
            if let Some(class) = recorded(event.kind) {
                *counted.entry((event.tag.clone(), class)).or_default() += 1;
            }
        }
        for tag in &self.tags {
            for class in [Recorded::Take, Recorded::End, Recorded::Forced] {
                let key = (tag.clone(), class);
                let rows = counted.get(&key).copied().unwrap_or(0);
                let written = self.model.written.get(&key).copied().unwrap_or(0);
                let maybe = self.model.maybe.get(&key).copied().unwrap_or(0);
                if rows < written || rows > written + maybe {
                    self.violated(format!(
                        "{tag}: {rows} filas de auditoría {class:?} para {written} acciones confirmadas y {maybe} inciertas"
                    ));
                }
            }
        }

        for (tag, lock) in self.tags.clone().iter().zip(&locks) {
            let Some(record) = spools.iter().find(|record| record.tag() == tag) else { continue };
            let Ok(spool) = record.spool() else { continue };
            let row_holder = spool.ocupado_por.as_deref().and_then(id_from_display_name);
            // A person's edit leaves the old holder's lock behind until a reconcile run replaces it, which it
            // does not while that holder's write may still be landing (its answer was lost).
            let writing = lock.as_ref().is_some_and(|lock| lock.writing);
            let edited_since = self.model.hand_edited.contains(tag) && (!settled || writing);
            if let (Some(lock), Some(row_holder), false) = (lock, row_holder, edited_since) {
                if lock.holder.worker_id != row_holder {
                    self.violated(format!(
                        "{tag}: el bloqueo nombra a {} y la fila a {row_holder}",
                        lock.holder.worker_id
                    ));
                }
            }
            if !self.model.hand_edited.contains(tag) {
                // Audit rows are appended in the order the writes landed, the same order the rows changed in.
                let last = events.iter().rfind(|event| event.tag == *tag && recorded(event.kind).is_some());
                let replayed = last.filter(|event| event.kind == EventKind::TomarSpool).map(|event| event.worker_id);
                if replayed != row_holder {
                    self.violated(format!("{tag}: la auditoría dice {replayed:?} y la fila {row_holder:?}"));
                }
            }
            if settled {
                let holder_can = workers
                    .iter()
                    .find(|worker| Some(worker.id) == row_holder)
                    .map_or(Operation::ALL.to_vec(), Worker::operations);
                match (spool.ocupado_por.is_some(), lock, spool.occupied_operation(&holder_can)) {
                    (true, None, Ok(Some(_))) if row_holder.is_some() => {
                        self.violated(format!("{tag}: fila ocupada sin bloqueo tras reconciliar"))
                    }
                    (true, Some(lock), Ok(Some(operation))) if lock.holder.operation != operation => {
                        self.violated(format!("{tag}: el bloqueo dice {} y la fila {operation}", lock.holder.operation))
                    }
                    (false, Some(lock), _) if lock.age > Duration::from_secs(120) => {
                        self.violated(format!("{tag}: bloqueo viejo de una fila libre tras reconciliar"))
                    }
                    _ => {}
                }
            }
        }
    }

    /// Whether a lock of the simulated spools is marked as being written.
    async fn a_write_may_still_land(&self) -> bool {
        let locks = self.observer.inspect(&self.tags).await.unwrap_or_default();
        locks.iter().flatten().any(|lock| lock.writing)
    }

    /// Heals every fault, reconciles, checks that locks and rows agree, then every worker still told they
    /// hold a spool pauses it.
    async fn finish(&mut self) {
        self.shop.heal().await;
        for station in &self.stations {
            station.store.fail_next_writes(0);
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            match self.stations[0].service.reconcile().await {
                // A write whose answer was lost keeps its mark until its window ends, and the reconciler leaves
                // its lock alone until then: the final run waits for it.
                Ok(_) if tokio::time::Instant::now() < deadline && self.a_write_may_still_land().await => {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Ok(report) => {
                    self.note(format!("fin: reconciliación {report:?}"));
                    break;
                }
                Err(error) if tokio::time::Instant::now() < deadline => {
                    self.note(format!("fin: reconciliación aún no: {:?}", error.code()));
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(error) => self.violated(format!("la tienda no se recuperó: {error}")),
            }
        }
        self.check(true).await;
        let mut holders: Vec<(String, Belief)> =
            self.model.believed.iter().map(|(tag, belief)| (tag.clone(), *belief)).collect();
        holders.sort_by(|a, b| a.0.cmp(&b.0));
        for (tag, belief) in holders.into_iter().filter(|(_, belief)| belief.certain) {
            let mut answer = self.stations[0].service.pausar(&tag, belief.worker).await;
            // A write whose answer was lost keeps its mark until its window ends: the holder waits that long.
            let patience = tokio::time::Instant::now() + Duration::from_secs(15);
            while matches!(answer, Err(SpoolError::RowChanged { .. })) && tokio::time::Instant::now() < patience {
                tokio::time::sleep(Duration::from_millis(250)).await;
                answer = self.stations[0].service.pausar(&tag, belief.worker).await;
            }
            match answer {
                Ok(outcome) if outcome.operation == belief.operation => {}
                Ok(outcome) => self.violated(format!(
                    "{tag}: {} pausó {} pero trabajaba {}",
                    belief.worker, outcome.operation, belief.operation
                )),
                // A row a person made unreadable is refused naming it, as it should be.
                Err(error) if error.code() == ErrorCode::DataCorrupt && self.model.estado_blanked.contains(&tag) => {}
                Err(error) => self.violated(format!("{tag}: {} lo tiene y no pudo pausarlo: {error}", belief.worker)),
            }
        }
    }
}

type Answer = Result<(), ErrorCode>;
/// One action of a concurrent group: the station that ran it, what it asked, what each spool answered.
type Answered = (usize, Act, Vec<(String, Answer)>);

/// Whether `act` acts on `tag` (a reconcile acts on every spool).
fn names(act: &Act, tag: &str) -> bool {
    match act {
        Act::Tomar(tags, ..) | Act::Pausar(tags, _) | Act::Completar(tags, _) => tags.iter().any(|named| named == tag),
        Act::Cancelar(named, _) | Act::Liberar(named) => named == tag,
        Act::Reconcile => true,
    }
}

/// Runs one action; answers one entry per tag (a reconcile answers none).
async fn perform_on(service: &SpoolService, act: &Act) -> Vec<(String, Answer)> {
    let single = |tag: &String, result: Result<spooltrack_core::ActionOutcome, SpoolError>| {
        vec![(tag.clone(), result.map(|_| ()).map_err(|error| error.code()))]
    };
    let batch = |tags: &[String], result: Result<spooltrack_core::BatchOutcome, SpoolError>| match result {
        Ok(outcome) => outcome
            .details
            .into_iter()
            .map(|entry| {
                (entry.tag, if entry.success { Ok(()) } else { Err(entry.code.unwrap_or(ErrorCode::InvalidInput)) })
            })
            .collect(),
        Err(error) => tags.iter().map(|tag| (tag.clone(), Err(error.code()))).collect(),
    };
    match act {
        Act::Tomar(tags, worker, operation) if tags.len() == 1 => {
            single(&tags[0], service.tomar(&tags[0], *worker, *operation).await)
        }
        Act::Tomar(tags, worker, operation) => batch(tags, service.tomar_batch(tags, *worker, *operation).await),
        Act::Pausar(tags, worker) if tags.len() == 1 => single(&tags[0], service.pausar(&tags[0], *worker).await),
        Act::Pausar(tags, worker) => batch(tags, service.pausar_batch(tags, *worker).await),
        Act::Completar(tags, worker) if tags.len() == 1 => {
            single(&tags[0], service.completar(&tags[0], *worker, None).await)
        }
        Act::Completar(tags, worker) => batch(tags, service.completar_batch(tags, *worker, None).await),
        Act::Cancelar(tag, worker) => single(tag, service.cancelar(tag, *worker).await),
        Act::Liberar(tag) => single(tag, service.liberar(tag, SUPERVISOR, "simulación", SUPERVISOR_PIN).await),
        Act::Reconcile => {
            // The shop's reader re-reading while the others' writes land (a re-read started before a write
            // must not undo it), then a reconcile run.
            let _ = service.reread_if_reader(Duration::from_secs(60)).await;
            let _ = service.reconcile().await;
            Vec::new()
        }
    }
}
