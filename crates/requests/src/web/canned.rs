//! Reusable answers (réponses types): agents write them once, per service or for all, with
//! placeholders ({prenom}, {nom}, {numero}, {demarche}, {service}) filled when used.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use kernel::identity::Role;
use kernel::web::forms::FormErrors;
use kernel::web::page::{self, FormPage, Page, Staff, render, render_status};
use kernel::{AppError, Kernel};
use serde::Deserialize;
use tower_sessions::Session;

use crate::actions::inbox_services;
use crate::store::{self, CannedReply};

/// Managers and administrators write replies shared by every service; agents, their own.
fn may_share(caller: &kernel::Caller) -> bool {
    caller
        .identity
        .as_ref()
        .is_some_and(|i| i.has_role(Role::Administrator) || i.has_role(Role::ServiceManager))
}

pub struct ReplyLine {
    pub reply: CannedReply,
    pub service: String,
}

#[derive(Deserialize, Default)]
pub struct ReplyForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    service: String,
}

#[derive(askama::Template)]
#[template(path = "canned.html")]
struct CannedPage {
    page: Page,
    replies: Vec<ReplyLine>,
    services: Vec<(String, String)>,
    may_share: bool,
    form: ReplyForm,
    errors: FormErrors,
}

async fn canned_page(
    kernel: &Kernel,
    page: Page,
    caller: &kernel::Caller,
    form: ReplyForm,
    errors: FormErrors,
) -> Result<CannedPage, AppError> {
    let visible = inbox_services(kernel, caller).await?;
    let all = accounts::store::services(&kernel.db).await?;
    let name = |id: &Option<String>| match id {
        Some(id) => all
            .iter()
            .find(|s| &s.id == id)
            .map(|s| s.name.clone())
            .unwrap_or_default(),
        None => page.tr.t("canned-all-services"),
    };
    let replies = store::canned_replies(&kernel.db, &visible)
        .await?
        .into_iter()
        .map(|reply| ReplyLine {
            service: name(&reply.service_id),
            reply,
        })
        .collect();
    Ok(CannedPage {
        services: all
            .iter()
            .filter(|s| visible.contains(&s.id))
            .map(|s| (s.id.clone(), s.name.clone()))
            .collect(),
        may_share: may_share(caller),
        page,
        replies,
        form,
        errors,
    })
}

pub async fn list(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
) -> Result<Response, AppError> {
    let view = canned_page(
        &kernel,
        page,
        &caller,
        ReplyForm::default(),
        FormErrors::new(),
    )
    .await?;
    Ok(render(&view)?.into_response())
}

pub async fn create(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    Form(form): Form<ReplyForm>,
) -> Result<Response, AppError> {
    let visible = inbox_services(&kernel, &caller).await?;
    let mut errors = FormErrors::new();
    let title = form.title.trim();
    let body = form.body.trim();
    if title.is_empty() || title.chars().count() > 120 {
        errors.add("title", page.tr.t("canned-error-title"));
    }
    if body.is_empty() || body.chars().count() > 10_000 {
        errors.add("body", page.tr.t("canned-error-body"));
    }
    let shared = form.service.is_empty();
    let may_share = may_share(&caller);
    if (shared && !may_share) || (!shared && !visible.contains(&form.service)) {
        errors.add("service", page.tr.t("canned-error-service"));
    }
    if !errors.is_empty() {
        let view = canned_page(&kernel, page, &caller, form, errors).await?;
        return render_status(axum::http::StatusCode::UNPROCESSABLE_ENTITY, &view);
    }
    let mut tx = kernel.db.begin().await?;
    let service = (!shared).then_some(form.service.as_str());
    store::insert_canned_reply(&mut tx, service, title, body, kernel.now()).await?;
    tx.commit().await?;
    page::flash(&session, "success", page.tr.t("canned-created")).await?;
    Ok(Redirect::to("/backoffice/reponses-types").into_response())
}

pub async fn delete(
    State(kernel): State<Kernel>,
    page: Page,
    Staff(caller): Staff,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let visible = inbox_services(&kernel, &caller).await?;
    let reply = store::canned_replies(&kernel.db, &visible)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(AppError::NotFound)?;
    let may_share = may_share(&caller);
    if reply.service_id.is_none() && !may_share {
        return Err(AppError::Forbidden);
    }
    let mut tx = kernel.db.begin().await?;
    store::delete_canned_reply(&mut tx, &reply.id).await?;
    tx.commit().await?;
    page::flash(&session, "success", page.tr.t("canned-deleted")).await?;
    Ok(Redirect::to("/backoffice/reponses-types").into_response())
}
