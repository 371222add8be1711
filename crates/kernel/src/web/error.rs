//! Errors become HTTP in one place: a safe message for the person (a page in plain French,
//! or a JSON body with a code for the API), and the cause in the log.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::Kernel;
use crate::web::page::{lang_from_headers, render};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("page introuvable")]
    NotFound,
    #[error("accès refusé")]
    Forbidden,
    #[error("connexion requise")]
    LoginRequired,
    #[error("jeton de sécurité du formulaire invalide")]
    Csrf,
    #[error("trop de requêtes")]
    TooManyRequests,
    #[error("requête invalide : {0}")]
    BadRequest(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::Internal(e.into())
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(e.into())
    }
}

impl From<tower_sessions::session::Error> for AppError {
    fn from(e: tower_sessions::session::Error) -> Self {
        AppError::Internal(anyhow::anyhow!("session : {e}"))
    }
}

/// What kind of error a response carries, for the rendering middleware.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    NotFound,
    Forbidden,
    Csrf,
    TooManyRequests,
    BadRequest,
    Internal,
}

impl ErrorKind {
    pub fn status(self) -> StatusCode {
        match self {
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::Csrf => StatusCode::FORBIDDEN,
            ErrorKind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
            ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::NotFound => "not_found",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::Csrf => "csrf_token_invalid",
            ErrorKind::TooManyRequests => "too_many_requests",
            ErrorKind::BadRequest => "bad_request",
            ErrorKind::Internal => "internal_error",
        }
    }
    fn key(self) -> &'static str {
        match self {
            ErrorKind::NotFound => "error-404",
            ErrorKind::Forbidden => "error-403",
            ErrorKind::Csrf => "error-csrf",
            ErrorKind::TooManyRequests => "error-429",
            ErrorKind::BadRequest => "error-400",
            ErrorKind::Internal => "error-500",
        }
    }
}

/// Marker put on a response by `AppError`; the middleware turns it into a page.
#[derive(Debug, Clone)]
struct LoginRedirect;

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let kind = match &self {
            AppError::LoginRequired => {
                let mut response = Redirect::to("/connexion").into_response();
                response.extensions_mut().insert(LoginRedirect);
                return response;
            }
            AppError::NotFound => ErrorKind::NotFound,
            AppError::Forbidden => ErrorKind::Forbidden,
            AppError::Csrf => ErrorKind::Csrf,
            AppError::TooManyRequests => ErrorKind::TooManyRequests,
            AppError::BadRequest(_) => ErrorKind::BadRequest,
            AppError::Internal(cause) => {
                tracing::error!(error = ?cause, "erreur interne");
                ErrorKind::Internal
            }
        };
        let mut response = kind.status().into_response();
        response.extensions_mut().insert(kind);
        response
    }
}

#[derive(askama::Template)]
#[template(path = "error.html")]
struct ErrorPage {
    page: crate::web::page::Page,
    title: String,
    message: String,
    status: u16,
}

/// Renders every error response the same way, with the visitor's language.
pub async fn render_errors(State(kernel): State<Kernel>, request: Request, next: Next) -> Response {
    let lang = lang_from_headers(request.headers());
    let path = request.uri().path().to_string();
    let query = request.uri().query().map(str::to_string);
    let is_api = path.starts_with("/api/") || path.starts_with("/open311/");
    let response = next.run(request).await;

    if response.extensions().get::<LoginRedirect>().is_some() {
        let target = match query {
            Some(q) => format!("{path}?{q}"),
            None => path,
        };
        let location = format!("/connexion?suivant={}", urlencode(&target));
        return Redirect::to(&location).into_response();
    }
    let Some(kind) = response.extensions().get::<ErrorKind>().copied() else {
        return response;
    };
    let tr = kernel.tr(lang);
    let title = tr.t(&format!("{}-title", kind.key()));
    let message = tr.t(&format!("{}-message", kind.key()));
    if is_api {
        return (kind.status(), Json(json_error_body(kind.code(), &message))).into_response();
    }
    let page = crate::web::page::Page::shell(&kernel, tr);
    let body = render(&ErrorPage {
        page,
        title,
        message,
        status: kind.status().as_u16(),
    })
    .unwrap_or_else(|_| Html("Erreur".into()));
    let mut out = (kind.status(), body).into_response();
    out.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    out
}

/// The body of every JSON error: `{"error": {"code": "...", "message": "..."}}`, a stable
/// code for programs and a sentence in French for people. Machine endpoints that say more
/// (the fields to correct) add members next to these two.
pub fn json_error_body(code: &str, message: &str) -> serde_json::Value {
    serde_json::json!({ "error": { "code": code, "message": message } })
}

pub fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Fallback for every unknown path.
pub async fn not_found() -> AppError {
    AppError::NotFound
}
