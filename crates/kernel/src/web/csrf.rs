//! Every form carries the session's CSRF token (`csrf_token`); a state-changing request
//! without the right one is refused before any handler runs. Machine endpoints
//! (`/api/`, `/open311/`) authenticate by token, not cookie, and are exempt.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use crate::web::page::stored_csrf_token;
use crate::{AppError, Kernel};

pub const FIELD: &str = "csrf_token";
const HEADER: &str = "x-csrf-token";

fn exempt(path: &str) -> bool {
    path.starts_with("/api/") || path.starts_with("/open311/")
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Largest plain form body read to find the token; file forms may carry several uploads.
const FORM_LIMIT: usize = 1024 * 1024;

pub async fn guard(
    State(kernel): State<Kernel>,
    session: Session,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe || exempt(request.uri().path()) {
        return next.run(request).await;
    }
    // Browsers say when a request comes from another site: refuse those outright.
    if request
        .headers()
        .get("sec-fetch-site")
        .is_some_and(|v| v == "cross-site")
    {
        return AppError::Csrf.into_response();
    }
    let expected = match stored_csrf_token(&session).await {
        Ok(Some(token)) => token,
        Ok(None) => return AppError::Csrf.into_response(),
        Err(e) => return e.into_response(),
    };
    let (parts, body) = request.into_parts();
    let multipart = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let limit = if multipart {
        usize::try_from(kernel.config.max_upload_bytes)
            .unwrap_or(usize::MAX)
            .saturating_mul(4)
            .saturating_add(FORM_LIMIT)
    } else {
        FORM_LIMIT
    };
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return AppError::BadRequest("corps de requête trop volumineux".into()).into_response();
        }
    };
    let presented = match parts.headers.get(HEADER).and_then(|v| v.to_str().ok()) {
        Some(token) => Some(token.to_string()),
        None => token_from_body(&parts.headers, &bytes).await,
    };
    match presented {
        Some(token) if constant_time_eq(token.as_bytes(), expected.as_bytes()) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        _ => {
            tracing::warn!(path = %parts.uri.path(), "requête refusée : jeton CSRF absent ou invalide");
            AppError::Csrf.into_response()
        }
    }
}

async fn token_from_body(headers: &axum::http::HeaderMap, bytes: &Bytes) -> Option<String> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if content_type.starts_with("application/x-www-form-urlencoded") {
        return url::form_urlencoded::parse(bytes)
            .find(|(k, _)| k == FIELD)
            .map(|(_, v)| v.into_owned());
    }
    if content_type.starts_with("multipart/form-data") {
        let request = Request::builder()
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(bytes.clone()))
            .ok()?;
        let mut multipart = Multipart::from_request(request, &()).await.ok()?;
        while let Ok(Some(field)) = multipart.next_field().await {
            if field.name() == Some(FIELD) {
                return field.text().await.ok();
            }
        }
    }
    None
}
