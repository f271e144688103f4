//! What the station's banner says about its services, pushed to it rather than found out when a worker taps:
//! the lock service is asked every second (a PING to Redis), the spreadsheet is judged by the last call that
//! got through (this station's own, or the shop reader's re-read carried by the shared snapshot) and by what
//! the shop's stations say of it through Redis: a station that does not call the spreadsheet at rest hears
//! of an outage as soon as the one that calls it (the reader, or a station acting) sees it.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use specta::Type;
use spooltrack_domain::SpoolError;

use crate::{Reach, SpoolService};

/// How often the station looks at its services: the banner follows a change within two seconds.
const CONNECTION_CHECK: Duration = Duration::from_secs(1);

/// The shop's reader re-reads every period: this many periods without a re-read mean it cannot.
const MISSED_REREADS: u32 = 3;

/// How long a station's word that the spreadsheet is out of reach stands unless it says it again (it does every
/// check while it sees the outage): a station that went away stops speaking for the shop within seconds.
const SIGHTING_LASTS: Duration = Duration::from_secs(5);

/// A service the station depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    /// The shop's Redis: locks, live updates, the shared snapshot.
    Redis,
    GoogleSheets,
}

/// One service out of reach, and since when (shop time, `HH:MM`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Outage {
    pub service: Service,
    pub since: String,
}

/// What the banner shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ConnectionState {
    /// Whether the station has looked yet.
    pub checked: bool,
    /// Services out of reach; none when everything answers.
    pub outages: Vec<Outage>,
    /// When the data on screen was read from the spreadsheet (shop time, `HH:MM`), on the shared snapshot.
    pub data_read_at: Option<String>,
    /// A call of this station waits its turn in the shop's request budget: "Google Sheets ocupado, reintentando…".
    pub sheets_busy: bool,
    /// A viewer station: the banner says so and the screen offers no actions.
    pub view_only: bool,
    /// Whether the screen offers actions: not at a viewer, nor while a service is out of reach (an action would
    /// be refused or wait for it).
    pub actions_offered: bool,
}

impl ConnectionState {
    pub fn online(&self) -> bool {
        self.outages.is_empty()
    }

    fn lost(&self, service: Service) -> bool {
        self.outages.iter().any(|outage| outage.service == service)
    }
}

impl SpoolService {
    /// The state last pushed to the banner.
    pub fn connection(&self) -> ConnectionState {
        self.connection.borrow().clone()
    }

    /// Looks at the services every [`CONNECTION_CHECK`] and hands each change of state to `on_change`.
    pub async fn watch_connection(&self, mut on_change: impl FnMut(&ConnectionState) + Send) {
        let mut redis_lost: Option<DateTime<Utc>> = None;
        loop {
            let state = self.look(&mut redis_lost).await;
            if self
                .connection
                .send_if_modified(|current| (*current != state).then(|| *current = state.clone()).is_some())
            {
                on_change(&state);
            }
            tokio::time::sleep(CONNECTION_CHECK).await;
        }
    }

    /// OFFLINE when the station knows its lock service is out of reach: nothing can be taken or released then,
    /// and the worker is told at once instead of after a timeout. A viewer station never acts.
    pub(crate) fn refuse_when_offline(&self) -> Result<(), SpoolError> {
        if self.view_only {
            return Err(SpoolError::ViewOnly);
        }
        if self.connection.borrow().lost(Service::Redis) {
            return Err(SpoolError::Offline);
        }
        Ok(())
    }

    async fn look(&self, redis_lost: &mut Option<DateTime<Utc>>) -> ConnectionState {
        let now = self.clock_now();
        // An empty inspection is one round trip to the lock service (a PING on Redis).
        *redis_lost = match self.lock.inspect(&[]).await {
            Ok(_) => None,
            Err(_) => Some(redis_lost.unwrap_or(now)),
        };
        let read_at = self.shared_snapshot().and_then(|snapshot| snapshot.read_at);
        // This station's own last call failed, and no re-read of the shop's reader got through since.
        let seen = match self.store.reach() {
            Reach::Lost { since } if read_at.is_none_or(|read_at| read_at < since) => Some(since),
            _ => None,
        };
        let mut outages = Vec::new();
        if let Some(since) = *redis_lost {
            outages.push(Outage { service: Service::Redis, since: self.clock_text(since) });
        }
        let shop_word = match (&self.shared, *redis_lost) {
            (Some(_), None) => self.feed.sheets_outage(seen, SIGHTING_LASTS).await.ok().flatten(),
            _ => None,
        };
        if let Some(since) = self.sheets_lost_since(seen, shop_word, read_at, now) {
            outages.push(Outage { service: Service::GoogleSheets, since: self.clock_text(since) });
        }
        let data_read_at = read_at.map(|at| self.clock_text(at));
        ConnectionState {
            checked: true,
            actions_offered: !self.view_only && outages.is_empty(),
            outages,
            data_read_at,
            sheets_busy: self.store.busy(),
            view_only: self.view_only,
        }
    }

    /// Since when the spreadsheet is out of reach: this station saw it, another station said so through the
    /// shop (both unless a re-read of the shop's reader got through since), or the reader has missed its
    /// re-reads.
    fn sheets_lost_since(
        &self,
        seen: Option<DateTime<Utc>>,
        shop_word: Option<DateTime<Utc>>,
        read_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let standing = shop_word.filter(|since| read_at.is_none_or(|read_at| read_at < *since));
        if let Some(since) = [seen, standing].into_iter().flatten().min() {
            return Some(since);
        }
        let period = chrono::Duration::from_std(self.refresh_period?).ok()?;
        let read_at = read_at?;
        (now - read_at > period * MISSED_REREADS as i32).then(|| read_at + period)
    }

    fn clock_text(&self, moment: DateTime<Utc>) -> String {
        moment.with_timezone(&self.timezone()).format("%H:%M").to_string()
    }
}
