//! On the ground: the open reports of the agent's teams (or of their services when they
//! are in no team), nearest first from where the agent stands, with large quick actions;
//! and each agent's choice of notice for new reports.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use kernel::web::forms::FormErrors;
use kernel::web::page::{self, FormPage, Page, Staff, render, render_status};
use kernel::{AppError, Caller, Kernel};
use serde::Deserialize;
use tower_sessions::Session;

use super::detail::StatusForm;
use super::list::category_label;
use super::{distance_text, status_class};
use crate::actions::ReportError;
use crate::handling::{french_date, inbox_services};
use crate::model::{Point, Report, Status};
use crate::rules::{can_move, distance_m};
use crate::store::{self, NoticePreferences, ReportFilter};

/// More open reports than a crew handles in weeks: the rest waits for the next page load.
const FIELD_LIMIT: i64 = 500;
/// The quick moves offered on the ground.
const QUICK: [Status; 3] = [Status::Acknowledged, Status::InProgress, Status::Resolved];

#[derive(Deserialize, Default)]
pub struct Position {
    #[serde(default)]
    lat: String,
    #[serde(default)]
    lon: String,
    /// Where the agent is, typed, when the phone's position is not used.
    #[serde(default)]
    adresse: String,
}

impl Position {
    /// The same position as a query string, to come back to the same list.
    fn query_string(&self) -> String {
        [
            ("lat", &self.lat),
            ("lon", &self.lon),
            ("adresse", &self.adresse),
        ]
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", kernel::web::error::urlencode(v.trim())))
        .collect::<Vec<_>>()
        .join("&")
    }
}

pub struct QuickMove {
    pub to: String,
    pub label: String,
}

pub struct Card {
    pub id: String,
    /// Ids of the photo input and of the actions, where their errors show.
    pub photo_field: String,
    pub actions_field: String,
    pub link: String,
    pub reference: String,
    pub category: String,
    pub address: String,
    pub distance: String,
    pub planned: String,
    pub status: String,
    pub status_class: &'static str,
    pub moves: Vec<QuickMove>,
}

#[derive(askama::Template)]
#[template(path = "bo_report_field.html")]
pub struct FieldPage {
    page: Page,
    position: Position,
    /// Where the distances count from, in words; empty without a position.
    origin: String,
    /// True when the list is that of the agent's teams, false for their services.
    by_team: bool,
    cards: Vec<Card>,
    errors: FormErrors,
}

fn parse_coordinate(raw: &str) -> Option<f64> {
    raw.trim().replace(',', ".").parse().ok()
}

/// Where the agent stands: the phone's position, or the address typed.
async fn origin(
    kernel: &Kernel,
    page: &Page,
    position: &Position,
    errors: &mut FormErrors,
) -> Option<(Point, String)> {
    if !position.lat.trim().is_empty() || !position.lon.trim().is_empty() {
        let point = parse_coordinate(&position.lat)
            .zip(parse_coordinate(&position.lon))
            .and_then(|(lat, lon)| Point::new(lat, lon));
        return match point {
            Some(p) => Some((p, page.tr.t("bo-report-field-from-position"))),
            None => {
                errors.add("adresse", page.tr.t("bo-report-error-position"));
                None
            }
        };
    }
    let typed = position.adresse.trim();
    if typed.is_empty() {
        return None;
    }
    match crate::geocode::search(kernel, typed, 1)
        .await
        .into_iter()
        .next()
    {
        Some(found) => Some((
            found.point,
            page.tr
                .t1("bo-report-field-from-address", "address", found.label),
        )),
        None => {
            errors.add("adresse", page.tr.t("bo-report-error-address"));
            None
        }
    }
}

pub(super) async fn view(
    kernel: &Kernel,
    page: Page,
    caller: &Caller,
    position: Position,
    mut errors: FormErrors,
) -> Result<FieldPage, AppError> {
    let teams = caller
        .identity
        .as_ref()
        .map(|i| i.team_ids.clone())
        .unwrap_or_default();
    let filter = ReportFilter {
        statuses: Status::ALL.into_iter().filter(|s| s.is_open()).collect(),
        service_ids: Some(inbox_services(kernel, caller).await?),
        team_ids: teams.clone(),
        limit: FIELD_LIMIT,
        ..ReportFilter::default()
    };
    let mut reports = store::list_reports(&kernel.db, &filter).await?;
    let from = origin(kernel, &page, &position, &mut errors).await;
    let mut distances: Vec<(Report, Option<f64>)> = reports
        .drain(..)
        .map(|r| {
            let d = from.as_ref().map(|(p, _)| distance_m(*p, r.point));
            (r, d)
        })
        .collect();
    if from.is_some() {
        distances.sort_by(|a, b| {
            a.1.unwrap_or(f64::MAX)
                .total_cmp(&b.1.unwrap_or(f64::MAX))
                .then_with(|| a.0.created_at.cmp(&b.0.created_at))
        });
    }
    let categories = store::categories(&kernel.db).await?;
    let cards = distances
        .into_iter()
        .map(|(r, d)| Card {
            link: format!("/backoffice/signalements/{}", r.id),
            reference: r.reference.clone(),
            category: category_label(&categories, &r.category_id),
            address: r.address.clone(),
            distance: d.map(distance_text).unwrap_or_default(),
            planned: r.planned_on.map(french_date).unwrap_or_default(),
            status: page.tr.t(r.status.label_key()),
            status_class: status_class(r.status),
            moves: QUICK
                .into_iter()
                .filter(|to| can_move(r.status, *to))
                .map(|to| QuickMove {
                    to: to.as_str().to_string(),
                    label: page.tr.t(to.label_key()),
                })
                .collect(),
            photo_field: format!("photo-{}", r.id),
            actions_field: format!("actions-{}", r.id),
            id: r.id,
        })
        .collect();
    Ok(FieldPage {
        origin: from.map(|(_, words)| words).unwrap_or_default(),
        by_team: !teams.is_empty(),
        position,
        cards,
        errors,
        page,
    })
}

pub async fn terrain(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    Query(position): Query<Position>,
) -> Result<Html<String>, AppError> {
    render(&view(&kernel, page, &caller, position, FormErrors::new()).await?)
}

/// After a quick action: back to the same list, or the list again with the error next to
/// the report's actions.
pub(super) async fn after_quick_action(
    kernel: &Kernel,
    page: Page,
    caller: &Caller,
    session: &Session,
    id: &str,
    form: StatusForm,
    result: Result<String, ReportError>,
) -> Result<Response, AppError> {
    let position = Position {
        lat: form.lat,
        lon: form.lon,
        adresse: form.address,
    };
    let mut errors = FormErrors::new();
    match result {
        Ok(success) => {
            page::flash(session, "success", success).await?;
            let query = position.query_string();
            let target = if query.is_empty() {
                "/backoffice/signalements/terrain".to_string()
            } else {
                format!("/backoffice/signalements/terrain?{query}")
            };
            return Ok(Redirect::to(&target).into_response());
        }
        Err(ReportError::Invalid(problems)) => {
            for (field, message) in problems {
                let anchor = if field == "photo" { "photo" } else { "actions" };
                errors.add(&format!("{anchor}-{id}"), message);
            }
        }
        Err(ReportError::Conflict(message)) => errors.add(&format!("actions-{id}"), message),
        Err(e) => return Err(e.into()),
    }
    render_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &view(kernel, page, caller, position, errors).await?,
    )
}

// ---------------------------------------------------------------- preferences

#[derive(askama::Template)]
#[template(path = "bo_report_preferences.html")]
struct PreferencesPage {
    page: Page,
    /// `chaque` or `aucun`.
    current: String,
    /// `oui` or `non`.
    push: String,
    /// How many devices of the agent receive notifications.
    devices: usize,
    errors: FormErrors,
}

pub async fn preferences(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
) -> Result<Html<String>, AppError> {
    let user_id = caller
        .identity
        .as_ref()
        .map(|i| i.user_id.clone())
        .unwrap_or_default();
    let current = store::notice_preferences(&kernel.db, &user_id).await?;
    let devices = kernel::push::devices(&kernel.db, &user_id).await?.len();
    render(&PreferencesPage {
        page,
        current: if current.email { "chaque" } else { "aucun" }.to_string(),
        push: if current.push { "oui" } else { "non" }.to_string(),
        devices,
        errors: FormErrors::new(),
    })
}

#[derive(Deserialize)]
pub struct PreferencesForm {
    #[serde(default)]
    avis: String,
    /// Absent from older forms: no notification on the devices.
    #[serde(default)]
    push: String,
}

pub async fn save_preferences(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    Form(form): Form<PreferencesForm>,
) -> Result<Response, AppError> {
    let mut errors = FormErrors::new();
    let email = match form.avis.as_str() {
        "chaque" => Some(true),
        "aucun" => Some(false),
        _ => {
            errors.add("avis", page.tr.t("bo-report-error-notice"));
            None
        }
    };
    let push = match form.push.as_str() {
        "oui" => Some(true),
        "non" | "" => Some(false),
        _ => {
            errors.add("push", page.tr.t("bo-report-error-notice"));
            None
        }
    };
    let (Some(email), Some(push)) = (email, push) else {
        let user_id = caller
            .identity
            .as_ref()
            .map(|i| i.user_id.clone())
            .unwrap_or_default();
        let devices = kernel::push::devices(&kernel.db, &user_id).await?.len();
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &PreferencesPage {
                page,
                current: form.avis,
                push: form.push,
                devices,
                errors,
            },
        );
    };
    crate::handling::set_notice_preferences(&kernel, &caller, NoticePreferences { email, push })
        .await?;
    page::flash(
        &session,
        "success",
        page.tr.t("bo-report-preferences-saved"),
    )
    .await?;
    Ok(Redirect::to("/backoffice/signalements/preferences").into_response())
}
