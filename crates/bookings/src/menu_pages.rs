//! The canteen's menus in the back office (`/backoffice/activites/{code}/menus`): a
//! month's menus as families will read them, and the import of a table pasted from the
//! kitchen's spreadsheet. Managers of the activity's service and administrators only;
//! each import is audited.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::ToSpan;
use jiff::civil::Date;
use kernel::audit::AuditTarget;
use kernel::web::page::{self, FormPage, Page, Staff, render, render_status};
use kernel::{AppError, Kernel};
use serde::Deserialize;
use tower_sessions::Session;

use crate::backoffice::managed_activity;
use crate::deadlines::{day_fr, paris};
use crate::menus::{self, COLUMNS, Menu};
use crate::store;

#[derive(askama::Template)]
#[template(path = "bo_menus.html")]
struct MenusPage {
    page: Page,
    code: String,
    name: String,
    month_label: String,
    previous: String,
    next: String,
    menus: Vec<(String, Menu)>,
    columns: String,
    table: String,
    problems: Vec<String>,
}

#[derive(Deserialize)]
pub struct MonthQuery {
    mois: Option<String>,
}

fn first_of(raw: Option<&str>, kernel: &Kernel) -> Date {
    raw.and_then(|m| format!("{m}-01").parse::<Date>().ok())
        .unwrap_or_else(|| kernel.now().to_zoned(paris()).date())
        .first_of_month()
}

async fn menus_page(
    kernel: &Kernel,
    page: Page,
    activity: &crate::model::Activity,
    first: Date,
    table: String,
    problems: Vec<String>,
) -> Result<MenusPage, AppError> {
    let ym = |d: Date| d.strftime("%Y-%m").to_string();
    let menus = store::menus_between(&kernel.db, &activity.id, first, first.last_of_month())
        .await?
        .into_iter()
        .map(|m| (day_fr(m.day), m))
        .collect();
    Ok(MenusPage {
        page,
        code: activity.code.clone(),
        name: activity.name.clone(),
        month_label: crate::web::month_label(first),
        previous: ym(first.saturating_sub(1.month())),
        next: ym(first.saturating_add(1.month())),
        menus,
        columns: COLUMNS.join(" ; "),
        table,
        problems,
    })
}

pub async fn show(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    Path(code): Path<String>,
    Query(query): Query<MonthQuery>,
) -> Result<Response, AppError> {
    let activity = managed_activity(&kernel, &caller, &code).await?;
    let first = first_of(query.mois.as_deref(), &kernel);
    let view = menus_page(&kernel, page, &activity, first, String::new(), vec![]).await?;
    Ok(render(&view)?.into_response())
}

/// `POST`: imports a pasted table; a table with any wrong line changes nothing, and every
/// problem is listed with its line.
pub async fn import(
    State(kernel): State<Kernel>,
    FormPage(page): FormPage,
    Staff(caller): Staff,
    session: Session,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let activity = managed_activity(&kernel, &caller, &code).await?;
    let table = url::form_urlencoded::parse(&body)
        .find(|(k, _)| k == "menus")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    match menus::parse_table(&table) {
        Ok(parsed) => {
            let mut tx = kernel.db.begin().await?;
            store::save_menus(
                &mut tx,
                &activity.id,
                &parsed,
                caller.identity.as_ref().map(|i| i.user_id.as_str()),
                kernel.now(),
            )
            .await?;
            kernel
                .audit(
                    &mut tx,
                    &caller,
                    "bookings.menus_imported",
                    Some(&AuditTarget::new("activity", &activity.id)),
                    serde_json::json!({
                        "days": parsed.len(),
                        "from": parsed.first().map(|m| m.day.to_string()),
                        "until": parsed.last().map(|m| m.day.to_string()),
                    }),
                )
                .await?;
            tx.commit().await?;
            let month = parsed
                .first()
                .map(|m| m.day.strftime("%Y-%m").to_string())
                .unwrap_or_default();
            page::flash(
                &session,
                "success",
                format!("{} menus enregistrés.", parsed.len()),
            )
            .await?;
            Ok(
                Redirect::to(&format!("/backoffice/activites/{code}/menus?mois={month}"))
                    .into_response(),
            )
        }
        Err(problems) => {
            let first = first_of(None, &kernel);
            let view = menus_page(
                &kernel,
                page,
                &activity,
                first,
                table,
                problems.iter().map(|p| p.sentence()).collect(),
            )
            .await?;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &view)
        }
    }
}
