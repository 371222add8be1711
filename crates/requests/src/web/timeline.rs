//! A person's timeline for agents (`/backoffice/usagers/{id}` for an account holder, and
//! `/backoffice/demandes/{id}/usager` for the applicant of a request, with or without an
//! account). Every opening is in the audit log.

use axum::extract::{Path, State};
use axum::response::Html;
use kernel::audit::AuditTarget;
use kernel::identity::Role;
use kernel::web::page::{Page, Staff, render};
use kernel::{AppError, Caller, Kernel};

use super::public::history_text;
use crate::actions::may_handle;
use crate::model::{Channel, Request};
use crate::store;
use crate::timeline::{self, EntryKind, Happening, RequestItem};

pub struct EntryView {
    pub date: String,
    pub title: String,
    pub detail: String,
    pub body: String,
    pub link: Option<String>,
    pub number: String,
    pub procedure: String,
    pub service: String,
    pub contact: bool,
}

#[derive(askama::Template)]
#[template(path = "timeline.html")]
struct TimelinePage {
    page: Page,
    name: String,
    email: String,
    phone: String,
    address: String,
    has_account: bool,
    channels: Vec<(String, usize)>,
    entries: Vec<EntryView>,
}

/// The timeline of an account holder. An agent sees it when they may handle at least one of
/// the person's requests (administrators always): no one browses residents at random.
pub async fn person(
    State(kernel): State<Kernel>,
    page: Page,
    Staff(caller): Staff,
    Path(user_id): Path<String>,
) -> Result<Html<String>, AppError> {
    let user = accounts::store::user_by_id(&kernel.db, &user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let requests: Vec<Request> = store::requests_of(&kernel.db, &user.id)
        .await?
        .into_iter()
        .filter(|r| r.number.is_some())
        .collect();
    let is_admin = caller
        .identity
        .as_ref()
        .is_some_and(|i| i.has_role(Role::Administrator));
    if !is_admin && !requests.iter().any(|r| may_handle(&caller, r)) {
        return Err(AppError::Forbidden);
    }
    // Contact details only from a request the viewer handles: a phone number given to the
    // social services is not for the roads department.
    let latest = requests.iter().find(|r| may_handle(&caller, r));
    let contact = Contact {
        name: user.display_name(),
        email: user.email.clone(),
        phone: latest
            .and_then(|r| r.applicant_phone.clone())
            .unwrap_or_default(),
        address: latest
            .and_then(|r| r.applicant_address.clone())
            .unwrap_or_default(),
        has_account: true,
    };
    audit_view(&kernel, &caller, AuditTarget::new("user", &user.id)).await?;
    render_timeline(&kernel, page, &caller, contact, requests).await
}

/// The timeline of a request's applicant: their account's, or, for someone without an
/// account, the requests recorded with the same e-mail (or the same name and phone).
pub async fn applicant(
    State(kernel): State<Kernel>,
    page: Page,
    Staff(caller): Staff,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let request = store::request_by_id(&kernel.db, &id)
        .await?
        .filter(|r| r.number.is_some())
        .ok_or(AppError::NotFound)?;
    if !may_handle(&caller, &request) {
        return Err(AppError::Forbidden);
    }
    if let Some(user_id) = &request.applicant_id {
        return person(State(kernel), page, Staff(caller), Path(user_id.clone())).await;
    }
    let mut requests = store::requests_of_contact(
        &kernel.db,
        request.applicant_email.as_deref(),
        &request.applicant_name,
        request.applicant_phone.as_deref(),
    )
    .await?;
    if !requests.iter().any(|r| r.id == request.id) {
        requests.insert(0, request.clone());
    }
    let contact = Contact {
        name: request.applicant_name.clone(),
        email: request.applicant_email.clone().unwrap_or_default(),
        phone: request.applicant_phone.clone().unwrap_or_default(),
        address: request.applicant_address.clone().unwrap_or_default(),
        has_account: false,
    };
    audit_view(&kernel, &caller, AuditTarget::new("request", &request.id)).await?;
    render_timeline(&kernel, page, &caller, contact, requests).await
}

struct Contact {
    name: String,
    email: String,
    phone: String,
    address: String,
    has_account: bool,
}

async fn audit_view(kernel: &Kernel, caller: &Caller, target: AuditTarget) -> Result<(), AppError> {
    kernel
        .audit_view(
            caller,
            "person.timeline_view",
            Some(&target),
            serde_json::json!({}),
        )
        .await?;
    Ok(())
}

async fn render_timeline(
    kernel: &Kernel,
    page: Page,
    caller: &Caller,
    contact: Contact,
    requests: Vec<Request>,
) -> Result<Html<String>, AppError> {
    let procedures = store::procedures(&kernel.db, false, "").await?;
    let services = accounts::store::services(&kernel.db).await?;
    let ids: Vec<String> = requests.iter().map(|r| r.id.clone()).collect();
    let events = store::events_of(&kernel.db, &ids).await?;
    let messages = store::messages_of(&kernel.db, &ids).await?;

    let items: Vec<RequestItem> = requests
        .iter()
        .map(|r| {
            let procedure = procedures.iter().find(|p| p.id == r.procedure_id);
            // Who recorded a visit, call, letter or e-mail: the actor of the receipt.
            let recorded_by = (r.channel != Channel::Online)
                .then(|| {
                    events
                        .iter()
                        .find(|(id, e)| id == &r.id && e.kind == "submitted")
                        .map(|(_, e)| e.actor_label.clone())
                })
                .flatten();
            RequestItem {
                id: r.id.clone(),
                number: r.number.clone().unwrap_or_default(),
                procedure: procedure.map(|p| p.title.clone()).unwrap_or_default(),
                service: services
                    .iter()
                    .find(|s| s.id == r.service_id)
                    .map(|s| s.name.clone())
                    .unwrap_or_default(),
                status: procedure
                    .map(|p| p.workflow.label(&r.status))
                    .unwrap_or_else(|| r.status.clone()),
                channel: r.channel,
                at: r.submitted_at.unwrap_or(r.created_at),
                recorded_by,
                open_to_viewer: may_handle(caller, r),
            }
        })
        .collect();

    let mut happenings: Vec<(String, jiff::Timestamp, Happening)> = Vec::new();
    for (request_id, e) in &events {
        // The receipt is the contact itself; internal steps stay on the request's page.
        if !e.public || e.kind == "submitted" {
            continue;
        }
        let workflow = requests
            .iter()
            .find(|r| &r.id == request_id)
            .and_then(|r| procedures.iter().find(|p| p.id == r.procedure_id))
            .map(|p| p.workflow.clone())
            .unwrap_or_default();
        happenings.push((
            request_id.clone(),
            e.at,
            Happening::Step {
                text: history_text(&workflow, e),
                actor: e.actor_label.clone(),
            },
        ));
    }
    for (request_id, m) in messages {
        happenings.push((
            request_id,
            m.at,
            Happening::Message {
                from_staff: m.from_staff,
                author: m.author_label,
                body: m.body,
            },
        ));
    }

    let channels = timeline::channels_used(&items)
        .into_iter()
        .map(|(c, n)| (page.tr.t(&c.label_key()), n))
        .collect();
    let entries = timeline::build(&items, &happenings)
        .into_iter()
        .map(|e| {
            let (title, detail, body, contact) = match e.what {
                EntryKind::Contact {
                    channel,
                    recorded_by,
                    status,
                } => (
                    page.tr.t(&format!("timeline-contact-{}", channel.as_str())),
                    match recorded_by {
                        Some(agent) => page.tr.t2(
                            "timeline-recorded-status",
                            "agent",
                            &agent,
                            "status",
                            &status,
                        ),
                        None => page.tr.t1("timeline-status", "status", &status),
                    },
                    String::new(),
                    true,
                ),
                EntryKind::Step { text, actor } => (
                    page.tr.t("timeline-step"),
                    format!("{text} ({actor})"),
                    String::new(),
                    false,
                ),
                EntryKind::Message {
                    from_staff,
                    author,
                    body,
                } => (
                    page.tr.t(if from_staff {
                        "timeline-message-staff"
                    } else {
                        "timeline-message-applicant"
                    }),
                    author,
                    body,
                    false,
                ),
            };
            EntryView {
                date: kernel::clock::format_fr(e.at),
                title,
                detail,
                body,
                link: e
                    .open_to_viewer
                    .then(|| format!("/backoffice/demandes/{}", e.request_id)),
                number: e.number,
                procedure: e.procedure,
                service: e.service,
                contact,
            }
        })
        .collect();
    render(&TimelinePage {
        page,
        name: contact.name,
        email: contact.email,
        phone: contact.phone,
        address: contact.address,
        has_account: contact.has_account,
        channels,
        entries,
    })
}
