//! Pages and endpoints every instance serves, whatever its capabilities.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::web::forms::safe_local_path;
use crate::web::page::{LANG_COOKIE, Page, render};
use crate::{AppError, Kernel};

const CSS: &str = include_str!("../../static/parvis.css");
const JS: &str = include_str!("../../static/parvis.js");
const LOGO: &str = include_str!("../../static/logo.svg");
/// Changes with every release, so that browsers may cache static files for a year.
pub const ASSET_VERSION: &str = env!("CARGO_PKG_VERSION");

pub fn routes() -> Router<Kernel> {
    Router::new()
        .route("/", get(home))
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/metrics", get(metrics))
        .route("/accessibilite", get(accessibility))
        .route("/mentions-legales", get(legal_notice))
        .route("/donnees-personnelles", get(privacy))
        .route("/plan-du-site", get(sitemap))
        .route("/langue/{code}", get(switch_language))
        .route(
            "/static/parvis.css",
            get(|| async { asset("text/css; charset=utf-8", CSS) }),
        )
        .route(
            "/static/parvis.js",
            get(|| async { asset("text/javascript; charset=utf-8", JS) }),
        )
        .route(
            "/static/push.js",
            get(|| async { asset("text/javascript; charset=utf-8", super::push::SCRIPT) }),
        )
        .route("/sw.js", get(super::push::service_worker))
        .route("/notifications", get(super::push::page))
        .route("/notifications/appareils", post(super::push::subscribe))
        .route(
            "/notifications/appareils/{id}/retirer",
            post(super::push::remove),
        )
        .route("/notifications/essai", post(super::push::test))
        .route("/logo", get(logo))
        .route("/theme.css", get(theme))
}

/// A static file built into the binary, cached for a year: pages link it with the
/// release's version in the address, so a new release is fetched anew.
pub fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        body,
    )
        .into_response()
}

async fn logo(State(kernel): State<Kernel>) -> Response {
    if let Some(path) = &kernel.config.commune.logo_file
        && let Ok(bytes) = tokio::fs::read(path).await
    {
        let content_type = if path.extension().is_some_and(|e| e == "svg") {
            "image/svg+xml"
        } else {
            infer::get(&bytes)
                .map(|k| k.mime_type())
                .unwrap_or("image/png")
        };
        return (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            bytes,
        )
            .into_response();
    }
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        LOGO,
    )
        .into_response()
}

async fn theme(State(kernel): State<Kernel>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        crate::web::theme::theme_css(&kernel.config.commune.primary_color),
    )
        .into_response()
}

/// Up: the process answers.
async fn health() -> &'static str {
    "ok"
}

/// Ready: the database answers too (load balancers send traffic only then).
async fn ready(State(kernel): State<Kernel>) -> Response {
    if kernel.db.ping().await {
        (StatusCode::OK, "ok").into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "base de données injoignable",
        )
            .into_response()
    }
}

/// Metrics describe the service, not people, but they are for the operators only.
fn may_read_metrics(
    kernel: &Kernel,
    caller: &crate::Caller,
    headers: &axum::http::HeaderMap,
) -> bool {
    match &kernel.config.metrics_token {
        Some(token) => headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| {
                crate::web::csrf::constant_time_eq(given.as_bytes(), token.as_bytes())
            }),
        None => caller
            .ip
            .as_deref()
            .and_then(|ip| ip.parse::<std::net::IpAddr>().ok())
            .is_some_and(|ip| match ip {
                std::net::IpAddr::V4(v4) => v4.is_loopback() || v4.is_private(),
                std::net::IpAddr::V6(v6) => {
                    v6.is_loopback() || (v6.segments()[0] & 0xfe00) == 0xfc00
                }
            }),
    }
}

async fn metrics(
    State(kernel): State<Kernel>,
    caller: crate::Caller,
    headers: axum::http::HeaderMap,
) -> Response {
    if !may_read_metrics(&kernel, &caller, &headers) {
        return AppError::Forbidden.into_response();
    }
    if let Ok(counts) = crate::outbox::counts(&kernel.db).await {
        for (status, n) in counts {
            metrics::gauge!("parvis_outbox_messages", "status" => status).set(n as f64);
        }
    }
    if let Ok(counts) = crate::jobs::counts(&kernel).await {
        for (status, n) in counts {
            metrics::gauge!("parvis_jobs", "status" => status).set(n as f64);
        }
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        crate::web::metrics::handle().render(),
    )
        .into_response()
}

#[derive(Deserialize)]
struct LangQuery {
    retour: Option<String>,
}

async fn switch_language(
    Path(code): Path<String>,
    Query(q): Query<LangQuery>,
) -> Result<Response, AppError> {
    let lang = crate::i18n::Lang::parse(&code).ok_or(AppError::NotFound)?;
    let back = q
        .retour
        .as_deref()
        .and_then(safe_local_path)
        .unwrap_or("/")
        .to_string();
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.code()
    );
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&back)).into_response())
}

#[derive(askama::Template)]
#[template(path = "home.html")]
struct HomePage {
    page: Page,
}

async fn home(page: Page) -> Result<Html<String>, AppError> {
    render(&HomePage { page })
}

#[derive(askama::Template)]
#[template(path = "accessibility.html")]
struct AccessibilityPage {
    page: Page,
}

async fn accessibility(page: Page) -> Result<Html<String>, AppError> {
    render(&AccessibilityPage { page })
}

#[derive(askama::Template)]
#[template(path = "legal_notice.html")]
struct LegalNoticePage {
    page: Page,
}

async fn legal_notice(page: Page) -> Result<Html<String>, AppError> {
    render(&LegalNoticePage { page })
}

#[derive(askama::Template)]
#[template(path = "privacy.html")]
struct PrivacyPage {
    page: Page,
}

async fn privacy(page: Page) -> Result<Html<String>, AppError> {
    render(&PrivacyPage { page })
}

#[derive(askama::Template)]
#[template(path = "sitemap.html")]
struct SitemapPage {
    page: Page,
}

async fn sitemap(page: Page) -> Result<Html<String>, AppError> {
    render(&SitemapPage { page })
}
