//! The agents' inbox and the handling of one request: status moves with their message,
//! messages to the applicant, internal notes, assignment, re-routing, transmission.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use jiff::ToSpan;
use kernel::audit::AuditTarget;
use kernel::web::page::{self, FormPage, Page, Staff, render};
use kernel::{AppError, Caller, Kernel};
use serde::Deserialize;
use tower_sessions::Session;

use super::download;
use super::public::{
    DocumentLine, HistoryLine, MessageLine, SummarySection, deadline_text, document_lines,
    history_text, message_lines, summary_sections,
};
use crate::acknowledgement::french_date;
use crate::actions::{self, RequestError, inbox_services, may_handle, today};
use crate::model::{Channel, DeemedDecision, Procedure, Request};
use crate::store::{self, InboxQuery};
use crate::workflow::fill_placeholders;

const PAGE_SIZE: i64 = 50;
/// Requests whose legal deadline falls within this many days stand out in the inbox.
const NEAR_DAYS: i64 = 7;

#[derive(Deserialize, Default)]
pub struct InboxFilters {
    #[serde(default)]
    q: String,
    #[serde(default)]
    service: String,
    #[serde(default)]
    procedure: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    channel: String,
    /// `miennes` (the agent's teams), `aucune` (no team), a team id, or empty.
    #[serde(default)]
    equipe: String,
    /// `proche` (within a week), `depassee` (past), or empty.
    #[serde(default)]
    echeance: String,
    /// `toutes` to include decided requests.
    #[serde(default)]
    etat: String,
    #[serde(default)]
    page: Option<i64>,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn choices(items: impl IntoIterator<Item = (String, String)>, current: &str) -> Vec<Choice> {
    items
        .into_iter()
        .map(|(value, label)| Choice {
            selected: value == current,
            value,
            label,
        })
        .collect()
}

pub struct InboxLine {
    pub link: String,
    pub number: String,
    pub procedure: String,
    pub applicant: String,
    pub status: String,
    pub assignee: String,
    /// The team's name, empty when the request has none.
    pub team: String,
    pub channel: String,
    pub received: String,
    pub deadline: String,
    /// `near`, `past` or empty: how the deadline stands out (in words too, not by colour).
    pub urgency: &'static str,
}

#[derive(askama::Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    page: Page,
    filters: InboxFilters,
    services: Vec<Choice>,
    procedures: Vec<Choice>,
    statuses: Vec<Choice>,
    assignees: Vec<Choice>,
    channels: Vec<Choice>,
    teams: Vec<Choice>,
    lines: Vec<InboxLine>,
    total: i64,
    page_number: i64,
    pages: i64,
    query_string: String,
}

pub(crate) fn urgency(deemed: DeemedDecision, today: jiff::civil::Date) -> &'static str {
    match deemed.date() {
        Some(on) if on < today => "past",
        Some(on) if on <= today.saturating_add(NEAR_DAYS.days()) => "near",
        _ => "",
    }
}

pub async fn inbox(
    State(kernel): State<Kernel>,
    page: Page,
    Staff(caller): Staff,
    Query(filters): Query<InboxFilters>,
) -> Result<Html<String>, AppError> {
    let visible = inbox_services(&kernel, &caller).await?;
    let all_services = accounts::store::services(&kernel.db).await?;
    let procedures = store::procedures(&kernel.db, false, "").await?;
    let today = today(&kernel);
    let me = caller
        .identity
        .as_ref()
        .map(|i| i.user_id.clone())
        .unwrap_or_default();
    let assignee = match filters.assignee.as_str() {
        "moi" => Some(me.clone()),
        "" => None,
        other => Some(other.to_string()),
    };
    let due_before = match filters.echeance.as_str() {
        "proche" => Some(today.saturating_add(NEAR_DAYS.days())),
        "depassee" => Some(today.yesterday().unwrap_or(today)),
        _ => None,
    };
    let page_number = filters.page.unwrap_or(1).max(1);
    let all_teams = accounts::store::teams(&kernel.db).await?;
    let team = match filters.equipe.as_str() {
        "" => None,
        "aucune" => Some(store::TeamFilter::NoTeam),
        "miennes" => Some(store::TeamFilter::AnyOf(
            caller
                .identity
                .as_ref()
                .map(|i| i.team_ids.clone())
                .unwrap_or_default(),
        )),
        // The visible services bound the list whatever team is asked for.
        id => Some(store::TeamFilter::AnyOf(vec![id.to_string()])),
    };
    let query = InboxQuery {
        services: visible.clone(),
        service: Some(filters.service.clone()),
        procedure: Some(filters.procedure.clone()),
        status: Some(filters.status.clone()),
        assignee,
        channel: Some(filters.channel.clone()),
        team,
        due_before,
        open_only: filters.etat != "toutes",
        text: filters.q.chars().take(100).collect(),
        limit: PAGE_SIZE,
        offset: (page_number - 1) * PAGE_SIZE,
    };
    let (rows, total) = store::inbox(&kernel.db, &query).await?;
    let lines = rows
        .into_iter()
        .map(|r| InboxLine {
            link: format!("/backoffice/demandes/{}", r.id),
            status: r.workflow.label(&r.status),
            urgency: if r.workflow.phase(&r.status).is_final() {
                ""
            } else {
                urgency(r.deemed, today)
            },
            deadline: match r.deemed.date() {
                Some(on) if !r.workflow.phase(&r.status).is_final() => format!(
                    "{} ({})",
                    french_date(on),
                    page.tr
                        .t(if matches!(r.deemed, DeemedDecision::AcceptedOn { .. }) {
                            "deadline-acceptance"
                        } else {
                            "deadline-rejection"
                        })
                ),
                _ => String::new(),
            },
            number: r.number,
            procedure: r.procedure_title,
            applicant: r.applicant_name,
            assignee: r.assignee_name.unwrap_or_default(),
            team: r
                .team_id
                .as_ref()
                .and_then(|id| all_teams.iter().find(|t| &t.id == id))
                .map(|t| t.name.clone())
                .unwrap_or_default(),
            channel: page.tr.t(&r.channel.label_key()),
            received: r.received_on.map(french_date).unwrap_or_default(),
        })
        .collect();
    let mut statuses: Vec<(String, String)> = Vec::new();
    for p in &procedures {
        for s in &p.workflow.statuses {
            if !statuses.iter().any(|(k, _)| k == &s.key) {
                statuses.push((s.key.clone(), s.label.clone()));
            }
        }
    }
    for key in [
        crate::workflow::DEEMED_ACCEPTED,
        crate::workflow::DEEMED_REJECTED,
        crate::workflow::TRANSMITTED,
    ] {
        statuses.push((key.into(), crate::workflow::Workflow::default().label(key)));
    }
    let colleagues: Vec<(String, String)> = accounts::store::staff(&kernel.db)
        .await?
        .into_iter()
        .filter(|m| {
            m.grants
                .iter()
                .any(|g| g.service.as_ref().is_some_and(|s| visible.contains(&s.id)))
        })
        .map(|m| (m.user.id.clone(), m.user.display_name()))
        .collect();
    let mut assignees = vec![
        ("moi".to_string(), page.tr.t("inbox-assignee-me")),
        ("none".to_string(), page.tr.t("inbox-assignee-none")),
    ];
    assignees.extend(colleagues);
    let mut teams = vec![
        ("miennes".to_string(), page.tr.t("inbox-team-mine")),
        ("aucune".to_string(), page.tr.t("inbox-team-none")),
    ];
    teams.extend(
        all_teams
            .iter()
            .filter(|t| visible.contains(&t.service_id))
            .map(|t| {
                let service = all_services
                    .iter()
                    .find(|s| s.id == t.service_id)
                    .map(|s| s.name.as_str())
                    .unwrap_or_default();
                (t.id.clone(), format!("{} ({service})", t.name))
            }),
    );
    let query_string = serde_urlencoded_filters(&filters);
    render(&InboxPage {
        teams: choices(teams, &filters.equipe),
        services: choices(
            all_services
                .iter()
                .filter(|s| visible.contains(&s.id))
                .map(|s| (s.id.clone(), s.name.clone())),
            &filters.service,
        ),
        procedures: choices(
            procedures.iter().map(|p| (p.id.clone(), p.title.clone())),
            &filters.procedure,
        ),
        statuses: choices(statuses, &filters.status),
        assignees: choices(assignees, &filters.assignee),
        channels: choices(
            Channel::ALL
                .iter()
                .map(|c| (c.as_str().to_string(), page.tr.t(&c.label_key()))),
            &filters.channel,
        ),
        lines,
        total,
        page_number,
        pages: (total + PAGE_SIZE - 1) / PAGE_SIZE,
        query_string,
        page,
        filters,
    })
}

/// The filters as a query string, for the paging links.
fn serde_urlencoded_filters(f: &InboxFilters) -> String {
    [
        ("q", &f.q),
        ("service", &f.service),
        ("procedure", &f.procedure),
        ("status", &f.status),
        ("assignee", &f.assignee),
        ("channel", &f.channel),
        ("equipe", &f.equipe),
        ("echeance", &f.echeance),
        ("etat", &f.etat),
    ]
    .iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("{k}={}", kernel::web::error::urlencode(v)))
    .collect::<Vec<_>>()
    .join("&")
}

// ---------------------------------------------------------------- one request

pub struct MoveView {
    pub to: String,
    pub label: String,
    pub message: String,
    pub requests_documents: bool,
}

pub struct NoteLine {
    pub date: String,
    pub author: String,
    pub body: String,
}

#[derive(askama::Template)]
#[template(path = "bo_request.html")]
struct DetailPage {
    page: Page,
    request: Request,
    number: String,
    procedure: Procedure,
    service_name: String,
    /// The request's team, empty when it has none.
    team_name: String,
    /// Teams of every service, grouped by service, for re-routing.
    team_groups: Vec<(String, Vec<Choice>)>,
    status: String,
    is_final: bool,
    deadline: String,
    urgency: &'static str,
    received: String,
    channel: String,
    assignee: String,
    sections: Vec<SummarySection>,
    history: Vec<HistoryLine>,
    messages: Vec<MessageLine>,
    notes: Vec<NoteLine>,
    documents: Vec<DocumentLine>,
    moves: Vec<MoveView>,
    colleagues: Vec<Choice>,
    services: Vec<Choice>,
    canned: Vec<Choice>,
    draft_message: String,
    linked_articles: Vec<store::Article>,
    article_query: String,
    /// Sheets found by the agent's search, not linked yet (None: no search made).
    found_articles: Option<Vec<store::Article>>,
}

async fn load(
    kernel: &Kernel,
    caller: &Caller,
    id: &str,
) -> Result<(Request, Procedure), AppError> {
    let request = store::request_by_id(&kernel.db, id)
        .await?
        .filter(|r| r.number.is_some())
        .ok_or(AppError::NotFound)?;
    if !may_handle(caller, &request) {
        return Err(AppError::Forbidden);
    }
    let procedure = store::procedure_by_id(&kernel.db, &request.procedure_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((request, procedure))
}

#[derive(Deserialize, Default)]
pub struct DetailQuery {
    /// A canned reply to put in the message box.
    #[serde(default)]
    reponse: String,
    /// A search in the knowledge base, to link a sheet to the request.
    #[serde(default)]
    fiche: Option<String>,
}

pub async fn detail(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    Path(id): Path<String>,
    Query(query): Query<DetailQuery>,
) -> Result<Html<String>, AppError> {
    let (request, procedure) = load(&kernel, &caller, &id).await?;
    // Every opening of a person's request by an agent is in the audit log.
    kernel
        .audit_view(
            &caller,
            "request.view",
            Some(&AuditTarget::new("request", &request.id)),
            serde_json::json!({ "number": request.number }),
        )
        .await?;
    let number = request.number.clone().unwrap_or_default();
    let workflow = &procedure.workflow;
    let services = accounts::store::services(&kernel.db).await?;
    let service_name = services
        .iter()
        .find(|s| s.id == request.service_id)
        .map(|s| s.name.clone())
        .unwrap_or_default();
    let all_teams = accounts::store::teams(&kernel.db).await?;
    let team_name = request
        .team_id
        .as_ref()
        .and_then(|id| all_teams.iter().find(|t| &t.id == id))
        .map(|t| t.name.clone())
        .unwrap_or_default();
    let team_groups = services
        .iter()
        .map(|s| {
            (
                s.name.clone(),
                choices(
                    all_teams
                        .iter()
                        .filter(|t| t.service_id == s.id)
                        .map(|t| (t.id.clone(), t.name.clone())),
                    request.team_id.as_deref().unwrap_or(""),
                ),
            )
        })
        .filter(|(_, teams)| !teams.is_empty())
        .collect();
    let staff = accounts::store::staff(&kernel.db).await?;
    let colleagues: Vec<(String, String)> = staff
        .iter()
        .filter(|m| {
            m.grants.iter().any(|g| {
                g.service
                    .as_ref()
                    .is_some_and(|s| s.id == request.service_id)
            })
        })
        .map(|m| (m.user.id.clone(), m.user.display_name()))
        .collect();
    let assignee = request
        .assignee_id
        .as_ref()
        .and_then(|a| colleagues.iter().find(|(id, _)| id == a))
        .map(|(_, name)| name.clone())
        .unwrap_or_default();
    let placeholders = crate::workflow::placeholder_values(
        &request.applicant_name,
        &number,
        &procedure.title,
        &service_name,
    );
    let canned =
        store::canned_replies(&kernel.db, std::slice::from_ref(&request.service_id)).await?;
    let draft_message = canned
        .iter()
        .find(|r| r.id == query.reponse)
        .map(|r| fill_placeholders(&r.body, &placeholders))
        .unwrap_or_default();
    let canned: Vec<Choice> = canned
        .into_iter()
        .map(|r| Choice {
            value: r.id,
            label: r.title,
            selected: false,
        })
        .collect();
    let moves = workflow
        .moves_from(&request.status)
        .map(|t| MoveView {
            to: t.to.clone(),
            label: t.label.clone(),
            message: t
                .message
                .as_deref()
                .map(|m| fill_placeholders(m, &placeholders))
                .unwrap_or_default(),
            requests_documents: t.requests_documents,
        })
        .collect();
    let history = store::events(&kernel.db, &request.id, false)
        .await?
        .iter()
        .map(|e| HistoryLine {
            date: kernel::clock::format_fr(e.at),
            text: format!(
                "{} ({}){}",
                history_text(workflow, e),
                e.actor_label,
                if e.public { "" } else { " — interne" }
            ),
        })
        .collect();
    let messages = message_lines(&kernel, &request.id).await?;
    let notes = store::notes(&kernel.db, &request.id)
        .await?
        .into_iter()
        .map(|n| NoteLine {
            date: kernel::clock::format_fr(n.at),
            author: n.author_label,
            body: n.body,
        })
        .collect();
    let request_id = request.id.clone();
    let documents = document_lines(&kernel, &request.id, false, |d| {
        format!("/backoffice/demandes/{request_id}/documents/{d}")
    })
    .await?;
    let version = store::version_by_id(&kernel.db, &request.form_version_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let is_final = workflow.phase(&request.status).is_final();
    let linked_articles = store::linked_articles(&kernel.db, &request.id).await?;
    let article_query = query.fiche.clone().unwrap_or_default();
    let found_articles = match &query.fiche {
        Some(q) => Some(
            store::articles(&kernel.db, q)
                .await?
                .into_iter()
                .filter(|a| !linked_articles.iter().any(|l| l.id == a.id))
                .collect(),
        ),
        None => None,
    };
    render(&DetailPage {
        linked_articles,
        article_query,
        found_articles,
        status: workflow.label(&request.status),
        deadline: if is_final {
            String::new()
        } else {
            deadline_text(&page, request.deemed)
        },
        urgency: if is_final {
            ""
        } else {
            urgency(request.deemed, today(&kernel))
        },
        received: request.received_on.map(french_date).unwrap_or_default(),
        channel: page.tr.t(&request.channel.label_key()),
        sections: summary_sections(&page, &version.definition, &request),
        colleagues: choices(colleagues, request.assignee_id.as_deref().unwrap_or("")),
        services: choices(
            services.iter().map(|s| (s.id.clone(), s.name.clone())),
            &request.service_id,
        ),
        is_final,
        canned,
        draft_message,
        service_name,
        team_name,
        team_groups,
        assignee,
        history,
        messages,
        notes,
        documents,
        moves,
        number,
        page,
        request,
        procedure,
    })
}

async fn done(
    session: &Session,
    page: &Page,
    id: &str,
    result: Result<(), RequestError>,
    success_key: &str,
) -> Result<Response, AppError> {
    match result {
        Ok(()) => page::flash(session, "success", page.tr.t(success_key)).await?,
        Err(RequestError::Conflict(message)) => {
            page::flash(session, "error", message.to_string()).await?
        }
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to(&format!("/backoffice/demandes/{id}")).into_response())
}

#[derive(Deserialize)]
pub struct MoveForm {
    to: String,
    #[serde(default)]
    message: String,
}

pub async fn change_status(
    State(kernel): State<Kernel>,
    page: Page,
    Staff(caller): Staff,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<MoveForm>,
) -> Result<Response, AppError> {
    let result = actions::apply_move(&kernel, &caller, &id, &form.to, Some(&form.message))
        .await
        .map(|_| ());
    done(&session, &page, &id, result, "bo-status-changed").await
}

#[derive(Deserialize)]
pub struct TextForm {
    #[serde(default)]
    text: String,
}

fn required_text(text: &str) -> Result<&str, RequestError> {
    let text = text.trim();
    if text.is_empty() {
        Err(RequestError::Conflict("le texte est vide"))
    } else if text.chars().count() > 10_000 {
        Err(RequestError::Conflict("le texte dépasse 10 000 caractères"))
    } else {
        Ok(text)
    }
}

pub async fn message(
    State(kernel): State<Kernel>,
    page: Page,
    Staff(caller): Staff,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<TextForm>,
) -> Result<Response, AppError> {
    let result = match required_text(&form.text) {
        Ok(text) => actions::staff_message(&kernel, &caller, &id, text).await,
        Err(e) => Err(e),
    };
    done(&session, &page, &id, result, "bo-message-sent").await
}

pub async fn note(
    State(kernel): State<Kernel>,
    page: Page,
    Staff(caller): Staff,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<TextForm>,
) -> Result<Response, AppError> {
    let result = match required_text(&form.text) {
        Ok(text) => actions::add_note(&kernel, &caller, &id, text).await,
        Err(e) => Err(e),
    };
    done(&session, &page, &id, result, "bo-note-added").await
}

#[derive(Deserialize)]
pub struct ArticleLinkForm {
    article: String,
    /// `retirer` removes the link.
    #[serde(default)]
    action: String,
}

pub async fn link_article(
    State(kernel): State<Kernel>,
    page: Page,
    Staff(caller): Staff,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<ArticleLinkForm>,
) -> Result<Response, AppError> {
    let linked = form.action != "retirer";
    let result = actions::link_article(&kernel, &caller, &id, &form.article, linked).await;
    done(
        &session,
        &page,
        &id,
        result,
        if linked {
            "bo-article-linked"
        } else {
            "bo-article-unlinked"
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    assignee: String,
}

pub async fn assign(
    State(kernel): State<Kernel>,
    page: Page,
    Staff(caller): Staff,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<AssignForm>,
) -> Result<Response, AppError> {
    let me = caller
        .identity
        .as_ref()
        .map(|i| i.user_id.clone())
        .unwrap_or_default();
    let assignee = match form.assignee.as_str() {
        "" => None,
        "moi" => Some(me.as_str()),
        other => Some(other),
    };
    let result = actions::assign(&kernel, &caller, &id, assignee).await;
    done(&session, &page, &id, result, "bo-assigned").await
}

#[derive(Deserialize)]
pub struct RerouteForm {
    service: String,
    /// A team of that service, or empty for its common inbox.
    #[serde(default)]
    team: String,
}

pub async fn reroute(
    State(kernel): State<Kernel>,
    page: Page,
    Staff(caller): Staff,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<RerouteForm>,
) -> Result<Response, AppError> {
    let team = Some(form.team.as_str()).filter(|t| !t.is_empty());
    match actions::reroute(&kernel, &caller, &id, &form.service, team).await {
        // The agent may no longer see it: back to the inbox.
        Ok(()) => {
            page::flash(&session, "success", page.tr.t("bo-rerouted")).await?;
            Ok(Redirect::to("/backoffice/demandes").into_response())
        }
        Err(e) => done(&session, &page, &id, Err(e), "").await,
    }
}

#[derive(Deserialize)]
pub struct TransmitForm {
    #[serde(default)]
    authority: String,
}

pub async fn transmit(
    State(kernel): State<Kernel>,
    page: Page,
    Staff(caller): Staff,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<TransmitForm>,
) -> Result<Response, AppError> {
    let result = actions::transmit(&kernel, &caller, &id, &form.authority).await;
    done(&session, &page, &id, result, "bo-transmitted").await
}

pub async fn document(
    State(kernel): State<Kernel>,
    Staff(caller): Staff,
    Path((id, document)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (request, _) = load(&kernel, &caller, &id).await?;
    let doc = store::documents(&kernel.db, &request.id)
        .await?
        .into_iter()
        .find(|d| d.id == document)
        .ok_or(AppError::NotFound)?;
    let (file, bytes) = kernel::files::read(&kernel, &doc.file_id)
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .ok_or(AppError::NotFound)?;
    let mut tx = kernel.db.begin().await?;
    kernel
        .audit(
            &mut tx,
            &caller,
            "request.document_download",
            Some(&AuditTarget::new("request", &request.id)),
            serde_json::json!({ "document": doc.id }),
        )
        .await?;
    tx.commit().await?;
    download(&file.original_name, &file.content_type, bytes)
}

/// Records that an agent opened a person's acknowledgement (it holds their name and,
/// as a letter, their address).
async fn audit_acknowledgement(
    kernel: &Kernel,
    caller: &Caller,
    request: &Request,
    format: &str,
) -> Result<(), AppError> {
    kernel
        .audit_view(
            caller,
            "request.acknowledgement_view",
            Some(&AuditTarget::new("request", &request.id)),
            serde_json::json!({ "number": request.number, "format": format }),
        )
        .await?;
    Ok(())
}

/// The acknowledgement as issued, to print and post to someone without e-mail.
pub async fn acknowledgement(
    State(kernel): State<Kernel>,
    page: Page,
    Staff(caller): Staff,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let (request, _) = load(&kernel, &caller, &id).await?;
    let ack = store::acknowledgement(&kernel.db, &request.id)
        .await?
        .ok_or(AppError::NotFound)?;
    audit_acknowledgement(&kernel, &caller, &request, "html").await?;
    render(&super::public::AcknowledgementPage {
        paragraphs: ack.paragraphs(),
        ack,
        page,
        number: request.number.clone().unwrap_or_default(),
        back: format!("/backoffice/demandes/{id}"),
        pdf: format!("/backoffice/demandes/{id}/accuse-de-reception.pdf"),
    })
}

/// The acknowledgement as a PDF letter addressed to the applicant's postal address, for
/// the window envelope.
pub async fn acknowledgement_pdf(
    State(kernel): State<Kernel>,
    Staff(caller): Staff,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (request, _) = load(&kernel, &caller, &id).await?;
    let ack = store::acknowledgement(&kernel.db, &request.id)
        .await?
        .ok_or(AppError::NotFound)?;
    audit_acknowledgement(&kernel, &caller, &request, "pdf").await?;
    let recipient = crate::documents::postal_lines(
        &request.applicant_name,
        request.applicant_address.as_deref(),
    );
    let pdf = crate::documents::acknowledgement(&ack, &kernel.config.commune, Some(recipient))
        .to_pdf(kernel.now());
    download(
        &format!("accuse-de-reception-{}.pdf", ack.number),
        "application/pdf",
        pdf,
    )
}
