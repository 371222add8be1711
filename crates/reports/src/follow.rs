//! Following a report someone else filed: « moi aussi » counts the person's interest and
//! subscribes them to its progress, instead of a duplicate report.

use kernel::outbox::{self, Email};
use kernel::{Caller, Kernel};

use crate::actions::{ReportError, check_email, new_token};
use crate::model::{Report, Update, UpdateKind};
use crate::store::{self, Subscriber};

/// What a « moi aussi » did.
#[derive(Debug, Clone)]
pub struct MeToo {
    pub report: Report,
    /// False when the person already counted (their own report, or followed already).
    pub counted: bool,
    /// The follower's own tracking link, for a person without an account: shown once.
    pub tracking_token: Option<String>,
}

/// Counts the caller once on the report and subscribes them: by account, or for a person
/// without one by the e-mail they chose to give and a tracking link of their own. Nobody
/// else is told; the follower alone gets a mail with their link when they gave an address.
pub async fn me_too(
    kernel: &Kernel,
    caller: &Caller,
    report_id: &str,
    email: Option<&str>,
) -> Result<MeToo, ReportError> {
    let user_id = caller.identity.as_ref().map(|i| i.user_id.clone());
    let email = match (&user_id, email.map(str::trim)) {
        (None, Some(raw)) if !raw.is_empty() => {
            Some(check_email(raw).map_err(|m| ReportError::Invalid(vec![("email".into(), m)]))?)
        }
        _ => None,
    };
    // Reports of private categories are not shown to the public, so nobody can join them.
    // Read before the transaction: a write transaction never waits for a second
    // connection of the pool.
    let seen = store::report_by_id(&kernel.db, report_id)
        .await?
        .ok_or(ReportError::NotFound)?;
    let is_author = user_id.is_some() && seen.author_user_id == user_id;
    let private = store::category_by_id(&kernel.db, &seen.category_id)
        .await?
        .is_none_or(|c| c.private);
    if private && !is_author {
        return Err(ReportError::NotFound);
    }
    let now = kernel.now();
    let mut tx = kernel.db.begin().await?;
    let Some(mut report) = store::lock_report(&mut tx, report_id).await? else {
        tx.rollback().await?;
        return Err(ReportError::NotFound);
    };
    let subscriber = Subscriber {
        user_id: user_id.clone(),
        email: email.clone(),
    };
    let known = subscriber.user_id.is_some() || subscriber.email.is_some();
    if is_author || (known && store::already_follows(&mut tx, &report.id, &subscriber).await?) {
        tx.rollback().await?;
        return Ok(MeToo {
            report,
            counted: false,
            tracking_token: None,
        });
    }
    report.me_too_count += 1;
    store::update_report(&mut tx, &report).await?;
    store::insert_update(
        &mut tx,
        &Update {
            id: store::new_id(),
            report_id: report.id.clone(),
            kind: UpdateKind::MeToo,
            status: None,
            message: String::new(),
            public: false,
            hidden: false,
            agent_id: None,
            agent_name: String::new(),
            created_at: now,
        },
    )
    .await?;
    // An account follows through its space; anyone else through a link of their own.
    let token = if user_id.is_none() {
        Some(new_token())
    } else {
        None
    };
    store::insert_subscription(
        &mut tx,
        &report.id,
        &subscriber,
        token.as_ref().map(|(_, hash)| hash.as_str()),
        now,
    )
    .await?;
    if let (Some(email), Some((token, _))) = (&email, &token) {
        outbox::enqueue_email(
            &mut tx,
            now,
            &Email {
                to: email.clone(),
                subject: format!("Vous suivez le signalement {}", report.reference),
                text: format!(
                    "Bonjour,\n\nVotre « moi aussi » sur le signalement {} est bien compté par {}.\n\nSuivez son traitement ici :\n{}\n\nVous recevrez un message à chaque étape.\n",
                    report.reference,
                    kernel.config.commune.name,
                    kernel.link(&format!("/signalements/suivi/{token}")),
                ),
                html: None,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(MeToo {
        report,
        counted: true,
        tracking_token: token.map(|(token, _)| token),
    })
}
