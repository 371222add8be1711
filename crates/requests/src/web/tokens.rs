//! Personal tokens for the JSON API: a staff member (in the back office) or a resident (in
//! their space, for an application of their family's) names one after the software that
//! will use it, sees it once, and may revoke it at any time; administrators see and revoke
//! everyone's.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use kernel::identity::Role;
use kernel::web::forms::FormErrors;
use kernel::web::page::{self, FormPage, LoggedIn, Page, Staff, render, render_status};
use kernel::{AppError, Caller, Kernel};
use serde::Deserialize;
use tower_sessions::Session;

use crate::actions::{self, API_TOKEN_LABEL_MAX, RequestError};
use crate::store::{self, ApiToken};

pub struct TokenLine {
    pub id: String,
    pub label: String,
    pub owner: String,
    pub created: String,
    pub last_used: String,
    pub revoked: String,
}

impl TokenLine {
    fn from(token: ApiToken, page: &Page) -> TokenLine {
        TokenLine {
            id: token.id,
            label: token.label,
            owner: format!("{} <{}>", token.owner_name, token.owner_email),
            created: kernel::clock::format_fr(token.created_at),
            last_used: token
                .last_used_at
                .map(kernel::clock::format_fr)
                .unwrap_or_else(|| page.tr.t("tokens-never")),
            revoked: token
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
    label: String,
}

#[derive(askama::Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    page: Page,
    mine: Vec<TokenLine>,
    /// Everyone else's, for an administrator.
    others: Vec<TokenLine>,
    is_admin: bool,
    /// Where these pages are: the back office, or the resident's space.
    base: &'static str,
    form: IssueForm,
    errors: FormErrors,
    /// The token just issued, shown this once.
    issued: Option<String>,
}

/// The agents' page, and the residents' one.
const BACKOFFICE: &str = "/backoffice/jetons-api";
const SPACE: &str = "/mon-espace/jetons-api";

async fn tokens_page(
    kernel: &Kernel,
    base: &'static str,
    page: Page,
    caller: &Caller,
    form: IssueForm,
    errors: FormErrors,
    issued: Option<String>,
) -> Result<TokensPage, AppError> {
    let identity = caller.identity.as_ref().ok_or(AppError::LoginRequired)?;
    let is_admin = base == BACKOFFICE && identity.has_role(Role::Administrator);
    let mine = store::api_tokens(&kernel.db, Some(&identity.user_id))
        .await?
        .into_iter()
        .map(|t| TokenLine::from(t, &page))
        .collect();
    let others = if is_admin {
        store::api_tokens(&kernel.db, None)
            .await?
            .into_iter()
            .filter(|t| t.user_id != identity.user_id)
            .map(|t| TokenLine::from(t, &page))
            .collect()
    } else {
        vec![]
    };
    Ok(TokensPage {
        page,
        mine,
        others,
        is_admin,
        base,
        form,
        errors,
        issued,
    })
}

pub async fn list(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
) -> Result<Response, AppError> {
    show(&kernel, BACKOFFICE, page, &caller).await
}

pub async fn issue(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    Form(form): Form<IssueForm>,
) -> Result<Response, AppError> {
    issue_for(&kernel, BACKOFFICE, page, &caller, form).await
}

pub async fn revoke(
    State(kernel): State<Kernel>,
    page: Page,
    Staff(caller): Staff,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    revoke_for(&kernel, BACKOFFICE, page, &caller, session, &id).await
}

pub async fn my_list(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    LoggedIn(caller): LoggedIn,
) -> Result<Response, AppError> {
    show(&kernel, SPACE, page, &caller).await
}

pub async fn my_issue(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    LoggedIn(caller): LoggedIn,
    Form(form): Form<IssueForm>,
) -> Result<Response, AppError> {
    issue_for(&kernel, SPACE, page, &caller, form).await
}

pub async fn my_revoke(
    State(kernel): State<Kernel>,
    page: Page,
    LoggedIn(caller): LoggedIn,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    revoke_for(&kernel, SPACE, page, &caller, session, &id).await
}

async fn show(
    kernel: &Kernel,
    base: &'static str,
    page: Page,
    caller: &Caller,
) -> Result<Response, AppError> {
    let view = tokens_page(
        kernel,
        base,
        page,
        caller,
        IssueForm::default(),
        FormErrors::new(),
        None,
    )
    .await?;
    Ok(render(&view)?.into_response())
}

async fn issue_for(
    kernel: &Kernel,
    base: &'static str,
    page: Page,
    caller: &Caller,
    form: IssueForm,
) -> Result<Response, AppError> {
    let label = form.label.trim();
    if label.is_empty() || label.chars().count() > API_TOKEN_LABEL_MAX {
        let mut errors = FormErrors::new();
        errors.add("label", page.tr.t("tokens-error-label"));
        let view = tokens_page(kernel, base, page, caller, form, errors, None).await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &view);
    }
    let (_, token) = actions::issue_api_token(kernel, caller, label).await?;
    // Shown in this answer only, never put in the session or a later page.
    let view = tokens_page(
        kernel,
        base,
        page,
        caller,
        IssueForm::default(),
        FormErrors::new(),
        Some(token),
    )
    .await?;
    let mut response = render(&view)?.into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

async fn revoke_for(
    kernel: &Kernel,
    base: &'static str,
    page: Page,
    caller: &Caller,
    session: Session,
    id: &str,
) -> Result<Response, AppError> {
    match actions::revoke_api_token(kernel, caller, id).await {
        Ok(()) => page::flash(&session, "success", page.tr.t("tokens-revoked")).await?,
        Err(RequestError::Conflict(message)) => {
            page::flash(&session, "error", message.to_string()).await?
        }
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to(base).into_response())
}
