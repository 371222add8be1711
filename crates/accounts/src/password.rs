//! Password hashing with argon2id (default parameters: 19 MiB, 2 passes — OWASP's
//! recommendation), and a constant-cost check for unknown accounts so that timing does
//! not reveal who has an account.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

pub fn hash(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

pub fn verify(stored: &str, password: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Spends the same time as a real check, for an address that has no account.
pub fn verify_nobody(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("parvis-aucun-compte-Ω").unwrap_or_default());
    let _ = verify(dummy, password);
}

/// Hashing costs tens of milliseconds of CPU: keep it off the async threads.
pub async fn hash_blocking(password: String) -> Result<String, String> {
    tokio::task::spawn_blocking(move || hash(&password))
        .await
        .map_err(|e| e.to_string())?
}

pub async fn verify_blocking(stored: Option<String>, password: String) -> bool {
    tokio::task::spawn_blocking(move || match stored {
        Some(stored) => verify(&stored, &password),
        None => {
            verify_nobody(&password);
            false
        }
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_salted() {
        let a = hash("Vél0-Pré-2026!").unwrap();
        let b = hash("Vél0-Pré-2026!").unwrap();
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b);
        assert!(verify(&a, "Vél0-Pré-2026!"));
        assert!(!verify(&a, "vél0-Pré-2026!"));
        assert!(!verify("not a hash", "x"));
    }
}
