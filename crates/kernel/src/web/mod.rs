//! The web shell: assembles the capabilities' routers behind one set of layers
//! (sessions, CSRF, security headers, metrics, errors) and serves the pages every
//! commune needs (home, legal pages, accessibility statement) and the operators' endpoints.

pub mod csrf;
pub mod error;
pub mod forms;
pub mod metrics;
pub mod page;
pub mod push;
pub mod shell;
pub mod theme;

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::Kernel;
use crate::session::DbSessionStore;

pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

pub const SESSION_COOKIE: &str = "parvis_session";

/// The path as logged: long segments (link tokens, which open accounts) are masked.
pub fn redact_path(path: &str) -> String {
    path.split('/')
        .map(|segment| if segment.len() >= 24 { "…" } else { segment })
        .collect::<Vec<_>>()
        .join("/")
}

/// The whole application: the shell's routes and every capability's, with the layers.
pub fn app(kernel: Kernel, capabilities: Vec<Router<Kernel>>) -> Router {
    let mut router = shell::routes();
    for capability in capabilities {
        router = router.merge(capability);
    }
    let sessions = SessionManagerLayer::new(DbSessionStore::new(kernel.db.clone()))
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(kernel.config.is_https())
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(
            kernel.config.session_idle_minutes,
        )));
    let request_id = HeaderName::from_static("x-request-id");
    let mut router = router
        .fallback(error::not_found)
        .layer(middleware::from_fn_with_state(kernel.clone(), csrf::guard))
        .layer(sessions)
        .layer(CatchPanicLayer::custom(|_| {
            axum::response::IntoResponse::into_response(error::AppError::Internal(anyhow::anyhow!(
                "panique dans un gestionnaire"
            )))
        }))
        .layer(middleware::from_fn_with_state(
            kernel.clone(),
            error::render_errors,
        ))
        .layer(DefaultBodyLimit::max(
            (kernel.config.max_upload_bytes as usize)
                .saturating_mul(4)
                .max(1024 * 1024),
        ))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(), microphone=(), geolocation=(self), payment=()"),
        ));
    if kernel.config.is_https() {
        router = router.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        ));
    }
    router
        .layer(middleware::from_fn(metrics::track))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
            let id = request
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("requête", method = %request.method(), path = %redact_path(request.uri().path()), id)
        }))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(kernel)
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_never_reach_the_logs() {
        assert_eq!(
            super::redact_path("/mot-de-passe/nouveau/Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4"),
            "/mot-de-passe/nouveau/…"
        );
        assert_eq!(super::redact_path("/backoffice/audit"), "/backoffice/audit");
    }
}
