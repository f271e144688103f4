//! Wraps a real store to make its next writes fail, to stage a race while a write is in flight, and to count
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
use spooltrack_core::{Change, Store};
use spooltrack_domain::{
    schema::{Tab, TabNames},
    Grid, SpoolError,
};

/// Something to do while a write is in flight, after the caller's checks and before the store applies it.
pub type WriteHook = Box<dyn FnOnce() -> Pin<Box<dyn Future<Output = ()> + Send>> + Send>;

pub struct FaultyStore {
    inner: Arc<dyn Store>,
    hook: Mutex<Option<WriteHook>>,
    failing_writes: AtomicUsize,
    reads: AtomicUsize,
    writes: AtomicUsize,
}

impl FaultyStore {
    pub fn new(inner: Arc<dyn Store>) -> Self {
        FaultyStore {
            inner,
            hook: Mutex::new(None),
            failing_writes: AtomicUsize::new(0),
            reads: AtomicUsize::new(0),
            writes: AtomicUsize::new(0),
        }
    }

    /// The next `count` writes fail with SHEETS_UNAVAILABLE without reaching the store.
    pub fn fail_next_writes(&self, count: usize) {
        self.failing_writes.store(count, Ordering::SeqCst);
    }

    /// Runs `hook` when the next write arrives, before it reaches the store (a race staged on purpose).
    pub fn before_next_write(&self, hook: WriteHook) {
        *self.hook.lock().expect("hook lock") = Some(hook);
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
        self.inner.read(tabs).await
    }

    async fn write(&self, change: &Change) -> Result<(), SpoolError> {
        self.writes.fetch_add(1, Ordering::SeqCst);
        let hook = self.hook.lock().expect("hook lock").take();
        if let Some(hook) = hook {
            hook().await;
        }
        let failing = self.failing_writes.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| left.checked_sub(1));
        if failing.is_ok() {
            return Err(SpoolError::SheetsUnavailable { reason: "fallo inyectado por la prueba".into() });
        }
        self.inner.write(change).await
    }

    fn invalidate(&self) {
        self.inner.invalidate();
    }
}
