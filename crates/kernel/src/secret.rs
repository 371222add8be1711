//! The instance's secret key (32 random bytes, hex in a file), and the keys derived from
//! it for each purpose, so that one secret never serves two uses directly.

use std::path::Path;

use hmac::{Hmac, KeyInit, Mac};
use rand::RngCore;
use sha2::Sha256;

#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(…)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("impossible de lire ou de créer la clé secrète {path} : {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("la clé secrète {0} doit contenir 64 caractères hexadécimaux (32 octets)")]
    Malformed(String),
}

impl SecretKey {
    pub fn from_bytes(bytes: [u8; 32]) -> SecretKey {
        SecretKey(bytes)
    }

    pub fn random() -> SecretKey {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        SecretKey(bytes)
    }

    /// Reads the key file, or creates it (mode 0600) on first start.
    pub fn load_or_create(path: &Path) -> Result<SecretKey, SecretError> {
        let io = |source| SecretError::Io {
            path: path.display().to_string(),
            source,
        };
        if path.exists() {
            let text = std::fs::read_to_string(path).map_err(io)?;
            let bytes = hex::decode(text.trim())
                .ok()
                .and_then(|b| <[u8; 32]>::try_from(b).ok())
                .ok_or_else(|| SecretError::Malformed(path.display().to_string()))?;
            return Ok(SecretKey(bytes));
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        let key = SecretKey::random();
        write_private(path, &hex::encode(key.0)).map_err(io)?;
        tracing::info!(path = %path.display(), "clé secrète créée");
        Ok(key)
    }

    /// A key for one purpose: HMAC-SHA256(secret, purpose).
    pub fn derive(&self, purpose: &str) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0).expect("any key length");
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// Encrypts a small secret (a TOTP seed) for storage in the database.
    pub fn seal(&self, purpose: &str, plain: &[u8]) -> String {
        use chacha20poly1305::aead::{Aead, KeyInit as _};
        let cipher = chacha20poly1305::XChaCha20Poly1305::new(&self.derive(purpose).into());
        let mut nonce = [0u8; 24];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = cipher
            .encrypt(&chacha20poly1305::XNonce::from(nonce), plain)
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        hex::encode(out)
    }

    /// Decrypts what `seal` produced with the same purpose; `None` if altered.
    pub fn open(&self, purpose: &str, sealed: &str) -> Option<Vec<u8>> {
        use chacha20poly1305::aead::{Aead, KeyInit as _};
        let bytes = hex::decode(sealed).ok()?;
        if bytes.len() < 24 {
            return None;
        }
        let cipher = chacha20poly1305::XChaCha20Poly1305::new(&self.derive(purpose).into());
        let nonce = chacha20poly1305::XNonce::try_from(&bytes[..24]).ok()?;
        cipher.decrypt(&nonce, &bytes[24..]).ok()
    }

    /// A keyed hash of a value (rate-limit keys, token lookups): stable, not reversible.
    pub fn keyed_hash(&self, purpose: &str, value: &str) -> String {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.derive(purpose))
            .expect("any key length");
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

#[cfg(unix)]
fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(content.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    std::fs::write(path, content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_file_is_created_once_and_reread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.key");
        let first = SecretKey::load_or_create(&path).unwrap();
        let again = SecretKey::load_or_create(&path).unwrap();
        assert_eq!(first.0, again.0);
        assert_ne!(first.derive("a"), first.derive("b"));
    }

    #[test]
    fn sealed_secrets_open_only_with_the_same_key_and_purpose() {
        let key = SecretKey::random();
        let sealed = key.seal("totp", b"JBSWY3DPEHPK3PXP");
        assert_eq!(
            key.open("totp", &sealed).as_deref(),
            Some(&b"JBSWY3DPEHPK3PXP"[..])
        );
        assert!(key.open("other", &sealed).is_none());
        assert!(SecretKey::random().open("totp", &sealed).is_none());
    }

    #[test]
    fn malformed_key_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.key");
        std::fs::write(&path, "short").unwrap();
        assert!(matches!(
            SecretKey::load_or_create(&path),
            Err(SecretError::Malformed(_))
        ));
    }
}
