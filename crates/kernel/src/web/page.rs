//! What every page needs: the visitor's language, the commune, who is logged in, the
//! form security token and a one-time message. Extracted once per request.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::response::Html;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::config::CommuneConfig;
use crate::i18n::{Lang, Tr};
use crate::identity::{ActingFor, Caller, Permission};
use crate::{AppError, Kernel};

pub const LANG_COOKIE: &str = "parvis_lang";
const AUTH_KEY: &str = "auth";
const ACTING_FOR_KEY: &str = "acting_for";
const CSRF_KEY: &str = "csrf";
const FLASH_KEY: &str = "flash";

/// Renders an askama template into an HTML response.
pub fn render<T: askama::Template>(template: &T) -> Result<Html<String>, AppError> {
    Ok(Html(template.render()?))
}

/// Renders a page with another status than 200 (a form shown again with its errors: 422).
pub fn render_status<T: askama::Template>(
    status: axum::http::StatusCode,
    template: &T,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    Ok((status, render(template)?).into_response())
}

pub fn lang_from_headers(headers: &HeaderMap) -> Lang {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == LANG_COOKIE)
        .and_then(|(_, value)| Lang::parse(value))
        .unwrap_or_default()
}

/// Stored in the session at login.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionAuth {
    pub user_id: String,
    /// When the person logged in (microseconds): the session's absolute expiry counts from it.
    pub logged_in_at: i64,
}

/// Starts an authenticated session: a fresh session id (no fixation), a fresh CSRF token.
pub async fn log_in(
    session: &Session,
    user_id: &str,
    now: jiff::Timestamp,
) -> Result<(), AppError> {
    session.cycle_id().await?;
    session
        .insert(
            AUTH_KEY,
            SessionAuth {
                user_id: user_id.to_string(),
                logged_in_at: now.as_microsecond(),
            },
        )
        .await?;
    session.insert(CSRF_KEY, new_token()).await?;
    Ok(())
}

pub async fn log_out(session: &Session) -> Result<(), AppError> {
    session.flush().await?;
    Ok(())
}

pub async fn set_acting_for(
    session: &Session,
    acting_for: Option<ActingFor>,
) -> Result<(), AppError> {
    match acting_for {
        Some(a) => session.insert(ACTING_FOR_KEY, a).await?,
        None => {
            session.remove::<ActingFor>(ACTING_FOR_KEY).await?;
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Flash {
    /// `success`, `error` or `info`.
    pub kind: String,
    pub message: String,
}

/// A one-time message shown on the next page (after a redirect).
pub async fn flash(session: &Session, kind: &str, message: String) -> Result<(), AppError> {
    session
        .insert(
            FLASH_KEY,
            Flash {
                kind: kind.into(),
                message,
            },
        )
        .await?;
    Ok(())
}

pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, bytes)
}

/// The session's CSRF token, created on first use.
pub async fn csrf_token(session: &Session) -> Result<String, AppError> {
    if let Some(token) = session.get::<String>(CSRF_KEY).await? {
        return Ok(token);
    }
    let token = new_token();
    session.insert(CSRF_KEY, token.clone()).await?;
    Ok(token)
}

pub async fn stored_csrf_token(session: &Session) -> Result<Option<String>, AppError> {
    Ok(session.get::<String>(CSRF_KEY).await?)
}

/// The address the request came from (the proxy's last hop when behind one).
pub fn client_ip(parts: &Parts, behind_proxy: bool) -> Option<String> {
    if behind_proxy {
        // The proxy appends the address it saw to whatever the client sent: only the
        // last entry can be trusted.
        let last = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .rfind(|v| !v.is_empty());
        if let Some(address) = last {
            return Some(address.to_string());
        }
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
}

impl FromRequestParts<Kernel> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, kernel: &Kernel) -> Result<Caller, AppError> {
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(caller.clone());
        }
        let session = Session::from_request_parts(parts, kernel)
            .await
            .map_err(|(_, msg)| AppError::Internal(anyhow::anyhow!(msg)))?;
        let mut caller = Caller {
            ip: client_ip(parts, kernel.config.behind_proxy),
            ..Caller::default()
        };
        if let Some(auth) = session.get::<SessionAuth>(AUTH_KEY).await? {
            let age_micros = kernel.now().as_microsecond() - auth.logged_in_at;
            let max_micros = kernel.config.session_absolute_hours * 3_600_000_000;
            if age_micros > max_micros {
                session.flush().await?;
            } else if let Some(identity) = kernel.identities.load(&auth.user_id).await? {
                caller.identity = Some(identity);
                caller.acting_for = session.get::<ActingFor>(ACTING_FOR_KEY).await?;
            } else {
                session.flush().await?;
            }
        }
        parts.extensions.insert(caller.clone());
        Ok(caller)
    }
}

/// Handlers that need a logged-in person take this.
pub struct LoggedIn(pub Caller);

impl FromRequestParts<Kernel> for LoggedIn {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, kernel: &Kernel) -> Result<LoggedIn, AppError> {
        let caller = Caller::from_request_parts(parts, kernel).await?;
        if caller.identity.is_none() {
            return Err(AppError::LoginRequired);
        }
        Ok(LoggedIn(caller))
    }
}

/// Handlers of the back office take this: logged in, and staff.
pub struct Staff(pub Caller);

impl FromRequestParts<Kernel> for Staff {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, kernel: &Kernel) -> Result<Staff, AppError> {
        let LoggedIn(caller) = LoggedIn::from_request_parts(parts, kernel).await?;
        if !caller.can(Permission::Backoffice) {
            return Err(AppError::Forbidden);
        }
        Ok(Staff(caller))
    }
}

impl Caller {
    /// Refuses with 403 unless the caller holds the permission.
    pub fn require(&self, permission: Permission) -> Result<(), AppError> {
        if self.can(permission) {
            Ok(())
        } else if self.identity.is_none() {
            Err(AppError::LoginRequired)
        } else {
            Err(AppError::Forbidden)
        }
    }
}

#[derive(Debug, Clone)]
pub struct NavUser {
    pub display_name: String,
    pub is_staff: bool,
    pub can_manage_users: bool,
    pub can_view_audit: bool,
}

/// The context of every page.
#[derive(Clone)]
pub struct Page {
    pub tr: Tr,
    kernel: Kernel,
    pub user: Option<NavUser>,
    pub acting_for: Option<String>,
    pub csrf: String,
    pub flash: Option<Flash>,
    pub path: String,
}

impl Page {
    /// A page with no visitor context (error pages).
    pub fn shell(kernel: &Kernel, tr: Tr) -> Page {
        Page {
            tr,
            kernel: kernel.clone(),
            user: None,
            acting_for: None,
            csrf: String::new(),
            flash: None,
            path: String::new(),
        }
    }

    pub fn commune(&self) -> &CommuneConfig {
        &self.kernel.config.commune
    }

    pub fn asset_version(&self) -> &'static str {
        crate::web::shell::ASSET_VERSION
    }

    pub fn lang(&self) -> &'static str {
        self.tr.lang.code()
    }

    pub fn other_lang(&self) -> &'static str {
        match self.tr.lang {
            Lang::Fr => "en",
            Lang::En => "fr",
        }
    }

    /// « Accessibilité : non conforme » — the mention the law requires on every page.
    pub fn accessibility_mention(&self) -> String {
        self.tr.t(&format!(
            "a11y-status-{}",
            match self.commune().accessibility_status.as_str() {
                "totale" => "full",
                "partielle" => "partial",
                _ => "none",
            }
        ))
    }

    pub fn is_current(&self, prefix: &str) -> bool {
        if prefix == "/" {
            self.path == "/"
        } else {
            self.path.starts_with(prefix)
        }
    }
}

/// The context of a page that carries a form: the session's CSRF token exists.
pub struct FormPage(pub Page);

impl FromRequestParts<Kernel> for FormPage {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, kernel: &Kernel) -> Result<FormPage, AppError> {
        let session = Session::from_request_parts(parts, kernel)
            .await
            .map_err(|(_, msg)| AppError::Internal(anyhow::anyhow!(msg)))?;
        csrf_token(&session).await?;
        Ok(FormPage(Page::from_request_parts(parts, kernel).await?))
    }
}

impl FromRequestParts<Kernel> for Page {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, kernel: &Kernel) -> Result<Page, AppError> {
        let caller = Caller::from_request_parts(parts, kernel).await?;
        let session = Session::from_request_parts(parts, kernel)
            .await
            .map_err(|(_, msg)| AppError::Internal(anyhow::anyhow!(msg)))?;
        // Read, not created: a visitor who only reads pages gets no session (no row, no
        // cookie). Pages with a form take `FormPage`, which creates the token.
        let csrf = stored_csrf_token(&session).await?.unwrap_or_default();
        let flash = session.remove::<Flash>(FLASH_KEY).await?;
        let tr = kernel.tr(lang_from_headers(&parts.headers));
        Ok(Page {
            tr,
            kernel: kernel.clone(),
            user: caller.identity.as_ref().map(|i| NavUser {
                display_name: i.display_name.clone(),
                is_staff: i.is_staff(),
                can_manage_users: i.can(Permission::ManageUsers),
                can_view_audit: i.can(Permission::ViewAudit),
            }),
            acting_for: caller.acting_for.as_ref().map(|a| a.display_name.clone()),
            csrf,
            flash,
            path: parts.uri.path().to_string(),
        })
    }
}
