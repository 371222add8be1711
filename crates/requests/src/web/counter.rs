//! Recording a request received at the counter, by phone, by letter or by e-mail: the agent
//! picks the procedure, says how and when it arrived, who it is from (an account, or a
//! contact record for someone without one), and types the answers in one page.

use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use kernel::web::forms::FormErrors;
use kernel::web::page::{self, FormPage, Page, Staff, render, render_status};
use kernel::{AppError, Kernel};
use serde::Deserialize;
use tower_sessions::Session;

use super::form_view::{BlockView, form_errors, page_blocks};
use crate::actions::{self, CounterRequest, RequestError, today};
use crate::forms::{Answers, FormDefinition};
use crate::model::{Channel, Procedure, ProcedureKind};
use crate::store;

#[derive(Deserialize, Default)]
pub struct Chosen {
    #[serde(default)]
    demarche: String,
}

pub struct PageBlocks {
    pub title: String,
    pub blocks: Vec<BlockView>,
}

/// What the agent typed about the applicant and the receipt.
#[derive(Default)]
pub struct Receipt {
    pub channel: String,
    pub received_on: String,
    pub account_email: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub address: String,
}

#[derive(askama::Template)]
#[template(path = "counter.html")]
struct CounterPage {
    page: Page,
    procedures: Vec<Procedure>,
    procedure: Option<Procedure>,
    pages: Vec<PageBlocks>,
    receipt: Receipt,
    channels: Vec<(String, String)>,
    errors: FormErrors,
    paper: bool,
}

/// Procedures the agent may record: online ones of their services (all for administrators).
async fn recordable(kernel: &Kernel, services: &[String]) -> Result<Vec<Procedure>, AppError> {
    Ok(store::procedures(&kernel.db, false, "")
        .await?
        .into_iter()
        .filter(|p| p.kind == ProcedureKind::Online && services.contains(&p.service_id))
        .collect())
}

fn all_pages(definition: &FormDefinition, answers: &Answers) -> Vec<PageBlocks> {
    (0..definition.pages.len())
        .map(|index| PageBlocks {
            title: definition.pages[index].title.clone(),
            blocks: page_blocks(definition, index, answers),
        })
        .collect()
}

fn channels(page: &Page) -> Vec<(String, String)> {
    Channel::RECORDED
        .iter()
        .map(|c| (c.as_str().to_string(), page.tr.t(&c.label_key())))
        .collect()
}

async fn view(
    kernel: &Kernel,
    page: Page,
    services: &[String],
    slug: &str,
    answers: &Answers,
    receipt: Receipt,
    errors: FormErrors,
) -> Result<CounterPage, AppError> {
    let procedures = recordable(kernel, services).await?;
    let procedure = procedures.iter().find(|p| p.slug == slug).cloned();
    let mut pages = vec![];
    if let Some(p) = &procedure {
        let version = store::published_version(&kernel.db, &p.id)
            .await?
            .ok_or(AppError::NotFound)?;
        pages = all_pages(&version.definition, answers);
    }
    Ok(CounterPage {
        channels: channels(&page),
        page,
        procedures,
        procedure,
        pages,
        receipt,
        errors,
        paper: true,
    })
}

pub async fn form(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    Query(chosen): Query<Chosen>,
) -> Result<Response, AppError> {
    let services = actions::inbox_services(&kernel, &caller).await?;
    let receipt = Receipt {
        channel: "counter".into(),
        received_on: today(&kernel).to_string(),
        ..Receipt::default()
    };
    let view = view(
        &kernel,
        page,
        &services,
        &chosen.demarche,
        &Answers::new(),
        receipt,
        FormErrors::new(),
    )
    .await?;
    Ok(render(&view)?.into_response())
}

pub async fn record(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    Query(chosen): Query<Chosen>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let services = actions::inbox_services(&kernel, &caller).await?;
    let procedure = recordable(&kernel, &services)
        .await?
        .into_iter()
        .find(|p| p.slug == chosen.demarche)
        .ok_or(AppError::NotFound)?;
    let mut receipt = Receipt::default();
    let mut answers = Answers::new();
    for (name, value) in fields {
        match name.as_str() {
            "csrf_token" => {}
            "recu_canal" => receipt.channel = value,
            "recu_le" => receipt.received_on = value,
            "compte_email" => receipt.account_email = value.trim().to_lowercase(),
            "contact_nom" => receipt.name = value.trim().to_string(),
            "contact_email" => receipt.email = value.trim().to_string(),
            "contact_telephone" => receipt.phone = value.trim().to_string(),
            "contact_adresse" => receipt.address = value.trim().to_string(),
            _ => answers.entry(name).or_default().push(value),
        }
    }
    let mut errors = FormErrors::new();
    let channel = Channel::parse(&receipt.channel).filter(|c| *c != Channel::Online);
    if channel.is_none() {
        errors.add("recu_canal", page.tr.t("counter-error-channel"));
    }
    let received_on = receipt.received_on.parse::<jiff::civil::Date>().ok();
    match received_on {
        None => errors.add("recu_le", page.tr.t("answer-not-a-date")),
        Some(d) if d > today(&kernel) => errors.add("recu_le", page.tr.t("counter-error-future")),
        Some(_) => {}
    }
    let account = if receipt.account_email.is_empty() {
        None
    } else {
        let user = accounts::store::user_by_email(&kernel.db, &receipt.account_email).await?;
        if user.is_none() {
            errors.add("compte_email", page.tr.t("counter-error-account"));
        }
        user
    };
    if account.is_none() && receipt.name.is_empty() {
        errors.add("contact_nom", page.tr.t("counter-error-name"));
    }
    let version = store::published_version(&kernel.db, &procedure.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let problems: Vec<_> = actions::check_all(&version.definition, &answers)
        .into_iter()
        .map(|(_, k, p)| (k, p))
        .collect();
    for (key, message) in form_errors(&page.tr, &problems).all() {
        errors.add(key, message.clone());
    }
    if let (true, Some(channel), Some(received_on)) = (errors.is_empty(), channel, received_on) {
        let input = CounterRequest {
            channel,
            received_on,
            applicant_id: account.as_ref().map(|u| u.id.clone()),
            applicant_name: account
                .as_ref()
                .map(|u| u.display_name())
                .unwrap_or_else(|| receipt.name.clone()),
            applicant_email: account
                .as_ref()
                .map(|u| u.email.clone())
                .or_else(|| Some(receipt.email.clone())),
            applicant_phone: Some(receipt.phone.clone()),
            applicant_address: Some(receipt.address.clone()),
            answers: answers.clone(),
        };
        match actions::record_counter_request(&kernel, &caller, &procedure, input).await {
            Ok((request, _)) => {
                page::flash(
                    &session,
                    "success",
                    page.tr.t1(
                        "counter-recorded",
                        "number",
                        request.number.clone().unwrap_or_default(),
                    ),
                )
                .await?;
                return Ok(
                    Redirect::to(&format!("/backoffice/demandes/{}", request.id)).into_response(),
                );
            }
            Err(RequestError::Invalid(problems)) => {
                for (key, message) in form_errors(&page.tr, &problems).all() {
                    errors.add(key, message.clone());
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    let view = view(
        &kernel,
        page,
        &services,
        &procedure.slug,
        &answers,
        receipt,
        errors,
    )
    .await?;
    render_status(axum::http::StatusCode::UNPROCESSABLE_ENTITY, &view)
}
