//! The household's second adult: a responsible adult invites them by e-mail; the link,
//! followed by the owner of that address once logged in, links their own account to the
//! file as a responsible (not paying) adult. Links are single-use and end after a week.

use jiff::{SignedDuration, Timestamp};
use kernel::audit::AuditTarget;
use kernel::clock::{from_db, to_db};
use kernel::{Caller, Kernel};
use sqlx::Row;

use crate::actions::{FamilyError, my_household};
use crate::model::Household;
use crate::store::new_id;

const VALID_FOR: SignedDuration = SignedDuration::from_hours(24 * 7);

fn hash(kernel: &Kernel, token: &str) -> String {
    kernel.secret.keyed_hash("family/invitation", token)
}

/// Sends the invitation; the e-mail carries the only copy of the link.
pub async fn invite(kernel: &Kernel, caller: &Caller, email: &str) -> Result<(), FamilyError> {
    let household = my_household(kernel, caller)
        .await?
        .ok_or(FamilyError::NotFound)?;
    let email = email.trim().to_lowercase();
    if email.parse::<lettre::Address>().is_err() {
        return Err(FamilyError::Invalid(vec![(
            "email",
            "Indiquez l'adresse électronique de l'autre parent, par exemple prenom.nom@exemple.fr."
                .into(),
        )]));
    }
    let already = crate::store::adults(&kernel.db, &household.id)
        .await?
        .iter()
        .any(|a| a.person.email.eq_ignore_ascii_case(&email));
    if already {
        return Err(FamilyError::Invalid(vec![(
            "email",
            "Cette personne est déjà responsable de votre foyer.".into(),
        )]));
    }
    let inviter = caller
        .identity
        .as_ref()
        .map(|i| i.display_name.clone())
        .unwrap_or_default();
    let token = kernel::web::page::new_token();
    let now = kernel.now();
    let id = new_id();
    let mut tx = kernel.db.begin().await?;
    sqlx::query(
        "INSERT INTO household_invitations (id, household_id, email, token_hash, invited_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(&household.id)
    .bind(&email)
    .bind(hash(kernel, &token))
    .bind(caller.identity.as_ref().map(|i| i.user_id.clone()))
    .bind(to_db(now))
    .bind(to_db(now + VALID_FOR))
    .execute(&mut *tx)
    .await?;
    kernel::outbox::enqueue_email(
        &mut tx,
        now,
        &kernel::outbox::Email {
            to: email.clone(),
            subject: format!("{inviter} vous invite à rejoindre son dossier famille"),
            text: format!(
                "Bonjour,\n\n{inviter} vous invite à partager le dossier famille « {} » sur le site de la commune : vous verrez les enfants, pourrez réserver la cantine et la garderie et fournir des pièces.\n\nPour accepter, connectez-vous (ou créez votre compte) avec cette adresse électronique, puis ouvrez ce lien dans les sept jours :\n{}\n\nSi vous ne connaissez pas cette personne, ignorez ce message.\n",
                household.label,
                kernel.link(&format!("/famille/invitation/{token}")),
            ),
            html: None,
        },
    )
    .await?;
    kernel
        .audit(
            &mut tx,
            caller,
            "family.adult_invited",
            Some(&AuditTarget::new("household", &household.id)),
            serde_json::json!({ "invitation": id }),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// An invitation as its link shows it.
pub struct Invitation {
    pub id: String,
    pub household: Household,
    pub email: String,
    pub expired: bool,
}

/// The pending invitation behind a link, if any (used or unknown links give `None`).
pub async fn find(kernel: &Kernel, token: &str) -> Result<Option<Invitation>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT i.id, i.email, i.expires_at, h.id, h.label, h.address FROM household_invitations i
           JOIN households h ON h.id = i.household_id
         WHERE i.token_hash = $1 AND i.accepted_at IS NULL",
    )
    .bind(hash(kernel, token))
    .fetch_optional(kernel.db.pool())
    .await?;
    Ok(row.map(|r| Invitation {
        id: r.get(0),
        email: r.get(1),
        expired: from_db(r.get(2)) <= kernel.now(),
        household: Household {
            id: r.get(3),
            label: r.get(4),
            address: r.get(5),
        },
    }))
}

/// Why an invitation cannot be accepted by this account.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    Expired,
    OtherAddress(String),
    HasOwnFile,
}

/// Links the caller's account to the invitation's household.
pub async fn accept(
    kernel: &Kernel,
    caller: &Caller,
    token: &str,
) -> Result<Result<Household, Refusal>, FamilyError> {
    let identity = caller.identity.as_ref().ok_or(FamilyError::LoginRequired)?;
    let invitation = find(kernel, token).await?.ok_or(FamilyError::NotFound)?;
    if invitation.expired {
        return Ok(Err(Refusal::Expired));
    }
    let account = accounts::store::user_by_id(&kernel.db, &identity.user_id)
        .await?
        .ok_or(FamilyError::LoginRequired)?;
    if !account.email.eq_ignore_ascii_case(&invitation.email) {
        return Ok(Err(Refusal::OtherAddress(invitation.email)));
    }
    if my_household(kernel, caller).await?.is_some() {
        return Ok(Err(Refusal::HasOwnFile));
    }
    let now: Timestamp = kernel.now();
    let mut tx = kernel.db.begin().await?;
    let claimed = sqlx::query(
        "UPDATE household_invitations SET accepted_at = $2 WHERE id = $1 AND accepted_at IS NULL",
    )
    .bind(&invitation.id)
    .bind(to_db(now))
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if claimed != 1 {
        return Err(FamilyError::NotFound);
    }
    crate::store::link_adult(
        &mut tx,
        &invitation.household.id,
        &account.id,
        &account.given_name,
        &account.family_name,
        &account.email,
        now,
    )
    .await?;
    kernel
        .audit(
            &mut tx,
            caller,
            "family.adult_joined",
            Some(&AuditTarget::new("household", &invitation.household.id)),
            serde_json::json!({ "invitation": invitation.id }),
        )
        .await?;
    tx.commit().await?;
    Ok(Ok(invitation.household))
}
