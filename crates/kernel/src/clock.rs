//! Time. Instants are `jiff::Timestamp` in UTC, stored as microseconds since the epoch;
//! civil dates are shown in Europe/Paris. A `Clock` is passed around so tests can set the time.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use jiff::Timestamp;
use jiff::tz::TimeZone;

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that tests move by hand.
#[derive(Clone)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    pub fn new(at: Timestamp) -> ManualClock {
        ManualClock(Arc::new(AtomicI64::new(at.as_microsecond())))
    }
    pub fn advance(&self, by: jiff::SignedDuration) {
        self.0.fetch_add(by.as_micros() as i64, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_microsecond(self.0.load(Ordering::SeqCst)).unwrap_or(Timestamp::UNIX_EPOCH)
    }
}

/// The value stored in the database for an instant.
pub fn to_db(at: Timestamp) -> i64 {
    at.as_microsecond()
}

pub fn from_db(micros: i64) -> Timestamp {
    Timestamp::from_microsecond(micros).unwrap_or(Timestamp::UNIX_EPOCH)
}

pub fn paris() -> TimeZone {
    TimeZone::get("Europe/Paris").unwrap_or(TimeZone::UTC)
}

/// « 23/11/2026 à 14:05 », Paris time.
pub fn format_fr(at: Timestamp) -> String {
    at.to_zoned(paris())
        .strftime("%d/%m/%Y à %H:%M")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paris_time_follows_daylight_saving() {
        let winter: Timestamp = "2026-01-15T12:00:00Z".parse().unwrap();
        let summer: Timestamp = "2026-07-15T12:00:00Z".parse().unwrap();
        assert_eq!(format_fr(winter), "15/01/2026 à 13:00");
        assert_eq!(format_fr(summer), "15/07/2026 à 14:00");
    }

    #[test]
    fn db_round_trip_keeps_microseconds() {
        let at: Timestamp = "2026-11-23T10:11:12.123456Z".parse().unwrap();
        assert_eq!(from_db(to_db(at)), at);
    }
}
