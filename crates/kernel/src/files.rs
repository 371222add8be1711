//! Files people upload: checked (size, real type), encrypted and written to storage
//! *before* the row that points to them is written in the caller's transaction. If that
//! transaction fails, the object is an orphan that the nightly sweep removes; a file is
//! never acknowledged before it is stored.

use sqlx::Row;

use crate::clock::to_db;
use crate::storage::{StorageError, UploadPolicy, UploadRefused, check_upload};
use crate::{Kernel, Tx};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub id: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub original_name: String,
}

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The person can fix this: the message says how.
    #[error("{0}")]
    Refused(#[from] UploadRefused),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Keeps only a safe display name: no path, no control characters, at most 120 characters.
pub fn clean_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(120).collect();
    if cleaned.trim().is_empty() {
        "document".into()
    } else {
        cleaned.trim().to_string()
    }
}

pub async fn store_upload(
    kernel: &Kernel,
    tx: &mut Tx,
    folder: &str,
    original_name: &str,
    bytes: &[u8],
    policy: &UploadPolicy,
) -> Result<StoredFile, FileError> {
    let content_type = check_upload(bytes, policy)?;
    let object = kernel.storage.put_encrypted(folder, bytes).await?;
    let file = StoredFile {
        id: uuid::Uuid::new_v4().to_string(),
        content_type: content_type.to_string(),
        size_bytes: i64::try_from(object.size_bytes).unwrap_or(i64::MAX),
        sha256: object.sha256,
        original_name: clean_name(original_name),
    };
    sqlx::query(
        "INSERT INTO files (id, storage_key, content_type, size_bytes, sha256, original_name, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&file.id)
    .bind(&object.key)
    .bind(&file.content_type)
    .bind(file.size_bytes)
    .bind(&file.sha256)
    .bind(&file.original_name)
    .bind(to_db(kernel.now()))
    .execute(&mut **tx)
    .await?;
    Ok(file)
}

/// A stored file and its decrypted content. Callers check the person may see it first.
pub async fn read(kernel: &Kernel, id: &str) -> Result<Option<(StoredFile, Vec<u8>)>, FileError> {
    let row = sqlx::query(
        "SELECT id, storage_key, content_type, size_bytes, sha256, original_name FROM files WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(kernel.db.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let key: String = row.get(1);
    let bytes = kernel.storage.get_decrypted(&key).await?;
    Ok(Some((
        StoredFile {
            id: row.get(0),
            content_type: row.get(2),
            size_bytes: row.get(3),
            sha256: row.get(4),
            original_name: row.get(5),
        },
        bytes,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_their_paths() {
        assert_eq!(
            clean_name("C:\\Users\\moi\\avis impôt.pdf"),
            "avis impôt.pdf"
        );
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("\u{0}\u{7}"), "document");
    }
}
