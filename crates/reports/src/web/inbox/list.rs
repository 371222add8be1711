//! The inbox: the reports of the agent's services with their filters, counts and pages,
//! and its live feed (Server-Sent Events) that tells the page of new and changed reports.

use std::collections::HashSet;
use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use futures::StreamExt;
use kernel::web::page::{Page, Staff, render};
use kernel::{AppError, Caller, Kernel};
use serde::Deserialize;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;

use super::{Choice, choices, status_class};
use crate::actions::{may_handle, topic_service};
use crate::handling::{french_date, inbox_services};
use crate::model::{Category, Report, Status};
use crate::store::{self, InboxFilter, ReportFilter, ReportOrder};

const PAGE_SIZE: i64 = 50;

#[derive(Deserialize, Default)]
pub struct Filters {
    /// Words of the reference, address or description.
    #[serde(default)]
    q: String,
    /// Empty: the open ones; `tous`: every status; else one status.
    #[serde(default)]
    statut: String,
    /// A category (its sub-categories come with it).
    #[serde(default)]
    categorie: String,
    #[serde(default)]
    quartier: String,
    /// `miennes` (the agent's teams), `aucune` (no team), a team id, or empty.
    #[serde(default)]
    equipe: String,
    /// `anciens` for the oldest first; newest first otherwise.
    #[serde(default)]
    ordre: String,
    #[serde(default)]
    page: Option<i64>,
}

impl Filters {
    /// The filters as a query string, without the page (and without the status when
    /// `with_status` is false, for the status counts' links).
    fn query_string(&self, with_status: bool) -> String {
        [
            ("q", self.q.as_str()),
            ("statut", if with_status { &self.statut } else { "" }),
            ("categorie", &self.categorie),
            ("quartier", &self.quartier),
            ("equipe", &self.equipe),
            ("ordre", &self.ordre),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", kernel::web::error::urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
    }
}

pub struct Line {
    pub link: String,
    pub reference: String,
    pub category: String,
    pub address: String,
    pub district: String,
    pub status: String,
    pub status_class: &'static str,
    /// Empty when no team holds it.
    pub team: String,
    pub filed: String,
    pub planned: String,
    pub me_too: i64,
    pub description_hidden: bool,
}

pub struct StatusCount {
    pub label: String,
    pub count: i64,
    pub link: String,
    pub current: bool,
}

#[derive(askama::Template)]
#[template(path = "bo_report_inbox.html")]
struct InboxPage {
    page: Page,
    filters: Filters,
    statuses: Vec<Choice>,
    categories: Vec<Choice>,
    districts: Vec<Choice>,
    teams: Vec<Choice>,
    counts: Vec<StatusCount>,
    lines: Vec<Line>,
    total: i64,
    page_number: i64,
    pages: i64,
    query_string: String,
}

/// The category and its sub-categories.
fn with_children(categories: &[Category], id: &str) -> Vec<String> {
    categories
        .iter()
        .filter(|c| c.id == id || c.parent_id.as_deref() == Some(id))
        .map(|c| c.id.clone())
        .collect()
}

/// Active categories for a select: each top-level one followed by its sub-categories.
pub(super) fn category_choices(categories: &[Category]) -> Vec<(String, String)> {
    let mut ordered: Vec<&Category> = Vec::new();
    for top in categories.iter().filter(|c| c.parent_id.is_none()) {
        ordered.push(top);
        ordered.extend(
            categories
                .iter()
                .filter(|c| c.parent_id.as_deref() == Some(top.id.as_str())),
        );
    }
    // A sub-category whose parent is gone still shows.
    let orphans: Vec<&Category> = categories
        .iter()
        .filter(|c| !ordered.iter().any(|o| o.id == c.id))
        .collect();
    ordered.extend(orphans);
    ordered
        .into_iter()
        .filter(|c| c.active)
        .map(|c| (c.id.clone(), category_label(categories, &c.id)))
        .collect()
}

/// Category names as agents read them: « Voirie › Trottoir abîmé ».
pub(super) fn category_label(categories: &[Category], id: &str) -> String {
    let Some(category) = categories.iter().find(|c| c.id == id) else {
        return String::new();
    };
    match category
        .parent_id
        .as_deref()
        .and_then(|p| categories.iter().find(|c| c.id == p))
    {
        Some(parent) => format!("{} › {}", parent.name, category.name),
        None => category.name.clone(),
    }
}

pub async fn inbox(
    State(kernel): State<Kernel>,
    page: Page,
    Staff(caller): Staff,
    Query(filters): Query<Filters>,
) -> Result<Html<String>, AppError> {
    let visible = inbox_services(&kernel, &caller).await?;
    let categories = store::categories(&kernel.db).await?;
    let districts = store::districts(&kernel.db).await?;
    let all_services = accounts::store::services(&kernel.db).await?;
    let all_teams = accounts::store::teams(&kernel.db).await?;
    let my_teams = caller
        .identity
        .as_ref()
        .map(|i| i.team_ids.clone())
        .unwrap_or_default();
    let statuses = match filters.statut.as_str() {
        "" => Status::ALL.into_iter().filter(|s| s.is_open()).collect(),
        "tous" => vec![],
        other => Status::parse(other).into_iter().collect(),
    };
    let (team_ids, without_team) = match filters.equipe.as_str() {
        "" => (vec![], false),
        "aucune" => (vec![], true),
        // An agent in no team asking for « my teams » gets none, not everything.
        "miennes" if my_teams.is_empty() => (vec![String::new()], false),
        "miennes" => (my_teams.clone(), false),
        // The visible services bound the list whatever team is asked for.
        id => (vec![id.to_string()], false),
    };
    let page_number = filters.page.unwrap_or(1).max(1);
    let filter = InboxFilter {
        reports: ReportFilter {
            statuses,
            category_ids: if filters.categorie.is_empty() {
                vec![]
            } else {
                with_children(&categories, &filters.categorie)
            },
            service_ids: Some(visible.clone()),
            team_ids,
            district_id: Some(filters.quartier.clone()).filter(|d| !d.is_empty()),
            text: filters.q.chars().take(100).collect(),
            limit: PAGE_SIZE,
            offset: (page_number - 1) * PAGE_SIZE,
            order: if filters.ordre == "anciens" {
                ReportOrder::OldestFirst
            } else {
                ReportOrder::NewestFirst
            },
            ..ReportFilter::default()
        },
        without_team,
    };
    let (reports, total) = store::inbox_page(&kernel.db, &filter).await?;
    let counts = store::inbox_status_counts(&kernel.db, &filter).await?;
    let others = filters.query_string(false);
    let link = |statut: &str| {
        let mut q = others.clone();
        if !statut.is_empty() {
            if !q.is_empty() {
                q.push('&');
            }
            q.push_str(&format!("statut={statut}"));
        }
        format!("/backoffice/signalements?{q}")
    };
    let counts = counts
        .into_iter()
        .map(|(status, count)| StatusCount {
            label: page.tr.t(status.label_key()),
            count,
            link: link(status.as_str()),
            current: filters.statut == status.as_str(),
        })
        .collect();
    let lines = reports
        .iter()
        .map(|r| line(&page, r, &categories, &districts, &all_teams))
        .collect();
    let mut status_choices = vec![("tous".to_string(), page.tr.t("bo-report-status-any"))];
    status_choices.extend(
        Status::ALL
            .into_iter()
            .map(|s| (s.as_str().to_string(), page.tr.t(s.label_key()))),
    );
    let mut teams = vec![
        ("miennes".to_string(), page.tr.t("bo-report-team-mine")),
        ("aucune".to_string(), page.tr.t("bo-report-team-none")),
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
    render(&InboxPage {
        statuses: choices(status_choices, &filters.statut),
        categories: choices(category_choices(&categories), &filters.categorie),
        districts: choices(
            districts.iter().map(|d| (d.id.clone(), d.name.clone())),
            &filters.quartier,
        ),
        teams: choices(teams, &filters.equipe),
        counts,
        lines,
        total,
        page_number,
        pages: (total + PAGE_SIZE - 1) / PAGE_SIZE,
        query_string: filters.query_string(true),
        page,
        filters,
    })
}

fn line(
    page: &Page,
    r: &Report,
    categories: &[Category],
    districts: &[crate::model::District],
    teams: &[accounts::model::Team],
) -> Line {
    Line {
        link: format!("/backoffice/signalements/{}", r.id),
        reference: r.reference.clone(),
        category: category_label(categories, &r.category_id),
        address: r.address.clone(),
        district: r
            .district_id
            .as_ref()
            .and_then(|id| districts.iter().find(|d| &d.id == id))
            .map(|d| d.name.clone())
            .unwrap_or_default(),
        status: page.tr.t(r.status.label_key()),
        status_class: status_class(r.status),
        team: r
            .team_id
            .as_ref()
            .and_then(|id| teams.iter().find(|t| &t.id == id))
            .map(|t| t.name.clone())
            .unwrap_or_default(),
        filed: kernel::clock::format_fr(r.created_at),
        planned: r.planned_on.map(french_date).unwrap_or_default(),
        me_too: r.me_too_count,
        description_hidden: r.description_hidden,
    }
}

/// What the page's script receives for one event: identifiers and what the agent may
/// read anyway in their inbox, never the author.
async fn describe(kernel: &Kernel, caller: &Caller, payload: &str) -> Option<serde_json::Value> {
    let payload: serde_json::Value = serde_json::from_str(payload).ok()?;
    let report_id = payload.get("report")?.as_str()?;
    let event = payload
        .get("event")
        .and_then(|e| e.as_str())
        .unwrap_or("change");
    let report = store::report_by_id(&kernel.db, report_id).await.ok()??;
    if !may_handle(caller, &report) {
        // Re-routed away from this agent's services: the list only needs refreshing.
        return Some(serde_json::json!({ "event": "gone", "report": report.id }));
    }
    let categories = store::categories(&kernel.db).await.ok()?;
    Some(serde_json::json!({
        "event": event,
        "report": report.id,
        "reference": report.reference,
        "category": category_label(&categories, &report.category_id),
        "status": report.status.as_str(),
        "link": format!("/backoffice/signalements/{}", report.id),
    }))
}

/// The live feed of the inbox: the events of the agent's services only (every service for
/// an administrator).
pub async fn flux(
    State(kernel): State<Kernel>,
    Staff(caller): Staff,
) -> Result<Response, AppError> {
    let topics: HashSet<String> = inbox_services(&kernel, &caller)
        .await?
        .iter()
        .map(|s| topic_service(s))
        .collect();
    // Subscribed before the answer leaves: nothing recorded after the page connects is
    // missed.
    let receiver = kernel.live.subscribe();
    let events = BroadcastStream::new(receiver).filter_map(move |item| {
        let kernel = kernel.clone();
        let caller = caller.clone();
        let wanted = match &item {
            Ok(event) => topics.contains(&event.topic),
            Err(_) => true,
        };
        async move {
            if !wanted {
                return None;
            }
            let data = match item {
                Ok(event) => describe(&kernel, &caller, &event.payload).await?,
                // Events were lost while this page was slow: it should reload the list.
                Err(BroadcastStreamRecvError::Lagged(_)) => {
                    serde_json::json!({ "event": "refresh" })
                }
            };
            Some(Ok::<Event, Infallible>(
                Event::default().data(data.to_string()),
            ))
        }
    });
    let hello = futures::stream::once(async {
        Ok::<Event, Infallible>(Event::default().retry(Duration::from_secs(5)).comment("ok"))
    });
    let mut response = Sse::new(hello.chain(events))
        .keep_alive(KeepAlive::default())
        .into_response();
    // Proxies must pass each event on at once rather than buffer the answer.
    response
        .headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, no-store"),
    );
    Ok(response)
}
