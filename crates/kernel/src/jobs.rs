//! Background jobs. One-off jobs are rows enqueued in the same transaction as the change
//! that causes them; recurring jobs follow a cron schedule (Europe/Paris). Every instance
//! runs a worker; a job is claimed by compare-and-set before it runs, so it runs once
//! across instances, on SQLite and PostgreSQL alike.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;

use croner::Cron;
use futures::future::BoxFuture;
use jiff::{SignedDuration, Timestamp};
use sqlx::Row;

use crate::Kernel;
use crate::clock::{paris, to_db};
use crate::db::Tx;

pub type JobResult = Result<(), String>;
pub type JobHandler =
    Arc<dyn Fn(Kernel, serde_json::Value) -> BoxFuture<'static, JobResult> + Send + Sync>;

/// A one-off job that failed this many times stays failed for an operator to look at.
pub const MAX_JOB_ATTEMPTS: i64 = 5;

pub struct ScheduledJob {
    pub name: &'static str,
    /// Cron expression, Paris time, e.g. `0 3 * * *` for every night at 3 a.m.
    pub schedule: &'static str,
    pub handler: JobHandler,
}

/// The jobs every capability registers at start.
#[derive(Default, Clone)]
pub struct JobRegistry {
    handlers: HashMap<&'static str, JobHandler>,
    scheduled: Vec<Arc<ScheduledJob>>,
}

impl JobRegistry {
    pub fn handle<F, Fut>(&mut self, kind: &'static str, f: F)
    where
        F: Fn(Kernel, serde_json::Value) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = JobResult> + Send + 'static,
    {
        self.handlers
            .insert(kind, Arc::new(move |k, v| Box::pin(f(k, v))));
    }

    pub fn every<F, Fut>(&mut self, name: &'static str, schedule: &'static str, f: F)
    where
        F: Fn(Kernel, serde_json::Value) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = JobResult> + Send + 'static,
    {
        assert!(
            Cron::from_str(schedule).is_ok(),
            "invalid cron expression for {name}: {schedule}"
        );
        self.scheduled.push(Arc::new(ScheduledJob {
            name,
            schedule,
            handler: Arc::new(move |k, v| Box::pin(f(k, v))),
        }));
    }

    pub fn scheduled(&self) -> impl Iterator<Item = &ScheduledJob> {
        self.scheduled.iter().map(|s| s.as_ref())
    }
}

/// The next time a cron schedule fires strictly after `after`, computed in Paris time.
pub fn next_run(schedule: &str, after: Timestamp) -> Option<Timestamp> {
    let cron = Cron::from_str(schedule).ok()?;
    let zoned = after.to_zoned(paris());
    cron.find_next_occurrence(&zoned, false)
        .ok()
        .map(|z| z.timestamp())
}

pub async fn enqueue(
    tx: &mut Tx,
    now: Timestamp,
    kind: &str,
    payload: &serde_json::Value,
    run_at: Timestamp,
) -> Result<String, sqlx::Error> {
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO jobs (id, kind, payload, status, run_at, attempts, created_at)
         VALUES ($1, $2, $3, 'pending', $4, 0, $5)",
    )
    .bind(&id)
    .bind(kind)
    .bind(payload.to_string())
    .bind(to_db(run_at))
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct WorkerReport {
    pub scheduled_run: Vec<String>,
    pub jobs_done: usize,
    pub jobs_failed: usize,
    pub mail: crate::outbox::DeliveryReport,
}

/// One pass of the worker: recurring jobs that are due, queued jobs that are due, mail.
/// Tests call it directly with the time they choose.
pub async fn run_due_once(
    kernel: &Kernel,
    registry: &JobRegistry,
) -> Result<WorkerReport, sqlx::Error> {
    let now = kernel.now();
    let db = &kernel.db;
    let mut report = WorkerReport::default();

    for job in &registry.scheduled {
        let Some(first) = next_run(job.schedule, now) else {
            continue;
        };
        sqlx::query(
            "INSERT INTO scheduled_jobs (name, schedule, next_run_at) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(job.name)
        .bind(job.schedule)
        .bind(to_db(first))
        .execute(db.pool())
        .await?;
        let row = sqlx::query("SELECT next_run_at, schedule FROM scheduled_jobs WHERE name = $1")
            .bind(job.name)
            .fetch_one(db.pool())
            .await?;
        let due: i64 = row.get(0);
        let stored_schedule: String = row.get(1);
        if stored_schedule != job.schedule {
            // The schedule changed in code: take the new one from now on.
            sqlx::query(
                "UPDATE scheduled_jobs SET schedule = $2, next_run_at = $3 WHERE name = $1",
            )
            .bind(job.name)
            .bind(job.schedule)
            .bind(to_db(first))
            .execute(db.pool())
            .await?;
            continue;
        }
        if due > to_db(now) {
            continue;
        }
        let claimed = sqlx::query(
            "UPDATE scheduled_jobs SET next_run_at = $3, last_run_at = $4 WHERE name = $1 AND next_run_at = $2",
        )
        .bind(job.name)
        .bind(due)
        .bind(to_db(first))
        .bind(to_db(now))
        .execute(db.pool())
        .await?
        .rows_affected();
        if claimed != 1 {
            continue;
        }
        let outcome = (job.handler)(kernel.clone(), serde_json::Value::Null).await;
        let status = match &outcome {
            Ok(()) => "ok".to_string(),
            Err(e) => {
                tracing::error!(job = job.name, error = %e, "tâche planifiée en échec");
                format!("échec : {e}")
            }
        };
        sqlx::query("UPDATE scheduled_jobs SET last_status = $2 WHERE name = $1")
            .bind(job.name)
            .bind(status)
            .execute(db.pool())
            .await?;
        metrics::counter!("parvis_jobs_run_total", "job" => job.name, "outcome" => if outcome.is_ok() { "ok" } else { "error" }).increment(1);
        report.scheduled_run.push(job.name.to_string());
    }

    let due = sqlx::query(
        "SELECT id, kind, payload FROM jobs WHERE status = 'pending' AND run_at <= $1
           AND (locked_until IS NULL OR locked_until < $1) ORDER BY run_at LIMIT 50",
    )
    .bind(to_db(now))
    .fetch_all(db.pool())
    .await?;
    for row in due {
        let id: String = row.get(0);
        let kind: String = row.get(1);
        let payload: String = row.get(2);
        // The claim re-checks that the job is still due: another instance may have run it
        // and set a later retry since the list above was read.
        let claimed = sqlx::query(
            "UPDATE jobs SET locked_until = $2 WHERE id = $1 AND status = 'pending' AND run_at <= $3
               AND (locked_until IS NULL OR locked_until < $3)",
        )
        .bind(&id)
        .bind(to_db(now + SignedDuration::from_mins(10)))
        .bind(to_db(now))
        .execute(db.pool())
        .await?
        .rows_affected();
        if claimed != 1 {
            continue;
        }
        let outcome = match registry.handlers.get(kind.as_str()) {
            Some(handler) => {
                let payload = serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null);
                handler(kernel.clone(), payload).await
            }
            None => Err(format!("aucun gestionnaire pour les tâches « {kind} »")),
        };
        // Attempts are counted in the database, never from a value read before the claim.
        let attempts: i64 =
            sqlx::query("UPDATE jobs SET attempts = attempts + 1 WHERE id = $1 RETURNING attempts")
                .bind(&id)
                .fetch_one(db.pool())
                .await?
                .get(0);
        let outcome_label = if outcome.is_ok() { "ok" } else { "error" };
        match outcome {
            Ok(()) => {
                sqlx::query("UPDATE jobs SET status = 'done', finished_at = $2, locked_until = NULL WHERE id = $1")
                    .bind(&id)
                    .bind(to_db(now))
                    .execute(db.pool())
                    .await?;
                report.jobs_done += 1;
            }
            Err(error) => {
                tracing::error!(job = %kind, %error, attempts, "tâche en échec");
                let (status, next) = if attempts >= MAX_JOB_ATTEMPTS {
                    report.jobs_failed += 1;
                    ("failed", now)
                } else {
                    ("pending", now + crate::outbox::backoff(attempts))
                };
                sqlx::query("UPDATE jobs SET status = $2, run_at = $3, last_error = $4, locked_until = NULL WHERE id = $1")
                    .bind(&id)
                    .bind(status)
                    .bind(to_db(next))
                    .bind(&error)
                    .execute(db.pool())
                    .await?;
            }
        }
        metrics::counter!("parvis_jobs_run_total", "job" => kind.clone(), "outcome" => outcome_label).increment(1);
    }

    report.mail = crate::outbox::deliver_due(
        db,
        kernel.mailer.as_ref(),
        &kernel.push,
        &kernel.config.mail_from,
        now,
    )
    .await?;
    Ok(report)
}

/// The worker loop: one pass every `worker_interval_seconds`, until the process stops.
pub fn spawn_worker(kernel: Kernel, registry: JobRegistry) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(
            kernel.config.worker_interval_seconds.max(1),
        ));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(error) = run_due_once(&kernel, &registry).await {
                tracing::error!(%error, "passage du travailleur en échec");
            }
        }
    })
}

/// The kernel's own recurring jobs: housekeeping of sessions, rate limits and files.
pub fn register_kernel_jobs(registry: &mut JobRegistry) {
    registry.every("sessions.sweep", "*/15 * * * *", |kernel, _| async move {
        crate::session::DbSessionStore::delete_expired(&kernel.db, kernel.now())
            .await
            .map(|n| tracing::debug!(removed = n, "sessions expirées supprimées"))
            .map_err(|e| e.to_string())
    });
    registry.every("rate_limits.sweep", "7 * * * *", |kernel, _| async move {
        crate::ratelimit::sweep(&kernel.db, kernel.now())
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    });
    registry.every(
        "files.sweep_orphans",
        "23 3 * * *",
        |kernel, _| async move { sweep_orphan_files(&kernel).await.map(|_| ()) },
    );
}

/// Removes stored objects that no `files` row points to (an upload whose transaction
/// failed), once they are a day old so that no upload in progress is touched.
pub async fn sweep_orphan_files(kernel: &Kernel) -> Result<usize, String> {
    let cutoff = kernel.now() - SignedDuration::from_hours(24);
    let keys = kernel
        .storage
        .list_older_than("", cutoff)
        .await
        .map_err(|e| e.to_string())?;
    let mut removed = 0;
    for key in keys {
        let known = sqlx::query("SELECT 1 FROM files WHERE storage_key = $1")
            .bind(&key)
            .fetch_optional(kernel.db.pool())
            .await
            .map_err(|e| e.to_string())?;
        if known.is_none() {
            kernel
                .storage
                .delete(&key)
                .await
                .map_err(|e| e.to_string())?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// Counts by status for `/metrics`.
pub async fn counts(kernel: &Kernel) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let rows = sqlx::query("SELECT status, COUNT(*) FROM jobs GROUP BY status")
        .fetch_all(kernel.db.pool())
        .await?;
    Ok(rows.into_iter().map(|r| (r.get(0), r.get(1))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_are_read_in_paris_time() {
        // 3 a.m. in Paris is 02:00 UTC in winter and 01:00 UTC in summer.
        let winter: Timestamp = "2026-01-10T12:00:00Z".parse().unwrap();
        let summer: Timestamp = "2026-07-10T12:00:00Z".parse().unwrap();
        assert_eq!(
            next_run("0 3 * * *", winter).unwrap().to_string(),
            "2026-01-11T02:00:00Z"
        );
        assert_eq!(
            next_run("0 3 * * *", summer).unwrap().to_string(),
            "2026-07-11T01:00:00Z"
        );
        assert!(next_run("not a cron", winter).is_none());
    }
}
