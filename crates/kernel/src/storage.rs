//! File storage behind one interface: a local directory or S3-compatible object storage.
//! Documents are encrypted at rest (XChaCha20-Poly1305, key derived from the secret key,
//! the object's key bound as associated data so an object cannot be swapped for another).
//! Uploads are checked on their content, not their name: size limit and type sniffing.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::secret::SecretKey;

const MAGIC: &[u8; 4] = b"PVE1";
const NONCE_LEN: usize = 24;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageLocation {
    Local(PathBuf),
    S3 { bucket: String, prefix: String },
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error(
        "PARVIS_STORAGE_URL « {0} » n'est pas reconnu : indiquez un dossier ou s3://compartiment"
    )]
    BadLocation(String),
    #[error("stockage indisponible : {0}")]
    Backend(#[from] object_store::Error),
    #[error("le document {0} est illisible ou a été altéré")]
    Corrupt(String),
    #[error("stockage local inaccessible : {0}")]
    Io(#[from] std::io::Error),
}

impl StorageLocation {
    pub fn parse(raw: &str, data_dir: &Path) -> Result<StorageLocation, StorageError> {
        if let Some(rest) = raw.strip_prefix("s3://") {
            let mut parts = rest.splitn(2, '/');
            let bucket = parts.next().unwrap_or_default().to_string();
            if bucket.is_empty() {
                return Err(StorageError::BadLocation(raw.into()));
            }
            let prefix = parts
                .next()
                .unwrap_or_default()
                .trim_matches('/')
                .to_string();
            return Ok(StorageLocation::S3 { bucket, prefix });
        }
        let path = raw.strip_prefix("file://").unwrap_or(raw);
        if path.is_empty() || path.contains("://") {
            return Err(StorageError::BadLocation(raw.into()));
        }
        let path = PathBuf::from(path);
        Ok(StorageLocation::Local(if path.is_absolute() {
            path
        } else {
            data_dir.join(path)
        }))
    }
}

/// What an upload may be.
#[derive(Debug, Clone)]
pub struct UploadPolicy {
    pub max_bytes: u64,
    /// Accepted MIME types, as detected from the content.
    pub allowed: &'static [&'static str],
}

/// Photos and scanned documents: what residents usually send.
pub const DOCUMENT_TYPES: &[&str] = &["application/pdf", "image/jpeg", "image/png", "image/webp"];

/// Why an upload is refused, in words a resident understands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadRefused {
    #[error("Le fichier est vide.")]
    Empty,
    #[error("Le fichier dépasse la taille maximale de {max_mb} Mo.")]
    TooLarge { max_mb: u64 },
    #[error("Ce type de fichier n'est pas accepté. Formats acceptés : {accepted}.")]
    TypeNotAllowed { accepted: String },
}

/// Checks an upload's size and real type (from its first bytes). Pure.
pub fn check_upload(bytes: &[u8], policy: &UploadPolicy) -> Result<&'static str, UploadRefused> {
    if bytes.is_empty() {
        return Err(UploadRefused::Empty);
    }
    if bytes.len() as u64 > policy.max_bytes {
        return Err(UploadRefused::TooLarge {
            max_mb: policy.max_bytes.div_ceil(1024 * 1024),
        });
    }
    let detected = infer::get(bytes).map(|kind| kind.mime_type());
    match detected {
        Some(mime) if policy.allowed.contains(&mime) => Ok(policy
            .allowed
            .iter()
            .copied()
            .find(|m| *m == mime)
            .unwrap_or("application/octet-stream")),
        _ => Err(UploadRefused::TypeNotAllowed {
            accepted: policy
                .allowed
                .iter()
                .map(|m| human_type(m))
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

fn human_type(mime: &str) -> &str {
    match mime {
        "application/pdf" => "PDF",
        "image/jpeg" => "JPEG",
        "image/png" => "PNG",
        "image/webp" => "WebP",
        other => other,
    }
}

#[derive(Debug, Clone)]
pub struct StoredObject {
    pub key: String,
    pub size_bytes: u64,
    pub sha256: String,
}

#[derive(Clone)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
    cipher: Arc<XChaCha20Poly1305>,
    pub location: StorageLocation,
}

impl Storage {
    /// Opens the storage; for S3, endpoint, region and credentials come from the usual
    /// `AWS_*` variables (`AWS_ENDPOINT_URL`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_ALLOW_HTTP`).
    pub fn open(location: StorageLocation, secret: &SecretKey) -> Result<Storage, StorageError> {
        Storage::open_with(
            location,
            secret,
            object_store::aws::AmazonS3Builder::from_env(),
        )
    }

    /// The same, with S3 settings given explicitly.
    pub fn open_with(
        location: StorageLocation,
        secret: &SecretKey,
        s3: object_store::aws::AmazonS3Builder,
    ) -> Result<Storage, StorageError> {
        let store: Arc<dyn ObjectStore> = match &location {
            StorageLocation::Local(dir) => {
                std::fs::create_dir_all(dir)?;
                Arc::new(object_store::local::LocalFileSystem::new_with_prefix(dir)?)
            }
            StorageLocation::S3 { bucket, prefix } => {
                let s3 = s3.with_bucket_name(bucket).build()?;
                if prefix.is_empty() {
                    Arc::new(s3)
                } else {
                    Arc::new(object_store::prefix::PrefixStore::new(s3, prefix.as_str()))
                }
            }
        };
        let key = secret.derive("parvis/storage/xchacha20poly1305/v1");
        Ok(Storage {
            store,
            cipher: Arc::new(XChaCha20Poly1305::new(&key.into())),
            location,
        })
    }

    /// Encrypts and writes a document; returns once the object is durably stored.
    pub async fn put_encrypted(
        &self,
        folder: &str,
        plain: &[u8],
    ) -> Result<StoredObject, StorageError> {
        let key = format!("{}/{}", folder.trim_matches('/'), uuid::Uuid::new_v4());
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plain,
                    aad: key.as_bytes(),
                },
            )
            .map_err(|_| StorageError::Corrupt(key.clone()))?;
        let mut body = Vec::with_capacity(MAGIC.len() + NONCE_LEN + sealed.len());
        body.extend_from_slice(MAGIC);
        body.extend_from_slice(&nonce);
        body.extend_from_slice(&sealed);
        self.store
            .put(&ObjectPath::from(key.as_str()), body.into())
            .await?;
        Ok(StoredObject {
            key,
            size_bytes: plain.len() as u64,
            sha256: hex::encode(Sha256::digest(plain)),
        })
    }

    pub async fn get_decrypted(&self, key: &str) -> Result<Vec<u8>, StorageError> {
        let body = self
            .store
            .get(&ObjectPath::from(key))
            .await?
            .bytes()
            .await?;
        if body.len() < MAGIC.len() + NONCE_LEN || &body[..MAGIC.len()] != MAGIC {
            return Err(StorageError::Corrupt(key.into()));
        }
        let nonce = XNonce::try_from(&body[MAGIC.len()..MAGIC.len() + NONCE_LEN])
            .map_err(|_| StorageError::Corrupt(key.into()))?;
        self.cipher
            .decrypt(
                &nonce,
                Payload {
                    msg: &body[MAGIC.len() + NONCE_LEN..],
                    aad: key.as_bytes(),
                },
            )
            .map_err(|_| StorageError::Corrupt(key.into()))
    }

    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        match self.store.delete(&ObjectPath::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Keys of the objects under a folder written before `older_than` (for the orphan sweep).
    pub async fn list_older_than(
        &self,
        folder: &str,
        older_than: jiff::Timestamp,
    ) -> Result<Vec<String>, StorageError> {
        use futures::TryStreamExt;
        let prefix = ObjectPath::from(folder);
        let objects: Vec<_> = self.store.list(Some(&prefix)).try_collect().await?;
        Ok(objects
            .into_iter()
            .filter(|meta| meta.last_modified.timestamp_micros() < older_than.as_microsecond())
            .map(|meta| meta.location.to_string())
            .collect())
    }

    /// Writes and reads back a small probe (used by `parvis check` and readiness).
    pub async fn probe(&self) -> Result<(), StorageError> {
        let stored = self.put_encrypted("probe", b"parvis").await?;
        let back = self.get_decrypted(&stored.key).await?;
        self.delete(&stored.key).await?;
        if back != b"parvis" {
            return Err(StorageError::Corrupt(stored.key));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = &[
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R',
    ];

    fn policy() -> UploadPolicy {
        UploadPolicy {
            max_bytes: 32,
            allowed: DOCUMENT_TYPES,
        }
    }

    #[test]
    fn upload_checks_content_not_name() {
        assert_eq!(check_upload(PNG, &policy()), Ok("image/png"));
        assert_eq!(check_upload(b"", &policy()), Err(UploadRefused::Empty));
        let refused = check_upload(b"#!/bin/sh\necho hello", &policy()).unwrap_err();
        assert!(refused.to_string().contains("PDF, JPEG, PNG, WebP"));
        assert_eq!(
            check_upload(&[0x89; 64], &policy()),
            Err(UploadRefused::TooLarge { max_mb: 1 })
        );
    }

    #[test]
    fn storage_urls_are_understood() {
        let data = Path::new("/srv/parvis");
        assert_eq!(
            StorageLocation::parse("s3://docs/parvis/", data).unwrap(),
            StorageLocation::S3 {
                bucket: "docs".into(),
                prefix: "parvis".into()
            }
        );
        assert_eq!(
            StorageLocation::parse("fichiers", data).unwrap(),
            StorageLocation::Local("/srv/parvis/fichiers".into())
        );
        assert!(StorageLocation::parse("ftp://x", data).is_err());
        assert!(StorageLocation::parse("s3://", data).is_err());
    }

    #[tokio::test]
    async fn documents_are_encrypted_at_rest_and_tamper_evident() {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::open(
            StorageLocation::Local(dir.path().to_path_buf()),
            &SecretKey::random(),
        )
        .unwrap();
        let secret_text = b"Avis d'imposition 2026 - revenu fiscal de reference";
        let stored = storage
            .put_encrypted("documents", secret_text)
            .await
            .unwrap();
        let on_disk = std::fs::read(dir.path().join(&stored.key)).unwrap();
        assert!(!on_disk.windows(10).any(|w| w == &secret_text[..10]));
        assert_eq!(
            storage.get_decrypted(&stored.key).await.unwrap(),
            secret_text
        );

        let mut tampered = on_disk.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        std::fs::write(dir.path().join(&stored.key), tampered).unwrap();
        assert!(matches!(
            storage.get_decrypted(&stored.key).await,
            Err(StorageError::Corrupt(_))
        ));
        storage.probe().await.unwrap();
    }
}
