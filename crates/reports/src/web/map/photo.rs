//! `/signalements/photos/{id}`: a report's photo, to the public when it may be seen by
//! all, otherwise to those who have a reason to see it.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::Response;
use kernel::audit::AuditTarget;
use kernel::{AppError, Caller, Kernel};
use serde::Deserialize;

use super::photo_is_public;
use crate::actions;
use crate::store;

#[derive(Deserialize)]
pub struct PhotoQuery {
    /// The tracking token of the report (`/signalements/suivi/{token}`), for an author
    /// without an account.
    #[serde(default)]
    suivi: String,
}

/// Who may see a photo that is not for everyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    Public,
    /// The author (or a follower with a tracking link): what their tracking page shows.
    Follower,
    /// An agent who may handle the report: audited.
    Agent,
}

/// Serves a photo:
/// - to anyone when it is not hidden, its history entry is public, and its report is of
///   a public category;
/// - otherwise to an agent who may handle the report (each opening audited), to the
///   author's account (their own photos, even hidden: they took them), or to a tracking
///   link of the report (photos that are not hidden, as its tracking page shows them).
///
/// Anyone else gets « not found », as for an unknown photo.
pub async fn photo(
    State(kernel): State<Kernel>,
    caller: Caller,
    Path(id): Path<String>,
    Query(query): Query<PhotoQuery>,
) -> Result<Response, AppError> {
    let photo = store::photo_by_id(&kernel.db, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let updates = store::updates_of(&kernel.db, &photo.report_id).await?;
    let shown_to_all = photo_is_public(&photo, &updates);
    let public_report = store::public_report(&kernel.db, &photo.report_id)
        .await?
        .is_some();
    let access = if shown_to_all && public_report {
        Access::Public
    } else {
        let report = store::report_by_id(&kernel.db, &photo.report_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let author = caller
            .identity
            .as_ref()
            .is_some_and(|i| report.author_user_id.as_deref() == Some(i.user_id.as_str()))
            && (photo.update_id.is_none() || shown_to_all);
        let tracked = shown_to_all
            && !query.suivi.trim().is_empty()
            && store::report_by_tracking_hash(&kernel.db, &actions::hash_token(query.suivi.trim()))
                .await?
                .is_some_and(|r| r.id == report.id);
        if author || tracked {
            Access::Follower
        } else if actions::may_handle(&caller, &report) {
            Access::Agent
        } else {
            return Err(AppError::NotFound);
        }
    };
    let (file, bytes) = kernel::files::read(&kernel, &photo.file_id)
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .ok_or(AppError::NotFound)?;
    if access == Access::Agent {
        kernel
            .audit_view(
                &caller,
                "reports.photo.view",
                Some(&AuditTarget::new("report", &photo.report_id)),
                serde_json::json!({ "photo": photo.id, "hidden": photo.hidden }),
            )
            .await?;
    }
    // Photos are re-encoded images; anything else is never shown inline.
    let content_type = if file.content_type.starts_with("image/") {
        file.content_type.as_str()
    } else {
        "application/octet-stream"
    };
    let cache = match access {
        // Short: a photo hidden later by a moderator soon leaves the caches.
        Access::Public => "public, max-age=600",
        Access::Follower | Access::Agent => "private, no-store",
    };
    Response::builder()
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CACHE_CONTROL, cache)
        .header(header::CONTENT_DISPOSITION, "inline")
        .body(Body::from(bytes))
        .map_err(|e| AppError::Internal(e.into()))
}
