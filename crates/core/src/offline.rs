//! A station cut off on purpose (`--offline`, a viewer without the service-account key): a store and a lock
//! service that never touch the network and answer OFFLINE, so everything a screen shows comes from the copy
//! of the shop kept on this PC.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use spooltrack_domain::{
    schema::{Tab, TabNames},
    Grid, SpoolError, WorkerId,
};

use crate::{
    Acquisition, Admission, Change, ForceAttempt, HeldLock, Holder, LockService, LockToken, PinHash, Store, WriteGate,
};

/// The spreadsheet, out of reach.
pub struct OfflineStore {
    tabs: TabNames,
}

impl OfflineStore {
    pub fn new(tabs: TabNames) -> OfflineStore {
        OfflineStore { tabs }
    }
}

#[async_trait]
impl Store for OfflineStore {
    fn tab_names(&self) -> &TabNames {
        &self.tabs
    }

    async fn read(&self, _tabs: &[Tab]) -> Result<Vec<Grid>, SpoolError> {
        away()
    }

    async fn write(&self, _change: &Change, _gate: &dyn WriteGate) -> Result<(), SpoolError> {
        away()
    }

    async fn pin_hashes(&self) -> Result<Vec<(WorkerId, PinHash)>, SpoolError> {
        away()
    }
}

/// The lock service, out of reach: screens then show holders as the rows name them.
pub struct OfflineLock;

fn away<T>() -> Result<T, SpoolError> {
    Err(SpoolError::Offline)
}

#[async_trait]
impl LockService for OfflineLock {
    async fn pin_attempts(
        &self,
        _station: &str,
        _attempt: crate::PinAttempt,
        _kept: std::time::Duration,
    ) -> Result<crate::PinTally, SpoolError> {
        away()
    }

    async fn acquire(&self, _requests: &[(String, Holder)]) -> Result<Vec<Acquisition>, SpoolError> {
        away()
    }

    async fn inspect(&self, _tags: &[String]) -> Result<Vec<Option<HeldLock>>, SpoolError> {
        away()
    }

    async fn confirm(&self, _grants: &[(String, LockToken)]) -> Result<Vec<bool>, SpoolError> {
        away()
    }

    async fn release(&self, _grants: &[(String, LockToken)]) -> Result<Vec<bool>, SpoolError> {
        away()
    }

    async fn release_idle(&self, _grants: &[(String, LockToken)]) -> Result<Vec<bool>, SpoolError> {
        away()
    }

    async fn begin_write(
        &self,
        _grants: &[(String, LockToken)],
        _writer: &str,
        _window: Duration,
    ) -> Result<Vec<Admission>, SpoolError> {
        away()
    }

    async fn end_write(&self, _grants: &[(String, LockToken)], _writer: &str) -> Result<(), SpoolError> {
        away()
    }

    async fn force_release(&self, _tag: &str) -> Result<ForceAttempt, SpoolError> {
        away()
    }

    async fn restore(&self, _tag: &str, _lock: &HeldLock) -> Result<bool, SpoolError> {
        away()
    }

    async fn health(&self) -> Result<String, SpoolError> {
        away()
    }

    async fn try_lead(&self, _task: &str, _station: &str, _lease: Duration) -> Result<bool, SpoolError> {
        Ok(false)
    }

    async fn held_tags(&self) -> Result<Vec<String>, SpoolError> {
        away()
    }

    async fn mark_intact(&self, _fence_at_least: u64) -> Result<bool, SpoolError> {
        away()
    }

    async fn beat(&self, _station: &str, _at: DateTime<Utc>) -> Result<(), SpoolError> {
        away()
    }

    async fn last_beats(&self, _stations: &[String]) -> Result<Vec<Option<DateTime<Utc>>>, SpoolError> {
        away()
    }
}
