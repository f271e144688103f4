//! What a window's station does while it is open, whatever hosts it: says it is alive every heartbeat, brings
//! its copy of the shop up to date and keeps it (re-reading the spreadsheet while it is the shop's reader),
//! and reconciles the sheet with the locks: at start, after the feed reconnects (a gap may hide a Redis that
//! lost its data) and every period under a lease, one station at a time.

use std::time::Duration;

use tokio::sync::broadcast::error::RecvError;

use crate::SpoolService;

impl SpoolService {
    /// Runs a window's background tasks for as long as it is open; `on_synced` hears when the copy the window
    /// started from was brought up to date with the shop (its screens then refresh everything).
    pub async fn run_background(&self, reconcile_every: Duration, on_synced: impl FnOnce() + Send) {
        tokio::join!(self.keep_alive(), self.keep_read(on_synced), self.keep_reconciled(reconcile_every));
    }

    /// The heartbeat: while the window is open, the board shows its station alive. Silence frees nothing.
    pub async fn keep_alive(&self) {
        let mut ticks = tokio::time::interval(self.heartbeat_period());
        loop {
            ticks.tick().await;
            if let Err(error) = self.heartbeat().await {
                tracing::warn!(code = ?error.code(), "no se pudo registrar la señal de vida de la estación");
            }
        }
    }

    /// Brings the copy up to date with the shop, then keeps it (and this station may be the shop's reader).
    async fn keep_read(&self, on_synced: impl FnOnce()) {
        match self.sync_snapshot().await {
            Ok(()) if self.shared_snapshot().is_some() => on_synced(),
            Ok(()) => {}
            Err(error) => tracing::warn!(code = ?error.code(), "sin copia compartida de la planta por ahora"),
        }
        self.keep_shared_snapshot().await;
    }

    /// Reconciles at once, after every gap in the feed, and every `period` (plus up to a tenth more, so the
    /// stations do not run in step) when this station holds the reconciliation lease. Runs that do overlap are
    /// safe: releases compare tokens and rebuilds take the lock atomically, so each correction is made and
    /// audited once. Returns when the feed closes.
    pub async fn keep_reconciled(&self, period: Duration) {
        let mut changes = self.changes();
        let mut result = self.reconcile().await.map(Some);
        loop {
            match result {
                Ok(Some(report)) if report.corrections() > 0 => {
                    tracing::info!(corrections = report.corrections(), "reconciliación aplicada")
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(code = ?error.code(), "reconciliación pendiente: se reintentará"),
            }
            let next_run = tokio::time::sleep(period + jitter(period / 10));
            tokio::pin!(next_run);
            result = loop {
                tokio::select! {
                    () = &mut next_run => break self.reconcile_if_leader(period).await,
                    heard = changes.recv() => match heard {
                        Ok(event) if event.seq.is_some() || !event.tags.is_empty() => continue,
                        Err(RecvError::Closed) => return,
                        // Reconnected after a gap, or missed events: look again now.
                        _ => break self.reconcile().await.map(Some),
                    },
                }
            };
        }
    }
}

/// Up to `spread` of randomness without a random-number dependency: the clock's nanoseconds.
fn jitter(spread: Duration) -> Duration {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|since| since.subsec_nanos());
    let millis = spread.as_millis().max(1) as u64;
    Duration::from_millis(nanos.map_or(0, |nanos| u64::from(nanos) % millis))
}
