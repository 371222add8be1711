//! The person's notification devices: the page that lists them (`/notifications`), the
//! subscription a browser sends from it (JSON, with the page's CSRF token in a header),
//! removing a device, a test notification, and the service worker that shows what
//! arrives. Turning notifications on needs JavaScript by nature; listing and removing
//! devices does not.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use tower_sessions::Session;

use crate::audit::AuditTarget;
use crate::clock::format_fr;
use crate::push::{self, Notification, RawSubscription};
use crate::web::error::json_error_body;
use crate::web::page::{FormPage, LoggedIn, Page, flash, render};
use crate::{AppError, Caller, Kernel};

pub const SERVICE_WORKER: &str = include_str!("../../static/sw.js");
pub const SCRIPT: &str = include_str!("../../static/push.js");

/// The session remembers which subscription this browser made, so that logging out
/// removes it: on a shared computer, the next person must not get the last one's
/// notifications.
const SESSION_KEY: &str = "push_subscription";

pub struct DeviceRow {
    pub id: String,
    pub label: String,
    pub added: String,
    pub last_success: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "notifications.html")]
struct DevicesPage {
    page: Page,
    devices: Vec<DeviceRow>,
    public_key: String,
}

fn user_id(caller: &Caller) -> Result<&str, AppError> {
    caller
        .identity
        .as_ref()
        .map(|i| i.user_id.as_str())
        .ok_or(AppError::LoginRequired)
}

pub async fn page(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    LoggedIn(caller): LoggedIn,
) -> Result<Html<String>, AppError> {
    let devices = push::devices(&kernel.db, user_id(&caller)?)
        .await?
        .into_iter()
        .map(|d| DeviceRow {
            id: d.id,
            label: d.label,
            added: format_fr(d.created_at),
            last_success: d.last_success_at.map(format_fr),
        })
        .collect();
    render(&DevicesPage {
        page,
        devices,
        public_key: kernel.push.public_key().to_string(),
    })
}

fn refuse(code: &str, message: &str) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(json_error_body(code, message)),
    )
        .into_response()
}

/// `POST /notifications/appareils`: the browser's `PushSubscription` as JSON.
pub async fn subscribe(
    State(kernel): State<Kernel>,
    LoggedIn(caller): LoggedIn,
    session: Session,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let user = user_id(&caller)?.to_string();
    let Ok(raw) = serde_json::from_slice::<RawSubscription>(&body) else {
        return Ok(refuse(
            "invalid_json",
            "Le navigateur n'a pas envoyé un abonnement lisible (JSON attendu).",
        ));
    };
    let subscription = match push::check_subscription(&raw, kernel.push.services()) {
        Ok(s) => s,
        Err(e) => return Ok(refuse(e.code(), e.message())),
    };
    let label = push::device_label(
        headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default(),
    );
    let mut tx = kernel.db.begin().await?;
    let id = push::subscribe(&mut tx, &user, &subscription, &label, kernel.now()).await?;
    kernel
        .audit(
            &mut tx,
            &caller,
            "push.subscribe",
            Some(&AuditTarget::new("push_subscription", &id)),
            serde_json::json!({ "device": label }),
        )
        .await?;
    tx.commit().await?;
    session.insert(SESSION_KEY, id.clone()).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "id": id, "label": label })),
    )
        .into_response())
}

/// `POST /notifications/appareils/{id}/retirer`: only the person's own devices.
pub async fn remove(
    State(kernel): State<Kernel>,
    LoggedIn(caller): LoggedIn,
    page: Page,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let user = user_id(&caller)?.to_string();
    let mut tx = kernel.db.begin().await?;
    if !push::unsubscribe(&mut tx, &user, &id).await? {
        return Err(AppError::NotFound);
    }
    kernel
        .audit(
            &mut tx,
            &caller,
            "push.unsubscribe",
            Some(&AuditTarget::new("push_subscription", &id)),
            serde_json::json!({}),
        )
        .await?;
    tx.commit().await?;
    flash(&session, "success", page.tr.t("push-removed")).await?;
    Ok(Redirect::to("/notifications").into_response())
}

/// `POST /notifications/essai`: a notification to each of the person's devices.
pub async fn test(
    State(kernel): State<Kernel>,
    LoggedIn(caller): LoggedIn,
    page: Page,
    session: Session,
) -> Result<Response, AppError> {
    let user = user_id(&caller)?.to_string();
    let notification = Notification {
        title: page.tr.t("push-test-title"),
        body: page.tr.t("push-test-body"),
        url: "/notifications".into(),
        tag: Some("essai".into()),
    };
    let mut tx = kernel.db.begin().await?;
    let count = push::notify(&mut tx, kernel.now(), &user, &notification).await?;
    tx.commit().await?;
    if count == 0 {
        flash(&session, "error", page.tr.t("push-test-none")).await?;
    } else {
        flash(&session, "success", page.tr.t("push-test-sent")).await?;
    }
    Ok(Redirect::to("/notifications").into_response())
}

/// Removes the subscription this browser made in this session, when logging out.
pub async fn forget_this_browser(kernel: &Kernel, session: &Session) -> Result<(), AppError> {
    let Some(id) = session.get::<String>(SESSION_KEY).await? else {
        return Ok(());
    };
    push::forget(&kernel.db, &id).await?;
    Ok(())
}

/// The service worker, at the site's root so that it may show notifications for every
/// page. Browsers check it for updates on their own; it must not be cached for long.
pub async fn service_worker() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        SERVICE_WORKER,
    )
        .into_response()
}
