//! Fixed-window counters. In the database for limits that must hold across instances
//! (login attempts per account and per address); in this process's memory for limits keyed
//! on what must never be written down (an anonymous author's address). Keys are keyed
//! hashes either way.

use std::collections::HashMap;
use std::sync::Mutex;

use jiff::{SignedDuration, Timestamp};
use sqlx::Row;

use crate::clock::to_db;
use crate::db::Db;

#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub max: i64,
    pub window: SignedDuration,
}

/// Records one hit and returns the count in the current window.
pub async fn hit(db: &Db, key: &str, limit: Limit, now: Timestamp) -> Result<i64, sqlx::Error> {
    let row = sqlx::query(
        "INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1)
         ON CONFLICT (key) DO UPDATE SET
           hits = CASE WHEN rate_limits.window_start <= $3 THEN 1 ELSE rate_limits.hits + 1 END,
           window_start = CASE WHEN rate_limits.window_start <= $3 THEN $2 ELSE rate_limits.window_start END
         RETURNING hits",
    )
    .bind(key)
    .bind(to_db(now))
    .bind(to_db(now - limit.window))
    .fetch_one(db.pool())
    .await?;
    Ok(row.get(0))
}

/// Takes one hit back (an attempt counted up front that turned out legitimate).
pub async fn take_back(db: &Db, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE rate_limits SET hits = hits - 1 WHERE key = $1 AND hits > 0")
        .bind(key)
        .execute(db.pool())
        .await?;
    Ok(())
}

pub async fn reset(db: &Db, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM rate_limits WHERE key = $1")
        .bind(key)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Removes windows that ended long ago (scheduled sweep).
pub async fn sweep(db: &Db, now: Timestamp) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query("DELETE FROM rate_limits WHERE window_start < $1")
            .bind(to_db(now - SignedDuration::from_hours(24)))
            .execute(db.pool())
            .await?
            .rows_affected(),
    )
}

/// Counters kept in this process only. Nothing reaches the database, its backups or the
/// other instances: each instance counts on its own, so a city with N instances behind a
/// load balancer allows up to N times the limit, the price of keeping no trace of
/// anonymous people.
#[derive(Debug, Default)]
pub struct MemoryLimiter {
    /// Key → (end of its window, hits in it).
    windows: Mutex<HashMap<String, (Timestamp, i64)>>,
}

/// Above this many keys, ended windows are dropped before counting a hit.
const MEMORY_SWEEP_ABOVE: usize = 4096;

impl MemoryLimiter {
    /// Records one hit and returns the count in the current window.
    pub fn hit(&self, key: &str, limit: Limit, now: Timestamp) -> i64 {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() > MEMORY_SWEEP_ABOVE {
            windows.retain(|_, (end, _)| *end > now);
        }
        let entry = windows
            .entry(key.to_string())
            .or_insert((now + limit.window, 0));
        if entry.0 <= now {
            *entry = (now + limit.window, 0);
        }
        entry.1 += 1;
        entry.1
    }

    /// Takes one hit back (an attempt counted up front that turned out legitimate).
    pub fn take_back(&self, key: &str) {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(entry) = windows.get_mut(key) {
            entry.1 = (entry.1 - 1).max(0);
        }
    }

    /// The hits counted for `key` in its current window.
    pub fn count(&self, key: &str, now: Timestamp) -> i64 {
        let windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        windows
            .get(key)
            .filter(|(end, _)| *end > now)
            .map_or(0, |(_, hits)| *hits)
    }
}

#[cfg(test)]
mod memory_tests {
    use super::*;

    const HOURLY: Limit = Limit {
        max: 3,
        window: SignedDuration::from_hours(1),
    };

    fn at(minutes: i64) -> Timestamp {
        "2026-12-07T10:00:00Z".parse::<Timestamp>().unwrap() + SignedDuration::from_mins(minutes)
    }

    #[test]
    fn hits_count_within_the_window_then_start_again() {
        let limiter = MemoryLimiter::default();
        assert_eq!(limiter.hit("a", HOURLY, at(0)), 1);
        assert_eq!(limiter.hit("a", HOURLY, at(10)), 2);
        assert_eq!(limiter.hit("b", HOURLY, at(10)), 1);
        limiter.take_back("a");
        assert_eq!(limiter.count("a", at(20)), 1);
        assert_eq!(limiter.hit("a", HOURLY, at(59)), 2);
        // The window opened at the first hit ends an hour later.
        assert_eq!(limiter.hit("a", HOURLY, at(60)), 1);
        assert_eq!(limiter.count("b", at(70)), 0);
        limiter.take_back("nobody");
        limiter.take_back("b");
        limiter.take_back("b");
        assert_eq!(limiter.count("b", at(11)), 0);
    }

    #[test]
    fn ended_windows_do_not_pile_up() {
        let limiter = MemoryLimiter::default();
        for n in 0..=MEMORY_SWEEP_ABOVE {
            limiter.hit(&n.to_string(), HOURLY, at(0));
        }
        limiter.hit("late", HOURLY, at(120));
        assert_eq!(limiter.windows.lock().unwrap().len(), 1);
    }
}
