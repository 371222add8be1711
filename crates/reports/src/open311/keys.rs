//! The keys of Open311 clients: an administrator issues one per client (another app, a
//! city dashboard), it is shown once and kept as its SHA-256, and it can be revoked at
//! any time. Every issue and revocation is audited.

use kernel::audit::AuditTarget;
use kernel::{Caller, Kernel, Permission, Role};

use crate::actions::hash_token;
use crate::store::{self, ApiClient};

/// Keys start with this, so that a key found in a log or a repository is recognised.
pub const KEY_PREFIX: &str = "o311_";
pub const NAME_MAX: usize = 100;
pub const CONTACT_MAX: usize = 200;
/// How much of a key the list shows, to tell keys apart without revealing them.
const SHOWN_PREFIX: usize = KEY_PREFIX.len() + 6;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Fields to correct, with the catalogue key of their message.
    #[error("champs à corriger")]
    Invalid(Vec<(&'static str, &'static str)>),
    #[error("action refusée")]
    Forbidden,
    #[error("clé introuvable")]
    NotFound,
    #[error("clé déjà révoquée")]
    AlreadyRevoked,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Administrators manage the keys: they decide which outside systems may file reports.
pub fn may_manage(caller: &Caller) -> bool {
    caller.can(Permission::ManageUsers)
        || caller
            .identity
            .as_ref()
            .is_some_and(|i| i.has_role(Role::Administrator))
}

/// A fresh key: 256 random bits behind the prefix.
pub fn new_key() -> String {
    format!("{KEY_PREFIX}{}", kernel::web::page::new_token())
}

/// The problems with a client's name and contact, by field, as catalogue keys.
pub fn check_client(name: &str, contact: &str) -> Vec<(&'static str, &'static str)> {
    let mut problems = Vec::new();
    let name = name.trim();
    if name.is_empty() || name.chars().count() > NAME_MAX {
        problems.push(("name", "open311-keys-error-name"));
    }
    let contact = contact.trim();
    if contact.is_empty() || contact.chars().count() > CONTACT_MAX {
        problems.push(("contact", "open311-keys-error-contact"));
    }
    problems
}

/// Issues a key to a client; returns the client and the key, which is never stored.
pub async fn issue(
    kernel: &Kernel,
    caller: &Caller,
    name: &str,
    contact: &str,
) -> Result<(ApiClient, String), KeyError> {
    if !may_manage(caller) {
        return Err(KeyError::Forbidden);
    }
    let problems = check_client(name, contact);
    if !problems.is_empty() {
        return Err(KeyError::Invalid(problems));
    }
    let key = new_key();
    let client = ApiClient {
        id: store::new_id(),
        name: name.trim().to_string(),
        contact: contact.trim().to_string(),
        key_prefix: key.chars().take(SHOWN_PREFIX).collect(),
        created_at: kernel.now(),
        last_used_at: None,
        revoked_at: None,
    };
    let created_by = caller.identity.as_ref().map(|i| i.user_id.as_str());
    let mut tx = kernel.db.begin().await?;
    store::insert_client(&mut tx, &client, &hash_token(&key), created_by).await?;
    kernel
        .audit(
            &mut tx,
            caller,
            "open311.key_issued",
            Some(&AuditTarget::new("open311_client", &client.id)),
            serde_json::json!({ "name": client.name, "prefix": client.key_prefix }),
        )
        .await?;
    tx.commit().await?;
    Ok((client, key))
}

/// Revokes a client's key: from now on it files nothing.
pub async fn revoke(kernel: &Kernel, caller: &Caller, id: &str) -> Result<ApiClient, KeyError> {
    if !may_manage(caller) {
        return Err(KeyError::Forbidden);
    }
    let mut tx = kernel.db.begin().await?;
    let Some(client) = store::client_by_id(&mut tx, id).await? else {
        tx.rollback().await?;
        return Err(KeyError::NotFound);
    };
    if !store::revoke_client(&mut tx, id, kernel.now()).await? {
        tx.rollback().await?;
        return Err(KeyError::AlreadyRevoked);
    }
    kernel
        .audit(
            &mut tx,
            caller,
            "open311.key_revoked",
            Some(&AuditTarget::new("open311_client", &client.id)),
            serde_json::json!({ "name": client.name, "prefix": client.key_prefix }),
        )
        .await?;
    tx.commit().await?;
    Ok(client)
}

/// The client holding a presented key, unless the key is unknown or revoked.
pub async fn authenticate(kernel: &Kernel, key: &str) -> Result<Option<ApiClient>, sqlx::Error> {
    if !key.starts_with(KEY_PREFIX) {
        return Ok(None);
    }
    store::client_by_key_hash(&kernel.db, &hash_token(key)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_prefixed_random_and_long() {
        let a = new_key();
        let b = new_key();
        assert!(a.starts_with(KEY_PREFIX));
        assert_ne!(a, b);
        assert!(a.len() >= KEY_PREFIX.len() + 43);
        assert_ne!(hash_token(&a), a);
    }

    #[test]
    fn a_client_needs_a_name_and_a_contact() {
        assert!(check_client("Appli Quartiers", "dev@quartiers.fr").is_empty());
        let problems = check_client(" ", &"x".repeat(CONTACT_MAX + 1));
        assert_eq!(
            problems,
            vec![
                ("name", "open311-keys-error-name"),
                ("contact", "open311-keys-error-contact")
            ]
        );
    }

    #[test]
    fn only_administrators_manage_keys() {
        assert!(!may_manage(&Caller::default()));
    }
}
