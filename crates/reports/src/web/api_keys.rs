//! The keys of Open311 clients in the back office (administrators only): the list of
//! clients, issuing a key (shown once), revoking one. And the public page that tells a
//! developer what the endpoint serves and how to obtain a key.

use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kernel::web::forms::FormErrors;
use kernel::web::page::{self, FormPage, Page, Staff, render, render_status};
use kernel::{AppError, Caller, Kernel};
use serde::Deserialize;
use tower_sessions::Session;

use crate::open311::keys::{self, KeyError};
use crate::store::{self, ApiClient};

const PAGE: &str = "/backoffice/signalements/cles-open311";

pub fn routes() -> Router<Kernel> {
    Router::new()
        .route(PAGE, get(list).post(issue))
        .route(
            "/backoffice/signalements/cles-open311/{id}/revoquer",
            post(revoke),
        )
        .route("/open311", get(about))
}

pub struct ClientLine {
    pub id: String,
    pub name: String,
    pub contact: String,
    pub prefix: String,
    pub created: String,
    pub last_used: String,
    pub revoked: String,
}

impl ClientLine {
    fn from(client: ApiClient, page: &Page) -> ClientLine {
        ClientLine {
            id: client.id,
            name: client.name,
            contact: client.contact,
            prefix: client.key_prefix,
            created: kernel::clock::format_fr(client.created_at),
            last_used: client
                .last_used_at
                .map(kernel::clock::format_fr)
                .unwrap_or_else(|| page.tr.t("open311-keys-never")),
            revoked: client
                .revoked_at
                .map(kernel::clock::format_fr)
                .unwrap_or_default(),
        }
    }

    pub fn is_active(&self) -> bool {
        self.revoked.is_empty()
    }
}

#[derive(Deserialize, Default)]
pub struct IssueForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    contact: String,
}

#[derive(askama::Template)]
#[template(path = "open311_keys.html")]
struct KeysPage {
    page: Page,
    clients: Vec<ClientLine>,
    form: IssueForm,
    errors: FormErrors,
    /// The key just issued and its client's name, shown this once.
    issued: Option<(String, String)>,
    endpoint: String,
}

fn require_manager(caller: &Caller) -> Result<(), AppError> {
    if keys::may_manage(caller) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

async fn keys_page(
    kernel: &Kernel,
    page: Page,
    form: IssueForm,
    errors: FormErrors,
    issued: Option<(String, String)>,
) -> Result<KeysPage, AppError> {
    let clients = store::clients(&kernel.db)
        .await?
        .into_iter()
        .map(|c| ClientLine::from(c, &page))
        .collect();
    Ok(KeysPage {
        page,
        clients,
        form,
        errors,
        issued,
        endpoint: kernel.link(crate::open311::BASE_PATH),
    })
}

async fn list(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
) -> Result<Response, AppError> {
    require_manager(&caller)?;
    let view = keys_page(&kernel, page, IssueForm::default(), FormErrors::new(), None).await?;
    Ok(render(&view)?.into_response())
}

async fn issue(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    Form(form): Form<IssueForm>,
) -> Result<Response, AppError> {
    require_manager(&caller)?;
    match keys::issue(&kernel, &caller, &form.name, &form.contact).await {
        Ok((client, key)) => {
            // Shown in this answer only, never put in the session nor on a later page.
            let view = keys_page(
                &kernel,
                page,
                IssueForm::default(),
                FormErrors::new(),
                Some((client.name, key)),
            )
            .await?;
            let mut response = render(&view)?.into_response();
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Ok(response)
        }
        Err(KeyError::Invalid(problems)) => {
            let mut errors = FormErrors::new();
            for (field, key) in problems {
                errors.add(field, page.tr.t(key));
            }
            let view = keys_page(&kernel, page, form, errors, None).await?;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &view)
        }
        Err(e) => Err(key_error(e)),
    }
}

fn key_error(e: KeyError) -> AppError {
    match e {
        KeyError::Forbidden => AppError::Forbidden,
        KeyError::NotFound => AppError::NotFound,
        other => AppError::Internal(anyhow::anyhow!(other.to_string())),
    }
}

async fn revoke(
    State(kernel): State<Kernel>,
    page: Page,
    Staff(caller): Staff,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    require_manager(&caller)?;
    match keys::revoke(&kernel, &caller, &id).await {
        Ok(client) => {
            page::flash(
                &session,
                "success",
                page.tr.t1("open311-keys-revoked", "name", client.name),
            )
            .await?
        }
        Err(KeyError::AlreadyRevoked) => {
            page::flash(&session, "error", page.tr.t("open311-keys-already-revoked")).await?
        }
        Err(e) => return Err(key_error(e)),
    }
    Ok(Redirect::to(PAGE).into_response())
}

#[derive(askama::Template)]
#[template(path = "open311_about.html")]
struct AboutPage {
    page: Page,
    endpoint: String,
    jurisdiction: String,
    key_service: String,
}

/// What the endpoint serves and how to obtain a key, for developers.
async fn about(State(kernel): State<Kernel>, page: Page) -> Result<Response, AppError> {
    let view = AboutPage {
        key_service: crate::open311::key_service(&kernel, &page.tr),
        endpoint: kernel.link(crate::open311::BASE_PATH),
        jurisdiction: crate::open311::jurisdiction_id(&kernel),
        page,
    };
    Ok(render(&view)?.into_response())
}
