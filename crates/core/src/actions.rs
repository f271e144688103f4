//! TOMAR, PAUSAR, COMPLETAR, CANCELAR and force-release, single and in batch, with the ordering rules of
//! SPEC §4: checks first and nothing written when they fail, one atomic store write per action, the lock
//! taken before the write (and given back if it fails) or released after it (and kept if it fails).

use chrono::NaiveDate;
use serde_json::json;
use spooltrack_domain::{
    audit::{AuditEvent, EventKind},
    cell::{format_date, format_date_time},
    schema::ops,
    worker::require_worker,
    Cell, Operation, Role, Spool, SpoolError, Worker, WorkerId,
};

use crate::{
    service::Shop, Acquisition, ActionOutcome, BatchOutcome, Change, Grant, Holder, LockToken, RowGuard, RowUpdate,
    SpoolService, MAX_BATCH,
};

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

/// A spool whose holder has been proven to be the worker acting.
struct Owned<'a> {
    index: usize,
    spool: &'a Spool,
    operation: Operation,
    token: Option<LockToken>,
    fence: Option<u64>,
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

    /// A supervisor frees a spool whatever its holder; the fence moves so the old holder's late write is refused.
    pub async fn liberar(&self, tag: &str, admin_id: WorkerId, motivo: &str) -> Result<ActionOutcome, SpoolError> {
        let tag = validate_batch(&[tag.to_string()])?.remove(0);
        let motivo = motivo.trim();
        if motivo.is_empty() {
            return Err(SpoolError::InvalidInput { field: "motivo".into(), reason: "es obligatorio".into() });
        }
        let shop = self.load(false).await?;
        let admin = require_worker(&shop.workers, admin_id, &[Role::Supervisor])?;
        let spool = shop.spool(&tag)?;
        let released = self.lock.force_release(&tag).await?;
        let (previous_holder, operation) = match (released.previous, &spool.ocupado_por) {
            (Some(holder), _) => (holder.worker, holder.operation),
            (None, Some(name)) => (name.clone(), spool.occupied_operation().unwrap_or(Operation::Arm)),
            (None, None) => return Err(SpoolError::NotOccupied { tag }),
        };
        let estado = operation.estado_liberado();
        let metadata = json!({ "motivo": motivo, "holder_anterior": previous_holder, "estacion": self.station });
        let mut cells = cleared_occupation(&estado);
        cells.push((&ops::VERSION, Cell::Number(released.fence as f64)));
        let change = Change {
            rows: vec![RowUpdate { tag: tag.clone(), cells, guard: RowGuard::Unguarded }],
            audit: vec![self.event(EventKind::LiberacionForzada, &tag, admin, Some(operation), metadata)],
        };
        self.store.write(&change).await?;
        tracing::info!(tag = %tag, admin = admin_id, previous = %previous_holder, "spool liberado por supervisor");
        self.announce(vec![tag.clone()], EventKind::LiberacionForzada.accion(), admin.display_name()).await;
        Ok(ActionOutcome { tag, operation, worker: admin.display_name(), estado_detalle: estado })
    }

    /// TOMAR decides on the rows as read (a store may answer from a copy a few seconds old). When one of them
    /// changed before the write, nothing was written and every lock was given back: decide again, once, on the
    /// rows as they are now.
    async fn tomar_each(
        &self,
        tags: &[String],
        worker_id: WorkerId,
        operation: Operation,
    ) -> Result<Results, SpoolError> {
        let results = self.tomar_once(tags, worker_id, operation).await?;
        if !results.iter().any(|(_, result)| matches!(result, Err(SpoolError::RowChanged { .. }))) {
            return Ok(results);
        }
        tracing::info!("filas cambiadas desde la lectura: TOMAR se decide otra vez");
        self.store.invalidate();
        self.tomar_once(tags, worker_id, operation).await
    }

    async fn tomar_once(
        &self,
        tags: &[String],
        worker_id: WorkerId,
        operation: Operation,
    ) -> Result<Results, SpoolError> {
        let tags = validate_batch(tags)?;
        let shop = self.load(false).await?;
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
        let acquisitions = if requests.is_empty() { Vec::new() } else { self.lock.acquire(&requests).await? };
        let mut granted: Vec<(usize, &Spool, Grant)> = Vec::new();
        for ((index, spool), acquisition) in candidates.into_iter().zip(acquisitions) {
            match acquisition {
                Acquisition::Granted(grant) => granted.push((index, spool, grant)),
                Acquisition::Held(other) => {
                    results[index] = Err(SpoolError::SpoolOccupied {
                        tag: spool.tag.clone(),
                        holder: other.worker,
                        since: Some(format_date_time(other.since)),
                    })
                }
            }
        }
        if granted.is_empty() {
            return Ok(tags.into_iter().zip(results).collect());
        }

        let mut change = Change::default();
        for (_, spool, grant) in &granted {
            let (row, event) = self.tomar_change(spool, worker, &holder, grant);
            change.rows.push(row);
            change.audit.push(event);
        }
        if let Err(error) = self.store.write(&change).await {
            let grants: Vec<(String, LockToken)> =
                granted.iter().map(|(_, spool, grant)| (spool.tag.clone(), grant.token.clone())).collect();
            if let Err(release_error) = self.lock.release(&grants).await {
                tracing::error!(code = ?release_error.code(), "no se pudo devolver el bloqueo tras una escritura fallida");
            }
            for (index, _, _) in &granted {
                results[*index] = Err(error.clone());
            }
        } else {
            tracing::info!(worker = worker_id, operation = %operation, count = granted.len(), "spools tomados");
            let taken = granted.iter().map(|(_, spool, _)| spool.tag.clone()).collect();
            self.announce(taken, EventKind::TomarSpool.accion(), holder.worker.clone()).await;
        }
        Ok(tags.into_iter().zip(results).collect())
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
        let event = self.event(EventKind::TomarSpool, &spool.tag, worker, Some(operation), metadata);
        (RowUpdate { tag: spool.tag.clone(), cells, guard: RowGuard::AsRead(spool.version) }, event)
    }

    async fn release_each(
        &self,
        tags: &[String],
        worker_id: WorkerId,
        release: Release,
    ) -> Result<Results, SpoolError> {
        let tags = validate_batch(tags)?;
        let shop = self.load(matches!(release, Release::Cancelar)).await?;
        let worker = shop
            .workers
            .iter()
            .find(|worker| worker.id == worker_id)
            .ok_or(SpoolError::WorkerNotFound { worker_id })?;
        let locks = self.lock.inspect(&tags).await?;

        let mut owned: Vec<Owned> = Vec::new();
        let mut results: Vec<Result<ActionOutcome, SpoolError>> = Vec::with_capacity(tags.len());
        for (index, (tag, lock)) in tags.iter().zip(locks).enumerate() {
            let proof = shop.spool(tag).and_then(|spool| {
                let operation = match &lock {
                    Some(lock) if lock.holder.worker_id != worker_id => {
                        return Err(SpoolError::NotOwner { tag: tag.clone(), holder: lock.holder.worker.clone() })
                    }
                    Some(lock) => lock.holder.operation,
                    None => sheet_ownership(spool, worker_id)?,
                };
                Ok(Owned {
                    index,
                    spool,
                    operation,
                    token: lock.as_ref().map(|l| l.token.clone()),
                    fence: lock.map(|l| l.fence),
                })
            });
            match proof {
                Ok(proof) => {
                    results.push(Ok(self.outcome(tag, proof.operation, worker, String::new())));
                    owned.push(proof);
                }
                Err(error) => results.push(Err(error)),
            }
        }

        // A force-release since the inspection moved the lock on: that holder may no longer write.
        let held: Vec<(String, LockToken)> =
            owned.iter().filter_map(|own| Some((own.spool.tag.clone(), own.token.clone()?))).collect();
        if !held.is_empty() {
            let confirmed = self.lock.confirm(&held).await?;
            let lost: Vec<&String> =
                held.iter().zip(confirmed).filter(|(_, ok)| !ok).map(|((tag, _), _)| tag).collect();
            owned.retain(|own| {
                let keep = !lost.contains(&&own.spool.tag);
                if !keep {
                    results[own.index] = Err(SpoolError::LockLost { tag: own.spool.tag.clone() });
                }
                keep
            });
        }
        if owned.is_empty() {
            return Ok(tags.into_iter().zip(results).collect());
        }

        let mut change = Change::default();
        for own in &owned {
            let (row, event, estado) = self.release_change(&shop, own, worker, release);
            if let Ok(outcome) = &mut results[own.index] {
                outcome.estado_detalle = estado;
            }
            change.rows.push(row);
            change.audit.push(event);
        }
        if let Err(error) = self.write_fenced(&mut change, &mut owned, &mut results).await {
            // The worker still holds every spool and can try again.
            for own in &owned {
                results[own.index] = Err(error.clone());
            }
            return Ok(tags.into_iter().zip(results).collect());
        }
        let grants: Vec<(String, LockToken)> =
            owned.iter().filter_map(|own| Some((own.spool.tag.clone(), own.token.clone()?))).collect();
        if !grants.is_empty() {
            if let Err(error) = self.lock.release(&grants).await {
                // The rows are already free; the reconciler removes the stale locks.
                tracing::warn!(code = ?error.code(), "bloqueos no liberados tras escribir");
            }
        }
        tracing::info!(worker = worker_id, action = ?release, count = owned.len(), "spools liberados por su dueño");
        let freed = owned.iter().map(|own| own.spool.tag.clone()).collect();
        self.announce(freed, release.accion(), worker.display_name()).await;
        Ok(tags.into_iter().zip(results).collect())
    }

    /// Writes the holders' changes; a row whose fence moved on (force-released while this write was in flight)
    /// is refused by the store with LOCK_LOST, dropped from the change, and the rest is written without it.
    async fn write_fenced(
        &self,
        change: &mut Change,
        owned: &mut Vec<Owned<'_>>,
        results: &mut [Result<ActionOutcome, SpoolError>],
    ) -> Result<(), SpoolError> {
        loop {
            if change.rows.is_empty() {
                return Ok(());
            }
            match self.store.write(change).await {
                Err(SpoolError::LockLost { tag }) if owned.iter().any(|own| own.spool.tag == tag) => {
                    tracing::warn!(tag = %tag, "escritura rechazada: el spool fue liberado mientras se guardaba");
                    change.rows.retain(|row| row.tag != tag);
                    change.audit.retain(|event| event.tag != tag);
                    if let Some(own) = owned.iter().find(|own| own.spool.tag == tag) {
                        results[own.index] = Err(SpoolError::LockLost { tag: tag.clone() });
                    }
                    owned.retain(|own| own.spool.tag != tag);
                }
                other => return other,
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
        if let Some(fence) = own.fence {
            cells.push((&ops::VERSION, Cell::Number(fence as f64)));
        }
        let event = self.event(kind, tag, worker, Some(operation), metadata);
        (
            RowUpdate { tag: tag.clone(), cells, guard: own.fence.map_or(RowGuard::Unguarded, RowGuard::Fence) },
            event,
            estado,
        )
    }

    fn outcome(&self, tag: &str, operation: Operation, worker: &Worker, estado_detalle: String) -> ActionOutcome {
        ActionOutcome { tag: tag.to_string(), operation, worker: worker.display_name(), estado_detalle }
    }

    pub(crate) fn event(
        &self,
        kind: EventKind,
        tag: &str,
        worker: &Worker,
        operation: Option<Operation>,
        metadata: serde_json::Value,
    ) -> AuditEvent {
        let now = self.now();
        AuditEvent {
            id: uuid::Uuid::new_v4().to_string(),
            timestamp: now,
            kind,
            tag: tag.to_string(),
            worker_id: worker.id,
            worker_name: worker.full_name(),
            operation,
            fecha_operacion: now.date(),
            metadata,
        }
    }
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

fn single(results: Result<Results, SpoolError>) -> Result<ActionOutcome, SpoolError> {
    results?
        .into_iter()
        .next()
        .map(|(_, result)| result)
        .unwrap_or_else(|| Err(SpoolError::InvalidInput { field: "spool".into(), reason: "falta el código".into() }))
}

/// Ownership from the sheet alone, when the lock service has no lock for the spool (it is rebuilt later).
fn sheet_ownership(spool: &Spool, worker_id: WorkerId) -> Result<Operation, SpoolError> {
    match &spool.ocupado_por {
        None => Err(SpoolError::NotOccupied { tag: spool.tag.clone() }),
        Some(holder) if spool.holder_id() != Some(worker_id) => {
            Err(SpoolError::NotOwner { tag: spool.tag.clone(), holder: holder.clone() })
        }
        Some(_) => Ok(spool.occupied_operation().unwrap_or(Operation::Arm)),
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
