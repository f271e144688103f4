//! TOMAR, PAUSAR, COMPLETAR, CANCELAR and force-release, single and in batch, with the ordering rules of
//! SPEC §4: checks first and nothing written when they fail, one atomic store write per action, the lock
//! taken before the write (and given back if it fails) or released after it (and kept if it fails).

use std::time::Duration;

use async_trait::async_trait;
use chrono::NaiveDate;
use serde_json::json;
use spooltrack_domain::{
    audit::{AuditEvent, EventKind},
    cell::{format_date, format_date_time},
    schema::ops,
    worker::{id_from_display_name, require_worker},
    Cell, ErrorCode, Operation, Role, Spool, SpoolError, Worker, WorkerId,
};

use crate::{
    service::Shop, Acquisition, ActionOutcome, Admission, BatchOutcome, Change, ForceAttempt, Grant, HeldLock, Holder,
    LockService, LockToken, NoGate, OccupationGuard, RowGuard, RowUpdate, SpoolService, VersionGuard, WriteGate,
    MAX_BATCH,
};

/// How long a force-release waits, at most, for a holder's write already in flight to be answered.
const IN_FLIGHT_WAIT: Duration = Duration::from_secs(20);
const IN_FLIGHT_POLL: Duration = Duration::from_millis(100);
/// Attempts of a force-release whose row changed between its read and its write (a reconcile run, a person).
const FORCE_ATTEMPTS: usize = 3;

type Results = Vec<(String, Result<ActionOutcome, SpoolError>)>;

/// How a holder gives a spool back.
#[derive(Debug, Clone, Copy)]
enum Release {
    Pausar,
    Completar(NaiveDate),
    Cancelar,
}

impl Release {
    fn accion(self) -> &'static str {
        match self {
            Release::Pausar => EventKind::PausarSpool.accion(),
            Release::Completar(_) => EventKind::CompletarArm.accion(),
            Release::Cancelar => EventKind::CancelarSpool.accion(),
        }
    }
}

/// A spool whose holder has been proven to be the worker acting: by its lock, or by the row alone.
struct Owned<'a> {
    index: usize,
    spool: &'a Spool,
    operation: Operation,
    lock: Option<HeldLock>,
    /// The lock was taken for this release (the spool was held in the sheet alone): the row does not carry
    /// its fence yet, so the write is guarded by the version as read.
    adopted: bool,
}

impl Owned<'_> {
    fn grant(&self) -> Option<(String, LockToken)> {
        self.lock.as_ref().map(|lock| (self.spool.tag.clone(), lock.token.clone()))
    }
}

impl SpoolService {
    pub async fn tomar(
        &self,
        tag: &str,
        worker_id: WorkerId,
        operation: Operation,
    ) -> Result<ActionOutcome, SpoolError> {
        single(self.tomar_each(&[tag.to_string()], worker_id, operation).await)
    }

    pub async fn tomar_batch(
        &self,
        tags: &[String],
        worker_id: WorkerId,
        operation: Operation,
    ) -> Result<BatchOutcome, SpoolError> {
        Ok(BatchOutcome::from_results(self.tomar_each(tags, worker_id, operation).await?))
    }

    pub async fn pausar(&self, tag: &str, worker_id: WorkerId) -> Result<ActionOutcome, SpoolError> {
        single(self.release_each(&[tag.to_string()], worker_id, Release::Pausar).await)
    }

    pub async fn pausar_batch(&self, tags: &[String], worker_id: WorkerId) -> Result<BatchOutcome, SpoolError> {
        Ok(BatchOutcome::from_results(self.release_each(tags, worker_id, Release::Pausar).await?))
    }

    /// `fecha` defaults to today in the shop's time zone.
    pub async fn completar(
        &self,
        tag: &str,
        worker_id: WorkerId,
        fecha: Option<NaiveDate>,
    ) -> Result<ActionOutcome, SpoolError> {
        let fecha = fecha.unwrap_or_else(|| self.now().date());
        single(self.release_each(&[tag.to_string()], worker_id, Release::Completar(fecha)).await)
    }

    pub async fn completar_batch(
        &self,
        tags: &[String],
        worker_id: WorkerId,
        fecha: Option<NaiveDate>,
    ) -> Result<BatchOutcome, SpoolError> {
        let fecha = fecha.unwrap_or_else(|| self.now().date());
        Ok(BatchOutcome::from_results(self.release_each(tags, worker_id, Release::Completar(fecha)).await?))
    }

    /// The holder took the wrong spool: release it and put the row back as it was before the TOMAR.
    pub async fn cancelar(&self, tag: &str, worker_id: WorkerId) -> Result<ActionOutcome, SpoolError> {
        single(self.release_each(&[tag.to_string()], worker_id, Release::Cancelar).await)
    }

    /// CANCELAR of several spools in one decision and one write: each row goes back as its own TOMAR found it.
    pub async fn cancelar_batch(&self, tags: &[String], worker_id: WorkerId) -> Result<BatchOutcome, SpoolError> {
        Ok(BatchOutcome::from_results(self.release_each(tags, worker_id, Release::Cancelar).await?))
    }

    /// A supervisor, proven by their PIN, frees a spool whatever its holder; the fence moves so the old holder's
    /// late write is refused. A holder's write already in flight is waited out, never overtaken; a row changed
    /// between the read and the write (a reconcile run rebuilding the lock, a person) is read again; a release
    /// that could not be written puts the holder's lock back.
    pub async fn liberar(
        &self,
        tag: &str,
        admin_id: WorkerId,
        motivo: &str,
        pin: &str,
    ) -> Result<ActionOutcome, SpoolError> {
        let tag = validate_batch(&[tag.to_string()])?.remove(0);
        let motivo = motivo.trim();
        if motivo.is_empty() {
            return Err(SpoolError::InvalidInput { field: "motivo".into(), reason: "es obligatorio".into() });
        }
        self.refuse_when_offline()?;
        self.prove_supervisor(admin_id, pin, &tag, "liberar").await?;
        let mut attempts = 0;
        loop {
            attempts += 1;
            match self.liberar_once(&tag, admin_id, motivo).await {
                Err(SpoolError::RowChanged { .. }) if attempts < FORCE_ATTEMPTS => {
                    tracing::info!(tag = %tag, "la fila cambió durante la liberación: se lee otra vez");
                }
                other => return other,
            }
        }
    }

    async fn liberar_once(&self, tag: &str, admin_id: WorkerId, motivo: &str) -> Result<ActionOutcome, SpoolError> {
        self.refuse_when_offline()?;
        let only = [tag.to_string()];
        let shop = self.load_of(&only, false, false).await?;
        let admin = require_worker(&shop.workers, admin_id, &[Role::Supervisor])?;
        shop.spool(tag)?;
        let released = self.force_release_waiting(tag).await?;
        // The row as it is now that no holder can write any more (one may have just written): the release is
        // guarded by the version read here.
        let now = self.load_of(&only, false, true).await?;
        let spool = now.spool(tag)?;
        let (previous_holder, operation) = match (&released.previous, &spool.ocupado_por) {
            // A free row: at most a lock left behind, now gone.
            (_, None) => return Err(SpoolError::NotOccupied { tag: tag.to_string() }),
            (Some(lock), Some(_)) if spool.holder_id() == Some(lock.holder.worker_id) => {
                (lock.holder.worker.clone(), Some(lock.holder.operation))
            }
            // No lock, or the lock of a holder the row no longer names (a person gave the spool away): the row.
            (_, Some(name)) => (name.clone(), now.occupied_operation(spool).ok().flatten()),
        };
        let estado = operation.map(Operation::estado_liberado).unwrap_or_else(|| "liberado por supervisor".into());
        let metadata = json!({ "motivo": motivo, "holder_anterior": previous_holder, "estacion": self.station });
        let mut cells = cleared_occupation(&estado);
        cells.push((&ops::VERSION, Cell::Number(released.fence as f64)));
        let change = Change {
            rows: vec![RowUpdate { tag: tag.to_string(), cells, guard: RowGuard::as_read(spool.version) }],
            audit: vec![self.event(EventKind::LiberacionForzada, tag, admin, operation, metadata, None)],
            pin: None,
        };
        if let Err(error) = self.write(&change, &NoGate).await {
            // Not written: the holder keeps the spool as before. Unknown: the reconciler settles it from the row.
            if let (Some(previous), false) = (&released.previous, error.code() == ErrorCode::OutcomeUnknown) {
                if let Err(restore_error) = self.lock.restore(tag, previous).await {
                    tracing::error!(tag = %tag, code = ?restore_error.code(), "no se pudo devolver el bloqueo tras una liberación fallida");
                }
            }
            return Err(error);
        }
        tracing::info!(tag = %tag, admin = admin_id, previous = %previous_holder, "spool liberado por supervisor");
        self.announce(vec![tag.to_string()], EventKind::LiberacionForzada.accion(), admin.display_name(), &change)
            .await;
        Ok(ActionOutcome {
            tag: tag.to_string(),
            operation: operation.unwrap_or(Operation::Arm),
            worker: admin.display_name(),
            estado_detalle: estado,
        })
    }

    /// Force-releases the lock once no write of its holder is in flight (bounded by the write's own window).
    async fn force_release_waiting(&self, tag: &str) -> Result<crate::ForcedRelease, SpoolError> {
        let deadline = tokio::time::Instant::now() + IN_FLIGHT_WAIT;
        loop {
            match self.lock.force_release(tag).await? {
                ForceAttempt::Released(released) => return Ok(released),
                ForceAttempt::WriteInFlight if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(IN_FLIGHT_POLL).await;
                }
                ForceAttempt::WriteInFlight => {
                    return Err(SpoolError::LockUnavailable {
                        reason: "el titular sigue guardando un cambio; intente de nuevo".into(),
                    })
                }
            }
        }
    }

    /// TOMAR decides on the rows as read (a store may answer from a copy a few seconds old). When one of them
    /// changed before the write, nothing was written and every lock was given back: decide again, once, on the
    /// rows as they are now. A spool refused as held by the worker themselves is decided again the same way:
    /// the copy may not have seen their own release yet (a PAUSAR here whose patch the feed has not brought
    /// back, its catch-up starved), and the worker would be told they hold what they just gave back.
    async fn tomar_each(
        &self,
        tags: &[String],
        worker_id: WorkerId,
        operation: Operation,
    ) -> Result<Results, SpoolError> {
        self.refuse_when_offline()?;
        let mut results = self.tomar_once(tags, worker_id, operation, false).await?;
        if results.iter().any(|(_, result)| matches!(result, Err(SpoolError::RowChanged { .. }))) {
            tracing::info!("filas cambiadas desde la lectura: TOMAR se decide otra vez");
            return self.tomar_once(tags, worker_id, operation, true).await;
        }
        let held_by_self = |result: &Result<ActionOutcome, SpoolError>| matches!(result, Err(SpoolError::SpoolOccupied { holder, .. }) if id_from_display_name(holder) == Some(worker_id));
        let again: Vec<String> =
            results.iter().filter(|(_, result)| held_by_self(result)).map(|(tag, _)| tag.clone()).collect();
        if again.is_empty() {
            return Ok(results);
        }
        tracing::info!(spools = again.len(), "spools a nombre del mismo trabajador: se deciden sobre la planilla");
        // The first decision may have written the other spools (or left them unknown): a second one that fails
        // answers for its own spools only.
        let mut decided: std::collections::HashMap<String, _> =
            match self.tomar_once(&again, worker_id, operation, true).await {
                Ok(decided) => decided.into_iter().collect(),
                Err(error) => again.into_iter().map(|tag| (tag, Err(error.clone()))).collect(),
            };
        for (tag, result) in &mut results {
            if let Some(fresh) = decided.remove(tag) {
                *result = fresh;
            }
        }
        Ok(results)
    }

    /// One decision and write; `fresh` decides on the rows as the store has them now, past any copy.
    async fn tomar_once(
        &self,
        tags: &[String],
        worker_id: WorkerId,
        operation: Operation,
        fresh: bool,
    ) -> Result<Results, SpoolError> {
        let tags = validate_batch(tags)?;
        let shop = self.load_of(&tags, false, fresh).await?;
        let worker = require_worker(&shop.workers, worker_id, &operation.allowed_roles())?;
        let now = self.now();
        let holder =
            Holder { worker_id, worker: worker.display_name(), operation, station: self.station.clone(), since: now };

        let checked: Vec<Result<&Spool, SpoolError>> = tags
            .iter()
            .map(|tag| {
                let spool = shop.spool(tag)?;
                spool.check_can_take(operation)?;
                Ok(spool)
            })
            .collect();
        let candidates: Vec<(usize, &Spool)> =
            checked.iter().enumerate().filter_map(|(index, check)| Some((index, *check.as_ref().ok()?))).collect();
        let estado = operation.estado_trabajando(&holder.worker);
        let mut results: Vec<Result<ActionOutcome, SpoolError>> = checked
            .into_iter()
            .zip(&tags)
            .map(|(check, tag)| check.map(|_| self.outcome(tag, operation, worker, estado.clone())))
            .collect();

        let requests: Vec<(String, Holder)> =
            candidates.iter().map(|(_, spool)| (spool.tag.clone(), holder.clone())).collect();
        let acquisitions = self.acquire_restoring(&requests).await?;
        let mut granted: Vec<(usize, &Spool, Grant)> = Vec::new();
        let mut held: Vec<(usize, &Spool, Holder)> = Vec::new();
        for ((index, spool), acquisition) in candidates.into_iter().zip(acquisitions) {
            match acquisition {
                Acquisition::Granted(grant) => granted.push((index, spool, grant)),
                // A lock on a row that reads free: another TOMAR on its way, or a lock left behind.
                Acquisition::Held(other) => held.push((index, spool, other)),
            }
        }
        if !held.is_empty() {
            match self.retake_left_behind(&held, &holder, &mut results).await {
                Ok(retaken) => granted.extend(retaken),
                Err(error) => {
                    // Nothing is written: the locks granted so far go back with the error.
                    let grants: Vec<(String, LockToken)> =
                        granted.iter().map(|(_, spool, grant)| (spool.tag.clone(), grant.token.clone())).collect();
                    if let Err(release_error) = self.lock.release(&grants).await {
                        tracing::error!(code = ?release_error.code(), "no se pudo devolver el bloqueo tras un error");
                    }
                    return Err(error);
                }
            }
        }
        if granted.is_empty() {
            return Ok(tags.into_iter().zip(results).collect());
        }

        let mut change = Change::default();
        let mut grants = Vec::new();
        for (_, spool, grant) in &granted {
            let (row, event) = self.tomar_change(spool, worker, &holder, grant);
            change.rows.push(row);
            change.audit.push(event);
            grants.push((spool.tag.clone(), grant.token.clone()));
        }
        let written = self.write_holding(&mut change, &mut grants, GateEnd::KeepsLock).await;
        for (tag, error) in written.dropped {
            if let Some(index) = tags.iter().position(|asked| *asked == tag) {
                results[index] = Err(error);
            }
        }
        let taken: Vec<String> = grants.iter().map(|(tag, _)| tag.clone()).collect();
        match written.result {
            Ok(()) => {
                tracing::info!(worker = worker_id, operation = %operation, count = taken.len(), "spools tomados");
                self.announce(taken, EventKind::TomarSpool.accion(), holder.worker.clone(), &change).await;
            }
            Err(error) => {
                if error.code() == ErrorCode::OutcomeUnknown {
                    // The rows may say taken: the locks stay, and a retry or the reconciler settles them.
                    tracing::warn!(worker = worker_id, "TOMAR sin confirmar: se conservan los bloqueos");
                } else if let Err(release_error) = self.lock.release(&grants).await {
                    tracing::error!(code = ?release_error.code(), "no se pudo devolver el bloqueo tras una escritura fallida");
                }
                for tag in &taken {
                    if let Some(index) = tags.iter().position(|asked| asked == tag) {
                        results[index] = Err(error.clone());
                    }
                }
            }
        }
        Ok(tags.into_iter().zip(results).collect())
    }

    /// Acquires, and when the lock service lost its data, reconciles first (rebuilding the locks of every
    /// occupied row and moving the fence past every row's) and acquires once more.
    async fn acquire_restoring(&self, requests: &[(String, Holder)]) -> Result<Vec<Acquisition>, SpoolError> {
        if requests.is_empty() {
            return Ok(Vec::new());
        }
        match self.lock.acquire(requests).await {
            Err(SpoolError::LockDataLost) => {
                tracing::warn!("el servicio de bloqueo perdió sus datos: se reconcilia antes de tomar");
                self.reconcile().await?;
                self.lock.acquire(requests).await
            }
            other => other,
        }
    }

    /// Spools whose lock was left behind, given back and taken anew for `holder` in the same call.
    async fn retake_left_behind<'s>(
        &self,
        held: &[(usize, &'s Spool, Holder)],
        holder: &Holder,
        results: &mut [Result<ActionOutcome, SpoolError>],
    ) -> Result<Vec<(usize, &'s Spool, Grant)>, SpoolError> {
        let retry = self.settle_held(held, holder.worker_id, results).await?;
        let requests: Vec<(String, Holder)> =
            retry.iter().map(|(_, spool)| (spool.tag.clone(), holder.clone())).collect();
        let mut retaken = Vec::new();
        for ((index, spool), acquisition) in retry.into_iter().zip(self.acquire_restoring(&requests).await?) {
            match acquisition {
                Acquisition::Granted(grant) => retaken.push((index, spool, grant)),
                Acquisition::Held(other) => results[index] = Err(occupied_by(&spool.tag, &other)),
            }
        }
        Ok(retaken)
    }

    /// Locks on rows that read free, settled on the rows as they are now when they may have been left behind:
    /// this worker's own (an earlier TOMAR whose outcome was unknown, a release whose lock was not given back),
    /// or anyone's older than the reconciler's grace (a process ended between its lock and its write, a lock
    /// whose release failed), never one being written. Such a lock on a row still free is stale: it is given back
    /// and the spool is answered for taking anew, without waiting for a reconcile run. A row that says who holds
    /// it (the copy read was older) keeps its lock (SPOOL_OCCUPIED naming the row's holder); any other lock may be
    /// an action still on its way, and keeps the spool (SPOOL_OCCUPIED naming its holder).
    async fn settle_held<'s>(
        &self,
        held: &[(usize, &'s Spool, Holder)],
        worker_id: WorkerId,
        results: &mut [Result<ActionOutcome, SpoolError>],
    ) -> Result<Vec<(usize, &'s Spool)>, SpoolError> {
        let tags: Vec<String> = held.iter().map(|(_, spool, _)| spool.tag.clone()).collect();
        let locks = self.lock.inspect(&tags).await?;
        let left_behind =
            |lock: &HeldLock| !lock.writing && (lock.holder.worker_id == worker_id || lock.age > self.reconcile_grace);
        let mut doubtful: Vec<((usize, &Spool), Option<HeldLock>)> = Vec::new();
        for ((index, spool, holder), lock) in held.iter().zip(locks) {
            match lock {
                Some(lock) if !left_behind(&lock) => results[*index] = Err(occupied_by(&spool.tag, holder)),
                lock => doubtful.push(((*index, *spool), lock)),
            }
        }
        if doubtful.is_empty() {
            return Ok(Vec::new());
        }
        // Only the row as it is now can say the lock is stale: a copy a few seconds old may predate the TOMAR.
        let tags: Vec<String> = doubtful.iter().map(|((_, spool), _)| spool.tag.clone()).collect();
        let now = self.load_of(&tags, false, true).await?;
        let mut stale: Vec<(String, LockToken)> = Vec::new();
        let mut retry = Vec::new();
        for ((index, spool), lock) in doubtful {
            let row = match now.spool(&spool.tag) {
                Ok(row) => row,
                Err(error) => {
                    results[index] = Err(error);
                    continue;
                }
            };
            match lock {
                Some(_) if row.ocupado_por.is_some() => {
                    results[index] = Err(SpoolError::SpoolOccupied {
                        tag: spool.tag.clone(),
                        holder: row.ocupado_por.clone().unwrap_or_default(),
                        since: row.occupied_since_text(),
                    })
                }
                Some(lock) => {
                    stale.push((spool.tag.clone(), lock.token));
                    retry.push((index, spool));
                }
                None => retry.push((index, spool)),
            }
        }
        if !stale.is_empty() {
            tracing::info!(
                count = stale.len(),
                "bloqueos dejados atrás en filas libres: se devuelven y se toman de nuevo"
            );
            // A write that began meanwhile keeps its lock: that spool is then refused as taken, by the next try.
            self.lock.release_idle(&stale).await?;
        }
        Ok(retry)
    }

    /// Every event in the audit by id, read fresh (the audit is never kept in a copy).
    async fn recorded_events(&self) -> Result<std::collections::HashMap<String, EventKind>, SpoolError> {
        Ok(self.audit().await?.into_iter().map(|event| (event.id, event.kind)).collect())
    }

    fn tomar_change(&self, spool: &Spool, worker: &Worker, holder: &Holder, grant: &Grant) -> (RowUpdate, AuditEvent) {
        let operation = holder.operation;
        let name = Cell::text(&holder.worker);
        let mut cells = vec![
            (&ops::OCUPADO_POR, name.clone()),
            (&ops::FECHA_OCUPACION, Cell::text(format_date_time(holder.since))),
            (&ops::ESTADO_DETALLE, Cell::text(operation.estado_trabajando(&holder.worker))),
            (&ops::VERSION, Cell::Number(grant.fence as f64)),
        ];
        let assigns_worker = spool.worker_of(operation).is_none();
        if assigns_worker {
            cells.push((worker_column(operation), name));
        }
        let metadata = json!({
            "estado_anterior": spool.estado_detalle,
            "asigna_trabajador": assigns_worker,
            "estacion": self.station,
            "fence": grant.fence,
        });
        let event = self.event(EventKind::TomarSpool, &spool.tag, worker, Some(operation), metadata, None);
        (RowUpdate { tag: spool.tag.clone(), cells, guard: RowGuard::free_as_read(spool.version) }, event)
    }

    async fn release_each(
        &self,
        tags: &[String],
        worker_id: WorkerId,
        release: Release,
    ) -> Result<Results, SpoolError> {
        self.refuse_when_offline()?;
        let tags = validate_batch(tags)?;
        let with_audit = matches!(release, Release::Cancelar);
        let mut shop = self.load_of(&tags, with_audit, false).await?;
        let locks = self.lock.inspect(&tags).await?;
        // Another worker's lock left behind (older than the grace, not being written) on a row a person gave
        // this worker: the sheet is the truth, and this worker may release it.
        let left_behind =
            |lock: &HeldLock| lock.holder.worker_id != worker_id && !lock.writing && lock.age > self.reconcile_grace;
        let named_here = |tag: &String| shop.spool(tag).is_ok_and(|spool| spool.holder_id() == Some(worker_id));
        let from_the_row = |(tag, lock): (&String, &Option<HeldLock>)| match lock {
            None => true,
            Some(lock) => left_behind(lock) && named_here(tag),
        };
        if tags.iter().zip(&locks).any(from_the_row) {
            // Ownership from the sheet alone is decided on the row as it is now, never on a copy (and a copy that
            // names someone else costs no read: a spool of theirs is refused as it is).
            shop = self.load_of(&tags, with_audit, true).await?;
        }
        let worker = shop
            .workers
            .iter()
            .find(|worker| worker.id == worker_id)
            .ok_or(SpoolError::WorkerNotFound { worker_id })?;

        let mut owned: Vec<Owned> = Vec::new();
        let mut given_away: Vec<(String, LockToken)> = Vec::new();
        let mut results: Vec<Result<ActionOutcome, SpoolError>> = Vec::with_capacity(tags.len());
        for (index, (tag, mut lock)) in tags.iter().zip(locks).enumerate() {
            let mut left = None;
            let proof = shop.spool(tag).and_then(|spool| {
                let operation = match &lock {
                    Some(other) if left_behind(other) && spool.holder_id() == Some(worker_id) => {
                        left = lock.take().map(|other| (tag.clone(), other.token));
                        sheet_ownership(&shop, spool, worker_id)?
                    }
                    Some(lock) if lock.holder.worker_id != worker_id => {
                        return Err(SpoolError::NotOwner { tag: tag.clone(), holder: lock.holder.worker.clone() })
                    }
                    Some(lock) => lock.holder.operation,
                    None => sheet_ownership(&shop, spool, worker_id)?,
                };
                // The roles are checked as for TOMAR: whoever holds a spool must still be allowed its work.
                require_worker(&shop.workers, worker_id, &operation.allowed_roles())?;
                Ok(Owned { index, spool, operation, lock, adopted: false })
            });
            match proof {
                Ok(proof) => {
                    results.push(Ok(self.outcome(tag, proof.operation, worker, String::new())));
                    owned.push(proof);
                    given_away.extend(left);
                }
                Err(error) => results.push(Err(error)),
            }
        }

        if !given_away.is_empty() {
            tracing::info!(
                count = given_away.len(),
                "bloqueos de otro titular en filas de este trabajador: se devuelven"
            );
            // One being written meanwhile stays, and refuses this release (NOT_OWNER) when its lock is taken.
            self.lock.release_idle(&given_away).await?;
        }
        self.adopt_locks(&mut owned, worker, &mut results).await?;
        let mut change = Change::default();
        let mut grants = Vec::new();
        for own in &owned {
            let (row, event, estado) = self.release_change(&shop, own, worker, release);
            if let Ok(outcome) = &mut results[own.index] {
                outcome.estado_detalle = estado;
            }
            change.rows.push(row);
            change.audit.push(event);
            grants.extend(own.grant());
        }
        let mut done: Vec<(String, LockToken)> = Vec::new();
        let written = loop {
            let written = self.write_holding(&mut change, &mut grants, GateEnd::ReleasesLock).await;
            for (tag, error) in written.dropped {
                if let SpoolError::NotOwner { .. } = error {
                    // The sheet is the truth: a person gave the spool to someone else, so this lock goes back.
                    done.extend(owned.iter().filter(|own| own.spool.tag == tag).filter_map(Owned::grant));
                }
                if let Some(index) = tags.iter().position(|asked| *asked == tag) {
                    results[index] = Err(error);
                }
            }
            match written.result {
                Err(SpoolError::NotOccupied { tag }) => {
                    if let Some(refused) = self.settle_free_row(&tag, &mut change, &mut grants, &mut done).await? {
                        if let Some(index) = tags.iter().position(|asked| *asked == tag) {
                            results[index] = Err(refused);
                        }
                    }
                }
                result => break result,
            }
        };
        match written {
            Ok(()) => done.extend(grants),
            Err(error) => {
                // Locks taken for this release go back: the row never got their fence.
                let adopted: Vec<(String, LockToken)> =
                    owned.iter().filter(|own| own.adopted).filter_map(Owned::grant).collect();
                if !adopted.is_empty() && error.code() != ErrorCode::OutcomeUnknown {
                    if let Err(release_error) = self.lock.release(&adopted).await {
                        tracing::warn!(code = ?release_error.code(), "no se devolvieron los bloqueos tomados para liberar");
                    }
                }
                // The worker still holds every spool of the write and can try again (with the same event ids).
                for own in owned.iter().filter(|own| change.rows.iter().any(|row| row.tag == own.spool.tag)) {
                    results[own.index] = Err(error.clone());
                }
            }
        }
        if !done.is_empty() {
            if let Err(error) = self.lock.release(&done).await {
                // The rows are already free; the reconciler removes the stale locks.
                tracing::warn!(code = ?error.code(), "bloqueos no liberados tras escribir");
            }
        }
        let freed: Vec<String> =
            tags.iter().zip(&results).filter(|(_, result)| result.is_ok()).map(|(tag, _)| tag.clone()).collect();
        tracing::info!(worker = worker_id, action = ?release, count = freed.len(), "spools liberados por su dueño");
        self.announce(freed, release.accion(), worker.display_name(), &change).await;
        Ok(tags.into_iter().zip(results).collect())
    }

    /// Spools held in the sheet alone (the lock service has no lock for them) get a lock for their holder
    /// before the release is written, so it goes through the write gate like any holder's write: two stations
    /// releasing one such spool at once are serialised, and the row's `version` moves. A lock another worker
    /// took meanwhile refuses the release (NOT_OWNER); one this worker has is used as it is.
    async fn adopt_locks(
        &self,
        owned: &mut Vec<Owned<'_>>,
        worker: &Worker,
        results: &mut [Result<ActionOutcome, SpoolError>],
    ) -> Result<(), SpoolError> {
        let requests: Vec<(String, Holder)> = owned
            .iter()
            .filter(|own| own.lock.is_none())
            .map(|own| {
                let since = own.spool.fecha_ocupacion.unwrap_or_else(|| self.now());
                let holder = Holder {
                    worker_id: worker.id,
                    worker: worker.display_name(),
                    operation: own.operation,
                    station: self.station.clone(),
                    since,
                };
                (own.spool.tag.clone(), holder)
            })
            .collect();
        if requests.is_empty() {
            return Ok(());
        }
        let acquisitions = self.acquire_restoring(&requests).await?;
        let mine: Vec<String> = requests
            .iter()
            .zip(&acquisitions)
            .filter(|(_, acquisition)| matches!(acquisition, Acquisition::Held(other) if other.worker_id == worker.id))
            .map(|((tag, _), _)| tag.clone())
            .collect();
        let mut existing = self.lock.inspect(&mine).await?.into_iter();
        for ((tag, holder), acquisition) in requests.into_iter().zip(acquisitions) {
            let Some(own) = owned.iter_mut().find(|own| own.spool.tag == tag) else { continue };
            match acquisition {
                Acquisition::Granted(grant) => {
                    own.lock = Some(HeldLock {
                        holder,
                        token: grant.token,
                        fence: grant.fence,
                        age: Duration::ZERO,
                        writing: false,
                    });
                    own.adopted = true;
                }
                Acquisition::Held(other) if other.worker_id == worker.id => own.lock = existing.next().flatten(),
                Acquisition::Held(other) => {
                    results[own.index] = Err(SpoolError::NotOwner { tag, holder: other.worker })
                }
            }
        }
        owned.retain(|own| results[own.index].is_ok());
        Ok(())
    }

    /// A row that reads free although this worker's lock holds it. When the audit has this grant's release,
    /// it already landed (its answer was lost): the same release is settled, nothing written twice, and another
    /// one (a COMPLETAR asked after a lost PAUSAR) finds nothing left to end (NOT_OCCUPIED). Otherwise a person
    /// freed the row and the holder's release is still written, over the free row. Answers the refusal, if any.
    async fn settle_free_row(
        &self,
        tag: &str,
        change: &mut Change,
        grants: &mut Vec<(String, LockToken)>,
        done: &mut Vec<(String, LockToken)>,
    ) -> Result<Option<SpoolError>, SpoolError> {
        let not_occupied = || SpoolError::NotOccupied { tag: tag.to_string() };
        let Some(row) = change.rows.iter_mut().find(|row| row.tag == tag) else { return Err(not_occupied()) };
        let drop_row = |change: &mut Change| {
            change.rows.retain(|row| row.tag != tag);
            change.audit.retain(|event| event.tag != tag);
        };
        let (VersionGuard::Fence(fence), OccupationGuard::HeldBy(worker)) = (row.guard.version, row.guard.occupation)
        else {
            // Held in the sheet alone, and freed since it was read (a release from another station).
            drop_row(change);
            return Ok(Some(not_occupied()));
        };
        let Some(landed) = self.recorded_events().await?.remove(&release_event_id(tag, fence)) else {
            // Written over the row the person freed, unless somebody else's name is typed there by then.
            row.guard =
                RowGuard { version: VersionGuard::Fence(fence), occupation: OccupationGuard::FreeOrHeldBy(worker) };
            return Ok(None);
        };
        tracing::info!(tag = %tag, "la liberación ya estaba registrada: no se escribe otra vez");
        let asked = change.audit.iter().find(|event| event.tag == tag).map(|event| event.kind);
        drop_row(change);
        if let Some(position) = grants.iter().position(|(held, _)| held == tag) {
            done.push(grants.remove(position));
        }
        Ok((asked != Some(landed)).then(not_occupied))
    }

    /// Writes a holder's change through the gate of its grants; a spool whose lock moved on (force-released
    /// while the write waited or was prepared) or whose row a person gave to someone else is dropped from the
    /// change, and the rest is written without it.
    async fn write_holding(&self, change: &mut Change, grants: &mut Vec<(String, LockToken)>, end: GateEnd) -> Written {
        let mut dropped = Vec::new();
        let writer = uuid::Uuid::new_v4().simple().to_string();
        loop {
            if change.rows.is_empty() {
                return Written { dropped, result: Ok(()) };
            }
            let gate = HolderGate { lock: self.lock.as_ref(), grants: grants.clone(), writer: writer.clone(), end };
            match self.write(change, &gate).await {
                Err(error @ (SpoolError::LockLost { .. } | SpoolError::NotOwner { .. }))
                    if change.rows.iter().any(|row| error.details().tag.as_deref() == Some(row.tag.as_str())) =>
                {
                    let tag = error.details().tag.unwrap_or_default();
                    tracing::warn!(tag = %tag, code = ?error.code(), "escritura rechazada: el spool ya no es de quien escribe");
                    change.rows.retain(|row| row.tag != tag);
                    change.audit.retain(|event| event.tag != tag);
                    grants.retain(|(held, _)| *held != tag);
                    dropped.push((tag, error));
                }
                result => {
                    let not_sent = result.as_ref().is_err_and(|error| error.code() != ErrorCode::OutcomeUnknown);
                    if end == GateEnd::ReleasesLock && not_sent {
                        // Not written, and not landing later: a force-release need not wait for it.
                        gate.end().await;
                    }
                    return Written { dropped, result };
                }
            }
        }
    }

    fn release_change(
        &self,
        shop: &Shop,
        own: &Owned,
        worker: &Worker,
        release: Release,
    ) -> (RowUpdate, AuditEvent, String) {
        let operation = own.operation;
        let tag = &own.spool.tag;
        let mut metadata = json!({ "estacion": self.station });
        let (kind, estado, mut cells) = match release {
            Release::Pausar => {
                let estado = operation.estado_pausado();
                (EventKind::PausarSpool, estado.clone(), cleared_occupation(&estado))
            }
            Release::Completar(fecha) => {
                let estado = operation.estado_completado();
                let mut cells = cleared_occupation(&estado);
                cells.push((completion_column(operation), Cell::text(format_date(fecha))));
                metadata["fecha"] = json!(format_date(fecha));
                (EventKind::completar(operation), estado, cells)
            }
            Release::Cancelar => {
                let taken = shop
                    .events
                    .iter()
                    .rev()
                    .find(|event| event.tag == *tag && event.kind == EventKind::TomarSpool)
                    .map(|event| &event.metadata);
                let estado =
                    taken.and_then(|metadata| metadata["estado_anterior"].as_str()).unwrap_or_default().to_string();
                let mut cells = cleared_occupation(&estado);
                if taken.is_some_and(|metadata| metadata["asigna_trabajador"].as_bool() == Some(true)) {
                    cells.push((worker_column(operation), Cell::Empty));
                }
                (EventKind::CancelarSpool, estado, cells)
            }
        };
        let fence = own.lock.as_ref().map(|lock| lock.fence);
        if let Some(fence) = fence {
            cells.push((&ops::VERSION, Cell::Number(fence as f64)));
        }
        let id = fence.map(|fence| release_event_id(tag, fence));
        let event = self.event(kind, tag, worker, Some(operation), metadata, id);
        (
            RowUpdate {
                tag: tag.clone(),
                cells,
                // The holder's grant, on the row still naming them; a lock taken for this release (the spool was
                // held in the sheet alone), or none: the row as ownership was decided on it, still naming them.
                guard: match fence {
                    Some(fence) if !own.adopted => RowGuard::holding(fence, worker.id),
                    _ => RowGuard::held_as_read(own.spool.version, worker.id),
                },
            },
            event,
            estado,
        )
    }

    fn outcome(&self, tag: &str, operation: Operation, worker: &Worker, estado_detalle: String) -> ActionOutcome {
        ActionOutcome { tag: tag.to_string(), operation, worker: worker.display_name(), estado_detalle }
    }

    /// An audit event signed `INICIALES(ID)`, as the shop's own Metadata rows are (the full name goes in the
    /// metadata). `id` is given for a grant's release, so a retry of the same action carries the same id.
    pub(crate) fn event(
        &self,
        kind: EventKind,
        tag: &str,
        worker: &Worker,
        operation: Option<Operation>,
        mut metadata: serde_json::Value,
        id: Option<String>,
    ) -> AuditEvent {
        let now = self.now();
        if let Some(fields) = metadata.as_object_mut() {
            fields.insert("nombre".into(), json!(worker.full_name()));
        }
        AuditEvent {
            id: id.unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
            timestamp: now,
            kind,
            tag: tag.to_string(),
            worker_id: worker.id,
            worker_name: worker.display_name(),
            operation,
            fecha_operacion: now.date(),
            metadata,
        }
    }
}

/// What a holder's write did: the spools dropped from it (their lock moved on), and how the rest went.
struct Written {
    dropped: Vec<(String, SpoolError)>,
    result: Result<(), SpoolError>,
}

/// The gate of a holder's write: every grant must still hold its spool when the store sends the write, and
/// while it is in flight a force-release waits.
struct HolderGate<'a> {
    lock: &'a dyn LockService,
    grants: Vec<(String, LockToken)>,
    /// Who marks the write: the same for every attempt of one action, so its own retries are admitted.
    writer: String,
    end: GateEnd,
}

impl HolderGate<'_> {
    /// Clears this writer's mark; if that fails, the mark ends by itself with its window.
    async fn end(&self) {
        if self.grants.is_empty() {
            return;
        }
        if let Err(error) = self.lock.end_write(&self.grants, &self.writer).await {
            tracing::warn!(code = ?error.code(), "no se pudo cerrar la marca de escritura en curso");
        }
    }
}

/// What follows a holder's write: TOMAR keeps its locks, so the in-flight mark is cleared when the write is
/// answered; a release deletes them, so the mark stays until then and no force-release slips in between.
#[derive(Clone, Copy, PartialEq)]
enum GateEnd {
    KeepsLock,
    ReleasesLock,
}

#[async_trait]
impl WriteGate for HolderGate<'_> {
    async fn open(&self, window: Duration) -> Result<(), SpoolError> {
        if self.grants.is_empty() {
            return Ok(());
        }
        let admissions = self.lock.begin_write(&self.grants, &self.writer, window).await?;
        let refused = |wanted: Admission| {
            self.grants
                .iter()
                .zip(&admissions)
                .find(|(_, admission)| **admission == wanted)
                .map(|((tag, _), _)| tag.clone())
        };
        if let Some(tag) = refused(Admission::Lost) {
            return Err(SpoolError::LockLost { tag });
        }
        // The same grant being written from elsewhere (the same worker at another station): this one waits its
        // turn by deciding again.
        match refused(Admission::Busy) {
            Some(tag) => Err(SpoolError::RowChanged { tag }),
            None => Ok(()),
        }
    }

    async fn close(&self) {
        if self.end == GateEnd::KeepsLock {
            self.end().await;
        }
    }
}

/// The event id of the holder's release that ends a grant (PAUSAR, COMPLETAR or CANCELAR: only one can end it),
/// the same on every retry (the fence names the grant), so the audit can say whether a release whose answer was
/// lost already landed.
fn release_event_id(tag: &str, fence: u64) -> String {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, format!("spooltrack/{tag}/{fence}/fin").as_bytes()).to_string()
}

/// Trims tags and refuses, before any work, an empty list, a blank tag, more than 50 tags or repeated tags.
fn validate_batch(tags: &[String]) -> Result<Vec<String>, SpoolError> {
    let tags: Vec<String> = tags.iter().map(|tag| tag.trim().to_string()).collect();
    if tags.is_empty() {
        return Err(SpoolError::InvalidInput { field: "spools".into(), reason: "la lista está vacía".into() });
    }
    if tags.iter().any(String::is_empty) {
        return Err(SpoolError::InvalidInput { field: "spool".into(), reason: "hay un código vacío".into() });
    }
    if tags.len() > MAX_BATCH {
        return Err(SpoolError::BatchTooLarge { count: tags.len(), max: MAX_BATCH });
    }
    let mut repeated: Vec<String> = Vec::new();
    for (index, tag) in tags.iter().enumerate() {
        if tags[..index].contains(tag) && !repeated.contains(tag) {
            repeated.push(tag.clone());
        }
    }
    if !repeated.is_empty() {
        return Err(SpoolError::DuplicateTags { tags: repeated });
    }
    Ok(tags)
}

/// SPOOL_OCCUPIED naming the lock's holder and since when.
fn occupied_by(tag: &str, holder: &Holder) -> SpoolError {
    SpoolError::SpoolOccupied {
        tag: tag.to_string(),
        holder: holder.worker.clone(),
        since: Some(format_date_time(holder.since)),
    }
}

fn single(results: Result<Results, SpoolError>) -> Result<ActionOutcome, SpoolError> {
    results?
        .into_iter()
        .next()
        .map(|(_, result)| result)
        .unwrap_or_else(|| Err(SpoolError::InvalidInput { field: "spool".into(), reason: "falta el código".into() }))
}

/// Ownership from the sheet alone, when the lock service has no lock for the spool (it is rebuilt later).
fn sheet_ownership(shop: &Shop, spool: &Spool, worker_id: WorkerId) -> Result<Operation, SpoolError> {
    match &spool.ocupado_por {
        None => Err(SpoolError::NotOccupied { tag: spool.tag.clone() }),
        Some(holder) if spool.holder_id() != Some(worker_id) => {
            Err(SpoolError::NotOwner { tag: spool.tag.clone(), holder: holder.clone() })
        }
        Some(_) => shop.occupied_operation(spool)?.ok_or_else(|| SpoolError::NotOccupied { tag: spool.tag.clone() }),
    }
}

fn cleared_occupation(estado: &str) -> Vec<(&'static spooltrack_domain::schema::ColumnSpec, Cell)> {
    vec![
        (&ops::OCUPADO_POR, Cell::Empty),
        (&ops::FECHA_OCUPACION, Cell::Empty),
        (&ops::ESTADO_DETALLE, Cell::text(estado)),
    ]
}

fn worker_column(operation: Operation) -> &'static spooltrack_domain::schema::ColumnSpec {
    match operation {
        Operation::Arm => &ops::ARMADOR,
        Operation::Sold => &ops::SOLDADOR,
    }
}

fn completion_column(operation: Operation) -> &'static spooltrack_domain::schema::ColumnSpec {
    match operation {
        Operation::Arm => &ops::FECHA_ARMADO,
        Operation::Sold => &ops::FECHA_SOLDADURA,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| name.to_string()).collect()
    }

    #[test]
    fn batches_are_refused_before_any_work() {
        assert!(matches!(validate_batch(&[]), Err(SpoolError::InvalidInput { .. })));
        assert!(matches!(validate_batch(&tags(&["A", " "])), Err(SpoolError::InvalidInput { .. })));
        let many: Vec<String> = (0..51).map(|n| format!("T-{n}")).collect();
        assert_eq!(validate_batch(&many), Err(SpoolError::BatchTooLarge { count: 51, max: 50 }));
        assert_eq!(
            validate_batch(&tags(&["B", "A", "B", " A", "B"])),
            Err(SpoolError::DuplicateTags { tags: tags(&["B", "A"]) })
        );
        assert_eq!(validate_batch(&tags(&[" A "])), Ok(tags(&["A"])));
        assert_eq!(validate_batch(&many[..50]).map(|tags| tags.len()), Ok(50));
    }
}
