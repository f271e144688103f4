//! The reconciler of SPEC §5: the sheet is the truth and the lock service is the guard. A lock on a row that
//! is free is released; an occupied row without a lock, or whose lock names another holder or grant, gets its
//! lock rebuilt from the row (and the row the new fence, so its holder can still pause or complete); every
//! correction is written to the audit log.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::json;
use specta::Type;
use spooltrack_domain::{audit::EventKind, schema::ops, worker::id_from_display_name, Cell, Spool, SpoolError, Worker};

use crate::{
    service::Shop, Acquisition, Change, HeldLock, Holder, LockToken, NoGate, RowGuard, RowUpdate, SpoolService,
};

/// A lock younger than this (by the lock service's own clock) may belong to a TOMAR whose row write is still
/// on its way: left alone.
pub(crate) const GRACE: Duration = Duration::from_secs(120);

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct ReconcileReport {
    /// Locks released because their row is free (or gone), or names another holder or grant (then rebuilt).
    pub released: Vec<String>,
    /// Locks rebuilt from occupied rows that had none, or whose lock named another holder or grant.
    pub rebuilt: Vec<String>,
    /// Occupied rows whose holder could not be read (`Ocupado_Por` without an id): left for a person.
    pub unreadable: Vec<String>,
    /// The lock service had lost its mark: a first start, or it lost its data (e.g. Redis restarted empty).
    pub lock_data_lost: bool,
}

impl ReconcileReport {
    pub fn corrections(&self) -> usize {
        self.released.len() + self.rebuilt.len()
    }
}

/// Who signs the reconciler's audit rows.
fn reconciler() -> Worker {
    Worker { id: 0, nombre: "Spooltrack".into(), apellido: "Reconciliador".into(), activo: true, roles: Vec::new() }
}

impl SpoolService {
    pub async fn reconcile(&self) -> Result<ReconcileReport, SpoolError> {
        if self.view_only {
            return Err(SpoolError::ViewOnly);
        }
        // The rows as they are now, never a copy: a stale row would free or rebuild the wrong lock.
        let shop = self.load_fresh().await?;
        let spools: Vec<&Spool> = shop.spools.iter().filter_map(|record| record.spool().ok()).collect();
        // A row that cannot be read says nothing of its occupation: its lock is left for a person, as the row.
        let corrupt: Vec<&str> =
            shop.spools.iter().filter(|record| record.spool().is_err()).map(|record| record.tag()).collect();
        let occupied: Vec<&Spool> = spools.iter().copied().filter(|spool| spool.ocupado_por.is_some()).collect();
        // A lock service that lost its data starts its fence counter again: no new grant may carry a fence a
        // row already has (event ids and guards are told apart by it).
        let highest = spools.iter().filter_map(|spool| spool.version).max().unwrap_or(0);
        let lock_data_lost = !self.lock.mark_intact(u64::try_from(highest).unwrap_or(0)).await?;

        let mut tags = self.lock.held_tags().await?;
        tags.extend(occupied.iter().map(|spool| spool.tag.clone()));
        tags.sort();
        tags.dedup();
        tags.retain(|tag| !corrupt.contains(&tag.as_str()));
        let locks = self.lock.inspect(&tags).await?;

        // Locks the rows disagree with: on a free row, or on a row naming another worker (a person gave the
        // spool to someone else) or another grant (a rebuild whose row write failed). Only once their grant is
        // older than the grace and no write of it is in flight: an action still on its way is never corrected.
        let mut stale: Vec<(String, LockToken)> = Vec::new();
        let mut replaced: Vec<&Spool> = Vec::new();
        for (tag, lock) in tags.iter().zip(&locks) {
            let Some(lock) = lock.as_ref().filter(|lock| lock.age > self.reconcile_grace && !lock.writing) else {
                continue;
            };
            match occupied.iter().copied().find(|spool| spool.tag == *tag) {
                None => stale.push((tag.clone(), lock.token.clone())),
                Some(spool) if !names_the_grant(spool, lock) => {
                    stale.push((tag.clone(), lock.token.clone()));
                    replaced.push(spool);
                }
                Some(_) => {}
            }
        }
        let mut missing: Vec<&Spool> = occupied
            .iter()
            .copied()
            .filter(|spool| tags.iter().zip(&locks).any(|(tag, lock)| *tag == spool.tag && lock.is_none()))
            .collect();

        let mut report = ReconcileReport { lock_data_lost, ..ReconcileReport::default() };
        let worker = reconciler();
        let mut change = Change::default();

        let released = if stale.is_empty() { Vec::new() } else { self.lock.release_idle(&stale).await? };
        for ((tag, _), done) in stale.iter().zip(released) {
            if !done {
                continue;
            }
            report.released.push(tag.clone());
            let correction = match replaced.iter().find(|spool| spool.tag == *tag) {
                Some(spool) => {
                    missing.push(spool);
                    "bloqueo liberado: la fila nombra a otro titular o a otra toma"
                }
                None => "bloqueo liberado: la fila está libre",
            };
            let metadata = json!({ "correccion": correction, "estacion": self.station });
            change.audit.push(self.event(EventKind::Reconciliacion, tag, &worker, None, metadata, None));
        }

        // Each rebuilt lock with its audit event: a rebuild the row refuses goes back with its own event only
        // (the release of a replaced lock stays audited).
        let mut rebuilt: Vec<(String, LockToken)> = Vec::new();
        let mut rebuild_events: Vec<String> = Vec::new();
        let requests: Vec<(&Spool, Holder)> = missing
            .iter()
            .filter_map(|spool| match self.holder_from_row(&shop, spool) {
                Some(holder) => Some((*spool, holder)),
                None => {
                    report.unreadable.push(spool.tag.clone());
                    None
                }
            })
            .collect();
        let asked: Vec<(String, Holder)> =
            requests.iter().map(|(spool, holder)| (spool.tag.clone(), holder.clone())).collect();
        let acquisitions = if asked.is_empty() { Vec::new() } else { self.lock.acquire(&asked).await? };
        for ((spool, holder), acquisition) in requests.iter().zip(acquisitions) {
            let tag = &spool.tag;
            // Held means someone took it in the meantime: nothing to rebuild.
            if let Acquisition::Granted(grant) = acquisition {
                let metadata = json!({
                    "correccion": "bloqueo reconstruido desde la fila",
                    "holder": holder.worker,
                    "datos_perdidos": lock_data_lost,
                    "estacion": self.station,
                });
                // Guarded by the row as read, still naming its holder: a force-release or a person changing it
                // since wins.
                change.rows.push(RowUpdate {
                    tag: tag.clone(),
                    cells: vec![(&ops::VERSION, Cell::Number(grant.fence as f64))],
                    guard: RowGuard::held_as_read(spool.version, holder.worker_id),
                });
                let event = self.event(EventKind::Reconciliacion, tag, &worker, Some(holder.operation), metadata, None);
                rebuild_events.push(event.id.clone());
                change.audit.push(event);
                rebuilt.push((tag.clone(), grant.token));
            }
        }

        loop {
            if change.audit.is_empty() {
                break;
            }
            match self.write(&change, &NoGate).await {
                Ok(()) => break,
                Err(
                    error @ (SpoolError::RowChanged { .. }
                    | SpoolError::NotOwner { .. }
                    | SpoolError::NotOccupied { .. }),
                ) if rebuilt.iter().any(|(held, _)| error.details().tag.as_deref() == Some(held.as_str())) => {
                    let tag = error.details().tag.unwrap_or_default();
                    // That row moved on since it was read: its rebuilt lock goes back, the next run looks again.
                    let _ = self
                        .lock
                        .release(&rebuilt.iter().filter(|(held, _)| *held == tag).cloned().collect::<Vec<_>>())
                        .await;
                    rebuilt.retain(|(held, _)| *held != tag);
                    change.rows.retain(|row| row.tag != tag);
                    change.audit.retain(|event| event.tag != tag || !rebuild_events.contains(&event.id));
                }
                Err(error) => {
                    // Rebuilt locks without their fence in the row would refuse their holders: give them back.
                    if !rebuilt.is_empty() {
                        let _ = self.lock.release(&rebuilt).await;
                    }
                    return Err(error);
                }
            }
        }
        report.rebuilt = rebuilt.into_iter().map(|(tag, _)| tag).collect();
        // The rebuilt rows' new `version` reaches every copy of the shared snapshot, and every correction the
        // shop's history.
        let mut corrected: Vec<String> = report.released.iter().chain(&report.rebuilt).cloned().collect();
        corrected.sort();
        corrected.dedup();
        self.announce(corrected, EventKind::Reconciliacion.accion(), worker.display_name(), &change).await;
        if report.corrections() > 0 || lock_data_lost {
            tracing::warn!(
                released = report.released.len(),
                rebuilt = report.rebuilt.len(),
                lock_data_lost,
                "reconciliación: correcciones aplicadas"
            );
        }
        Ok(report)
    }

    /// The periodic run: only the station holding the reconciliation lease (for `lease`) reconciles; the others
    /// answer `None`. Start-up and after-reconnect runs call [`SpoolService::reconcile`] directly.
    pub async fn reconcile_if_leader(&self, lease: std::time::Duration) -> Result<Option<ReconcileReport>, SpoolError> {
        if self.view_only || !self.lock.try_lead("reconcile", &self.station, lease).await? {
            return Ok(None);
        }
        self.reconcile().await.map(Some)
    }

    /// The holder an occupied row names, as the lock service would have recorded it; None when the row cannot
    /// say who or which operation.
    fn holder_from_row(&self, shop: &Shop, spool: &Spool) -> Option<Holder> {
        let worker = spool.ocupado_por.clone()?;
        Some(Holder {
            worker_id: id_from_display_name(&worker)?,
            worker,
            operation: shop.occupied_operation(spool).ok().flatten()?,
            station: self.station.clone(),
            since: spool.fecha_ocupacion.unwrap_or_else(|| self.now()),
        })
    }
}

/// Whether an occupied row names this lock's grant: its worker, and its fence where the row has a `version`.
fn names_the_grant(spool: &Spool, lock: &HeldLock) -> bool {
    spool.holder_id() == Some(lock.holder.worker_id)
        && spool.version.is_none_or(|version| u64::try_from(version).ok() == Some(lock.fence))
}

/// Plain text of a report, for logs and the CLI.
pub fn describe(report: &ReconcileReport) -> String {
    let listed = |tags: &[String]| if tags.is_empty() { "ninguno".to_string() } else { tags.join(", ") };
    format!(
        "bloqueos liberados: {}\nbloqueos reconstruidos: {}\nfilas ilegibles: {}\ndatos del servicio de bloqueo perdidos: {}",
        listed(&report.released),
        listed(&report.rebuilt),
        listed(&report.unreadable),
        if report.lock_data_lost { "sí" } else { "no" }
    )
}
