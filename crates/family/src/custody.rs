//! Alternating custody: a child belongs to both parents' households. Each household has
//! its own paying adult, books its own days and receives its own charge lines; the
//! family service links the child to the second household, usually on sight of the
//! custody judgement, each change audited.

use kernel::audit::AuditTarget;
use kernel::{Caller, Kernel};

use crate::documents::is_family_agent;
use crate::model::Household;
use crate::store;

#[derive(Debug, thiserror::Error)]
pub enum CustodyError {
    /// Not an agent of the family service.
    #[error("réservé au service famille")]
    Forbidden,
    /// The child is not of this household.
    #[error("introuvable")]
    NotFound,
    /// Refused, with the sentence saying why (shown next to the field).
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl From<CustodyError> for kernel::AppError {
    fn from(e: CustodyError) -> Self {
        match e {
            CustodyError::Forbidden => kernel::AppError::Forbidden,
            CustodyError::NotFound => kernel::AppError::NotFound,
            CustodyError::Refused(m) => kernel::AppError::BadRequest(m),
            CustodyError::Database(e) => kernel::AppError::Internal(e.into()),
        }
    }
}

async fn require_agent(kernel: &Kernel, caller: &Caller) -> Result<(), CustodyError> {
    if is_family_agent(kernel, caller).await? {
        Ok(())
    } else {
        Err(CustodyError::Forbidden)
    }
}

/// Links a child of `household_id` to the household of the other parent, found by the
/// e-mail of their account (they open their own family file first).
pub async fn attach_to_other_parent(
    kernel: &Kernel,
    caller: &Caller,
    household_id: &str,
    child_id: &str,
    other_parent_email: &str,
) -> Result<Household, CustodyError> {
    require_agent(kernel, caller).await?;
    store::child_of_household(&kernel.db, household_id, child_id)
        .await?
        .ok_or(CustodyError::NotFound)?;
    let email = other_parent_email.trim().to_lowercase();
    if email.is_empty() || !email.contains('@') {
        return Err(CustodyError::Refused(
            "Indiquez l'adresse électronique du compte de l'autre parent.".into(),
        ));
    }
    let Some(user) = accounts::store::user_by_email(&kernel.db, &email).await? else {
        return Err(CustodyError::Refused(
            "Aucun compte ne porte cette adresse : l'autre parent crée d'abord son compte, puis ouvre son dossier famille."
                .into(),
        ));
    };
    let Some(other) = store::household_of_user(&kernel.db, &user.id).await? else {
        return Err(CustodyError::Refused(
            "Ce parent n'a pas encore ouvert de dossier famille : il l'ouvre sur la page « Ma famille », puis vous rattachez l'enfant."
                .into(),
        ));
    };
    if other.id == household_id {
        return Err(CustodyError::Refused(
            "Ce parent est déjà responsable de ce foyer.".into(),
        ));
    }
    let mut tx = kernel.db.begin().await?;
    if !store::attach_child(&mut tx, &other.id, child_id).await? {
        return Err(CustodyError::Refused(
            "L'enfant est déjà rattaché au foyer de ce parent.".into(),
        ));
    }
    kernel
        .audit(
            &mut tx,
            caller,
            "family.child_attached",
            Some(&AuditTarget::new("person", child_id)),
            serde_json::json!({ "from": household_id, "to": other.id }),
        )
        .await?;
    tx.commit().await?;
    Ok(other)
}

/// Takes a child out of one of its households (custody changed), inside the caller's
/// transaction: the bookings capability first cancels that household's coming days of the
/// child in the same transaction. Its last household always keeps the child.
pub async fn detach_in(
    kernel: &Kernel,
    tx: &mut kernel::Tx,
    caller: &Caller,
    household_id: &str,
    child_id: &str,
) -> Result<(), CustodyError> {
    require_agent(kernel, caller).await?;
    // Two agents detaching the child from its two households at once must not leave it
    // in none: its membership rows are locked first (SQLite has one writer already).
    if kernel.db.backend() == kernel::db::Backend::Postgres {
        store::lock_memberships(tx, child_id).await?;
    }
    if !store::detach_child(tx, household_id, child_id).await? {
        return Err(CustodyError::Refused(
            "L'enfant n'appartient qu'à ce foyer : il ne peut pas en être détaché.".into(),
        ));
    }
    kernel
        .audit(
            tx,
            caller,
            "family.child_detached",
            Some(&AuditTarget::new("person", child_id)),
            serde_json::json!({ "household": household_id }),
        )
        .await?;
    Ok(())
}

/// Whether the caller may change custody links.
pub async fn may_change(kernel: &Kernel, caller: &Caller) -> Result<(), CustodyError> {
    require_agent(kernel, caller).await
}
