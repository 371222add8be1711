//! The rest of an activity's administration, beside its booking rules: its opening
//! calendar with closed periods and exceptions (`…/calendrier`), its prices
//! (`…/tarifs`), and new activities created on the model of an existing one
//! (`POST /backoffice/activites`). Managers of the activity's service and administrators;
//! every change is audited with the values before and after.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kernel::audit::AuditTarget;
use kernel::web::forms::FormErrors;
use kernel::web::page::{self, FormPage, Page, Staff, render, render_status};
use kernel::{AppError, Caller, Kernel};
use tower_sessions::Session;

use crate::backoffice::{managed_activity, may_manage};
use crate::calendar::weekday_code;
use crate::model::{Activity, ActivityKind, Unit};
use crate::rules_form::Fields;
use crate::settings_form;
use crate::store::{self, Setting};

fn fields_of(body: &Bytes) -> Fields {
    url::form_urlencoded::parse(body).into_owned().collect()
}

fn errors_of(problems: Vec<(String, String)>) -> FormErrors {
    let mut errors = FormErrors::new();
    for (field, message) in problems {
        errors.add(&field, message);
    }
    errors
}

// ------------------------------------------------------------------ calendar and prices

#[derive(askama::Template)]
#[template(path = "bo_activity_settings.html")]
struct SettingsPage {
    page: Page,
    code: String,
    name: String,
    /// `calendrier` or `tarifs`.
    section: &'static str,
    fields: Fields,
    errors: FormErrors,
    weekdays: Vec<(&'static str, &'static str)>,
    excuses: Vec<(&'static str, &'static str)>,
    /// The calendar's lists: field, label, hint.
    lists: Vec<(&'static str, String, String)>,
    /// The rules of a presence without booking: value, label.
    presence_rules: Vec<(&'static str, String)>,
}

impl SettingsPage {
    fn v(&self, key: &str) -> String {
        self.fields.get(key).cloned().unwrap_or_default()
    }
    fn on(&self, key: &str) -> bool {
        self.fields.get(key).is_some_and(|v| v == "oui")
    }
}

fn settings_page(
    page: Page,
    activity: &Activity,
    section: &'static str,
    fields: Fields,
    errors: FormErrors,
) -> SettingsPage {
    let t = |key: &str| page.tr.t(key);
    let lists = vec![
        (
            "periods",
            t("activity-calendar-periods"),
            t("activity-calendar-periods-hint"),
        ),
        (
            "closed_days",
            t("activity-calendar-closed"),
            t("activity-calendar-closed-hint"),
        ),
        (
            "open_days",
            t("activity-calendar-open"),
            t("activity-calendar-open-hint"),
        ),
    ];
    let presence_rules = vec![
        ("fixe", t("activity-pricing-presence-fixed")),
        ("majoration", t("activity-pricing-presence-surcharge")),
        ("pourcentage", t("activity-pricing-presence-percent")),
    ];
    SettingsPage {
        lists,
        presence_rules,
        page,
        code: activity.code.clone(),
        name: activity.name.clone(),
        section,
        fields,
        errors,
        weekdays: weekday_code::ALL
            .iter()
            .map(|(d, code)| (*code, crate::deadlines::weekday_fr(*d)))
            .collect(),
        excuses: [
            crate::pricing::Excuse::MedicalCertificate,
            crate::pricing::Excuse::Strike,
            crate::pricing::Excuse::SchoolTrip,
            crate::pricing::Excuse::TeacherAbsent,
        ]
        .iter()
        .map(|e| (e.code(), e.label_fr()))
        .collect(),
    }
}

pub async fn calendar_form(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let activity = managed_activity(&kernel, &caller, &code).await?;
    let fields = settings_form::fill_calendar(&activity.calendar);
    let view = settings_page(page, &activity, "calendrier", fields, FormErrors::new());
    Ok(render(&view)?.into_response())
}

pub async fn pricing_form(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let activity = managed_activity(&kernel, &caller, &code).await?;
    let fields = settings_form::fill_pricing(&activity.pricing);
    let view = settings_page(page, &activity, "tarifs", fields, FormErrors::new());
    Ok(render(&view)?.into_response())
}

/// Saves a setting once read without a problem, audited with its old and new values.
async fn save(
    kernel: &Kernel,
    caller: &Caller,
    activity: &Activity,
    setting: Setting,
    before: serde_json::Value,
    after: serde_json::Value,
) -> Result<(), AppError> {
    let mut tx = kernel.db.begin().await?;
    store::update_setting(&mut tx, &activity.id, setting, &after, kernel.now()).await?;
    kernel
        .audit(
            &mut tx,
            caller,
            setting.audit_action(),
            Some(&AuditTarget::new("activity", &activity.id)),
            serde_json::json!({ "before": before, "after": after }),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn save_calendar(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let activity = managed_activity(&kernel, &caller, &code).await?;
    let fields = fields_of(&body);
    match settings_form::parse_calendar(&fields) {
        Ok(calendar) => {
            let cancelled =
                save_calendar_closing_days(&kernel, &caller, &activity, &calendar).await?;
            let message = if cancelled == 0 {
                page.tr.t("activity-calendar-saved")
            } else {
                page.tr
                    .t1("activity-calendar-saved-cancelled", "count", cancelled)
            };
            page::flash(&session, "success", message).await?;
            Ok(Redirect::to(&format!("/backoffice/activites/{code}/calendrier")).into_response())
        }
        Err(problems) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &settings_page(page, &activity, "calendrier", fields, errors_of(problems)),
        ),
    }
}

/// Saves a new calendar; the days it newly closes lose their bookings free of charge, in
/// the same transaction, and each family is told by e-mail. Returns how many bookings.
async fn save_calendar_closing_days(
    kernel: &Kernel,
    caller: &Caller,
    activity: &Activity,
    calendar: &crate::calendar::OpeningCalendar,
) -> Result<usize, AppError> {
    let today = kernel.now().to_zoned(crate::deadlines::paris()).date();
    // Read before the transaction: the bookings of days now closed, and whom to tell.
    let closing: Vec<_> = store::booked_in_activity_from(&kernel.db, &activity.id, today)
        .await?
        .into_iter()
        .filter(|b| activity.calendar.closure(b.day).is_none() && calendar.closure(b.day).is_some())
        .collect();
    let mut letters = Vec::new();
    for b in &closing {
        let child = family::store::children_by_ids(&kernel.db, std::slice::from_ref(&b.child_id))
            .await?
            .into_iter()
            .next()
            .map(|c| c.person.given_name)
            .unwrap_or_default();
        let why = calendar
            .closure(b.day)
            .map(|c| crate::actions::closed_sentence(&crate::deadlines::WhyClosed::NotRunning(c)))
            .unwrap_or_default();
        for adult in family::store::adults(&kernel.db, &b.household_id).await? {
            if adult.person.email.is_empty() {
                continue;
            }
            letters.push(kernel::outbox::Email {
                to: adult.person.email.clone(),
                subject: format!(
                    "{} fermé le {}",
                    activity.name,
                    crate::deadlines::date_fr(b.day)
                ),
                text: format!(
                    "Bonjour,\n\n« {} » ne fonctionnera pas le {}. {}\nLa réservation de {} pour ce jour est annulée sans frais.\n\nVos réservations : {}\n\nLe service enfance\n",
                    activity.name,
                    crate::deadlines::date_fr(b.day),
                    why,
                    child,
                    kernel.link("/famille/reservations"),
                ),
                html: None,
            });
        }
    }
    let mut tx = kernel.db.begin().await?;
    let after = serde_json::json!(calendar);
    store::update_setting(
        &mut tx,
        &activity.id,
        Setting::Calendar,
        &after,
        kernel.now(),
    )
    .await?;
    let cancelled = crate::actions::cancel_by_commune(&mut tx, &closing, kernel.now()).await?;
    kernel
        .audit(
            &mut tx,
            caller,
            Setting::Calendar.audit_action(),
            Some(&AuditTarget::new("activity", &activity.id)),
            serde_json::json!({
                "before": activity.calendar,
                "after": after,
                "bookings_cancelled": cancelled.len(),
            }),
        )
        .await?;
    for letter in &letters {
        kernel::outbox::enqueue_email(&mut tx, kernel.now(), letter).await?;
    }
    tx.commit().await?;
    for b in &cancelled {
        crate::actions::publish_booking_change(kernel, &b.activity_id, b.day).await;
    }
    Ok(cancelled.len())
}

pub async fn save_pricing(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let activity = managed_activity(&kernel, &caller, &code).await?;
    let fields = fields_of(&body);
    match settings_form::parse_pricing(&fields) {
        Ok(pricing) => {
            save(
                &kernel,
                &caller,
                &activity,
                Setting::Pricing,
                serde_json::json!(activity.pricing),
                serde_json::json!(pricing),
            )
            .await?;
            page::flash(&session, "success", page.tr.t("activity-pricing-saved")).await?;
            Ok(Redirect::to(&format!("/backoffice/activites/{code}/tarifs")).into_response())
        }
        Err(problems) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &settings_page(page, &activity, "tarifs", fields, errors_of(problems)),
        ),
    }
}

// ------------------------------------------------------------------ « cantine à 1 € »

#[derive(askama::Template)]
#[template(path = "bo_one_euro.html")]
struct OneEuroPage {
    page: Page,
    code: String,
    name: String,
    problems: Vec<&'static str>,
    /// Period, meals, aid at 3 €, aid at 4 €.
    rows: Vec<(String, i64, String, String)>,
}

/// `GET /backoffice/activites/{code}/cantine-a-1-euro`: whether the grid qualifies, and
/// the subsidised meals of the current four-month period and the five before.
pub async fn one_euro(
    State(kernel): State<Kernel>,
    page: Page,
    Staff(caller): Staff,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    use crate::one_euro::{ClaimPeriod, MAX_PRICE_CENTS, claims, grid_problems};
    let activity = managed_activity(&kernel, &caller, &code).await?;
    let today = kernel.now().to_zoned(crate::deadlines::paris()).date();
    let mut periods = vec![ClaimPeriod::of(today)];
    for _ in 0..5 {
        let before = periods[periods.len() - 1].previous();
        periods.push(before);
    }
    let first = periods[periods.len() - 1].first_day();
    // Meals served: up to today, not the days booked ahead.
    let monthly =
        store::cheap_meals_by_month(&kernel.db, &activity.id, first, today, MAX_PRICE_CENTS)
            .await?;
    let rows = claims(&monthly, &periods)
        .iter()
        .map(|c| {
            (
                c.period.label_fr(),
                c.meals,
                crate::pricing::euros(c.aid_cents(false)),
                crate::pricing::euros(c.aid_cents(true)),
            )
        })
        .collect();
    let view = OneEuroPage {
        page,
        code: activity.code.clone(),
        name: activity.name.clone(),
        problems: grid_problems(&activity.pricing.grid),
        rows,
    };
    Ok(render(&view)?.into_response())
}

// ------------------------------------------------------------------ a new activity

/// What a new activity takes from the form; its calendar, rules and prices come from the
/// model chosen, to be adjusted on its pages.
#[derive(Debug)]
pub struct NewActivity {
    pub code: String,
    pub name: String,
    pub kind: ActivityKind,
    pub school: String,
    pub unit: Unit,
    pub capacity: Option<i64>,
    pub model: String,
}

/// Reads the creation form: every problem next to its field.
pub fn parse_new(f: &Fields) -> Result<NewActivity, Vec<(String, String)>> {
    let get = |k: &str| f.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let mut problems = Vec::new();
    let code = get("code");
    if code.len() < 3
        || code.len() > 60
        || !code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        problems.push((
            "code".into(),
            "Le code a de 3 à 60 caractères : minuscules sans accent, chiffres et tirets (par exemple « garderie-matin-pasteur »).".into(),
        ));
    }
    let name = get("name");
    if name.is_empty() || name.chars().count() > 150 {
        problems.push((
            "name".into(),
            "Donnez un nom à l'activité (150 caractères au plus).".into(),
        ));
    }
    let school = get("school");
    if school.is_empty() || school.chars().count() > 150 {
        problems.push((
            "school".into(),
            "Indiquez l'école dont les enfants fréquentent l'activité, écrite comme dans les dossiers famille.".into(),
        ));
    }
    let kind = ActivityKind::from_code(&get("kind"));
    if kind.is_none() {
        problems.push(("kind".into(), "Choisissez le type d'activité.".into()));
    }
    let unit = Unit::from_code(&get("unit"));
    if unit.is_none() {
        problems.push((
            "unit".into(),
            "Choisissez ce qu'une réservation achète.".into(),
        ));
    }
    let capacity = match get("capacity").as_str() {
        "" => Some(None),
        raw => raw
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=10_000).contains(n))
            .map(Some),
    };
    if capacity.is_none() {
        problems.push((
            "capacity".into(),
            "La capacité est un nombre de places de 1 à 10 000, ou vide quand il n'y a pas de limite.".into(),
        ));
    }
    if get("model").is_empty() {
        problems.push((
            "model".into(),
            "Choisissez l'activité qui sert de modèle.".into(),
        ));
    }
    match (kind, unit, capacity, problems.is_empty()) {
        (Some(kind), Some(unit), Some(capacity), true) => Ok(NewActivity {
            code,
            name,
            kind,
            school,
            unit,
            capacity,
            model: get("model"),
        }),
        _ => Err(problems),
    }
}

/// The form's problems, or the model the caller may copy.
pub async fn create(
    kernel: &Kernel,
    caller: &Caller,
    fields: &Fields,
) -> Result<Result<Activity, FormErrors>, AppError> {
    let new = match parse_new(fields) {
        Ok(new) => new,
        Err(problems) => return Ok(Err(errors_of(problems))),
    };
    let Some(model) = store::activity_by_code(&kernel.db, &new.model)
        .await?
        .filter(|a| may_manage(caller, a))
    else {
        return Ok(Err(errors_of(vec![(
            "model".into(),
            "Choisissez une activité de vos services comme modèle.".into(),
        )])));
    };
    if store::activity_by_code(&kernel.db, &new.code)
        .await?
        .is_some()
    {
        return Ok(Err(errors_of(vec![(
            "code".into(),
            "Une activité porte déjà ce code.".into(),
        )])));
    }
    let activity = Activity {
        id: store::new_id(),
        code: new.code,
        name: new.name,
        kind: new.kind,
        school: new.school,
        service_id: model.service_id.clone(),
        unit: new.unit,
        capacity: new.capacity,
        calendar: model.calendar.clone(),
        rules: model.rules.clone(),
        pricing: model.pricing.clone(),
        active: true,
    };
    let mut tx = kernel.db.begin().await?;
    match store::insert_activity(&mut tx, &activity, kernel.now()).await {
        Ok(()) => {}
        // Another manager took the code between the check and now.
        Err(e)
            if e.as_database_error()
                .is_some_and(|d| d.is_unique_violation()) =>
        {
            return Ok(Err(errors_of(vec![(
                "code".into(),
                "Une activité porte déjà ce code.".into(),
            )])));
        }
        Err(e) => return Err(e.into()),
    }
    kernel
        .audit(
            &mut tx,
            caller,
            "bookings.activity_created",
            Some(&AuditTarget::new("activity", &activity.id)),
            serde_json::json!({ "code": activity.code, "model": model.code }),
        )
        .await?;
    tx.commit().await?;
    Ok(Ok(activity))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_new_activity_needs_a_clean_code_a_name_a_school_and_a_model() {
        let new = parse_new(&fields(&[
            ("code", "garderie-matin-jules-ferry"),
            ("name", "Garderie du matin"),
            ("kind", "garderie-matin"),
            ("school", "École élémentaire Jules-Ferry"),
            ("unit", "seance"),
            ("capacity", "40"),
            ("model", "garderie-soir-jules-ferry"),
        ]))
        .unwrap();
        assert_eq!(new.capacity, Some(40));
        assert_eq!(new.kind, ActivityKind::MorningCare);
        let problems = parse_new(&fields(&[
            ("code", "Garderie Matin"),
            ("kind", "piscine"),
            ("unit", "seance"),
            ("capacity", "0"),
        ]))
        .unwrap_err();
        let keys: Vec<_> = problems.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            ["code", "name", "school", "kind", "capacity", "model"]
        );
        let unlimited = parse_new(&fields(&[
            ("code", "cantine-pasteur"),
            ("name", "Restaurant scolaire Pasteur"),
            ("kind", "cantine"),
            ("school", "École Pasteur"),
            ("unit", "repas"),
            ("capacity", ""),
            ("model", "cantine-elementaire-jules-ferry"),
        ]))
        .unwrap();
        assert_eq!(unlimited.capacity, None);
    }
}
