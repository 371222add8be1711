//! The notifications outbox: an e-mail or a push notification (later an SMS) is a row
//! written in the same transaction as the change that causes it; a worker sends it,
//! retrying with exponential backoff, so a mail server or push service outage delays
//! messages but loses none.

use jiff::{SignedDuration, Timestamp};
use lettre::Message;
use lettre::message::{Mailbox, MultiPart};
use sqlx::Row;

use crate::clock::to_db;
use crate::db::{Db, Tx};
use crate::mail::Mailer;
use crate::push::{Delivery, WebPush};

/// After this many failed attempts a message is marked failed and shown to operators.
pub const MAX_ATTEMPTS: i64 = 12;

#[derive(Debug, Clone)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
}

/// Delay before attempt `attempts + 1`, after `attempts` failures: 30 s doubling, at most 6 h.
pub fn backoff(attempts: i64) -> SignedDuration {
    let exponent = attempts.clamp(1, 20) - 1;
    let seconds = 30i64.saturating_mul(1i64 << exponent);
    SignedDuration::from_secs(seconds.min(6 * 3600))
}

pub async fn enqueue_email(
    tx: &mut Tx,
    now: Timestamp,
    email: &Email,
) -> Result<String, sqlx::Error> {
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO outbox (id, channel, recipient, subject, body_text, body_html, status, attempts, next_attempt_at, created_at)
         VALUES ($1, 'email', $2, $3, $4, $5, 'pending', 0, $6, $6)",
    )
    .bind(&id)
    .bind(&email.to)
    .bind(&email.subject)
    .bind(&email.text)
    .bind(&email.html)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
    /// Push notifications to a device that has unsubscribed: dropped with the subscription.
    pub expired: usize,
}

/// Sends the messages that are due. Each is claimed first (compare-and-set on
/// `locked_until`), so two instances never send the same message twice.
pub async fn deliver_due(
    db: &Db,
    mailer: &dyn Mailer,
    push: &WebPush,
    from: &str,
    now: Timestamp,
) -> Result<DeliveryReport, sqlx::Error> {
    let due = sqlx::query(
        "SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1
           AND (locked_until IS NULL OR locked_until < $1)
         ORDER BY next_attempt_at LIMIT 50",
    )
    .bind(to_db(now))
    .fetch_all(db.pool())
    .await?;
    let mut report = DeliveryReport::default();
    let lease = to_db(now + SignedDuration::from_mins(5));
    for row in due {
        let id: String = row.get(0);
        // Re-checked at the claim: another instance may have tried it and set a later retry.
        let claimed = sqlx::query(
            "UPDATE outbox SET locked_until = $2 WHERE id = $1 AND status = 'pending' AND next_attempt_at <= $3
               AND (locked_until IS NULL OR locked_until < $3)",
        )
        .bind(&id)
        .bind(lease)
        .bind(to_db(now))
        .execute(db.pool())
        .await?
        .rows_affected();
        if claimed != 1 {
            continue;
        }
        // Attempts are counted in the database, never from a value read before the claim.
        let message = sqlx::query(
            "UPDATE outbox SET attempts = attempts + 1 WHERE id = $1
             RETURNING recipient, subject, body_text, body_html, attempts, channel",
        )
        .bind(&id)
        .fetch_one(db.pool())
        .await?;
        let attempts: i64 = message.get(4);
        let channel: String = message.get(5);
        let result = if channel == "push" {
            let recipient: String = message.get(0);
            let body: String = message.get(2);
            match push.deliver(db, &recipient, &body, now).await? {
                Delivery::Delivered => Ok(()),
                Delivery::Retry(e) => Err(e),
                // Retrying cannot help these: the row is closed at once.
                Delivery::Failed(e) => {
                    close(db, &id, "failed", &e, now).await?;
                    report.failed += 1;
                    continue;
                }
                Delivery::Gone => {
                    close(db, &id, "expired", "l'appareil s'est désabonné", now).await?;
                    report.expired += 1;
                    continue;
                }
            }
        } else {
            match build_message(
                from,
                message.get(0),
                message.get(1),
                message.get(2),
                message.get(3),
            ) {
                Ok(msg) => mailer.send(msg).await,
                Err(e) => Err(e),
            }
        };
        match result {
            Ok(()) => {
                sqlx::query(
                    "UPDATE outbox SET status = 'sent', sent_at = $2, locked_until = NULL, last_error = NULL WHERE id = $1",
                )
                .bind(&id)
                .bind(to_db(now))
                .execute(db.pool())
                .await?;
                report.sent += 1;
                metrics::counter!("parvis_outbox_sent_total").increment(1);
            }
            Err(error) => {
                let (status, next) = if attempts >= MAX_ATTEMPTS {
                    report.failed += 1;
                    ("failed", now)
                } else {
                    report.retried += 1;
                    ("pending", now + backoff(attempts))
                };
                tracing::warn!(outbox_id = %id, %channel, attempts, %error, "envoi en échec");
                metrics::counter!("parvis_outbox_errors_total").increment(1);
                sqlx::query(
                    "UPDATE outbox SET status = $2, next_attempt_at = $3, locked_until = NULL, last_error = $4 WHERE id = $1",
                )
                .bind(&id)
                .bind(status)
                .bind(to_db(next))
                .bind(&error)
                .execute(db.pool())
                .await?;
            }
        }
    }
    Ok(report)
}

/// Ends a message that will not be sent.
async fn close(
    db: &Db,
    id: &str,
    status: &str,
    reason: &str,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    tracing::info!(outbox_id = %id, status, reason, "notification abandonnée");
    metrics::counter!("parvis_outbox_errors_total").increment(1);
    sqlx::query(
        "UPDATE outbox SET status = $2, next_attempt_at = $3, locked_until = NULL, last_error = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(to_db(now))
    .bind(reason)
    .execute(db.pool())
    .await?;
    Ok(())
}

fn build_message(
    from: &str,
    to: String,
    subject: String,
    text: String,
    html: Option<String>,
) -> Result<Message, String> {
    let from: Mailbox = from
        .parse()
        .map_err(|e| format!("expéditeur invalide : {e}"))?;
    let to: Mailbox = to
        .parse()
        .map_err(|e| format!("destinataire invalide : {e}"))?;
    let builder = Message::builder().from(from).to(to).subject(subject);
    match html {
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(text, html)),
        None => builder.body(text),
    }
    .map_err(|e| e.to_string())
}

/// Counts by status, for `/metrics` and the operators.
pub async fn counts(db: &Db) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let rows = sqlx::query("SELECT status, COUNT(*) FROM outbox GROUP BY status")
        .fetch_all(db.pool())
        .await?;
    Ok(rows.into_iter().map(|r| (r.get(0), r.get(1))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_then_caps() {
        assert_eq!(backoff(1), SignedDuration::from_secs(30));
        assert_eq!(backoff(2), SignedDuration::from_secs(60));
        assert_eq!(backoff(5), SignedDuration::from_secs(480));
        assert_eq!(backoff(30), SignedDuration::from_secs(6 * 3600));
    }

    proptest::proptest! {
        #[test]
        fn backoff_never_shrinks(a in 0i64..100) {
            proptest::prop_assert!(backoff(a + 1) >= backoff(a));
            proptest::prop_assert!(backoff(a) > SignedDuration::ZERO);
        }
    }
}
