//! The family part of the JSON API (`/api/v1/`): a family's children, the activities they
//! may book, each day with its deadline and price, bookings, and the account's charge
//! lines — read from the same rules and the same functions as the parents' pages
//! (`days`, `actions`), for a mobile application and for the commune's other systems.
//!
//! A resident's token acts for their own family: it reads, books and cancels. An agent of
//! the family service reads any family by naming it (`?household=`), each reading
//! audited; agents never book through the API (a booking is the family's act).

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Json, body::Bytes};
use jiff::ToSpan;
use jiff::civil::Date;
use kernel::audit::AuditTarget;
use kernel::{Caller, Kernel};
use requests::api::{ApiCaller, ApiError, ApiQuery, ErrorBody, FieldError, FieldSource};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::actions::{self, BookingError, OwnChild, closed_sentence};
use crate::days::{self, DayState};
use crate::deadlines::{CancellationWindow, paris};
use crate::model::Activity;
use crate::store;

/// The longest span of days one call returns.
pub const MAX_DAYS: i64 = 62;

// ---------------------------------------------------------------- JSON types

/// A child of the family.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChildJson {
    pub id: String,
    #[schema(example = "Léa")]
    pub given_name: String,
    #[schema(example = "Martin")]
    pub family_name: String,
    #[schema(format = Date, example = "2018-03-14")]
    pub birth_date: Option<String>,
    #[schema(example = "École élémentaire Jules-Ferry")]
    pub school: String,
    #[schema(example = "CE2")]
    pub class_name: String,
    /// `standard`, `sans-porc`, `vegetarien` or `sans-viande`.
    #[schema(example = "standard")]
    pub diet: String,
    /// Among the 14 regulated allergens: `gluten`, `crustaces`, `oeufs`, `poissons`,
    /// `arachides`, `soja`, `lait`, `fruits-a-coque`, `celeri`, `moutarde`, `sesame`,
    /// `sulfites`, `lupin`, `mollusques`.
    pub allergens: Vec<String>,
    pub allergy_notes: String,
    /// An individual care plan (PAI) exists.
    pub care_plan: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChildList {
    pub household: String,
    pub items: Vec<ChildJson>,
}

/// A daily activity families book.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityJson {
    #[schema(example = "cantine-jules-ferry-elementaire")]
    pub code: String,
    #[schema(example = "Restaurant scolaire Jules-Ferry (élémentaire)")]
    pub name: String,
    /// `cantine`, `garderie-matin`, `garderie-soir` or `accueil-loisirs`.
    pub kind: String,
    pub school: String,
    /// What one booking buys: `repas`, `seance` or `demi-journee`.
    pub unit: String,
    /// Places per day; null where there is no limit (a canteen).
    pub capacity: Option<i64>,
    /// The days of the week it runs, `lundi` to `dimanche`.
    pub weekdays: Vec<String>,
    #[schema(format = Date)]
    pub season_start: String,
    #[schema(format = Date)]
    pub season_end: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityList {
    pub items: Vec<ActivityJson>,
}

/// What a day is for the child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DayStateJson {
    /// Booked; see `cancellable_free_until` and `cancellation_charged`.
    Booked,
    /// Bookable now at the normal price, until `closes_at`.
    Bookable,
    /// The normal deadline passed: bookable at the last-minute price until `closes_at`.
    BookableLate,
    /// Every place is taken; the child may join the waiting list.
    Full,
    /// Booked by the child's other household (alternating custody): theirs to cancel.
    BookedByOtherHousehold,
    /// Not bookable: see `reason`.
    Closed,
}

/// A day's price for this family, and how it is computed.
#[derive(Debug, Serialize, ToSchema)]
pub struct PriceJson {
    #[schema(example = 320)]
    pub cents: i64,
    #[schema(example = "Tranche 2 (QF ≤ 1000) : 3,20 € = 3,20 €")]
    pub explanation: String,
}

/// One day of an activity for one child.
#[derive(Debug, Serialize, ToSchema)]
pub struct DayJson {
    #[schema(format = Date, example = "2026-12-07")]
    pub date: String,
    pub state: DayStateJson,
    /// When booking (or the last-minute booking) closes; null when closed or booked.
    #[schema(format = DateTime)]
    pub closes_at: Option<String>,
    /// The price of booking it now (bookable), or of the booking (booked).
    pub price: Option<PriceJson>,
    /// Booked: cancelling is free until then.
    #[schema(format = DateTime)]
    pub cancellable_free_until: Option<String>,
    /// Booked: the free cancellation closed, cancelling now is charged.
    pub cancellation_charged: bool,
    /// Full: the child's rank on the waiting list, if on it.
    pub waiting_rank: Option<i64>,
    /// It was cancelled after the free cancellation: its charge stands.
    pub cancelled_late: bool,
    /// Closed: why, in French.
    pub reason: Option<String>,
    /// The day's menu, where the kitchen published it.
    pub menu: Option<MenuJson>,
}

/// What is served, and the regulated allergens of the day's dishes.
#[derive(Debug, Serialize, ToSchema)]
pub struct MenuJson {
    pub starter: String,
    pub main: String,
    /// Served instead of `main` to children without meat; empty when `main` has none.
    pub alternative: String,
    pub side: String,
    pub dairy: String,
    pub dessert: String,
    /// The week's vegetarian menu.
    pub vegetarian: bool,
    /// Allergen codes, as for a child's allergens.
    pub allergens: Vec<String>,
}

fn menu_json(m: &crate::menus::Menu) -> MenuJson {
    MenuJson {
        starter: m.starter.clone(),
        main: m.main.clone(),
        alternative: m.alternative.clone(),
        side: m.side.clone(),
        dairy: m.dairy.clone(),
        dessert: m.dessert.clone(),
        vegetarian: m.vegetarian,
        allergens: m.allergens.iter().map(|a| a.code().to_string()).collect(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityDays {
    pub activity: ActivityJson,
    pub days: Vec<DayJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DaysList {
    pub child: String,
    #[schema(format = Date)]
    pub from: String,
    #[schema(format = Date)]
    pub to: String,
    pub activities: Vec<ActivityDays>,
}

/// A booking of a day.
#[derive(Debug, Serialize, ToSchema)]
pub struct BookingJson {
    pub activity: String,
    #[schema(format = Date)]
    pub date: String,
    /// `booked`, `cancelled` or `cancelled_late`.
    #[schema(example = "booked")]
    pub status: String,
    /// Booked at the last-minute price.
    pub late: bool,
    #[schema(format = DateTime)]
    pub booked_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BookingList {
    pub child: String,
    pub items: Vec<BookingJson>,
}

/// A day to book.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct NewBooking {
    /// The activity's code.
    #[serde(default)]
    #[schema(required = true, example = "cantine-jules-ferry-elementaire")]
    pub activity: String,
    #[serde(default)]
    #[schema(required = true, format = Date, example = "2026-12-10")]
    pub date: String,
}

/// What a booking costs.
#[derive(Debug, Serialize, ToSchema)]
pub struct BookedJson {
    pub activity: String,
    #[schema(format = Date)]
    pub date: String,
    pub late: bool,
    pub cents: i64,
}

/// What a cancellation costs: null when free.
#[derive(Debug, Serialize, ToSchema)]
pub struct CancelledJson {
    pub activity: String,
    #[schema(format = Date)]
    pub date: String,
    pub charged_cents: Option<i64>,
}

/// A charge line of the family account.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChargeJson {
    #[schema(format = Date)]
    pub date: String,
    pub child: String,
    pub activity: String,
    /// `booking`, `late_booking`, `late_cancellation`, `unjustified_absence` or
    /// `unbooked_presence`.
    pub kind: String,
    pub cents: i64,
    /// How it was computed: the bracket, the modifier, the rule.
    pub explanation: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChargeList {
    pub household: String,
    #[schema(example = "2026-12")]
    pub month: String,
    pub total_cents: i64,
    pub items: Vec<ChargeJson>,
}

/// Which family: the caller's own, or, for an agent of the family service, the one named.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FamilyQuery {
    /// For agents of the family service: the household to read.
    pub household: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DaysQuery {
    /// For agents of the family service: the household to read.
    pub household: Option<String>,
    /// First day (for days: today by default; for bookings: the first of this month).
    #[param(format = Date)]
    pub from: Option<String>,
    /// Last day (the end of `from`'s month by default); at most 62 days after `from`.
    #[param(format = Date)]
    pub to: Option<String>,
    /// Only this activity (its code).
    pub activity: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonthQuery {
    /// For agents of the family service: the household to read.
    pub household: Option<String>,
    /// `YYYY-MM`; the current month by default.
    pub month: Option<String>,
}

// ---------------------------------------------------------------- access

/// The family a call reads, and whether the caller is one of its adults.
struct Family {
    household_id: String,
    own: bool,
}

async fn family_of(
    kernel: &Kernel,
    caller: &Caller,
    household: Option<&str>,
) -> Result<Family, ApiError> {
    if let Some(household) = household.filter(|h| !h.is_empty()) {
        let own = family::actions::my_household(kernel, caller)
            .await
            .map_err(internal)?
            .is_some_and(|h| h.id == household);
        if own {
            return Ok(Family {
                household_id: household.to_string(),
                own,
            });
        }
        if !family::documents::is_family_agent(kernel, caller).await? {
            return Err(ApiError::Forbidden);
        }
        if family::store::household(&kernel.db, household)
            .await?
            .is_none()
        {
            return Err(ApiError::Missing(
                "Aucun foyer ne porte cet identifiant.".into(),
            ));
        }
        return Ok(Family {
            household_id: household.to_string(),
            own: false,
        });
    }
    match family::actions::my_household(kernel, caller)
        .await
        .map_err(internal)?
    {
        Some(h) => Ok(Family {
            household_id: h.id,
            own: true,
        }),
        None => Err(ApiError::Missing(
            "Vous n'avez pas encore de dossier famille : ouvrez-le sur /famille.".into(),
        )),
    }
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("{e}"))
}

fn child_not_found() -> ApiError {
    ApiError::Missing("Aucun enfant de ce foyer ne porte cet identifiant.".into())
}

async fn child_of(
    kernel: &Kernel,
    family: &Family,
    child_id: &str,
) -> Result<family::model::Child, ApiError> {
    family::store::child_of_household(&kernel.db, &family.household_id, child_id)
        .await?
        .ok_or_else(child_not_found)
}

/// An agent reading a family's data through the API leaves the same trace as on the page.
async fn audit_agent(
    kernel: &Kernel,
    caller: &Caller,
    family: &Family,
    part: &str,
) -> Result<(), ApiError> {
    if family.own {
        return Ok(());
    }
    kernel
        .audit_view(
            caller,
            "family.file_viewed",
            Some(&AuditTarget::new("household", &family.household_id)),
            serde_json::json!({ "via": "api", "part": part }),
        )
        .await?;
    Ok(())
}

fn booking_error(e: BookingError) -> ApiError {
    match e {
        BookingError::NotFound => ApiError::Missing(
            "Cet enfant ne peut pas réserver cette activité (activité inconnue, ou d'une autre école).".into(),
        ),
        BookingError::Refused(why) => ApiError::Conflict(why),
        BookingError::Full => ApiError::Conflict(
            "Ce jour est complet : l'enfant peut s'inscrire sur la liste d'attente depuis le calendrier.".into(),
        ),
        BookingError::Database(e) => e.into(),
    }
}

// ---------------------------------------------------------------- conversions

fn today(kernel: &Kernel) -> Date {
    kernel.now().to_zoned(paris()).date()
}

fn child_json(child: &family::model::Child) -> ChildJson {
    ChildJson {
        id: child.person.id.clone(),
        given_name: child.person.given_name.clone(),
        family_name: child.person.family_name.clone(),
        birth_date: child.person.birth_date.map(|d| d.to_string()),
        school: child.profile.school.clone(),
        class_name: child.profile.class_name.clone(),
        diet: child.profile.diet.code().into(),
        allergens: child
            .profile
            .allergens
            .iter()
            .map(|a| a.code().to_string())
            .collect(),
        allergy_notes: child.profile.allergy_notes.clone(),
        care_plan: child.profile.care_plan,
    }
}

fn activity_json(a: &Activity) -> ActivityJson {
    ActivityJson {
        code: a.code.clone(),
        name: a.name.clone(),
        kind: a.kind.code().into(),
        school: a.school.clone(),
        unit: a.unit.code().into(),
        capacity: a.capacity,
        weekdays: crate::calendar::weekday_code::ALL
            .iter()
            .filter(|(d, _)| a.calendar.weekdays.contains(d))
            .map(|(_, code)| code.to_string())
            .collect(),
        season_start: a.calendar.first_day.to_string(),
        season_end: a.calendar.last_day.to_string(),
    }
}

fn moment(at: &jiff::Zoned) -> String {
    at.timestamp().to_string()
}

fn day_json(status: &days::DayStatus) -> DayJson {
    let mut json = DayJson {
        date: status.day.to_string(),
        state: DayStateJson::Closed,
        closes_at: None,
        price: None,
        cancellable_free_until: None,
        cancellation_charged: false,
        waiting_rank: None,
        cancelled_late: status.cancelled_late,
        reason: None,
        menu: None,
    };
    let price = |p: &days::Price| PriceJson {
        cents: p.cents,
        explanation: p.explanation.clone(),
    };
    match &status.state {
        DayState::Booked {
            price: p,
            cancellation,
        } => {
            json.state = DayStateJson::Booked;
            json.price = Some(price(p));
            match cancellation {
                Some(CancellationWindow::Free { until }) => {
                    json.cancellable_free_until = Some(moment(until));
                }
                Some(CancellationWindow::Charged { .. }) => json.cancellation_charged = true,
                None => {
                    json.reason = Some("Ce jour a commencé : il ne peut plus être annulé.".into())
                }
            }
        }
        DayState::Bookable {
            closes_at,
            late,
            price: p,
        } => {
            json.state = if *late {
                DayStateJson::BookableLate
            } else {
                DayStateJson::Bookable
            };
            json.closes_at = Some(moment(closes_at));
            json.price = Some(price(p));
        }
        DayState::Full {
            closes_at,
            waiting_rank,
        } => {
            json.state = DayStateJson::Full;
            json.closes_at = Some(moment(closes_at));
            json.waiting_rank = *waiting_rank;
        }
        DayState::BookedByOtherHousehold => json.state = DayStateJson::BookedByOtherHousehold,
        DayState::Closed(why) => {
            json.reason = Some(closed_sentence(why));
        }
    }
    json
}

/// `from` to `to`, both included, spans at most `MAX_DAYS` days.
fn check_span(from: Date, to: Date) -> Result<(), ApiError> {
    if to < from || from.saturating_add((MAX_DAYS - 1).days()) < to {
        return Err(ApiError::InvalidParameter(format!(
            "« to » doit suivre « from », et la période compter {MAX_DAYS} jours au plus."
        )));
    }
    Ok(())
}

fn parse_day(raw: &str, name: &str) -> Result<Date, ApiError> {
    raw.trim().parse::<Date>().map_err(|_| {
        ApiError::InvalidParameter(format!(
            "Le paramètre « {name} » n'est pas une date AAAA-MM-JJ : « {raw} »."
        ))
    })
}

// ---------------------------------------------------------------- handlers

/// The children of the family.
#[utoipa::path(
    get,
    path = "/api/v1/family/children",
    tag = "family",
    operation_id = "list_children",
    params(FamilyQuery),
    responses(
        (status = 200, description = "The family's children, with their school, diet, allergies and care plan.", body = ChildList),
        (status = 401, description = "No token, or an unknown or revoked one.", body = ErrorBody),
        (status = 403, description = "`household` names another family and the caller is not of the family service.", body = ErrorBody),
        (status = 404, description = "The caller has no family file, or no household bears that id.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn list_children(
    State(kernel): State<Kernel>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(query): ApiQuery<FamilyQuery>,
) -> Result<Json<ChildList>, ApiError> {
    let family = family_of(&kernel, &caller, query.household.as_deref()).await?;
    audit_agent(&kernel, &caller, &family, "children").await?;
    let children = family::store::children(&kernel.db, &family.household_id).await?;
    Ok(Json(ChildList {
        household: family.household_id,
        items: children.iter().map(child_json).collect(),
    }))
}

/// Every activity open to bookings, of every school.
#[utoipa::path(
    get,
    path = "/api/v1/activities",
    tag = "family",
    operation_id = "list_activities",
    responses(
        (status = 200, description = "The activities, by school then name.", body = ActivityList),
        (status = 401, description = "No token, or an unknown or revoked one.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn list_activities(
    State(kernel): State<Kernel>,
    ApiCaller(_caller): ApiCaller,
) -> Result<Json<ActivityList>, ApiError> {
    let mut activities = store::activities(&kernel.db).await?;
    activities.sort_by(|a, b| (&a.school, &a.name).cmp(&(&b.school, &b.name)));
    Ok(Json(ActivityList {
        items: activities.iter().map(activity_json).collect(),
    }))
}

/// Each day of the child's activities: its state, its deadline and its price for this
/// family, by the same rules as the parents' calendar.
#[utoipa::path(
    get,
    path = "/api/v1/family/children/{child}/days",
    tag = "family",
    operation_id = "list_days",
    params(("child" = String, Path, description = "The child's id."), DaysQuery),
    responses(
        (status = 200, description = "Per activity of the child's school, each day it runs.", body = DaysList),
        (status = 400, description = "A date is unreadable, or the span is over 62 days.", body = ErrorBody),
        (status = 401, description = "No token, or an unknown or revoked one.", body = ErrorBody),
        (status = 403, description = "`household` names another family and the caller is not of the family service.", body = ErrorBody),
        (status = 404, description = "No child of this family bears that id, or no activity that code.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn list_days(
    State(kernel): State<Kernel>,
    ApiCaller(caller): ApiCaller,
    Path(child_id): Path<String>,
    ApiQuery(query): ApiQuery<DaysQuery>,
) -> Result<Json<DaysList>, ApiError> {
    let from = match &query.from {
        Some(raw) => parse_day(raw, "from")?,
        None => today(&kernel),
    };
    let to = match &query.to {
        Some(raw) => parse_day(raw, "to")?,
        None => from.last_of_month(),
    };
    check_span(from, to)?;
    let family = family_of(&kernel, &caller, query.household.as_deref()).await?;
    let child = child_of(&kernel, &family, &child_id).await?;
    audit_agent(&kernel, &caller, &family, "days").await?;
    let activities = school_activities(&kernel, &child, query.activity.as_deref()).await?;
    let quotients = family::documents::quotients(&kernel.db, &family.household_id).await?;
    let mut out = Vec::with_capacity(activities.len());
    for activity in &activities {
        let days = days::days_of_child(
            &kernel,
            &family.household_id,
            &child_id,
            activity,
            &quotients,
            from,
            to,
        )
        .await?;
        let menus = store::menus_between(&kernel.db, &activity.id, from, to).await?;
        out.push(ActivityDays {
            activity: activity_json(activity),
            days: days
                .iter()
                .map(|status| {
                    let mut json = day_json(status);
                    json.menu = menus.iter().find(|m| m.day == status.day).map(menu_json);
                    json
                })
                .collect(),
        });
    }
    Ok(Json(DaysList {
        child: child_id,
        from: from.to_string(),
        to: to.to_string(),
        activities: out,
    }))
}

/// The child's bookings over a span, cancelled ones included.
#[utoipa::path(
    get,
    path = "/api/v1/family/children/{child}/bookings",
    tag = "family",
    operation_id = "list_bookings",
    params(("child" = String, Path, description = "The child's id."), DaysQuery),
    responses(
        (status = 200, description = "The bookings, by day.", body = BookingList),
        (status = 400, description = "A date is unreadable, or the span is over 62 days.", body = ErrorBody),
        (status = 401, description = "No token, or an unknown or revoked one.", body = ErrorBody),
        (status = 403, description = "`household` names another family and the caller is not of the family service.", body = ErrorBody),
        (status = 404, description = "No child of this family bears that id.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn list_bookings(
    State(kernel): State<Kernel>,
    ApiCaller(caller): ApiCaller,
    Path(child_id): Path<String>,
    ApiQuery(query): ApiQuery<DaysQuery>,
) -> Result<Response, ApiError> {
    let from = match &query.from {
        Some(raw) => parse_day(raw, "from")?,
        None => today(&kernel).first_of_month(),
    };
    let to = match &query.to {
        Some(raw) => parse_day(raw, "to")?,
        None => from.last_of_month(),
    };
    check_span(from, to)?;
    let family = family_of(&kernel, &caller, query.household.as_deref()).await?;
    let child = child_of(&kernel, &family, &child_id).await?;
    audit_agent(&kernel, &caller, &family, "bookings").await?;
    let activities = school_activities(&kernel, &child, query.activity.as_deref()).await?;
    let mut items = Vec::new();
    for activity in &activities {
        for b in store::bookings_of_child(&kernel.db, &child_id, &activity.id, from, to)
            .await?
            .into_iter()
            // The child's other household's bookings are theirs (alternating custody).
            .filter(|b| b.household_id == family.household_id)
        {
            items.push((
                b.day,
                BookingJson {
                    activity: activity.code.clone(),
                    date: b.day.to_string(),
                    status: b.status.code().into(),
                    late: b.late_surcharge.is_some(),
                    booked_at: b.booked_at.to_string(),
                },
            ));
        }
    }
    items.sort_by(|a, b| (a.0, &a.1.activity).cmp(&(b.0, &b.1.activity)));
    Ok(Json(BookingList {
        child: child_id,
        items: items.into_iter().map(|(_, b)| b).collect(),
    })
    .into_response())
}

/// The activities of the child's school, or the one named by `code` (404 when the school
/// has none of that code).
async fn school_activities(
    kernel: &Kernel,
    child: &family::model::Child,
    code: Option<&str>,
) -> Result<Vec<Activity>, ApiError> {
    let mut activities = store::activities_for_school(&kernel.db, &child.profile.school).await?;
    if let Some(code) = code.filter(|c| !c.is_empty()) {
        activities.retain(|a| a.code == code);
        if activities.is_empty() {
            return Err(ApiError::Missing(
                "Aucune activité de l'école de l'enfant ne porte ce code.".into(),
            ));
        }
    }
    Ok(activities)
}

/// Reads a JSON body, refused with the API's error shape when it is not the one expected.
fn json_body<T: serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::BadJson(e.to_string()))
}

/// The caller's own child, for booking: agents and other families get 404 (an agent
/// reading a family does not book for it).
async fn own_child(kernel: &Kernel, caller: &Caller, child_id: &str) -> Result<OwnChild, ApiError> {
    actions::own_child(kernel, caller, child_id)
        .await
        .map_err(|e| match e {
            BookingError::Database(e) => e.into(),
            _ => child_not_found(),
        })
}

/// Books a day, at the price and under the deadline of the rules (the last-minute price
/// after the normal deadline).
#[utoipa::path(
    post,
    path = "/api/v1/family/children/{child}/bookings",
    tag = "family",
    operation_id = "book_day",
    params(("child" = String, Path, description = "The child's id.")),
    request_body = NewBooking,
    responses(
        (status = 201, description = "Booked (or already booked: nothing is charged twice).", body = BookedJson),
        (status = 400, description = "The body is not JSON.", body = ErrorBody),
        (status = 401, description = "No token, or an unknown or revoked one.", body = ErrorBody),
        (status = 404, description = "No child of the caller's family bears that id, or the child's school has no such activity.", body = ErrorBody),
        (status = 409, description = "The day cannot be booked now (closed, deadline passed, full); the message says why.", body = ErrorBody),
        (status = 422, description = "A member is missing or unreadable.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn book_day(
    State(kernel): State<Kernel>,
    ApiCaller(caller): ApiCaller,
    Path(child_id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: NewBooking = json_body(&body)?;
    let day = checked_input(&input)?;
    let own = own_child(&kernel, &caller, &child_id).await?;
    let activity = actions::activity_for(&kernel, &own.child, input.activity.trim())
        .await
        .map_err(booking_error)?;
    let booked = actions::book_for(&kernel, &caller, &own, &activity, day)
        .await
        .map_err(booking_error)?;
    let location = format!(
        "/api/v1/family/children/{child_id}/bookings?activity={}&from={day}&to={day}",
        activity.code
    );
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(BookedJson {
            activity: activity.code,
            date: day.to_string(),
            late: booked.late,
            cents: booked.cents,
        }),
    )
        .into_response())
}

fn checked_input(input: &NewBooking) -> Result<Date, ApiError> {
    let mut fields = Vec::new();
    if input.activity.trim().is_empty() {
        fields.push(FieldError {
            source: FieldSource::Body,
            key: "activity".into(),
            code: "required".into(),
            message: "Indiquez le code de l'activité.".into(),
        });
    }
    let day = input.date.trim().parse::<Date>();
    if day.is_err() {
        fields.push(FieldError {
            source: FieldSource::Body,
            key: "date".into(),
            code: if input.date.trim().is_empty() {
                "required".into()
            } else {
                "not_a_date".into()
            },
            message: "Indiquez le jour, au format AAAA-MM-JJ.".into(),
        });
    }
    match day {
        Ok(day) if fields.is_empty() => Ok(day),
        _ => Err(ApiError::Invalid(fields)),
    }
}

/// Cancels a booked day: free before the cancellation deadline, else the charge stays.
#[utoipa::path(
    delete,
    path = "/api/v1/family/children/{child}/bookings/{activity}/{date}",
    tag = "family",
    operation_id = "cancel_day",
    params(
        ("child" = String, Path, description = "The child's id."),
        ("activity" = String, Path, description = "The activity's code."),
        ("date" = String, Path, description = "The day, `YYYY-MM-DD`."),
    ),
    responses(
        (status = 200, description = "Cancelled; `charged_cents` is what stays charged after the deadline.", body = CancelledJson),
        (status = 400, description = "The date is unreadable.", body = ErrorBody),
        (status = 401, description = "No token, or an unknown or revoked one.", body = ErrorBody),
        (status = 404, description = "No child of the caller's family bears that id, or the child's school has no such activity.", body = ErrorBody),
        (status = 409, description = "The day is not booked, or has begun.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn cancel_day(
    State(kernel): State<Kernel>,
    ApiCaller(caller): ApiCaller,
    Path((child_id, code, date)): Path<(String, String, String)>,
) -> Result<Json<CancelledJson>, ApiError> {
    let day = parse_day(&date, "date")?;
    let own = own_child(&kernel, &caller, &child_id).await?;
    let activity = actions::activity_for(&kernel, &own.child, &code)
        .await
        .map_err(booking_error)?;
    let cancelled = actions::cancel_for(&kernel, &own, &activity, day)
        .await
        .map_err(booking_error)?;
    Ok(Json(CancelledJson {
        activity: code,
        date: day.to_string(),
        charged_cents: cancelled.charged_cents,
    }))
}

/// The family account's charge lines of a month, each with how it was computed.
#[utoipa::path(
    get,
    path = "/api/v1/family/charges",
    tag = "family",
    operation_id = "list_charges",
    params(MonthQuery),
    responses(
        (status = 200, description = "The month's lines, by day, and their total.", body = ChargeList),
        (status = 400, description = "The month is not `YYYY-MM`.", body = ErrorBody),
        (status = 401, description = "No token, or an unknown or revoked one.", body = ErrorBody),
        (status = 403, description = "`household` names another family and the caller is not of the family service.", body = ErrorBody),
        (status = 404, description = "The caller has no family file, or no household bears that id.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn list_charges(
    State(kernel): State<Kernel>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(query): ApiQuery<MonthQuery>,
) -> Result<Json<ChargeList>, ApiError> {
    let first = match query.month.as_deref() {
        Some(raw) => format!("{raw}-01").parse::<Date>().map_err(|_| {
            ApiError::InvalidParameter(format!(
                "Le paramètre « month » n'est pas un mois AAAA-MM : « {raw} »."
            ))
        })?,
        None => today(&kernel).first_of_month(),
    };
    let family = family_of(&kernel, &caller, query.household.as_deref()).await?;
    audit_agent(&kernel, &caller, &family, "charges").await?;
    let charges = store::charges_of_household(
        &kernel.db,
        &family.household_id,
        first,
        first.last_of_month(),
    )
    .await?;
    let codes = store::activity_codes(&kernel.db).await?;
    Ok(Json(ChargeList {
        household: family.household_id,
        month: first.strftime("%Y-%m").to_string(),
        total_cents: charges.iter().map(|c| c.cents).sum(),
        items: charges
            .iter()
            .map(|c| ChargeJson {
                date: c.day.to_string(),
                child: c.child_id.clone(),
                activity: codes.get(&c.activity_id).cloned().unwrap_or_default(),
                kind: c.kind.code().into(),
                cents: c.cents,
                explanation: c.explanation.clone(),
            })
            .collect(),
    }))
}

// ---------------------------------------------------------------- router

#[derive(OpenApi)]
#[openapi(tags((
    name = "family",
    description = "A family's children, the activities they book (canteen, after-school care, leisure centre), each day's deadline and price, bookings and charges. \
        A resident's token acts for their family; an agent of the family service reads a family with `?household=`."
)))]
struct FamilyDoc;

/// The family operations, to merge into the API (see `requests::api::router`).
pub fn routes() -> OpenApiRouter<Kernel> {
    OpenApiRouter::with_openapi(FamilyDoc::openapi())
        .routes(routes!(list_children))
        .routes(routes!(list_activities))
        .routes(routes!(list_days))
        .routes(routes!(list_bookings, book_day))
        .routes(routes!(cancel_day))
        .routes(routes!(list_charges))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_booking_needs_an_activity_and_a_readable_day() {
        let fields = match checked_input(&NewBooking::default()) {
            Err(ApiError::Invalid(fields)) => fields,
            other => panic!("{other:?}"),
        };
        let codes: Vec<_> = fields
            .iter()
            .map(|f| (f.key.as_str(), f.code.as_str()))
            .collect();
        assert_eq!(codes, [("activity", "required"), ("date", "required")]);
        let wrong = NewBooking {
            activity: "cantine".into(),
            date: "10/12/2026".into(),
        };
        match checked_input(&wrong) {
            Err(ApiError::Invalid(fields)) => assert_eq!(fields[0].code, "not_a_date"),
            other => panic!("{other:?}"),
        }
        let right = NewBooking {
            activity: "cantine".into(),
            date: "2026-12-10".into(),
        };
        assert_eq!(
            checked_input(&right).unwrap(),
            "2026-12-10".parse::<Date>().unwrap()
        );
    }

    #[test]
    fn the_document_describes_the_family_operations() {
        let doc = serde_json::to_value(routes().split_for_parts().1).unwrap();
        let paths = doc["paths"].as_object().unwrap();
        assert_eq!(paths.len(), 6, "{:?}", paths.keys());
        assert!(
            paths["/api/v1/family/children/{child}/bookings"]["post"]["requestBody"].is_object()
        );
    }
}
