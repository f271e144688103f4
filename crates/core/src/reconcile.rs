//! The reconciler of SPEC §5: the sheet is the truth and the lock service is the guard. A lock on a row that
//! is free is released; an occupied row without a lock gets its lock rebuilt from the row (and the row the new
//! fence, so its holder can still pause or complete); every correction is written to the audit log.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::json;
use specta::Type;
use spooltrack_domain::{audit::EventKind, schema::ops, worker::id_from_display_name, Cell, Spool, SpoolError, Worker};

use crate::{service::Shop, Acquisition, Change, Holder, LockToken, NoGate, RowGuard, RowUpdate, SpoolService};

/// A lock younger than this (by the lock service's own clock) may belong to a TOMAR whose row write is still
/// on its way: left alone.
const GRACE: Duration = Duration::from_secs(120);

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct ReconcileReport {
    /// Locks released because their row is free (or gone).
    pub released: Vec<String>,
    /// Locks rebuilt from occupied rows that had none.
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
        let occupied: Vec<&Spool> = spools.iter().copied().filter(|spool| spool.ocupado_por.is_some()).collect();
        // A lock service that lost its data starts its fence counter again: no new grant may carry a fence a
        // row already has (event ids and guards are told apart by it).
        let highest = spools.iter().filter_map(|spool| spool.version).max().unwrap_or(0);
        let lock_data_lost = !self.lock.mark_intact(u64::try_from(highest).unwrap_or(0)).await?;

        let mut tags = self.lock.held_tags().await?;
        tags.extend(occupied.iter().map(|spool| spool.tag.clone()));
        tags.sort();
        tags.dedup();
        let locks = self.lock.inspect(&tags).await?;

        let free_row = |tag: &str| !occupied.iter().any(|spool| spool.tag == tag);
        let stale: Vec<(String, LockToken)> = tags
            .iter()
            .zip(&locks)
            .filter_map(|(tag, lock)| Some((tag, lock.as_ref()?)))
            .filter(|(tag, lock)| free_row(tag) && lock.age > GRACE)
            .map(|(tag, lock)| (tag.clone(), lock.token.clone()))
            .collect();
        let missing: Vec<&Spool> = occupied
            .iter()
            .copied()
            .filter(|spool| tags.iter().zip(&locks).any(|(tag, lock)| *tag == spool.tag && lock.is_none()))
            .collect();

        let mut report = ReconcileReport { lock_data_lost, ..ReconcileReport::default() };
        let worker = reconciler();
        let mut change = Change::default();

        let released = if stale.is_empty() { Vec::new() } else { self.lock.release(&stale).await? };
        for ((tag, _), done) in stale.iter().zip(released) {
            if done {
                report.released.push(tag.clone());
                let metadata =
                    json!({ "correccion": "bloqueo liberado: la fila está libre", "estacion": self.station });
                change.audit.push(self.event(EventKind::Reconciliacion, tag, &worker, None, metadata, None));
            }
        }

        let mut rebuilt: Vec<(String, LockToken)> = Vec::new();
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
                // Guarded by the row as read: a force-release or a person changing it since wins.
                change.rows.push(RowUpdate {
                    tag: tag.clone(),
                    cells: vec![(&ops::VERSION, Cell::Number(grant.fence as f64))],
                    guard: RowGuard::AsRead(spool.version),
                });
                change.audit.push(self.event(
                    EventKind::Reconciliacion,
                    tag,
                    &worker,
                    Some(holder.operation),
                    metadata,
                    None,
                ));
                rebuilt.push((tag.clone(), grant.token));
            }
        }

        loop {
            if change.audit.is_empty() {
                break;
            }
            match self.store.write(&change, &NoGate).await {
                Ok(()) => break,
                Err(SpoolError::RowChanged { tag }) if rebuilt.iter().any(|(held, _)| *held == tag) => {
                    // That row moved on since it was read: its rebuilt lock goes back, the next run looks again.
                    let _ = self
                        .lock
                        .release(&rebuilt.iter().filter(|(held, _)| *held == tag).cloned().collect::<Vec<_>>())
                        .await;
                    rebuilt.retain(|(held, _)| *held != tag);
                    change.rows.retain(|row| row.tag != tag);
                    change.audit.retain(|event| event.tag != tag);
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
        // The rebuilt rows' new `version` reaches every copy of the shared snapshot.
        let worker = worker.display_name();
        self.announce(report.rebuilt.clone(), EventKind::Reconciliacion.accion(), worker, &change).await;
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
