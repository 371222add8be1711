//! One report as the agent sees it — everything, the hidden text included — and the
//! handling forms: status with its public message and fix photo, internal note,
//! category, routing, merge into another report, planned date, moderation. A refused
//! form comes back with its errors next to the fields and the input kept.

use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use kernel::audit::AuditTarget;
use kernel::web::forms::FormErrors;
use kernel::web::page::{self, FormPage, Page, Staff, render, render_status};
use kernel::{AppError, Caller, Kernel};
use serde::Deserialize;
use tower_sessions::Session;

use super::list::{category_choices, category_label};
use super::{Choice, choices, status_class, targets};
use crate::actions::{self, ReportError, StatusChange, may_handle};
use crate::handling::{self, Moderated, Reroute, french_date};
use crate::model::{Attribute, Category, Report, Status, Update, UpdateKind};
use crate::store;

/// Canned public messages per status: the agent picks one and adapts it.
const CANNED: &[(Status, &str)] = &[
    (Status::Acknowledged, "bo-report-canned-acknowledged-1"),
    (Status::Acknowledged, "bo-report-canned-acknowledged-2"),
    (Status::InProgress, "bo-report-canned-in-progress-1"),
    (Status::InProgress, "bo-report-canned-in-progress-2"),
    (Status::Resolved, "bo-report-canned-resolved-1"),
    (Status::Resolved, "bo-report-canned-resolved-2"),
    (Status::Rejected, "bo-report-canned-rejected-1"),
    (Status::Rejected, "bo-report-canned-rejected-2"),
];

/// What the agent typed in the forms, kept when one is refused.
#[derive(Default)]
pub struct Draft {
    pub to: String,
    pub message: String,
    pub note: String,
    pub category: String,
    pub service: String,
    pub team: String,
    /// `None` until typed: the report's own agency is shown then.
    pub agency: Option<String>,
    pub reference: String,
    pub planned_on: String,
}

pub struct PhotoLine {
    pub id: String,
    pub src: String,
    pub hidden: bool,
    /// A photo of the fix, attached to a status change.
    pub fix: bool,
    pub number: usize,
}

pub struct HistoryLine {
    pub date: String,
    pub kind: String,
    pub status: String,
    pub message: String,
    pub agent: String,
    pub public: bool,
    pub hidden: bool,
}

pub struct CannedOption {
    pub key: String,
    pub title: String,
    pub text: String,
    pub status: String,
}

pub struct CannedGroup {
    pub label: String,
    pub options: Vec<CannedOption>,
}

#[derive(askama::Template)]
#[template(path = "bo_report.html")]
pub struct DetailPage {
    page: Page,
    report: Report,
    category: String,
    district: String,
    service: String,
    team: String,
    status: String,
    status_class: &'static str,
    /// « compte » or « anonyme ».
    author: String,
    filed: String,
    updated: String,
    planned: String,
    lat: String,
    lon: String,
    map_link: String,
    answers: Vec<(String, String)>,
    photos: Vec<PhotoLine>,
    history: Vec<HistoryLine>,
    subscribers: i64,
    merged_into: Option<(String, String)>,
    targets: Vec<Choice>,
    canned: Vec<CannedGroup>,
    categories: Vec<Choice>,
    services: Vec<Choice>,
    team_groups: Vec<(String, Vec<Choice>)>,
    agency: String,
    draft: Draft,
    errors: FormErrors,
}

/// The label of an answer's value: a list's choice by its name, several joined.
fn answer_text(attribute: Option<&Attribute>, value: &serde_json::Value) -> String {
    let name = |key: &str| {
        attribute
            .and_then(|a| a.values.iter().find(|v| v.key == key))
            .map(|v| v.name.clone())
            .unwrap_or_else(|| key.to_string())
    };
    match value {
        serde_json::Value::String(s) => name(s),
        serde_json::Value::Array(items) => items
            .iter()
            .map(|v| match v {
                serde_json::Value::String(s) => name(s),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// The answers with their questions. After a re-categorisation the questions of the
/// former category are looked up in every category.
fn answers(report: &Report, categories: &[Category]) -> Vec<(String, String)> {
    let current = categories.iter().find(|c| c.id == report.category_id);
    report
        .answers
        .iter()
        .map(|(code, value)| {
            let attribute = current
                .and_then(|c| c.attributes.iter().find(|a| &a.code == code))
                .or_else(|| {
                    categories
                        .iter()
                        .flat_map(|c| c.attributes.iter())
                        .find(|a| &a.code == code)
                });
            (
                attribute
                    .map(|a| a.description.clone())
                    .unwrap_or_else(|| code.clone()),
                answer_text(attribute, value),
            )
        })
        .collect()
}

fn kind_key(kind: UpdateKind) -> &'static str {
    match kind {
        UpdateKind::Filed => "bo-report-kind-filed",
        UpdateKind::Status => "bo-report-kind-status",
        UpdateKind::Message => "bo-report-kind-message",
        UpdateKind::Note => "bo-report-kind-note",
        UpdateKind::Recategorised => "bo-report-kind-recategorised",
        UpdateKind::Rerouted => "bo-report-kind-rerouted",
        UpdateKind::Merged => "bo-report-kind-merged",
        UpdateKind::Planned => "bo-report-kind-planned",
        UpdateKind::Moderated => "bo-report-kind-moderated",
        UpdateKind::MeToo => "bo-report-kind-me-too",
    }
}

fn history_line(page: &Page, u: &Update) -> HistoryLine {
    HistoryLine {
        date: kernel::clock::format_fr(u.created_at),
        kind: page.tr.t(kind_key(u.kind)),
        status: u
            .status
            .map(|s| page.tr.t(s.label_key()))
            .unwrap_or_default(),
        message: u.message.clone(),
        agent: u.agent_name.clone(),
        public: u.public,
        hidden: u.hidden,
    }
}

fn canned_groups(page: &Page, report: &Report) -> Vec<CannedGroup> {
    targets(report.status)
        .into_iter()
        .filter_map(|status| {
            let options: Vec<CannedOption> = CANNED
                .iter()
                .filter(|(s, _)| *s == status)
                .map(|(s, key)| CannedOption {
                    key: (*key).to_string(),
                    title: page.tr.t(&format!("{key}-title")),
                    text: page.tr.t(key),
                    status: s.as_str().to_string(),
                })
                .collect();
            (!options.is_empty()).then(|| CannedGroup {
                label: page.tr.t(status.label_key()),
                options,
            })
        })
        .collect()
}

/// The detail page. Every showing is in the audit log: it may carry the e-mail the
/// author gave.
pub async fn view(
    kernel: &Kernel,
    page: Page,
    caller: &Caller,
    report: Report,
    mut draft: Draft,
    errors: FormErrors,
) -> Result<DetailPage, AppError> {
    kernel
        .audit_view(
            caller,
            "reports.view",
            Some(&AuditTarget::new("report", &report.id)),
            serde_json::json!({ "reference": report.reference }),
        )
        .await?;
    let categories = store::categories(&kernel.db).await?;
    let districts = store::districts(&kernel.db).await?;
    let services = accounts::store::services(&kernel.db).await?;
    let teams = accounts::store::teams(&kernel.db).await?;
    let service = report
        .service_id
        .as_ref()
        .and_then(|id| services.iter().find(|s| &s.id == id))
        .map(|s| s.name.clone())
        .unwrap_or_default();
    let team = report
        .team_id
        .as_ref()
        .and_then(|id| teams.iter().find(|t| &t.id == id))
        .map(|t| t.name.clone())
        .unwrap_or_default();
    let photos = store::photos_of(&kernel.db, &report.id)
        .await?
        .into_iter()
        .enumerate()
        .map(|(i, p)| PhotoLine {
            src: format!("/signalements/photos/{}", p.id),
            id: p.id,
            hidden: p.hidden,
            fix: p.update_id.is_some(),
            number: i + 1,
        })
        .collect();
    let history = store::updates_of(&kernel.db, &report.id)
        .await?
        .iter()
        .map(|u| history_line(&page, u))
        .collect();
    let merged_into = match &report.merged_into {
        Some(id) => store::report_by_id(&kernel.db, id).await?.map(|kept| {
            (
                format!("/backoffice/signalements/{}", kept.id),
                kept.reference,
            )
        }),
        None => None,
    };
    // Fields not typed yet show the report as it is.
    if draft.category.is_empty() {
        draft.category = report.category_id.clone();
    }
    if draft.service.is_empty() {
        draft.service = report.service_id.clone().unwrap_or_default();
        draft.team = report.team_id.clone().unwrap_or_default();
    }
    let agency = draft
        .agency
        .clone()
        .unwrap_or_else(|| report.agency.clone());
    if draft.planned_on.is_empty() {
        draft.planned_on = report.planned_on.map(|d| d.to_string()).unwrap_or_default();
    }
    let team_groups = services
        .iter()
        .map(|s| {
            (
                s.name.clone(),
                choices(
                    teams
                        .iter()
                        .filter(|t| t.service_id == s.id)
                        .map(|t| (t.id.clone(), t.name.clone())),
                    &draft.team,
                ),
            )
        })
        .filter(|(_, teams)| !teams.is_empty())
        .collect();
    let (lat, lon) = (
        format!("{:.6}", report.point.lat),
        format!("{:.6}", report.point.lon),
    );
    Ok(DetailPage {
        category: category_label(&categories, &report.category_id),
        district: report
            .district_id
            .as_ref()
            .and_then(|id| districts.iter().find(|d| &d.id == id))
            .map(|d| d.name.clone())
            .unwrap_or_default(),
        status: page.tr.t(report.status.label_key()),
        status_class: status_class(report.status),
        author: page.tr.t(if report.author_user_id.is_some() {
            "bo-report-author-account"
        } else {
            "bo-report-author-anonymous"
        }),
        filed: kernel::clock::format_fr(report.created_at),
        updated: kernel::clock::format_fr(report.updated_at),
        planned: report.planned_on.map(french_date).unwrap_or_default(),
        map_link: format!(
            "https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=19/{lat}/{lon}"
        ),
        lat,
        lon,
        answers: answers(&report, &categories),
        subscribers: store::count_subscribers(&kernel.db, &report.id).await?,
        targets: choices(
            targets(report.status)
                .into_iter()
                .map(|s| (s.as_str().to_string(), page.tr.t(s.label_key()))),
            &draft.to,
        ),
        canned: canned_groups(&page, &report),
        categories: choices(category_choices(&categories), &draft.category),
        services: choices(
            services.iter().map(|s| (s.id.clone(), s.name.clone())),
            &draft.service,
        ),
        team_groups,
        agency,
        service,
        team,
        photos,
        history,
        merged_into,
        draft,
        errors,
        page,
        report,
    })
}

#[derive(Deserialize, Default)]
pub struct DetailQuery {
    /// A canned message to put in the status form.
    #[serde(default)]
    modele: String,
}

pub async fn detail(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    Path(id): Path<String>,
    Query(query): Query<DetailQuery>,
) -> Result<Html<String>, AppError> {
    let report = handling::handled_report(&kernel, &caller, &id).await?;
    let mut draft = Draft::default();
    if let Some((status, key)) = CANNED
        .iter()
        .find(|(s, key)| *key == query.modele && targets(report.status).contains(s))
    {
        draft.to = status.as_str().to_string();
        draft.message = page.tr.t(key);
    }
    render(&view(&kernel, page, &caller, report, draft, FormErrors::new()).await?)
}

/// After a form: back to the report with a message, or the page again with the errors.
#[allow(clippy::too_many_arguments)]
async fn finish(
    kernel: &Kernel,
    page: Page,
    caller: &Caller,
    session: &Session,
    id: &str,
    result: Result<String, ReportError>,
    main_field: &str,
    draft: Draft,
) -> Result<Response, AppError> {
    let mut errors = FormErrors::new();
    match result {
        Ok(success) => {
            page::flash(session, "success", success).await?;
            return Ok(Redirect::to(&format!("/backoffice/signalements/{id}")).into_response());
        }
        Err(ReportError::Invalid(problems)) => {
            for (field, message) in problems {
                let field = if field == "status" {
                    "to".to_string()
                } else {
                    field
                };
                errors.add(&field, message);
            }
        }
        Err(ReportError::Conflict(message)) => errors.add(main_field, message),
        Err(e) => return Err(e.into()),
    }
    let report = handling::handled_report(kernel, caller, id).await?;
    render_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &view(kernel, page, caller, report, draft, errors).await?,
    )
}

/// What the status form sent (a file form: the fix photo).
#[derive(Default)]
pub(super) struct StatusForm {
    pub to: String,
    pub message: String,
    pub photo: Option<Vec<u8>>,
    /// `terrain` when sent from the field view, to go back there.
    pub back: String,
    pub lat: String,
    pub lon: String,
    pub address: String,
}

async fn read_status_form(mut multipart: Multipart) -> Result<StatusForm, AppError> {
    let mut form = StatusForm::default();
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        AppError::BadRequest(format!("formulaire illisible : {e}"))
    };
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_string();
        let bytes = field.bytes().await.map_err(unreadable)?;
        let text = || String::from_utf8_lossy(&bytes).into_owned();
        match name.as_str() {
            "to" => form.to = text(),
            "message" => form.message = text(),
            // A file input left empty still sends an empty part.
            "photo" if !bytes.is_empty() => form.photo = Some(bytes.to_vec()),
            "retour" => form.back = text(),
            "lat" => form.lat = text(),
            "lon" => form.lon = text(),
            "adresse" => form.address = text(),
            _ => {}
        }
    }
    Ok(form)
}

/// Moves the status, with the public message and the fix photo (cleaned of every
/// metadata before it is stored).
pub async fn change_status(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    Path(id): Path<String>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let form = read_status_form(multipart).await?;
    let result = match Status::parse(&form.to).filter(|s| *s != Status::Duplicate) {
        None => Err(ReportError::Invalid(vec![(
            "to".into(),
            page.tr.t("bo-report-error-status"),
        )])),
        Some(to) => {
            let photo = match &form.photo {
                None => Ok(None),
                Some(bytes) => crate::photos::clean(bytes, kernel.config.max_upload_bytes)
                    .map(Some)
                    .map_err(|e| ReportError::Invalid(vec![("photo".into(), e.to_string())])),
            };
            match photo {
                Err(e) => Err(e),
                Ok(photo) => actions::change_status(
                    &kernel,
                    &caller,
                    &id,
                    StatusChange {
                        to,
                        message: form.message.clone(),
                        photo,
                    },
                )
                .await
                .map(|r| {
                    page.tr.t1(
                        "bo-report-status-changed",
                        "status",
                        page.tr.t(r.status.label_key()),
                    )
                }),
            }
        }
    };
    if form.back == "terrain" {
        return super::field::after_quick_action(
            &kernel, page, &caller, &session, &id, form, result,
        )
        .await;
    }
    let draft = Draft {
        to: form.to,
        message: form.message,
        ..Draft::default()
    };
    finish(&kernel, page, &caller, &session, &id, result, "to", draft).await
}

#[derive(Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    note: String,
}

pub async fn note(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<NoteForm>,
) -> Result<Response, AppError> {
    let result = handling::add_note(&kernel, &caller, &id, &form.note)
        .await
        .map(|_| page.tr.t("bo-report-note-added"));
    let draft = Draft {
        note: form.note,
        ..Draft::default()
    };
    finish(&kernel, page, &caller, &session, &id, result, "note", draft).await
}

#[derive(Deserialize)]
pub struct CategoryForm {
    #[serde(default)]
    category: String,
}

pub async fn recategorise(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<CategoryForm>,
) -> Result<Response, AppError> {
    let result = handling::recategorise(&kernel, &caller, &id, &form.category)
        .await
        .map(|_| page.tr.t("bo-report-recategorised"));
    let draft = Draft {
        category: form.category,
        ..Draft::default()
    };
    finish(
        &kernel, page, &caller, &session, &id, result, "category", draft,
    )
    .await
}

#[derive(Deserialize)]
pub struct RerouteForm {
    #[serde(default)]
    service: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    agency: String,
}

pub async fn reroute(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<RerouteForm>,
) -> Result<Response, AppError> {
    let to = Reroute {
        service_id: form.service.clone(),
        team_id: Some(form.team.clone()).filter(|t| !t.is_empty()),
        agency: form.agency.clone(),
    };
    match handling::reroute(&kernel, &caller, &id, to).await {
        // The agent may no longer see it: back to the inbox then.
        Ok(report) if !may_handle(&caller, &report) => {
            page::flash(&session, "success", page.tr.t("bo-report-rerouted-away")).await?;
            Ok(Redirect::to("/backoffice/signalements").into_response())
        }
        result => {
            let draft = Draft {
                service: form.service,
                team: form.team,
                agency: Some(form.agency),
                ..Draft::default()
            };
            let result = result.map(|_| page.tr.t("bo-report-rerouted"));
            finish(
                &kernel, page, &caller, &session, &id, result, "service", draft,
            )
            .await
        }
    }
}

#[derive(Deserialize)]
pub struct MergeForm {
    #[serde(default)]
    reference: String,
}

pub async fn merge(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<MergeForm>,
) -> Result<Response, AppError> {
    match handling::merge(&kernel, &caller, &id, &form.reference).await {
        Ok((duplicate, kept)) => {
            page::flash(
                &session,
                "success",
                page.tr.t2(
                    "bo-report-merged",
                    "duplicate",
                    &duplicate.reference,
                    "kept",
                    &kept.reference,
                ),
            )
            .await?;
            Ok(Redirect::to(&format!("/backoffice/signalements/{}", kept.id)).into_response())
        }
        Err(e) => {
            let draft = Draft {
                reference: form.reference,
                ..Draft::default()
            };
            finish(
                &kernel,
                page,
                &caller,
                &session,
                &id,
                Err(e),
                "reference",
                draft,
            )
            .await
        }
    }
}

#[derive(Deserialize)]
pub struct PlanForm {
    #[serde(default)]
    planned_on: String,
}

pub async fn plan(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<PlanForm>,
) -> Result<Response, AppError> {
    let raw = form.planned_on.trim();
    let result = if raw.is_empty() {
        handling::plan(&kernel, &caller, &id, None)
            .await
            .map(|_| page.tr.t("bo-report-plan-withdrawn"))
    } else {
        match raw.parse::<jiff::civil::Date>() {
            Err(_) => Err(ReportError::Invalid(vec![(
                "planned_on".into(),
                page.tr.t("bo-report-error-date"),
            )])),
            Ok(on) => handling::plan(&kernel, &caller, &id, Some(on))
                .await
                .map(|_| page.tr.t1("bo-report-planned-on", "date", french_date(on))),
        }
    };
    let draft = Draft {
        planned_on: form.planned_on,
        ..Draft::default()
    };
    finish(
        &kernel,
        page,
        &caller,
        &session,
        &id,
        result,
        "planned_on",
        draft,
    )
    .await
}

#[derive(Deserialize)]
pub struct ModerationForm {
    /// `description`, or a photo's id.
    cible: String,
    /// `1` hides, `0` shows again.
    masquer: String,
}

pub async fn moderate(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<ModerationForm>,
) -> Result<Response, AppError> {
    let what = if form.cible == "description" {
        Moderated::Description
    } else {
        Moderated::Photo(form.cible.clone())
    };
    let hidden = match form.masquer.as_str() {
        "1" => true,
        "0" => false,
        _ => return Err(AppError::BadRequest("choix de modération inconnu".into())),
    };
    let result = handling::moderate(&kernel, &caller, &id, what, hidden)
        .await
        .map(|_| {
            page.tr.t(if hidden {
                "bo-report-hidden"
            } else {
                "bo-report-shown"
            })
        });
    finish(
        &kernel,
        page,
        &caller,
        &session,
        &id,
        result,
        "moderation",
        Draft::default(),
    )
    .await
}
