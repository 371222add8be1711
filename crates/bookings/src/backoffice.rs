//! The staff's side: the kitchen's counts of a day (`/backoffice/cuisine`, printable, and
//! as CSV) and the supervisors' register (`/backoffice/pointage`): today's children with
//! their allergies and PAI shown in words, present or absent in one tap. Staff see the
//! activities of the services they work for; administrators see all. Every showing of a
//! register, which names children with their health needs, is audited.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use jiff::civil::Date;
use kernel::audit::AuditTarget;
use kernel::web::page::{self, FormPage, Page, Staff, render};
use kernel::{AppError, Caller, Kernel, Role};
use serde::Deserialize;
use tower_sessions::Session;

use crate::deadlines::{BookingWindow, moment_fr, paris};
use crate::kitchen::{self, KitchenCount};
use crate::model::{Activity, ActivityKind, Unit};
use crate::store;

pub fn router() -> Router<Kernel> {
    Router::new()
        .route("/backoffice/cuisine", get(kitchen_page))
        .route("/backoffice/cuisine.csv", get(kitchen_csv))
        .route("/backoffice/cuisine/flux", get(kitchen_feed))
        .route("/static/reservations/cuisine.js", get(kitchen_script))
        .route("/backoffice/pointage", get(register).post(mark))
        .route(
            "/backoffice/activites",
            get(activities_page).post(create_activity),
        )
        .route(
            "/backoffice/activites/{code}/calendrier",
            get(crate::activity_admin::calendar_form).post(crate::activity_admin::save_calendar),
        )
        .route(
            "/backoffice/familles/{id}/enfants/{child}/detacher",
            axum::routing::post(detach_child),
        )
        .route(
            "/backoffice/activites/{code}/cantine-a-1-euro",
            get(crate::activity_admin::one_euro),
        )
        .route(
            "/backoffice/activites/{code}/tarifs",
            get(crate::activity_admin::pricing_form).post(crate::activity_admin::save_pricing),
        )
        .route(
            "/backoffice/activites/{code}",
            get(activity_rules).post(save_activity_rules),
        )
        .route(
            "/backoffice/activites/{code}/menus",
            get(crate::menu_pages::show).post(crate::menu_pages::import),
        )
}

/// Administrators, and the managers of the activity's service, change its rules.
pub(crate) fn may_manage(caller: &Caller, activity: &Activity) -> bool {
    caller.identity.as_ref().is_some_and(|i| {
        i.has_role(Role::Administrator)
            || (i.can(kernel::Permission::ManageProcedures)
                && activity
                    .service_id
                    .as_deref()
                    .is_some_and(|s| i.works_for(s)))
    })
}

fn may_see(caller: &Caller, activity: &Activity) -> bool {
    caller.identity.as_ref().is_some_and(|i| {
        i.has_role(Role::Administrator)
            || activity
                .service_id
                .as_deref()
                .is_some_and(|s| i.works_for(s))
    })
}

async fn visible_activities(kernel: &Kernel, caller: &Caller) -> Result<Vec<Activity>, AppError> {
    Ok(store::activities(&kernel.db)
        .await?
        .into_iter()
        .filter(|a| may_see(caller, a))
        .collect())
}

fn day_or_today(kernel: &Kernel, raw: Option<&str>) -> Date {
    raw.and_then(family::rules::parse_date)
        .unwrap_or_else(|| kernel.now().to_zoned(paris()).date())
}

#[derive(Deserialize)]
struct DayQuery {
    jour: Option<String>,
    activite: Option<String>,
}

// ------------------------------------------------------------------ kitchen

pub struct KitchenBlock {
    pub name: String,
    pub school: String,
    /// Why there is no service, when there is none.
    pub closed: Option<String>,
    pub status: String,
    pub count: KitchenCount,
    /// The day's menu, where the kitchen published it.
    pub menu: Option<crate::menus::Menu>,
}

impl KitchenBlock {
    fn diet_rows(&self) -> Vec<(&'static str, usize)> {
        self.count
            .by_diet
            .iter()
            .map(|(d, n)| (d.label_fr(), *n))
            .collect()
    }
    /// The menu's allergens that booked children avoid: the kitchen's first concern.
    fn watch_rows(&self) -> Vec<(&'static str, usize)> {
        self.menu
            .as_ref()
            .map(|m| {
                m.watch_for(&self.count.by_allergen)
                    .iter()
                    .map(|(a, n)| (a.label_fr(), *n))
                    .collect()
            })
            .unwrap_or_default()
    }
    fn allergen_rows(&self) -> Vec<(&'static str, usize)> {
        self.count
            .by_allergen
            .iter()
            .map(|(a, n)| (a.label_fr(), *n))
            .collect()
    }
}

#[derive(askama::Template)]
#[template(path = "bo_kitchen.html")]
struct KitchenPage {
    page: Page,
    day: String,
    day_label: String,
    blocks: Vec<KitchenBlock>,
}

async fn kitchen_blocks(
    kernel: &Kernel,
    caller: &Caller,
    day: Date,
) -> Result<Vec<KitchenBlock>, AppError> {
    let canteens: Vec<Activity> = visible_activities(kernel, caller)
        .await?
        .into_iter()
        .filter(|a| a.kind == ActivityKind::Canteen)
        .collect();
    Ok(kitchen_counts(kernel, &canteens, day).await?)
}

/// The kitchen's numbers of a day for these activities, with whether they are final.
pub async fn kitchen_counts(
    kernel: &Kernel,
    activities: &[Activity],
    day: Date,
) -> Result<Vec<KitchenBlock>, sqlx::Error> {
    let now = kernel.now();
    // Every booking of the day at once, then the schools' children at once: two queries
    // for a whole city, not two per school.
    let mut booked: std::collections::HashMap<String, Vec<String>> =
        std::collections::HashMap::new();
    for (activity_id, child_id) in store::booked_on(&kernel.db, day).await? {
        booked.entry(activity_id).or_default().push(child_id);
    }
    let mut schools: Vec<String> = activities.iter().map(|a| a.school.clone()).collect();
    schools.sort();
    schools.dedup();
    let profiles: std::collections::HashMap<String, family::model::ChildProfile> =
        family::store::children_of_schools(&kernel.db, &schools)
            .await?
            .into_iter()
            .map(|c| (c.person.id, c.profile))
            .collect();
    let mut menus = store::menus_on(&kernel.db, day).await?;
    let mut blocks = Vec::new();
    for activity in activities {
        let closed = activity
            .calendar
            .closure(day)
            .map(|c| crate::actions::closed_sentence(&crate::deadlines::WhyClosed::NotRunning(c)));
        let count = kitchen::count(
            booked
                .get(&activity.id)
                .into_iter()
                .flatten()
                .filter_map(|id| profiles.get(id)),
        );
        let closes = activity
            .rules
            .booking
            .closes_at(day, activity.rules.starts_at);
        let status = if now < closes.timestamp() {
            format!(
                "Provisoire : les réservations ferment le {}.",
                moment_fr(&closes)
            )
        } else {
            match activity.rules.booking_window(&activity.calendar, day, now) {
                BookingWindow::Late { closes_at, .. } => format!(
                    "Définitif depuis le {} ; des repas de dernière minute peuvent s'ajouter jusqu'au {}.",
                    moment_fr(&closes),
                    moment_fr(&closes_at)
                ),
                _ => format!("Définitif depuis le {}.", moment_fr(&closes)),
            }
        };
        blocks.push(KitchenBlock {
            name: activity.name.clone(),
            school: activity.school.clone(),
            closed,
            status,
            count,
            menu: menus.remove(&activity.id),
        });
    }
    Ok(blocks)
}

async fn kitchen_page(
    State(kernel): State<Kernel>,
    page: Page,
    Staff(caller): Staff,
    Query(query): Query<DayQuery>,
) -> Result<Html<String>, AppError> {
    let day = day_or_today(&kernel, query.jour.as_deref());
    let blocks = kitchen_blocks(&kernel, &caller, day).await?;
    render(&KitchenPage {
        page,
        day: day.to_string(),
        day_label: long_date(day),
        blocks,
    })
}

/// The live feed of the kitchen page: a `refresh` event whenever a booking of the day
/// shown changes in one of the caller's canteens (a last-minute meal, a cancellation).
/// Events carry no personal data; the page reloads its counts through the usual checks.
async fn kitchen_feed(
    State(kernel): State<Kernel>,
    Staff(caller): Staff,
    Query(query): Query<DayQuery>,
) -> Result<Response, AppError> {
    use axum::response::sse::{Event, KeepAlive, Sse};
    use futures::StreamExt;
    use std::convert::Infallible;
    use tokio_stream::wrappers::BroadcastStream;

    let day = day_or_today(&kernel, query.jour.as_deref()).to_string();
    let topics: std::collections::HashSet<String> = visible_activities(&kernel, &caller)
        .await?
        .iter()
        .filter(|a| a.kind == ActivityKind::Canteen)
        .map(|a| crate::actions::day_topic(&a.id))
        .collect();
    // Subscribed before the answer leaves: nothing booked after the page connects is missed.
    let events = BroadcastStream::new(kernel.live.subscribe()).filter_map(move |item| {
        let wanted = match item {
            Ok(event) => {
                topics.contains(&event.topic)
                    && serde_json::from_str::<serde_json::Value>(&event.payload)
                        .ok()
                        .is_some_and(|p| p["day"] == day.as_str())
            }
            // Events were lost while this page was slow: reload to be sure.
            Err(_) => true,
        };
        futures::future::ready(
            wanted
                .then(|| Ok::<Event, Infallible>(Event::default().data(r#"{"event":"refresh"}"#))),
        )
    });
    let hello = futures::stream::once(async {
        Ok::<Event, Infallible>(
            Event::default()
                .retry(std::time::Duration::from_secs(5))
                .comment("ok"),
        )
    });
    let mut response = Sse::new(hello.chain(events))
        .keep_alive(KeepAlive::default())
        .into_response();
    // Proxies must pass each event on at once rather than buffer the answer.
    response
        .headers_mut()
        .insert("x-accel-buffering", header::HeaderValue::from_static("no"));
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-cache, no-store"),
    );
    Ok(response)
}

const KITCHEN_SCRIPT: &str = include_str!("../static/cuisine.js");

async fn kitchen_script() -> Response {
    kernel::web::shell::asset("text/javascript; charset=utf-8", KITCHEN_SCRIPT)
}

fn long_date(day: Date) -> String {
    crate::deadlines::date_fr(day)
}

async fn kitchen_csv(
    State(kernel): State<Kernel>,
    Staff(caller): Staff,
    Query(query): Query<DayQuery>,
) -> Result<Response, AppError> {
    let day = day_or_today(&kernel, query.jour.as_deref());
    let blocks = kitchen_blocks(&kernel, &caller, day).await?;
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    let csv_error = |e: csv::Error| AppError::Internal(e.into());
    writer
        .write_record(["jour", "école", "activité", "rubrique", "valeur", "repas"])
        .map_err(csv_error)?;
    for block in &blocks {
        let mut row = |what: &str, value: &str, n: usize| {
            writer.write_record([
                day.to_string().as_str(),
                block.school.as_str(),
                block.name.as_str(),
                what,
                value,
                n.to_string().as_str(),
            ])
        };
        row("total", "", block.count.total).map_err(csv_error)?;
        for (diet, n) in block.diet_rows() {
            row("régime", diet, n).map_err(csv_error)?;
        }
        for (allergen, n) in block.allergen_rows() {
            row("allergène", allergen, n).map_err(csv_error)?;
        }
        row("PAI", "", block.count.care_plans).map_err(csv_error)?;
        row("autres allergies", "", block.count.other_allergies).map_err(csv_error)?;
    }
    let mut body = "\u{feff}".as_bytes().to_vec();
    body.extend(
        writer
            .into_inner()
            .map_err(|e| AppError::Internal(anyhow_error(e)))?,
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"repas-{day}.csv\""),
            ),
        ],
        body,
    )
        .into_response())
}

fn anyhow_error<E: std::fmt::Display>(e: E) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

// ------------------------------------------------------------------ register

pub struct RegisterRow {
    pub id: String,
    pub name: String,
    pub class_name: String,
    pub diet: &'static str,
    pub allergies: String,
    pub care_plan: bool,
    /// « Présent », « Absent (certificat médical) » or « Non pointé ».
    pub state: String,
    pub absent: bool,
    pub booked: bool,
}

#[derive(askama::Template)]
#[template(path = "bo_register.html")]
struct RegisterPage {
    page: Page,
    activities: Vec<(String, String)>,
    activity: Option<String>,
    activity_name: String,
    day: String,
    day_label: String,
    closed: Option<String>,
    booked: Vec<RegisterRow>,
    others: Vec<RegisterRow>,
    excuses: Vec<(&'static str, &'static str)>,
}

fn register_row(
    child: &family::model::Child,
    attendance: &std::collections::HashMap<String, (bool, Option<crate::pricing::Excuse>)>,
    booked: bool,
) -> RegisterRow {
    let mut allergies: Vec<String> = child
        .profile
        .allergens
        .iter()
        .map(|a| a.label_fr().to_string())
        .collect();
    if !child.profile.allergy_notes.is_empty() {
        allergies.push(child.profile.allergy_notes.clone());
    }
    RegisterRow {
        id: child.person.id.clone(),
        name: child.person.full_name(),
        class_name: child.profile.class_name.clone(),
        diet: child.profile.diet.label_fr(),
        allergies: allergies.join(" ; "),
        care_plan: child.profile.care_plan,
        state: match attendance.get(&child.person.id) {
            Some((true, _)) => "Présent".to_string(),
            Some((false, Some(excuse))) => format!("Absent ({})", excuse.label_fr()),
            Some((false, None)) => "Absent".to_string(),
            None => "Non pointé".to_string(),
        },
        absent: attendance
            .get(&child.person.id)
            .is_some_and(|(present, _)| !present),
        booked,
    }
}

async fn register(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    Query(query): Query<DayQuery>,
) -> Result<Html<String>, AppError> {
    let day = day_or_today(&kernel, query.jour.as_deref());
    let visible = visible_activities(&kernel, &caller).await?;
    let choices = visible
        .iter()
        .map(|a| (a.code.clone(), a.name.clone()))
        .collect();
    let chosen = match query.activite.as_deref() {
        Some(code) => Some(
            visible
                .iter()
                .find(|a| a.code == code)
                .ok_or(AppError::NotFound)?,
        ),
        None => visible.first(),
    };
    let Some(activity) = chosen else {
        return render(&RegisterPage {
            page,
            activities: choices,
            activity: None,
            activity_name: String::new(),
            day: day.to_string(),
            day_label: long_date(day),
            closed: None,
            booked: Vec::new(),
            others: Vec::new(),
            excuses: Vec::new(),
        });
    };
    let booked_ids = store::booked_children(&kernel.db, &activity.id, day).await?;
    let attendance = store::attendance(&kernel.db, &activity.id, day).await?;
    let pupils = family::store::children_of_school(&kernel.db, &activity.school).await?;
    let (booked, others): (Vec<_>, Vec<_>) = pupils
        .iter()
        .partition(|c| booked_ids.contains(&c.person.id));
    kernel
        .audit_view(
            &caller,
            "bookings.register_viewed",
            Some(&AuditTarget::new("activity", &activity.id)),
            serde_json::json!({ "day": day.to_string(), "children": booked.len() }),
        )
        .await?;
    render(&RegisterPage {
        page,
        activities: choices,
        activity: Some(activity.code.clone()),
        activity_name: activity.name.clone(),
        day: day.to_string(),
        day_label: long_date(day),
        closed: activity
            .calendar
            .closure(day)
            .map(|c| crate::actions::closed_sentence(&crate::deadlines::WhyClosed::NotRunning(c))),
        booked: booked
            .iter()
            .map(|c| register_row(c, &attendance, true))
            .collect(),
        others: others
            .iter()
            .map(|c| register_row(c, &attendance, false))
            .collect(),
        excuses: crate::pricing::Excuse::ALL
            .iter()
            .map(|e| (e.code(), e.label_fr()))
            .collect(),
    })
}

/// `POST /backoffice/pointage`: one child present or absent; the day's charge follows.
async fn mark(
    State(kernel): State<Kernel>,
    Staff(caller): Staff,
    session: Session,
    body: Bytes,
) -> Result<Response, AppError> {
    let posted: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let field = |k: &str| {
        posted
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let code = field("activite");
    let child_id = field("enfant");
    let present = match field("presence").as_str() {
        "present" => true,
        "absent" => false,
        _ => return Err(AppError::BadRequest("présence inconnue".into())),
    };
    let day = family::rules::parse_date(&field("jour"))
        .ok_or_else(|| AppError::BadRequest("jour illisible".into()))?;
    let activity = store::activity_by_code(&kernel.db, &code)
        .await?
        .filter(|a| may_see(&caller, a))
        .ok_or(AppError::NotFound)?;
    let child = family::store::children_by_ids(&kernel.db, std::slice::from_ref(&child_id))
        .await?
        .into_iter()
        .find(|c| c.profile.school == activity.school)
        .ok_or(AppError::NotFound)?;
    let back = format!(
        "/backoffice/pointage?activite={}&jour={day}#enfant-{}",
        activity.code, child.person.id
    );
    if let Some(closure) = activity.calendar.closure(day) {
        page::flash(
            &session,
            "error",
            crate::actions::closed_sentence(&crate::deadlines::WhyClosed::NotRunning(closure)),
        )
        .await?;
        return Ok(Redirect::to(&back).into_response());
    }
    let excuse = crate::pricing::Excuse::from_code(&field("excuse"));
    crate::actions::record_presence(
        &kernel,
        &caller,
        &activity,
        &child.person.id,
        day,
        present,
        excuse,
    )
    .await?;
    page::flash(
        &session,
        "success",
        format!(
            "{} : {}.",
            child.person.full_name(),
            if present { "présent" } else { "absent" }
        ),
    )
    .await?;
    Ok(Redirect::to(&back).into_response())
}

// ------------------------------------------------------------------ rules

#[derive(askama::Template)]
#[template(path = "bo_activities.html")]
struct ActivitiesPage {
    page: Page,
    activities: Vec<(String, String, bool)>,
    /// The activities the caller may copy into a new one.
    models: Vec<(String, String)>,
    schools: Vec<String>,
    kinds: Vec<(&'static str, &'static str)>,
    units: Vec<(&'static str, &'static str)>,
    fields: crate::rules_form::Fields,
    errors: kernel::web::forms::FormErrors,
}

impl ActivitiesPage {
    fn v(&self, key: &str) -> String {
        self.fields.get(key).cloned().unwrap_or_default()
    }
}

async fn activities_page(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
) -> Result<Html<String>, AppError> {
    render(
        &activities_view(
            &kernel,
            &caller,
            page,
            crate::rules_form::Fields::new(),
            kernel::web::forms::FormErrors::new(),
        )
        .await?,
    )
}

async fn activities_view(
    kernel: &Kernel,
    caller: &Caller,
    page: Page,
    fields: crate::rules_form::Fields,
    errors: kernel::web::forms::FormErrors,
) -> Result<ActivitiesPage, AppError> {
    let visible = visible_activities(kernel, caller).await?;
    let schools = family::store::school_names(&kernel.db).await?;
    Ok(ActivitiesPage {
        page,
        activities: visible
            .iter()
            .map(|a| (a.code.clone(), a.name.clone(), may_manage(caller, a)))
            .collect(),
        models: visible
            .iter()
            .filter(|a| may_manage(caller, a))
            .map(|a| (a.code.clone(), a.name.clone()))
            .collect(),
        schools,
        kinds: ActivityKind::ALL
            .iter()
            .map(|k| (k.code(), k.label_fr()))
            .collect(),
        units: [Unit::Meal, Unit::Session, Unit::HalfDay]
            .iter()
            .map(|u| (u.code(), u.label_fr()))
            .collect(),
        fields,
        errors,
    })
}

/// `POST /backoffice/familles/{id}/enfants/{child}/detacher` (the family file's custody
/// section): served here, because the household's coming bookings of the child are
/// cancelled with the detachment.
async fn detach_child(
    State(kernel): State<Kernel>,
    Staff(caller): Staff,
    session: Session,
    axum::extract::Path((id, child)): axum::extract::Path<(String, String)>,
) -> Result<Response, AppError> {
    use family::custody::CustodyError;
    match crate::actions::detach_child(&kernel, &caller, &id, &child).await {
        Ok(cancelled) => {
            let message = if cancelled == 0 {
                "L'enfant n'est plus rattaché à ce foyer.".to_string()
            } else {
                format!(
                    "L'enfant n'est plus rattaché à ce foyer ; ses {cancelled} jours réservés à venir par ce foyer sont annulés sans frais."
                )
            };
            page::flash(&session, "success", message).await?;
            // Back to the file the agent came from: the household that keeps the child.
            let kept = family::store::households_of_child(&kernel.db, &child).await?;
            let back = kept.first().map_or(id.as_str(), |h| h.id.as_str());
            Ok(Redirect::to(&format!("/backoffice/familles/{back}#garde")).into_response())
        }
        Err(CustodyError::Refused(message)) => {
            page::flash(&session, "error", message).await?;
            Ok(Redirect::to(&format!("/backoffice/familles/{id}#garde")).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /backoffice/activites`: a new activity on the model of one of the caller's.
async fn create_activity(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    body: Bytes,
) -> Result<Response, AppError> {
    let fields: crate::rules_form::Fields =
        url::form_urlencoded::parse(&body).into_owned().collect();
    match crate::activity_admin::create(&kernel, &caller, &fields).await? {
        Ok(activity) => {
            page::flash(&session, "success", page.tr.t("activity-created")).await?;
            Ok(Redirect::to(&format!("/backoffice/activites/{}", activity.code)).into_response())
        }
        Err(errors) => {
            let view = activities_view(&kernel, &caller, page, fields, errors).await?;
            kernel::web::page::render_status(axum::http::StatusCode::UNPROCESSABLE_ENTITY, &view)
        }
    }
}

pub struct PreviewRow {
    pub day: String,
    pub booking: String,
    pub cancellation: String,
    pub late: String,
}

#[derive(askama::Template)]
#[template(path = "bo_activity.html")]
struct RulesPage {
    page: Page,
    code: String,
    name: String,
    fields: crate::rules_form::Fields,
    errors: kernel::web::forms::FormErrors,
    preview: Vec<PreviewRow>,
    weekdays: Vec<(&'static str, &'static str)>,
    /// Shown with « Aperçu », before saving.
    previewing: bool,
}

impl RulesPage {
    fn v(&self, key: &str) -> String {
        self.fields.get(key).cloned().unwrap_or_default()
    }
    fn is(&self, key: &str, value: &str) -> bool {
        self.fields.get(key).is_some_and(|v| v == value)
    }
}

fn preview_rows(
    kernel: &Kernel,
    activity: &Activity,
    rules: &crate::deadlines::BookingRules,
) -> Vec<PreviewRow> {
    let today = kernel.now().to_zoned(paris()).date();
    let from = today.max(activity.calendar.first_day);
    rules
        .preview(
            &activity.calendar,
            from,
            from.saturating_add(jiff::Span::new().days(21)),
        )
        .into_iter()
        .map(|line| PreviewRow {
            day: crate::deadlines::day_fr(line.day),
            booking: moment_fr(&line.booking_closes),
            cancellation: moment_fr(&line.cancellation_closes),
            late: line
                .late_closes
                .as_ref()
                .map(moment_fr)
                .unwrap_or_else(|| "—".into()),
        })
        .collect()
}

pub(crate) async fn managed_activity(
    kernel: &Kernel,
    caller: &Caller,
    code: &str,
) -> Result<Activity, AppError> {
    store::activity_by_code(&kernel.db, code)
        .await?
        .filter(|a| may_manage(caller, a))
        .ok_or(AppError::NotFound)
}

async fn activity_rules(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    axum::extract::Path(code): axum::extract::Path<String>,
) -> Result<Html<String>, AppError> {
    let activity = managed_activity(&kernel, &caller, &code).await?;
    render(&RulesPage {
        page,
        preview: preview_rows(&kernel, &activity, &activity.rules),
        fields: crate::rules_form::fill(&activity.rules),
        code: activity.code,
        name: activity.name,
        errors: kernel::web::forms::FormErrors::new(),
        weekdays: crate::rules_form::weekdays(),
        previewing: false,
    })
}

/// `POST /backoffice/activites/{code}`: « Aperçu » shows the coming deadlines of the rules
/// typed; « Enregistrer » saves them (audited). Invalid rules are never saved.
async fn save_activity_rules(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    axum::extract::Path(code): axum::extract::Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let activity = managed_activity(&kernel, &caller, &code).await?;
    let fields: crate::rules_form::Fields =
        url::form_urlencoded::parse(&body).into_owned().collect();
    let save = fields.get("action").is_some_and(|a| a == "enregistrer");
    let parsed = crate::rules_form::parse(&fields);
    let mut errors = kernel::web::forms::FormErrors::new();
    let preview = match &parsed {
        Ok(rules) => preview_rows(&kernel, &activity, rules),
        Err(problems) => {
            for (field, message) in problems {
                errors.add(field, message.clone());
            }
            Vec::new()
        }
    };
    if let (true, Ok(rules)) = (save, parsed) {
        let mut tx = kernel.db.begin().await?;
        store::update_rules(&mut tx, &activity.id, &rules, kernel.now()).await?;
        kernel
            .audit(
                &mut tx,
                &caller,
                "bookings.rules_changed",
                Some(&AuditTarget::new("activity", &activity.id)),
                serde_json::json!({
                    "before": activity.rules,
                    "after": rules,
                }),
            )
            .await?;
        tx.commit().await?;
        page::flash(&session, "success", page.tr.t("activity-rules-saved")).await?;
        return Ok(Redirect::to(&format!("/backoffice/activites/{code}")).into_response());
    }
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    kernel::web::page::render_status(
        status,
        &RulesPage {
            page,
            code: activity.code,
            name: activity.name,
            fields,
            errors,
            preview,
            weekdays: crate::rules_form::weekdays(),
            previewing: true,
        },
    )
    .map(IntoResponse::into_response)
}
