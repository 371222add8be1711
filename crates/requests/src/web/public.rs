//! The catalogue of procedures, filing a request page by page, and the resident's requests.

use axum::extract::{Multipart, Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use kernel::web::forms::FormErrors;
use kernel::web::page::{self, FormPage, LoggedIn, Page, render, render_status};
use kernel::{AppError, Caller, Kernel};
use serde::Deserialize;
use tower_sessions::Session;

use super::form_view::{BlockView, form_errors, page_blocks, read_multipart};
use super::{download, human_size};
use crate::acknowledgement::{Acknowledgement, french_date};
use crate::actions::{self, RequestError, is_applicant};
use crate::forms::{Block, FieldKind, FormDefinition, visible_pages};
use crate::model::{DeemedDecision, Procedure, ProcedureKind, Regime, Request, THEMES};
use crate::store;
use crate::workflow::{self, Workflow};

// ---------------------------------------------------------------- catalogue

#[derive(Deserialize, Default)]
pub struct CatalogueQuery {
    #[serde(default)]
    q: String,
}

pub struct ThemeGroup {
    pub key: String,
    pub label: String,
    pub procedures: Vec<Procedure>,
}

#[derive(askama::Template)]
#[template(path = "catalogue.html")]
struct CataloguePage {
    page: Page,
    query: String,
    groups: Vec<ThemeGroup>,
    count: usize,
}

pub async fn catalogue(
    State(kernel): State<Kernel>,
    page: Page,
    Query(query): Query<CatalogueQuery>,
) -> Result<Html<String>, AppError> {
    let query_text: String = query.q.trim().chars().take(100).collect();
    let procedures = store::procedures(&kernel.db, true, &query_text).await?;
    let count = procedures.len();
    let mut groups: Vec<ThemeGroup> = THEMES
        .iter()
        .map(|key| ThemeGroup {
            key: key.to_string(),
            label: theme_label(&page.tr, key),
            procedures: vec![],
        })
        .collect();
    // The commune's own themes come after the usual ones, in alphabetical order.
    let mut own: Vec<String> = procedures
        .iter()
        .map(|p| p.theme.clone())
        .filter(|t| !THEMES.contains(&t.as_str()))
        .collect();
    own.sort();
    own.dedup();
    for (n, theme) in own.iter().enumerate() {
        groups.push(ThemeGroup {
            key: format!("commune-{}", n + 1),
            label: theme.clone(),
            procedures: vec![],
        });
    }
    for procedure in procedures {
        let index = THEMES
            .iter()
            .position(|t| *t == procedure.theme)
            .or_else(|| {
                own.iter()
                    .position(|t| *t == procedure.theme)
                    .map(|n| THEMES.len() + n)
            })
            .unwrap_or(THEMES.len() - 1);
        groups[index].procedures.push(procedure);
    }
    groups.retain(|g| !g.procedures.is_empty());
    render(&CataloguePage {
        page,
        query: query_text,
        groups,
        count,
    })
}

/// A theme as residents read it: the usual themes are translated, a commune's own theme is
/// shown as the administrator wrote it.
pub(crate) fn theme_label(tr: &kernel::i18n::Tr, theme: &str) -> String {
    if THEMES.contains(&theme) {
        tr.t(&format!("theme-{theme}"))
    } else {
        theme.to_string()
    }
}

/// What silence means for a procedure, in a resident's words.
pub(crate) fn regime_text(page: &Page, procedure: &Procedure) -> String {
    match procedure.regime {
        Regime::Acceptance => page
            .tr
            .t1("regime-acceptance", "delay", procedure.delay.french()),
        Regime::Rejection => page
            .tr
            .t1("regime-rejection", "delay", procedure.delay.french()),
        Regime::None => page.tr.t("regime-none"),
    }
}

#[derive(askama::Template)]
#[template(path = "procedure.html")]
struct ProcedurePage {
    page: Page,
    procedure: Procedure,
    theme: String,
    audiences: Vec<String>,
    regime: String,
    can_file: bool,
    logged_in: bool,
}

pub async fn procedure(
    State(kernel): State<Kernel>,
    page: Page,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Html<String>, AppError> {
    let procedure = store::procedure_by_slug(&kernel.db, &slug)
        .await?
        .filter(|p| p.listed)
        .ok_or(AppError::NotFound)?;
    let can_file = procedure.kind == ProcedureKind::Online
        && store::published_version(&kernel.db, &procedure.id)
            .await?
            .is_some();
    render(&ProcedurePage {
        theme: theme_label(&page.tr, &procedure.theme),
        audiences: procedure
            .audiences
            .iter()
            .map(|a| page.tr.t(&format!("audience-{a}")))
            .collect(),
        regime: regime_text(&page, &procedure),
        logged_in: caller.is_logged_in(),
        page,
        procedure,
        can_file,
    })
}

pub async fn start(
    State(kernel): State<Kernel>,
    LoggedIn(caller): LoggedIn,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let procedure = store::procedure_by_slug(&kernel.db, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let request = actions::start_draft(&kernel, &caller, &procedure).await?;
    Ok(Redirect::to(&format!("/mes-demandes/brouillons/{}/page/1", request.id)).into_response())
}

// ---------------------------------------------------------------- filing

/// The applicant's draft and its form, or 404 for anyone else.
async fn own_draft(
    kernel: &Kernel,
    caller: &Caller,
    id: &str,
) -> Result<(Request, Procedure, FormDefinition), AppError> {
    let request = store::request_by_id(&kernel.db, id)
        .await?
        .filter(|r| is_applicant(caller, r))
        .ok_or(AppError::NotFound)?;
    let procedure = store::procedure_by_id(&kernel.db, &request.procedure_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let version = store::version_by_id(&kernel.db, &request.form_version_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((request, procedure, version.definition))
}

fn filed_redirect(request: &Request) -> Response {
    match &request.number {
        Some(number) => Redirect::to(&format!("/mes-demandes/{number}")).into_response(),
        None => Redirect::to("/mes-demandes").into_response(),
    }
}

pub async fn draft_resume(
    State(kernel): State<Kernel>,
    LoggedIn(caller): LoggedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (request, _, definition) = own_draft(&kernel, &caller, &id).await?;
    if request.status != workflow::DRAFT {
        return Ok(filed_redirect(&request));
    }
    let visible = visible_pages(&definition, &request.answers);
    let current = usize::try_from(request.current_page).unwrap_or(0);
    let target = if current >= definition.pages.len() {
        "recapitulatif".to_string()
    } else {
        let page = visible.iter().copied().find(|p| *p >= current).unwrap_or(0);
        format!("page/{}", page + 1)
    };
    Ok(Redirect::to(&format!("/mes-demandes/brouillons/{id}/{target}")).into_response())
}

#[derive(askama::Template)]
#[template(path = "form_page.html")]
struct FormPageView {
    page: Page,
    procedure: Procedure,
    request_id: String,
    page_number: usize,
    step: usize,
    steps: usize,
    title: String,
    blocks: Vec<BlockView>,
    errors: FormErrors,
    is_first: bool,
    /// Files are uploaded (online), not described (counter).
    paper: bool,
}

fn form_page_view(
    page: Page,
    procedure: Procedure,
    request: &Request,
    definition: &FormDefinition,
    index: usize,
    errors: FormErrors,
) -> FormPageView {
    let visible = visible_pages(definition, &request.answers);
    let step = visible.iter().position(|p| *p == index).unwrap_or(0) + 1;
    FormPageView {
        page,
        procedure,
        request_id: request.id.clone(),
        page_number: index + 1,
        step,
        steps: visible.len(),
        title: definition.pages[index].title.clone(),
        blocks: page_blocks(definition, index, &request.answers),
        errors,
        is_first: step == 1,
        paper: false,
    }
}

pub async fn draft_page(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    LoggedIn(caller): LoggedIn,
    Path((id, number)): Path<(String, usize)>,
) -> Result<Response, AppError> {
    let (request, procedure, definition) = own_draft(&kernel, &caller, &id).await?;
    if request.status != workflow::DRAFT {
        return Ok(filed_redirect(&request));
    }
    let index = number.checked_sub(1).ok_or(AppError::NotFound)?;
    if !visible_pages(&definition, &request.answers).contains(&index) {
        return Ok(Redirect::to(&format!("/mes-demandes/brouillons/{id}")).into_response());
    }
    let view = form_page_view(
        page,
        procedure,
        &request,
        &definition,
        index,
        FormErrors::new(),
    );
    Ok(render(&view)?.into_response())
}

pub async fn save_page(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    LoggedIn(caller): LoggedIn,
    session: Session,
    Path((id, number)): Path<(String, usize)>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let (mut request, procedure, definition) = own_draft(&kernel, &caller, &id).await?;
    if request.status != workflow::DRAFT {
        return Ok(filed_redirect(&request));
    }
    let index = number.checked_sub(1).ok_or(AppError::NotFound)?;
    let Some(form_page) = definition.pages.get(index) else {
        return Err(AppError::NotFound);
    };
    let posted = read_multipart(multipart).await?;
    // This page's answers replace what was there; other pages' answers are kept. A file
    // field keeps its file unless a new one is sent.
    let mut answers = request.answers.clone();
    let mut file_fields = Vec::new();
    for block in &form_page.blocks {
        let Block::Field(field) = block else { continue };
        if matches!(field.kind, FieldKind::File) {
            file_fields.push(field.key.clone());
            continue;
        }
        match posted.answers.get(&field.key) {
            Some(values) => {
                answers.insert(field.key.clone(), values.clone());
            }
            None => {
                answers.remove(&field.key);
            }
        }
    }
    let uploads: Vec<_> = posted
        .uploads
        .into_iter()
        .filter(|u| file_fields.contains(&u.field))
        .collect();
    // A file sent now answers its field (if storage refuses it, the reason replaces it).
    for upload in &uploads {
        answers.insert(upload.field.clone(), vec![upload.name.clone()]);
    }
    let visible = visible_pages(&definition, &answers);
    let problems = crate::forms::check_page(&definition, index, &answers);
    let action = posted.action.as_str();
    let next_page = match action {
        "precedent" => visible.iter().rev().copied().find(|p| *p < index),
        _ => visible.iter().copied().find(|p| *p > index),
    };
    let stay = action == "suivant" && !problems.is_empty();
    let saved_page = if stay || action == "enregistrer" {
        index
    } else {
        next_page.unwrap_or(if action == "precedent" {
            index
        } else {
            definition.pages.len()
        })
    };
    let refused = actions::save_draft(
        &kernel,
        &caller,
        &mut request,
        answers,
        i64::try_from(saved_page).unwrap_or(0),
        uploads,
    )
    .await?;
    let mut errors = form_errors(&page.tr, &problems);
    for (field, reason) in &refused {
        errors.add(field, reason.clone());
    }
    if action != "precedent" && action != "enregistrer" && !errors.is_empty() {
        let view = form_page_view(page, procedure, &request, &definition, index, errors);
        return render_status(axum::http::StatusCode::UNPROCESSABLE_ENTITY, &view);
    }
    if action == "enregistrer" {
        page::flash(&session, "success", page.tr.t("draft-saved")).await?;
        return Ok(Redirect::to("/mes-demandes").into_response());
    }
    let target = if saved_page >= definition.pages.len() {
        "recapitulatif".to_string()
    } else {
        format!("page/{}", saved_page + 1)
    };
    Ok(Redirect::to(&format!("/mes-demandes/brouillons/{id}/{target}")).into_response())
}

pub struct SummaryItem {
    pub label: String,
    pub value: String,
}

pub struct SummarySection {
    pub title: String,
    pub page_number: usize,
    pub items: Vec<SummaryItem>,
}

/// The answers as the applicant (and later the agent) reads them, page by page.
pub(crate) fn summary_sections(
    page: &Page,
    definition: &FormDefinition,
    request: &Request,
) -> Vec<SummarySection> {
    visible_pages(definition, &request.answers)
        .into_iter()
        .map(|index| {
            let p = &definition.pages[index];
            let items = p
                .blocks
                .iter()
                .filter_map(|b| match b {
                    Block::Field(f) => Some(f),
                    _ => None,
                })
                .filter(|f| {
                    f.show_if.as_ref().is_none_or(|c| {
                        request
                            .answers
                            .get(&c.field)
                            .is_some_and(|v| v.contains(&c.equals))
                    })
                })
                .map(|f| SummaryItem {
                    label: f.label.clone(),
                    value: match request.answers.get(&f.key) {
                        Some(values)
                            if matches!(f.kind, FieldKind::Checkbox) && !values.is_empty() =>
                        {
                            page.tr.t("yes")
                        }
                        Some(values) if !values.is_empty() => values.join(", "),
                        _ => page.tr.t("summary-no-answer"),
                    },
                })
                .collect();
            SummarySection {
                title: p.title.clone(),
                page_number: index + 1,
                items,
            }
        })
        .collect()
}

#[derive(askama::Template)]
#[template(path = "summary.html")]
struct SummaryPage {
    page: Page,
    procedure: Procedure,
    request_id: String,
    sections: Vec<SummarySection>,
    errors: FormErrors,
    regime: String,
}

pub async fn summary(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    LoggedIn(caller): LoggedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (request, procedure, definition) = own_draft(&kernel, &caller, &id).await?;
    if request.status != workflow::DRAFT {
        return Ok(filed_redirect(&request));
    }
    let problems: Vec<_> = actions::check_all(&definition, &request.answers)
        .into_iter()
        .map(|(_, k, p)| (k, p))
        .collect();
    let errors = form_errors(&page.tr, &problems);
    Ok(render(&SummaryPage {
        sections: summary_sections(&page, &definition, &request),
        regime: regime_text(&page, &procedure),
        page,
        procedure,
        request_id: request.id,
        errors,
    })?
    .into_response())
}

pub async fn send(
    State(kernel): State<Kernel>,
    LoggedIn(caller): LoggedIn,
    page: Page,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    match actions::submit(&kernel, &caller, &id).await {
        Ok(request) => {
            page::flash(
                &session,
                "success",
                page.tr.t1(
                    "filed-flash",
                    "number",
                    request.number.clone().unwrap_or_default(),
                ),
            )
            .await?;
            Ok(filed_redirect(&request))
        }
        Err(RequestError::Invalid(_)) => Ok(Redirect::to(&format!(
            "/mes-demandes/brouillons/{id}/recapitulatif"
        ))
        .into_response()),
        Err(RequestError::Conflict(_)) => Ok(Redirect::to("/mes-demandes").into_response()),
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- the resident's requests

pub struct RequestLine {
    pub link: String,
    pub number: String,
    pub title: String,
    pub status: String,
    pub date: String,
    pub deadline: String,
    pub is_draft: bool,
}

#[derive(askama::Template)]
#[template(path = "my_requests.html")]
struct MyRequestsPage {
    page: Page,
    drafts: Vec<RequestLine>,
    filed: Vec<RequestLine>,
}

pub(crate) fn deadline_text(page: &Page, deemed: DeemedDecision) -> String {
    match deemed {
        DeemedDecision::AcceptedOn { on } => {
            page.tr.t1("deemed-accepted-on", "date", french_date(on))
        }
        DeemedDecision::RejectedOn { on } => {
            page.tr.t1("deemed-rejected-on", "date", french_date(on))
        }
        DeemedDecision::Suspended => page.tr.t("deemed-suspended"),
        DeemedDecision::NotApplicable => String::new(),
    }
}

pub async fn my_requests(
    State(kernel): State<Kernel>,
    page: Page,
    LoggedIn(caller): LoggedIn,
) -> Result<Html<String>, AppError> {
    let person = caller
        .acting_for
        .as_ref()
        .map(|a| a.person_id.clone())
        .or_else(|| caller.identity.as_ref().map(|i| i.user_id.clone()))
        .ok_or(AppError::LoginRequired)?;
    let requests = store::requests_of(&kernel.db, &person).await?;
    let procedures = store::procedures(&kernel.db, false, "").await?;
    let mut drafts = Vec::new();
    let mut filed = Vec::new();
    for r in requests {
        let procedure = procedures.iter().find(|p| p.id == r.procedure_id);
        let workflow = procedure.map(|p| p.workflow.clone()).unwrap_or_default();
        let open = !workflow.phase(&r.status).is_final();
        let line = RequestLine {
            link: match &r.number {
                Some(n) => format!("/mes-demandes/{n}"),
                None => format!("/mes-demandes/brouillons/{}", r.id),
            },
            number: r.number.clone().unwrap_or_default(),
            title: procedure.map(|p| p.title.clone()).unwrap_or_default(),
            status: workflow.label(&r.status),
            date: kernel::clock::format_fr(r.submitted_at.unwrap_or(r.updated_at)),
            deadline: if open {
                deadline_text(&page, r.deemed)
            } else {
                String::new()
            },
            is_draft: r.number.is_none(),
        };
        if line.is_draft {
            drafts.push(line);
        } else {
            filed.push(line);
        }
    }
    render(&MyRequestsPage {
        page,
        drafts,
        filed,
    })
}

pub struct HistoryLine {
    pub date: String,
    pub text: String,
}

pub struct MessageLine {
    pub date: String,
    pub author: String,
    pub from_staff: bool,
    pub body: String,
}

pub struct DocumentLine {
    pub link: String,
    pub name: String,
    pub size: String,
    pub date: String,
    pub from_staff: bool,
}

/// The message thread, oldest first.
pub(crate) async fn message_lines(
    kernel: &Kernel,
    request_id: &str,
) -> Result<Vec<MessageLine>, AppError> {
    Ok(store::messages(&kernel.db, request_id)
        .await?
        .into_iter()
        .map(|m| MessageLine {
            date: kernel::clock::format_fr(m.at),
            author: m.author_label,
            from_staff: m.from_staff,
            body: m.body,
        })
        .collect())
}

/// The documents of a request (only those shown to the applicant if `public_only`), each
/// with its download link.
pub(crate) async fn document_lines(
    kernel: &Kernel,
    request_id: &str,
    public_only: bool,
    link: impl Fn(&str) -> String,
) -> Result<Vec<DocumentLine>, AppError> {
    Ok(store::documents(&kernel.db, request_id)
        .await?
        .into_iter()
        .filter(|d| d.public || !public_only)
        .map(|d| DocumentLine {
            link: link(&d.id),
            size: human_size(d.size_bytes),
            date: kernel::clock::format_fr(d.at),
            from_staff: d.from_staff,
            name: d.name,
        })
        .collect())
}

pub(crate) fn history_text(workflow: &Workflow, event: &store::Event) -> String {
    match (&event.kind[..], &event.to_status) {
        ("status", Some(to)) | ("submitted", Some(to)) => {
            format!("{} — {}", workflow.label(to), event.detail)
        }
        _ => event.detail.clone(),
    }
}

#[derive(askama::Template)]
#[template(path = "my_request.html")]
struct MyRequestPage {
    page: Page,
    deemed_accepted: bool,
    number: String,
    procedure: Procedure,
    status: String,
    is_final: bool,
    waiting: bool,
    deadline: String,
    received: String,
    history: Vec<HistoryLine>,
    messages: Vec<MessageLine>,
    documents: Vec<DocumentLine>,
    sections: Vec<SummarySection>,
    errors: FormErrors,
    reply: String,
}

async fn own_filed(
    kernel: &Kernel,
    caller: &Caller,
    number: &str,
) -> Result<(Request, Procedure), AppError> {
    let request = store::request_by_number(&kernel.db, number)
        .await?
        .filter(|r| is_applicant(caller, r))
        .ok_or(AppError::NotFound)?;
    let procedure = store::procedure_by_id(&kernel.db, &request.procedure_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((request, procedure))
}

async fn my_request_page(
    kernel: &Kernel,
    page: Page,
    request: Request,
    procedure: Procedure,
    errors: FormErrors,
    reply: String,
) -> Result<MyRequestPage, AppError> {
    let number = request.number.clone().unwrap_or_default();
    let workflow = &procedure.workflow;
    let phase = workflow.phase(&request.status);
    let history = store::events(&kernel.db, &request.id, true)
        .await?
        .iter()
        .map(|e| HistoryLine {
            date: kernel::clock::format_fr(e.at),
            text: history_text(workflow, e),
        })
        .collect();
    let messages = message_lines(kernel, &request.id).await?;
    let documents = document_lines(kernel, &request.id, true, |d| {
        format!("/mes-demandes/{number}/documents/{d}")
    })
    .await?;
    let version = store::version_by_id(&kernel.db, &request.form_version_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(MyRequestPage {
        deemed_accepted: request.status == workflow::DEEMED_ACCEPTED,
        status: workflow.label(&request.status),
        is_final: phase.is_final(),
        waiting: phase == workflow::Phase::WaitingForApplicant,
        deadline: if phase.is_final() {
            String::new()
        } else {
            deadline_text(&page, request.deemed)
        },
        received: request.received_on.map(french_date).unwrap_or_default(),
        sections: summary_sections(&page, &version.definition, &request),
        history,
        messages,
        documents,
        number,
        page,
        procedure,
        errors,
        reply,
    })
}

pub async fn my_request(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    LoggedIn(caller): LoggedIn,
    Path(number): Path<String>,
) -> Result<Html<String>, AppError> {
    let (request, procedure) = own_filed(&kernel, &caller, &number).await?;
    let view = my_request_page(
        &kernel,
        page,
        request,
        procedure,
        FormErrors::new(),
        String::new(),
    )
    .await?;
    render(&view)
}

pub async fn reply(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    LoggedIn(caller): LoggedIn,
    session: Session,
    Path(number): Path<String>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let (mut request, procedure) = own_filed(&kernel, &caller, &number).await?;
    let posted = read_multipart(multipart).await?;
    let body = posted.text("message");
    let mut errors = FormErrors::new();
    let upload = posted.uploads.into_iter().find(|u| u.field == "document");
    if body.trim().is_empty() && upload.is_none() {
        errors.add("message", page.tr.t("reply-empty"));
    }
    if body.chars().count() > 5000 {
        errors.add("message", page.tr.t1("answer-too-long", "max", 5000));
    }
    if errors.is_empty() {
        let mut tx = kernel.db.begin().await?;
        let mut refused = None;
        if let Some(upload) = &upload {
            refused = actions::add_applicant_document(&kernel, &mut tx, &request, upload)
                .await?
                .err();
        }
        match refused {
            Some(reason) => {
                tx.rollback().await?;
                errors.add("document", reason);
            }
            None => {
                actions::applicant_reply(&kernel, &caller, &mut tx, &mut request, &body).await?;
                tx.commit().await?;
                page::flash(&session, "success", page.tr.t("reply-sent")).await?;
                return Ok(Redirect::to(&format!("/mes-demandes/{number}")).into_response());
            }
        }
    }
    let view = my_request_page(&kernel, page, request, procedure, errors, body).await?;
    render_status(axum::http::StatusCode::UNPROCESSABLE_ENTITY, &view)
}

#[derive(askama::Template)]
#[template(path = "acknowledgement.html")]
pub(crate) struct AcknowledgementPage {
    pub page: Page,
    pub ack: Acknowledgement,
    pub paragraphs: Vec<String>,
    pub number: String,
    /// Where « back » leads: the resident's request page, or the agent's.
    pub back: String,
    /// The same document as a PDF.
    pub pdf: String,
}

pub async fn acknowledgement(
    State(kernel): State<Kernel>,
    page: Page,
    LoggedIn(caller): LoggedIn,
    Path(number): Path<String>,
) -> Result<Html<String>, AppError> {
    let (request, _) = own_filed(&kernel, &caller, &number).await?;
    let ack = store::acknowledgement(&kernel.db, &request.id)
        .await?
        .ok_or(AppError::NotFound)?;
    render(&AcknowledgementPage {
        paragraphs: ack.paragraphs(),
        ack,
        page,
        back: format!("/mes-demandes/{number}"),
        pdf: format!("/mes-demandes/{number}/accuse-de-reception.pdf"),
        number,
    })
}

/// The acknowledgement as a PDF for the applicant's records (same frozen mentions).
pub async fn acknowledgement_pdf(
    State(kernel): State<Kernel>,
    LoggedIn(caller): LoggedIn,
    Path(number): Path<String>,
) -> Result<Response, AppError> {
    let (request, _) = own_filed(&kernel, &caller, &number).await?;
    let ack = store::acknowledgement(&kernel.db, &request.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let pdf =
        crate::documents::acknowledgement(&ack, &kernel.config.commune, None).to_pdf(kernel.now());
    download(
        &format!("accuse-de-reception-{number}.pdf"),
        "application/pdf",
        pdf,
    )
}

pub async fn document(
    State(kernel): State<Kernel>,
    LoggedIn(caller): LoggedIn,
    Path((number, document)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (request, _) = own_filed(&kernel, &caller, &number).await?;
    let doc = store::documents(&kernel.db, &request.id)
        .await?
        .into_iter()
        .find(|d| d.id == document && d.public)
        .ok_or(AppError::NotFound)?;
    let (file, bytes) = kernel::files::read(&kernel, &doc.file_id)
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .ok_or(AppError::NotFound)?;
    download(&file.original_name, &file.content_type, bytes)
}

#[derive(askama::Template)]
#[template(path = "attestation.html")]
struct AttestationPage {
    page: Page,
    title: String,
    paragraphs: Vec<String>,
    number: String,
    place_and_date: String,
}

/// The applicant's request deemed accepted, with its acknowledgement and the day its
/// implicit acceptance was born; 404 before that (nothing to attest).
async fn deemed_accepted(
    kernel: &Kernel,
    caller: &Caller,
    number: &str,
) -> Result<(Acknowledgement, jiff::civil::Date), AppError> {
    let (request, _) = own_filed(kernel, caller, number).await?;
    if request.status != workflow::DEEMED_ACCEPTED {
        return Err(AppError::NotFound);
    }
    let accepted_on = request.deemed.date().ok_or(AppError::NotFound)?;
    let ack = store::acknowledgement(&kernel.db, &request.id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((ack, accepted_on))
}

/// The attestation of implicit acceptance (CRPA L232-3), once the request is deemed accepted.
pub async fn attestation(
    State(kernel): State<Kernel>,
    page: Page,
    LoggedIn(caller): LoggedIn,
    Path(number): Path<String>,
) -> Result<Html<String>, AppError> {
    let (ack, accepted_on) = deemed_accepted(&kernel, &caller, &number).await?;
    render(&AttestationPage {
        title: page.tr.t("attestation-title"),
        paragraphs: crate::acknowledgement::attestation_paragraphs(&ack, accepted_on),
        place_and_date: format!(
            "{}, le {}",
            kernel.config.commune.name,
            french_date(actions::today(&kernel))
        ),
        page,
        number,
    })
}

/// The same attestation as a PDF, dated the day it is downloaded.
pub async fn attestation_pdf(
    State(kernel): State<Kernel>,
    LoggedIn(caller): LoggedIn,
    Path(number): Path<String>,
) -> Result<Response, AppError> {
    let (ack, accepted_on) = deemed_accepted(&kernel, &caller, &number).await?;
    let pdf = crate::documents::attestation(
        &ack,
        accepted_on,
        actions::today(&kernel),
        &kernel.config.commune,
    )
    .to_pdf(kernel.now());
    download(
        &format!("attestation-acceptation-implicite-{number}.pdf"),
        "application/pdf",
        pdf,
    )
}

/// The resident's requests on `/mon-espace`: the latest five, filed or in draft.
pub struct MyRequests;

#[async_trait::async_trait]
impl kernel::space::SpaceSection for MyRequests {
    async fn view(
        &self,
        kernel: &Kernel,
        caller: &Caller,
        tr: &kernel::i18n::Tr,
    ) -> Result<kernel::space::SpaceView, sqlx::Error> {
        let person = caller
            .acting_for
            .as_ref()
            .map(|a| a.person_id.clone())
            .or_else(|| caller.identity.as_ref().map(|i| i.user_id.clone()));
        let requests = match &person {
            Some(person) => store::requests_of(&kernel.db, person).await?,
            None => Vec::new(),
        };
        let procedures = store::procedures(&kernel.db, false, "").await?;
        let links = requests
            .iter()
            .take(5)
            .map(|r| {
                let procedure = procedures.iter().find(|p| p.id == r.procedure_id);
                let title = procedure.map(|p| p.title.clone()).unwrap_or_default();
                match &r.number {
                    Some(number) => kernel::space::SpaceLink {
                        label: format!(
                            "{number} — {title} : {}",
                            procedure
                                .map(|p| p.workflow.label(&r.status))
                                .unwrap_or_default()
                        ),
                        href: format!("/mes-demandes/{number}"),
                    },
                    None => kernel::space::SpaceLink {
                        label: tr.t1("space-request-draft", "title", title),
                        href: format!("/mes-demandes/brouillons/{}", r.id),
                    },
                }
            })
            .collect();
        Ok(kernel::space::SpaceView {
            title: tr.t("space-requests-title"),
            links,
            empty: tr.t("space-requests-none"),
            more: vec![
                kernel::space::SpaceLink {
                    label: tr.t("space-requests-all"),
                    href: "/mes-demandes".into(),
                },
                kernel::space::SpaceLink {
                    label: tr.t("space-requests-new"),
                    href: "/demarches".into(),
                },
            ],
        })
    }
}
