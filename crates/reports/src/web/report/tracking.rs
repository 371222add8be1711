//! Following one report: the tracking page its link opens (the author's link or a
//! follower's own), its live updates (Server-Sent Events), its photos, and the pages
//! shown once after sending a report or saying « moi aussi ».

use std::convert::Infallible;

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::Stream;
use kernel::i18n::Tr;
use kernel::web::page::{Page, render};
use kernel::{AppError, Kernel};
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use super::{answer_lines, internal, private_page};
use crate::actions;
use crate::model::{Category, Photo, Report, Status, UpdateKind};
use crate::rules;
use crate::store;

/// A photo as a page links it.
pub struct PhotoLink {
    pub href: String,
    pub width: i64,
    pub height: i64,
    pub alt: String,
}

/// One public step of a report's history.
pub struct HistoryEntry {
    pub date: String,
    pub title: String,
    pub message: String,
    pub photos: Vec<PhotoLink>,
}

/// What a follower sees of a report: never another person's data.
pub struct TrackingView {
    pub reference: String,
    pub category: String,
    pub icon: String,
    pub status: String,
    /// The same colours as the agents see, the words saying it too.
    pub status_class: &'static str,
    pub status_date: String,
    pub closed: bool,
    pub planned: String,
    pub filed_on: String,
    /// The address for its author; the street and district for a follower.
    pub place: String,
    pub district: String,
    pub description: String,
    /// The author's own text, hidden from the public by moderation.
    pub description_moderated: bool,
    pub answers: Vec<(String, String)>,
    pub photos: Vec<PhotoLink>,
    pub history: Vec<HistoryEntry>,
    pub me_too_count: i64,
    pub handled_by: String,
    pub agency: String,
    /// The report this one was merged into, on the public list.
    pub merged_into: Option<String>,
}

pub fn french_date(date: jiff::civil::Date) -> String {
    date.strftime("%d/%m/%Y").to_string()
}

fn photo_link(base: &str, photo: &Photo, alt: String) -> PhotoLink {
    PhotoLink {
        href: format!("{base}/photos/{}", photo.id),
        width: photo.width,
        height: photo.height,
        alt,
    }
}

/// The category as residents read it, « Voirie — Nid-de-poule ou chaussée dégradée »,
/// and its icon, from the list of every category.
pub fn category_label(categories: &[Category], category_id: &str) -> (String, String) {
    let find = |id: &str| categories.iter().find(|c| c.id == id);
    let Some(category) = find(category_id) else {
        return (String::new(), "autre".into());
    };
    match category.parent_id.as_deref().and_then(find) {
        Some(parent) => (
            format!("{} — {}", parent.name, category.name),
            category.icon.clone(),
        ),
        None => (category.name.clone(), category.icon.clone()),
    }
}

/// Builds what the tracking page shows. `base` is the page's address, under which its
/// photos are served.
pub async fn tracking_view(
    kernel: &Kernel,
    tr: &Tr,
    report: &Report,
    author: bool,
    base: &str,
) -> Result<TrackingView, AppError> {
    let categories = store::categories(&kernel.db).await?;
    let (category, icon) = category_label(&categories, &report.category_id);
    let attributes = categories
        .iter()
        .find(|c| c.id == report.category_id)
        .map(|c| c.attributes.as_slice())
        .unwrap_or_default();
    let updates = store::updates_of(&kernel.db, &report.id).await?;
    let photos: Vec<Photo> = store::photos_of(&kernel.db, &report.id)
        .await?
        .into_iter()
        .filter(|p| author || !p.hidden)
        .collect();
    let status_date = updates
        .iter()
        .rev()
        .find(|u| u.status.is_some())
        .map(|u| kernel::clock::format_fr(u.created_at))
        .unwrap_or_else(|| kernel::clock::format_fr(report.created_at));
    let history = updates
        .iter()
        .filter(|u| u.public && !u.hidden && u.kind != UpdateKind::MeToo)
        .map(|u| HistoryEntry {
            date: kernel::clock::format_fr(u.created_at),
            title: match (u.kind, u.status) {
                (UpdateKind::Filed, _) => tr.t("report-track-history-filed"),
                (_, Some(status)) => tr.t1(
                    "report-track-history-status",
                    "status",
                    tr.t(status.label_key()),
                ),
                (UpdateKind::Merged, None) => tr.t("report-track-history-merged"),
                (UpdateKind::Planned, None) => tr.t("report-track-history-planned"),
                _ => tr.t("report-track-history-message"),
            },
            message: u.message.clone(),
            photos: photos
                .iter()
                .filter(|p| p.update_id.as_deref() == Some(u.id.as_str()))
                .enumerate()
                .map(|(n, p)| photo_link(base, p, tr.t1("report-track-fix-photo", "n", n + 1)))
                .collect(),
        })
        .collect();
    let district = match &report.district_id {
        Some(id) => store::districts(&kernel.db)
            .await?
            .into_iter()
            .find(|d| &d.id == id)
            .map(|d| d.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let handled_by = match &report.service_id {
        Some(id) => accounts::store::services(&kernel.db)
            .await?
            .into_iter()
            .find(|s| &s.id == id)
            .map(|s| s.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let answers = answer_lines(attributes, |code| match report.answers.get(code) {
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        Some(other) => vec![other.to_string()],
        None => vec![],
    });
    let merged_into = match (&report.merged_into, report.status) {
        (Some(id), Status::Duplicate) => store::report_by_id(&kernel.db, id)
            .await?
            .map(|r| r.reference),
        _ => None,
    };
    Ok(TrackingView {
        reference: report.reference.clone(),
        category,
        icon,
        status: tr.t(report.status.label_key()),
        status_class: crate::web::inbox::status_class(report.status),
        status_date,
        closed: !report.status.is_open(),
        planned: report.planned_on.map(french_date).unwrap_or_default(),
        filed_on: kernel::clock::format_fr(report.created_at),
        place: if author {
            report.address.clone()
        } else {
            rules::public_address(&report.address)
        },
        district,
        description: if author || !report.description_hidden {
            report.description.clone()
        } else {
            String::new()
        },
        description_moderated: author && report.description_hidden,
        answers,
        photos: photos
            .iter()
            .filter(|p| p.update_id.is_none())
            .enumerate()
            .map(|(n, p)| photo_link(base, p, tr.t1("report-track-photo", "n", n + 1)))
            .collect(),
        history,
        me_too_count: report.me_too_count,
        handled_by,
        agency: report.agency.clone(),
        merged_into,
    })
}

/// The report a tracking link opens, and whether it is its author's link.
async fn tracked(kernel: &Kernel, token: &str) -> Result<(Report, bool), AppError> {
    let hash = actions::hash_token(token);
    let report = store::report_by_tracking_hash(&kernel.db, &hash)
        .await?
        .ok_or(AppError::NotFound)?;
    let author = store::is_author_tracking_hash(&kernel.db, &hash).await?;
    Ok((report, author))
}

#[derive(askama::Template)]
#[template(path = "report_tracking.html")]
pub struct TrackingPage {
    pub page: Page,
    pub view: TrackingView,
    /// Where the list of the person's reports is, when they have an account.
    pub back: Option<(String, String)>,
    /// The live events of this page.
    pub flux: String,
}

pub async fn page(
    State(kernel): State<Kernel>,
    page: Page,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let (report, author) = tracked(&kernel, &token).await?;
    let base = format!("/signalements/suivi/{token}");
    let view = tracking_view(&kernel, &page.tr, &report, author, &base).await?;
    Ok(private_page(render(&TrackingPage {
        page,
        view,
        back: None,
        flux: format!("{base}/flux"),
    })?))
}

/// The live events of one report: a `changement` each time the commune changes it. The
/// payload carries identifiers only; the page reloads what it shows.
pub fn live_events(
    kernel: &Kernel,
    report_id: &str,
) -> Sse<impl Stream<Item = Result<Event, Infallible>> + use<>> {
    let topic = actions::topic_report(report_id);
    let events =
        BroadcastStream::new(kernel.live.subscribe()).filter_map(move |event| match event {
            Ok(event) if event.topic == topic => {
                Some(Ok(Event::default().event("changement").data(event.payload)))
            }
            Ok(_) => None,
            // Events were missed while the connection lagged: the page reloads to catch up.
            Err(_) => Some(Ok(Event::default().event("changement").data("{}"))),
        });
    Sse::new(events).keep_alive(KeepAlive::default())
}

pub async fn stream(
    State(kernel): State<Kernel>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let (report, _) = tracked(&kernel, &token).await?;
    Ok(private_page(live_events(&kernel, &report.id)))
}

/// A photo of the report, if it is shown to this viewer.
pub async fn serve_photo(
    kernel: &Kernel,
    report: &Report,
    photo_id: &str,
    author: bool,
) -> Result<Response, AppError> {
    let photo = store::photo_by_id(&kernel.db, photo_id)
        .await?
        .filter(|p| p.report_id == report.id && (author || !p.hidden))
        .ok_or(AppError::NotFound)?;
    let (file, bytes) = kernel::files::read(kernel, &photo.file_id)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, file.content_type),
            (header::CACHE_CONTROL, "private, max-age=3600".to_string()),
        ],
        bytes,
    )
        .into_response())
}

pub async fn photo(
    State(kernel): State<Kernel>,
    Path((token, photo_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (report, author) = tracked(&kernel, &token).await?;
    serve_photo(&kernel, &report, &photo_id, author).await
}

#[derive(askama::Template)]
#[template(path = "report_link.html")]
struct LinkPage {
    page: Page,
    /// `filed` after sending, `followed` after « moi aussi ».
    kind: &'static str,
    reference: String,
    link: String,
    path: String,
    handled_by: String,
    agency: String,
    logged_in: bool,
    report_id: String,
}

async fn link_page(
    kernel: &Kernel,
    page: Page,
    caller: &kernel::Caller,
    token: &str,
    kind: &'static str,
) -> Result<Response, AppError> {
    let (report, _) = tracked(kernel, token).await?;
    let path = format!("/signalements/suivi/{token}");
    let view = tracking_view(kernel, &page.tr, &report, false, &path).await?;
    Ok(private_page(render(&LinkPage {
        page,
        kind,
        reference: report.reference.clone(),
        link: kernel.link(&path),
        path,
        handled_by: view.handled_by,
        agency: report.agency.clone(),
        logged_in: caller.is_logged_in(),
        report_id: report.id,
    })?))
}

/// Shown after sending: the reference, the tracking link to keep, who handles it.
pub async fn filed(
    State(kernel): State<Kernel>,
    page: Page,
    caller: kernel::Caller,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    link_page(&kernel, page, &caller, &token, "filed").await
}

/// Shown after « moi aussi » to a person without an account: their own tracking link.
pub async fn followed(
    State(kernel): State<Kernel>,
    page: Page,
    caller: kernel::Caller,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    link_page(&kernel, page, &caller, &token, "followed").await
}
