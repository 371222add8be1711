//! The parents' pages: a month per child (`/famille/reservations/{child}`) with, for each
//! activity of the child's school, every day's state, deadline and price, and one button
//! to book or cancel it; a weekly pattern; and the family account's charge lines with how
//! each was computed (`/famille/compte`). Everything works without JavaScript.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jiff::ToSpan;
use jiff::civil::{Date, Weekday};
use kernel::web::page::{self, FormPage, LoggedIn, Page, render};
use kernel::{AppError, Kernel};
use serde::Deserialize;
use tower_sessions::Session;

use crate::actions::{self, BookingError, OwnChild, closed_sentence};
use crate::calendar::weekday_code;
use crate::days::{self, DayState, DayStatus};
use crate::deadlines::{CancellationWindow, day_fr, moment_fr, paris, weekday_fr};
use crate::model::Activity;
use crate::pricing::euros;
use crate::store;

pub fn router() -> Router<Kernel> {
    Router::new()
        .route("/famille/reservations", get(children))
        .route(
            "/famille/reservations/{child}",
            get(month).post(book_or_cancel),
        )
        .route("/famille/reservations/{child}/semaine-type", post(pattern))
        .route("/famille/compte", get(account))
        .route("/backoffice/familles/{id}/compte", get(agent_account))
}

use crate::deadlines::MONTHS_FR as MONTHS;

pub(crate) fn month_label(first: Date) -> String {
    format!(
        "{} {}",
        MONTHS[usize::try_from(first.month() - 1).unwrap_or(0)],
        first.year()
    )
}

fn long_day(day: Date) -> String {
    format!(
        "{} {}",
        day_fr(day),
        MONTHS[usize::try_from(day.month() - 1).unwrap_or(0)]
    )
}

/// The first day of `?mois=2026-12`, or of the current month.
fn month_start(raw: Option<&str>, today: Date) -> Date {
    raw.and_then(|m| format!("{m}-01").parse::<Date>().ok())
        .unwrap_or(today)
        .first_of_month()
}

fn today(kernel: &Kernel) -> Date {
    kernel.now().to_zoned(paris()).date()
}

struct Posted(Vec<(String, String)>);

impl Posted {
    fn parse(body: &Bytes) -> Posted {
        Posted(url::form_urlencoded::parse(body).into_owned().collect())
    }
    fn text(&self, key: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    }
    fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

// ------------------------------------------------------------------ children

#[derive(askama::Template)]
#[template(path = "bookings_children.html")]
struct ChildrenPage {
    page: Page,
    children: Vec<(String, String)>,
}

async fn children(
    State(kernel): State<Kernel>,
    page: Page,
    LoggedIn(caller): LoggedIn,
) -> Result<Response, AppError> {
    let Some(household) = family::actions::my_household(&kernel, &caller).await? else {
        return Ok(Redirect::to("/famille").into_response());
    };
    let children = family::store::children(&kernel.db, &household.id)
        .await?
        .into_iter()
        .map(|c| (c.person.id.clone(), c.person.full_name()))
        .collect();
    render(&ChildrenPage { page, children }).map(IntoResponse::into_response)
}

// ------------------------------------------------------------------ a child's month

pub struct DayRow {
    /// `2026-12-07`.
    pub date: String,
    pub anchor: String,
    pub label: String,
    pub state: String,
    /// `reserver` or `annuler`, with the button's words.
    pub action: Option<(&'static str, String)>,
    pub booked: bool,
    /// The day's menu and its allergens, where the kitchen published it.
    pub menu: Option<MenuLine>,
}

pub struct MenuLine {
    pub dishes: String,
    pub allergens: String,
    pub vegetarian: bool,
}

pub struct ActivityMonth {
    pub code: String,
    pub name: String,
    pub days: Vec<DayRow>,
    pub weekdays: Vec<(&'static str, &'static str)>,
    pub pattern_from: String,
    pub pattern_until: String,
}

#[derive(askama::Template)]
#[template(path = "bookings_month.html")]
struct MonthPage {
    page: Page,
    child_id: String,
    child_name: String,
    month: String,
    month_label: String,
    previous: String,
    next: String,
    activities: Vec<ActivityMonth>,
}

#[derive(Deserialize)]
struct MonthQuery {
    mois: Option<String>,
}

async fn activity_month(
    kernel: &Kernel,
    household_id: &str,
    child_id: &str,
    activity: &Activity,
    quotients: &[family::rules::QuotientRecord],
    first: Date,
) -> Result<ActivityMonth, AppError> {
    let menus =
        store::menus_between(&kernel.db, &activity.id, first, first.last_of_month()).await?;
    let days = days::days_of_child(
        kernel,
        household_id,
        child_id,
        activity,
        quotients,
        first,
        first.last_of_month(),
    )
    .await?
    .iter()
    .map(|status| {
        let mut row = day_row(activity, status);
        row.menu = menus
            .iter()
            .find(|m| m.day == status.day)
            .map(|m| MenuLine {
                dishes: m.dishes_fr(),
                allergens: m.allergens_fr(),
                vegetarian: m.vegetarian,
            });
        row
    })
    .collect();
    let today = today(kernel);
    let from = today.max(activity.calendar.first_day);
    Ok(ActivityMonth {
        code: activity.code.clone(),
        name: activity.name.clone(),
        days,
        weekdays: weekday_code::ALL
            .iter()
            .filter(|(d, _)| activity.calendar.weekdays.contains(d))
            .map(|(d, code)| (*code, weekday_fr(*d)))
            .collect(),
        pattern_from: from.to_string(),
        pattern_until: activity.calendar.until_next_holidays(from).to_string(),
    })
}

/// A day in words, with the one button it offers.
fn day_row(activity: &Activity, status: &DayStatus) -> DayRow {
    let day = status.day;
    let prefix = if status.cancelled_late {
        "Annulé après le délai (facturé). "
    } else {
        ""
    };
    let cancel = || Some(("annuler", format!("Annuler le {}", long_day(day))));
    let (state, action) = match &status.state {
        DayState::Booked {
            price,
            cancellation,
        } => {
            let price = euros(price.cents);
            match cancellation {
                None => (format!("Réservé ({price})."), None),
                Some(CancellationWindow::Free { until }) => (
                    format!(
                        "Réservé ({price}). Annulation sans frais jusqu'au {}.",
                        moment_fr(until)
                    ),
                    cancel(),
                ),
                Some(CancellationWindow::Charged { .. }) => (
                    format!(
                        "Réservé ({price}). Le délai d'annulation est passé : une annulation serait facturée."
                    ),
                    cancel(),
                ),
            }
        }
        DayState::Closed(why) => (format!("{prefix}{}", closed_sentence(why)), None),
        DayState::BookedByOtherHousehold => (
            "Réservé par l'autre foyer de l'enfant (garde alternée).".to_string(),
            None,
        ),
        DayState::Full {
            waiting_rank: Some(position),
            ..
        } => (
            format!(
                "{prefix}Complet. En liste d'attente (rang {position}) : la première place libérée vous sera attribuée."
            ),
            Some((
                "quitter-attente",
                format!("Quitter la liste d'attente du {}", long_day(day)),
            )),
        ),
        DayState::Full {
            waiting_rank: None, ..
        } => (
            format!("{prefix}Complet."),
            Some(("attendre", format!("Liste d'attente du {}", long_day(day)))),
        ),
        DayState::Bookable {
            closes_at,
            late: false,
            price,
        } => (
            format!(
                "{prefix}Réservable jusqu'au {} ({}).",
                moment_fr(closes_at),
                euros(price.cents)
            ),
            Some(("reserver", format!("Réserver le {}", long_day(day)))),
        ),
        DayState::Bookable {
            closes_at,
            late: true,
            price,
        } => (
            format!(
                "{prefix}Délai normal dépassé : réservation de dernière minute jusqu'au {} ({}).",
                moment_fr(closes_at),
                euros(price.cents)
            ),
            Some((
                "reserver",
                format!("Réserver le {} (dernière minute)", long_day(day)),
            )),
        ),
    };
    DayRow {
        date: day.to_string(),
        anchor: format!("jour-{}-{day}", activity.code),
        label: day_fr(day),
        state,
        action,
        booked: matches!(status.state, DayState::Booked { .. }),
        menu: None,
    }
}

async fn month_page(
    kernel: &Kernel,
    page: Page,
    own: &OwnChild,
    first: Date,
) -> Result<MonthPage, AppError> {
    let activities = store::activities_for_school(&kernel.db, &own.child.profile.school).await?;
    let quotients = family::documents::quotients(&kernel.db, &own.household_id).await?;
    let mut months = Vec::with_capacity(activities.len());
    for activity in &activities {
        months.push(
            activity_month(
                kernel,
                &own.household_id,
                &own.child.person.id,
                activity,
                &quotients,
                first,
            )
            .await?,
        );
    }
    let ym = |d: Date| d.strftime("%Y-%m").to_string();
    Ok(MonthPage {
        page,
        child_id: own.child.person.id.clone(),
        child_name: own.child.person.full_name(),
        month: ym(first),
        month_label: month_label(first),
        previous: ym(first.saturating_sub(1.month())),
        next: ym(first.saturating_add(1.month())),
        activities: months,
    })
}

async fn month(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    LoggedIn(caller): LoggedIn,
    Path(child): Path<String>,
    Query(query): Query<MonthQuery>,
) -> Result<Html<String>, AppError> {
    let own = actions::own_child(&kernel, &caller, &child).await?;
    let first = month_start(query.mois.as_deref(), today(&kernel));
    render(&month_page(&kernel, page, &own, first).await?)
}

fn back_to(child: &str, month: &str, anchor: &str) -> String {
    let month = if month.len() == 7 && month.chars().all(|c| c.is_ascii_digit() || c == '-') {
        month
    } else {
        ""
    };
    format!("/famille/reservations/{child}?mois={month}#{anchor}")
}

async fn book_or_cancel(
    State(kernel): State<Kernel>,
    LoggedIn(caller): LoggedIn,
    session: Session,
    Path(child): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let posted = Posted::parse(&body);
    let activity = posted.text("activite");
    let Ok(day) = posted.text("jour").parse::<Date>() else {
        return Err(AppError::BadRequest("jour illisible".into()));
    };
    let anchor = format!("jour-{activity}-{day}");
    let back = back_to(&child, &posted.text("mois"), &anchor);
    let outcome = match posted.text("action").as_str() {
        "reserver" => actions::book(&kernel, &caller, &child, &activity, day)
            .await
            .map(|b| {
                format!(
                    "Réservé : le {}{} ({}).",
                    long_day(day),
                    if b.late { ", en dernière minute" } else { "" },
                    euros(b.cents)
                )
            }),
        "annuler" => actions::cancel(&kernel, &caller, &child, &activity, day)
            .await
            .map(|c| match c.charged_cents {
                None => format!("Annulé sans frais : le {}.", long_day(day)),
                Some(cents) => format!(
                    "Annulé : le {}. Le délai était passé, {} restent facturés.",
                    long_day(day),
                    euros(cents)
                ),
            }),
        "attendre" => actions::join_waiting_list(&kernel, &caller, &child, &activity, day)
            .await
            .map(|()| {
                format!(
                    "En liste d'attente pour le {} : si une place se libère, elle vous est attribuée et vous êtes prévenu par courriel.",
                    long_day(day)
                )
            }),
        "quitter-attente" => actions::leave_waiting_list(&kernel, &caller, &child, &activity, day)
            .await
            .map(|()| format!("Vous avez quitté la liste d'attente du {}.", long_day(day))),
        _ => return Err(AppError::BadRequest("action inconnue".into())),
    };
    match outcome {
        Ok(message) => page::flash(&session, "success", message).await?,
        Err(BookingError::Refused(why)) => page::flash(&session, "error", why).await?,
        Err(BookingError::Full) => {
            page::flash(
                &session,
                "error",
                format!("Le {} est complet.", long_day(day)),
            )
            .await?
        }
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to(&back).into_response())
}

async fn pattern(
    State(kernel): State<Kernel>,
    LoggedIn(caller): LoggedIn,
    session: Session,
    Path(child): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let posted = Posted::parse(&body);
    let activity = posted.text("activite");
    let back = back_to(
        &child,
        &posted.text("mois"),
        &format!("semaine-type-{activity}"),
    );
    let weekdays: Vec<Weekday> = posted
        .all("jours")
        .iter()
        .filter_map(|c| weekday_code::parse(c))
        .collect();
    let from = family::rules::parse_date(&posted.text("du"));
    let until = family::rules::parse_date(&posted.text("au"));
    let (Some(from), Some(until)) = (from, until) else {
        page::flash(
            &session,
            "error",
            "Indiquez les dates de début et de fin de la semaine type.".into(),
        )
        .await?;
        return Ok(Redirect::to(&back).into_response());
    };
    if weekdays.is_empty() || until < from {
        page::flash(
            &session,
            "error",
            "Cochez au moins un jour, et une fin après le début.".into(),
        )
        .await?;
        return Ok(Redirect::to(&back).into_response());
    }
    let outcome =
        actions::book_pattern(&kernel, &caller, &child, &activity, from, until, &weekdays).await?;
    let mut message = match outcome.booked.len() {
        0 => "Aucun jour n'a été réservé.".to_string(),
        1 => "1 jour réservé.".to_string(),
        n => format!("{n} jours réservés."),
    };
    if !outcome.skipped.is_empty() {
        message.push_str(&format!(
            " {} jour(s) non réservé(s) : {}",
            outcome.skipped.len(),
            outcome
                .skipped
                .iter()
                .take(5)
                .map(|(d, why)| format!("{} — {why}", long_day(*d)))
                .collect::<Vec<_>>()
                .join(" ; ")
        ));
    }
    page::flash(&session, "success", message).await?;
    Ok(Redirect::to(&back).into_response())
}

// ------------------------------------------------------------------ the account

pub struct ChargeRow {
    pub day: String,
    pub child: String,
    pub activity: String,
    pub kind: &'static str,
    pub amount: String,
    pub explanation: String,
}

#[derive(askama::Template)]
#[template(path = "bookings_account.html")]
struct AccountPage {
    page: Page,
    /// Where the month links lead: the family's page, or the agent's for one household.
    path: String,
    /// For an agent: the household's name and file.
    household: Option<(String, String)>,
    month_label: String,
    previous: String,
    next: String,
    lines: Vec<ChargeRow>,
    total: String,
}

async fn account(
    State(kernel): State<Kernel>,
    page: Page,
    LoggedIn(caller): LoggedIn,
    Query(query): Query<MonthQuery>,
) -> Result<Response, AppError> {
    let Some(household) = family::actions::my_household(&kernel, &caller).await? else {
        return Ok(Redirect::to("/famille").into_response());
    };
    let first = month_start(query.mois.as_deref(), today(&kernel));
    account_page(&kernel, page, &household.id, None, first)
        .await
        .map(IntoResponse::into_response)
}

/// `/backoffice/familles/{id}/compte`: the family service reads a family's lines, each
/// with how it was computed, to answer « why did I pay 4,49 € ? ». Audited like the file.
async fn agent_account(
    State(kernel): State<Kernel>,
    page: Page,
    kernel::web::page::Staff(caller): kernel::web::page::Staff,
    Path(id): Path<String>,
    Query(query): Query<MonthQuery>,
) -> Result<Response, AppError> {
    if !family::documents::is_family_agent(&kernel, &caller).await? {
        return Err(AppError::Forbidden);
    }
    let household = family::store::household(&kernel.db, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    kernel
        .audit_view(
            &caller,
            "family.file_viewed",
            Some(&kernel::audit::AuditTarget::new("household", &household.id)),
            serde_json::json!({ "part": "account" }),
        )
        .await?;
    let first = month_start(query.mois.as_deref(), today(&kernel));
    account_page(&kernel, page, &household.id, Some(household.label), first)
        .await
        .map(IntoResponse::into_response)
}

async fn account_page(
    kernel: &Kernel,
    page: Page,
    household_id: &str,
    agent_view: Option<String>,
    first: Date,
) -> Result<Html<String>, AppError> {
    let charges =
        store::charges_of_household(&kernel.db, household_id, first, first.last_of_month()).await?;
    let children = family::store::children(&kernel.db, household_id).await?;
    let mut names = std::collections::HashMap::new();
    for c in &children {
        names.insert(c.person.id.clone(), c.person.given_name.clone());
    }
    let activities = store::activity_names(&kernel.db).await?;
    let lines = charges
        .iter()
        .map(|charge| ChargeRow {
            day: long_day(charge.day),
            child: names.get(&charge.child_id).cloned().unwrap_or_default(),
            activity: activities
                .get(&charge.activity_id)
                .cloned()
                .unwrap_or_default(),
            kind: charge.kind.label_fr(),
            amount: euros(charge.cents),
            explanation: charge.explanation.clone(),
        })
        .collect();
    let ym = |d: Date| d.strftime("%Y-%m").to_string();
    render(&AccountPage {
        page,
        path: match &agent_view {
            Some(_) => format!("/backoffice/familles/{household_id}/compte"),
            None => "/famille/compte".into(),
        },
        household: agent_view.map(|label| (label, format!("/backoffice/familles/{household_id}"))),
        month_label: month_label(first),
        previous: ym(first.saturating_sub(1.month())),
        next: ym(first.saturating_add(1.month())),
        total: euros(charges.iter().map(|c| c.cents).sum()),
        lines,
    })
}

/// The family's next booked days on `/mon-espace`, with the way to book and the account.
pub struct MyBookings;

#[async_trait::async_trait]
impl kernel::space::SpaceSection for MyBookings {
    async fn view(
        &self,
        kernel: &Kernel,
        caller: &kernel::Caller,
        tr: &kernel::i18n::Tr,
    ) -> Result<kernel::space::SpaceView, sqlx::Error> {
        use kernel::space::{SpaceLink, SpaceView};
        let household = match caller.identity.as_ref() {
            Some(identity) => {
                family::store::household_of_user(&kernel.db, &identity.user_id).await?
            }
            None => None,
        };
        let Some(household) = household else {
            return Ok(SpaceView {
                title: tr.t("bookings-space-title"),
                links: Vec::new(),
                empty: tr.t("bookings-space-no-file"),
                more: Vec::new(),
            });
        };
        let upcoming =
            store::upcoming_bookings(&kernel.db, &household.id, today(kernel), 5).await?;
        let names: std::collections::HashMap<String, String> =
            family::store::children(&kernel.db, &household.id)
                .await?
                .into_iter()
                .map(|c| (c.person.id, c.person.given_name))
                .collect();
        let activities = store::activity_names(&kernel.db).await?;
        let codes = store::activity_codes(&kernel.db).await?;
        let links = upcoming
            .iter()
            .map(|b| SpaceLink {
                label: format!(
                    "{} — {} : {}",
                    names.get(&b.child_id).cloned().unwrap_or_default(),
                    long_day(b.day),
                    activities.get(&b.activity_id).cloned().unwrap_or_default()
                ),
                href: format!(
                    "/famille/reservations/{}?mois={}#jour-{}-{}",
                    b.child_id,
                    b.day.strftime("%Y-%m"),
                    codes.get(&b.activity_id).cloned().unwrap_or_default(),
                    b.day
                ),
            })
            .collect();
        Ok(SpaceView {
            title: tr.t("bookings-space-title"),
            links,
            empty: tr.t("bookings-space-none"),
            more: vec![
                SpaceLink {
                    label: tr.t("bookings-space-book"),
                    href: "/famille/reservations".into(),
                },
                SpaceLink {
                    label: tr.t("bookings-space-account"),
                    href: "/famille/compte".into(),
                },
            ],
        })
    }
}
