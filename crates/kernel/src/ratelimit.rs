//! Fixed-window counters in the database, for limits that must hold across instances
//! (login attempts per account and per address). Keys are keyed hashes.

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
