//! A store that answers screens from the shop's shared snapshot: the spools, workers and roles come from this
//! station's copy, kept in step by the feed, so viewing costs no call to the spreadsheet. The audit, writes and
//! fresh reads (an action deciding on the row as it is now) go to the store underneath.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use spooltrack_domain::{
    schema::{Tab, TabNames},
    Grid, SpoolError, WorkerId,
};

use crate::{Change, PinHash, Snapshot, SnapshotPatch, Store, WriteGate};

/// What became of a numbered patch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchOutcome {
    Applied,
    /// The copy already has it (this station's own patch, heard back).
    AlreadyHad,
    /// It does not follow the copy's number: patches were missed, or the shop's sequence started again.
    Gap,
}

pub struct SharedStore {
    inner: Arc<dyn Store>,
    copy: Mutex<Option<Snapshot>>,
    /// The number of the copy, for a station waiting to see its own patch applied.
    seq: tokio::sync::watch::Sender<u64>,
    /// Held while the copy is replaced from the feed's log, and by every patch applied: a patch heard between
    /// fetching the log and installing what it replays would otherwise be undone by the install.
    replacing: tokio::sync::Mutex<()>,
}

impl SharedStore {
    pub fn new(inner: Arc<dyn Store>) -> SharedStore {
        let seq = tokio::sync::watch::Sender::new(0);
        SharedStore { inner, copy: Mutex::new(None), seq, replacing: tokio::sync::Mutex::new(()) }
    }

    /// This station's copy, if it has one yet.
    pub fn snapshot(&self) -> Option<Snapshot> {
        lock(&self.copy).clone()
    }

    /// Keeps patches from being applied until the guard is dropped: for replacing the copy.
    pub(crate) async fn replacing(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.replacing.lock().await
    }

    /// The copy first, then its number: a station waiting for the number reads the copy that has it.
    pub(crate) fn install(&self, snapshot: Snapshot) {
        let seq = snapshot.seq;
        *lock(&self.copy) = Some(snapshot);
        self.seq.send_replace(seq);
    }

    /// Installs a copy kept from an earlier run, unless one is already in memory.
    pub(crate) fn install_if_empty(&self, snapshot: Snapshot) {
        let mut copy = lock(&self.copy);
        if copy.is_none() {
            self.seq.send_replace(snapshot.seq);
            *copy = Some(snapshot);
        }
    }

    /// Waits, at most `within`, for the copy to reach number `seq`; answers whether it did.
    pub(crate) async fn reached(&self, seq: u64, within: std::time::Duration) -> bool {
        let mut numbers = self.seq.subscribe();
        let reached = tokio::time::timeout(within, numbers.wait_for(|at| *at >= seq)).await;
        matches!(reached, Ok(Ok(_)))
    }

    /// Applies patch `seq` if it is the next one for the copy (waiting while the copy is being replaced).
    pub(crate) async fn apply(&self, seq: u64, patch: &SnapshotPatch) -> PatchOutcome {
        let _replacing = self.replacing.lock().await;
        let mut copy = lock(&self.copy);
        let Some(snapshot) = copy.as_mut() else { return PatchOutcome::Gap };
        if seq == snapshot.seq + 1 {
            snapshot.apply(seq, patch);
            self.seq.send_replace(seq);
            PatchOutcome::Applied
        } else if seq <= snapshot.seq {
            PatchOutcome::AlreadyHad
        } else {
            PatchOutcome::Gap
        }
    }
}

#[async_trait]
impl Store for SharedStore {
    fn tab_names(&self) -> &TabNames {
        self.inner.tab_names()
    }

    async fn read(&self, tabs: &[Tab]) -> Result<Vec<Grid>, SpoolError> {
        Ok(self.read_shared(tabs).await?.into_iter().map(Arc::unwrap_or_clone).collect())
    }

    async fn read_shared(&self, tabs: &[Tab]) -> Result<Vec<Arc<Grid>>, SpoolError> {
        let shared: Option<Vec<Option<Arc<Grid>>>> =
            lock(&self.copy).as_ref().map(|snapshot| tabs.iter().map(|tab| snapshot.tab(*tab).cloned()).collect());
        let Some(shared) = shared else {
            // No copy yet, and a source out of reach: say that nothing was kept, not just "offline".
            return self.inner.read_shared(tabs).await.map_err(|error| match error {
                SpoolError::Offline => SpoolError::NoLocalCopy,
                other => other,
            });
        };
        let audit: Vec<Tab> =
            tabs.iter().zip(&shared).filter(|(_, grid)| grid.is_none()).map(|(tab, _)| *tab).collect();
        let mut from_store =
            if audit.is_empty() { Vec::new() } else { self.inner.read_shared(&audit).await? }.into_iter();
        Ok(shared.into_iter().map(|grid| grid.unwrap_or_else(|| from_store.next().unwrap_or_default())).collect())
    }

    async fn read_fresh(&self, tabs: &[Tab]) -> Result<Vec<Grid>, SpoolError> {
        self.inner.read_fresh(tabs).await
    }

    async fn write(&self, change: &Change, gate: &dyn WriteGate) -> Result<(), SpoolError> {
        self.inner.write(change, gate).await
    }

    async fn pin_hashes(&self) -> Result<Vec<(WorkerId, PinHash)>, SpoolError> {
        self.inner.pin_hashes().await
    }

    fn invalidate(&self) {
        self.inner.invalidate();
    }

    fn reach(&self) -> crate::Reach {
        self.inner.reach()
    }

    fn busy(&self) -> bool {
        self.inner.busy()
    }

    async fn diagnose_source(&self, timezone: &str) -> crate::SourceDiagnosis {
        self.inner.diagnose_source(timezone).await
    }
}

/// A poisoned copy only means a panic elsewhere; its content is still usable.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
