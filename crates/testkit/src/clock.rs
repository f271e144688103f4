//! A clock that only moves when a test says so.

use std::sync::Mutex;

use chrono::{DateTime, Duration, TimeZone, Utc};
use spooltrack_core::Clock;

pub struct ManualClock {
    now: Mutex<DateTime<Utc>>,
}

impl ManualClock {
    /// Starts at a shop's local time in America/Santiago.
    pub fn at_local(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> Self {
        let local = chrono_tz::America::Santiago
            .with_ymd_and_hms(year, month, day, hour, minute, 0)
            .single()
            .expect("an unambiguous local time");
        ManualClock { now: Mutex::new(local.with_timezone(&Utc)) }
    }

    pub fn advance(&self, by: Duration) {
        *self.now.lock().expect("clock lock") += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().expect("clock lock")
    }
}
