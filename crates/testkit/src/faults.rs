//! Wraps a real store to make its next writes or reads fail, to stage a race while a write is in flight, and to count
//! its calls, so tests can check what a failed write leaves behind and what an action costs.

use std::{
    future::Future,
    pin::Pin,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
};

use async_trait::async_trait;
use spooltrack_core::{Change, PinHash, Store, WriteGate};
use spooltrack_domain::{
    schema::{Tab, TabNames},
    Grid, SpoolError, WorkerId,
};

/// Something to do at a staged moment of a read or a write (another station acting then).
pub type WriteHook = Box<dyn FnOnce() -> Pin<Box<dyn Future<Output = ()> + Send>> + Send>;

pub struct FaultyStore {
    inner: Arc<dyn Store>,
    hook: Mutex<Option<WriteHook>>,
    in_flight_hook: Mutex<Option<WriteHook>>,
    read_hook: Mutex<Option<WriteHook>>,
    failing_writes: AtomicUsize,
    failing_reads: AtomicUsize,
    reads: AtomicUsize,
    writes: AtomicUsize,
}

impl FaultyStore {
    pub fn new(inner: Arc<dyn Store>) -> Self {
        FaultyStore {
            inner,
            hook: Mutex::new(None),
            in_flight_hook: Mutex::new(None),
            read_hook: Mutex::new(None),
            failing_writes: AtomicUsize::new(0),
            failing_reads: AtomicUsize::new(0),
            reads: AtomicUsize::new(0),
            writes: AtomicUsize::new(0),
        }
    }

    /// The next `count` writes fail with SHEETS_UNAVAILABLE without reaching the store.
    pub fn fail_next_writes(&self, count: usize) {
        self.failing_writes.store(count, Ordering::SeqCst);
    }

    /// The next `count` reads fail with SHEETS_UNAVAILABLE without reaching the store.
    pub fn fail_next_reads(&self, count: usize) {
        self.failing_reads.store(count, Ordering::SeqCst);
    }

    /// Runs `hook` when the next write arrives, before it reaches the store (a race staged on purpose).
    pub fn before_next_write(&self, hook: WriteHook) {
        *self.hook.lock().expect("hook lock") = Some(hook);
    }

    /// Runs `hook` while the next write is in flight: after the store opened the writer's gate, before the
    /// write is applied (a force-release arriving at that moment).
    pub fn during_next_write(&self, hook: WriteHook) {
        *self.in_flight_hook.lock().expect("hook lock") = Some(hook);
    }

    /// Runs `hook` once the next read has been answered, before its caller goes on (a change landing just
    /// after a decision was read).
    pub fn after_next_read(&self, hook: WriteHook) {
        *self.read_hook.lock().expect("hook lock") = Some(hook);
    }

    pub fn reads(&self) -> usize {
        self.reads.load(Ordering::SeqCst)
    }

    pub fn writes(&self) -> usize {
        self.writes.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl Store for FaultyStore {
    fn tab_names(&self) -> &TabNames {
        self.inner.tab_names()
    }

    async fn read(&self, tabs: &[Tab]) -> Result<Vec<Grid>, SpoolError> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        if self.failing_reads.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| left.checked_sub(1)).is_ok() {
            return Err(injected());
        }
        let grids = self.inner.read(tabs).await;
        let hook = self.read_hook.lock().expect("hook lock").take();
        if let Some(hook) = hook {
            hook().await;
        }
        grids
    }

    async fn write(&self, change: &Change, gate: &dyn WriteGate) -> Result<(), SpoolError> {
        self.writes.fetch_add(1, Ordering::SeqCst);
        let hook = self.hook.lock().expect("hook lock").take();
        if let Some(hook) = hook {
            hook().await;
        }
        let failing = self.failing_writes.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| left.checked_sub(1));
        if failing.is_ok() {
            return Err(injected());
        }
        let in_flight = self.in_flight_hook.lock().expect("hook lock").take();
        match in_flight {
            Some(hook) => self.inner.write(change, &HookedGate { inner: gate, hook: Mutex::new(Some(hook)) }).await,
            None => self.inner.write(change, gate).await,
        }
    }

    async fn pin_hashes(&self) -> Result<Vec<(WorkerId, PinHash)>, SpoolError> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        self.inner.pin_hashes().await
    }

    fn invalidate(&self) {
        self.inner.invalidate();
    }

    fn reach(&self) -> spooltrack_core::Reach {
        self.inner.reach()
    }

    fn busy(&self) -> bool {
        self.inner.busy()
    }
}

fn injected() -> SpoolError {
    SpoolError::SheetsUnavailable { reason: "fallo inyectado por la prueba".into() }
}

/// A writer's gate that runs a hook once it has opened.
struct HookedGate<'a> {
    inner: &'a dyn WriteGate,
    hook: Mutex<Option<WriteHook>>,
}

#[async_trait]
impl WriteGate for HookedGate<'_> {
    async fn open(&self, window: std::time::Duration) -> Result<(), SpoolError> {
        self.inner.open(window).await?;
        let hook = self.hook.lock().expect("hook lock").take();
        if let Some(hook) = hook {
            hook().await;
        }
        Ok(())
    }

    async fn close(&self) {
        self.inner.close().await;
    }
}
