//! What a family does with its file, each in one transaction with its audit line. The
//! caller's household is always looked up from their account: a family never reaches
//! another family's file, whatever identifier it sends.

use kernel::audit::AuditTarget;
use kernel::{Caller, Kernel};

use crate::model::{Contact, Household};
use crate::rules::{self, ChildInput, Problem};
use crate::store;

#[derive(Debug, thiserror::Error)]
pub enum FamilyError {
    #[error("formulaire incomplet")]
    Invalid(Vec<Problem>),
    #[error("introuvable")]
    NotFound,
    #[error("connexion requise")]
    LoginRequired,
    #[error("stockage des fichiers : {0}")]
    Storage(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl From<FamilyError> for kernel::AppError {
    fn from(e: FamilyError) -> Self {
        match e {
            FamilyError::NotFound => kernel::AppError::NotFound,
            FamilyError::LoginRequired => kernel::AppError::LoginRequired,
            FamilyError::Invalid(problems) => kernel::AppError::BadRequest(
                problems
                    .into_iter()
                    .map(|(_, m)| m)
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            FamilyError::Database(e) => kernel::AppError::Internal(e.into()),
            FamilyError::Storage(e) => kernel::AppError::Internal(anyhow::anyhow!(e)),
        }
    }
}

fn user_id(caller: &Caller) -> Result<&str, FamilyError> {
    caller
        .identity
        .as_ref()
        .map(|i| i.user_id.as_str())
        .ok_or(FamilyError::LoginRequired)
}

/// The caller's own household, if they opened one.
pub async fn my_household(
    kernel: &Kernel,
    caller: &Caller,
) -> Result<Option<Household>, FamilyError> {
    Ok(store::household_of_user(&kernel.db, user_id(caller)?).await?)
}

async fn require_household(kernel: &Kernel, caller: &Caller) -> Result<Household, FamilyError> {
    my_household(kernel, caller)
        .await?
        .ok_or(FamilyError::NotFound)
}

/// Opens the caller's family file (once: a second call returns the same file).
pub async fn open_file(
    kernel: &Kernel,
    caller: &Caller,
    address: &str,
) -> Result<String, FamilyError> {
    let user = user_id(caller)?.to_string();
    if let Some(existing) = store::household_of_user(&kernel.db, &user).await? {
        return Ok(existing.id);
    }
    let address = rules::clean(address, 300);
    if address.is_empty() {
        return Err(FamilyError::Invalid(vec![(
            "address",
            "Indiquez l'adresse du foyer.".to_string(),
        )]));
    }
    let account = accounts::store::user_by_id(&kernel.db, &user)
        .await?
        .ok_or(FamilyError::LoginRequired)?;
    let mut tx = kernel.db.begin().await?;
    let id = store::create_household(
        &mut tx,
        &user,
        &account.given_name,
        &account.family_name,
        &account.email,
        &address,
        kernel.now(),
    )
    .await?;
    kernel
        .audit(
            &mut tx,
            caller,
            "family.file_opened",
            Some(&AuditTarget::new("household", &id)),
            serde_json::json!({}),
        )
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// The form's child, its school checked against the commune's list.
async fn checked_child(
    kernel: &Kernel,
    input: &ChildInput,
    today: jiff::civil::Date,
) -> Result<rules::ValidChild, FamilyError> {
    let known = store::school_names(&kernel.db).await?;
    let school = rules::check_school(&input.school, &known);
    match (rules::check_child(input, today), school) {
        (Ok(child), None) => Ok(child),
        (Ok(_), Some(problem)) => Err(FamilyError::Invalid(vec![problem])),
        (Err(mut problems), school) => {
            problems.extend(school);
            Err(FamilyError::Invalid(problems))
        }
    }
}

pub async fn add_child(
    kernel: &Kernel,
    caller: &Caller,
    input: &ChildInput,
) -> Result<String, FamilyError> {
    let household = require_household(kernel, caller).await?;
    let today = kernel.now().to_zoned(kernel::clock::paris()).date();
    let child = checked_child(kernel, input, today).await?;
    let mut tx = kernel.db.begin().await?;
    let id = store::insert_child(&mut tx, &household.id, &child, kernel.now()).await?;
    kernel
        .audit(
            &mut tx,
            caller,
            "family.child_added",
            Some(&AuditTarget::new("child", &id)),
            serde_json::json!({ "household": household.id }),
        )
        .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update_child(
    kernel: &Kernel,
    caller: &Caller,
    child_id: &str,
    input: &ChildInput,
) -> Result<(), FamilyError> {
    let household = require_household(kernel, caller).await?;
    if store::child_of_household(&kernel.db, &household.id, child_id)
        .await?
        .is_none()
    {
        return Err(FamilyError::NotFound);
    }
    let today = kernel.now().to_zoned(kernel::clock::paris()).date();
    let child = checked_child(kernel, input, today).await?;
    let mut tx = kernel.db.begin().await?;
    store::update_child(&mut tx, child_id, &child, kernel.now()).await?;
    kernel
        .audit(
            &mut tx,
            caller,
            "family.child_updated",
            Some(&AuditTarget::new("child", child_id)),
            serde_json::json!({ "household": household.id }),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn add_contact(
    kernel: &Kernel,
    caller: &Caller,
    kind: &str,
    name: &str,
    relation: &str,
    phone: &str,
) -> Result<(), FamilyError> {
    let household = require_household(kernel, caller).await?;
    let (kind, name, relation, phone) =
        rules::check_contact(kind, name, relation, phone).map_err(FamilyError::Invalid)?;
    let contact = Contact {
        id: store::new_id(),
        kind,
        name,
        relation,
        phone,
    };
    let mut tx = kernel.db.begin().await?;
    store::insert_contact(&mut tx, &household.id, &contact, kernel.now()).await?;
    kernel
        .audit(
            &mut tx,
            caller,
            "family.contact_added",
            Some(&AuditTarget::new("household", &household.id)),
            serde_json::json!({ "contact": contact.id }),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_contact(
    kernel: &Kernel,
    caller: &Caller,
    contact_id: &str,
) -> Result<(), FamilyError> {
    let household = require_household(kernel, caller).await?;
    let mut tx = kernel.db.begin().await?;
    if !store::delete_contact(&mut tx, &household.id, contact_id).await? {
        return Err(FamilyError::NotFound);
    }
    kernel
        .audit(
            &mut tx,
            caller,
            "family.contact_removed",
            Some(&AuditTarget::new("household", &household.id)),
            serde_json::json!({ "contact": contact_id }),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The family service corrects a child's record (a wrong school, an allergy told at the
/// counter), audited as the family's own changes are, with the agent as actor.
pub async fn correct_child(
    kernel: &Kernel,
    caller: &Caller,
    household_id: &str,
    child_id: &str,
    input: &ChildInput,
) -> Result<(), FamilyError> {
    if !crate::documents::is_family_agent(kernel, caller).await? {
        return Err(FamilyError::NotFound);
    }
    if store::child_of_household(&kernel.db, household_id, child_id)
        .await?
        .is_none()
    {
        return Err(FamilyError::NotFound);
    }
    let today = kernel.now().to_zoned(kernel::clock::paris()).date();
    let child = checked_child(kernel, input, today).await?;
    let mut tx = kernel.db.begin().await?;
    store::update_child(&mut tx, child_id, &child, kernel.now()).await?;
    kernel
        .audit(
            &mut tx,
            caller,
            "family.child_updated",
            Some(&AuditTarget::new("child", child_id)),
            serde_json::json!({ "household": household_id, "by": "family_service" }),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}
