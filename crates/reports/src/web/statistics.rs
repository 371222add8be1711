//! Statistics of reports for service managers (their services only), elected officials
//! and administrators: counts by status, category, district and month, median times to
//! acknowledge and to resolve, drawn on the server with their numbers in tables; and the
//! same reports exported as CSV or GeoJSON (`export`), with the same filters.

mod export;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp, ToSpan};
use kernel::i18n::Tr;
use kernel::identity::{Permission, Role};
use kernel::web::forms::FormErrors;
use kernel::web::page::{LoggedIn, Page, render_status};
use kernel::{AppError, Caller, Kernel};

use super::admin::{Opt, Posted, opts};
use crate::admin_rules::{full_name, tree};
use crate::model::{Category, District, Status};
use crate::stats::{self, Delays};
use crate::store::{self, ReportFilter, StatGroup};

pub fn routes() -> Router<Kernel> {
    Router::new()
        .route("/backoffice/signalements/statistiques", get(page))
        .route("/backoffice/signalements/export.csv", get(export::csv))
        .route(
            "/backoffice/signalements/export.geojson",
            get(export::geojson),
        )
}

/// The services whose reports this person counts: `None` for every report (elected
/// officials and administrators), else the services they manage.
fn scope(caller: &Caller) -> Result<Option<Vec<String>>, AppError> {
    caller.require(Permission::ViewStatistics)?;
    let identity = caller.identity.as_ref().ok_or(AppError::LoginRequired)?;
    if identity.has_role(Role::ElectedOfficial) || identity.has_role(Role::Administrator) {
        return Ok(None);
    }
    Ok(Some(
        identity
            .grants
            .iter()
            .filter(|g| g.role == Role::ServiceManager)
            .filter_map(|g| g.service.as_ref().map(|s| s.id.clone()))
            .collect(),
    ))
}

fn paris_date(at: Timestamp) -> Date {
    at.to_zoned(kernel::clock::paris()).date()
}

/// Midnight of a day, Paris time.
fn start_of(day: Date) -> Option<Timestamp> {
    day.to_zoned(kernel::clock::paris())
        .ok()
        .map(|z| z.timestamp())
}

/// The filters as typed (query string), shared by the page and the exports.
#[derive(Debug, Clone, Default)]
struct Typed {
    from: String,
    until: String,
    category: String,
    status: String,
    district: String,
}

impl Typed {
    fn read(query: Vec<(String, String)>) -> Typed {
        let q = Posted(query);
        Typed {
            from: q.get("du").trim().to_string(),
            until: q.get("au").trim().to_string(),
            category: q.get("categorie"),
            status: q.get("statut"),
            district: q.get("quartier"),
        }
    }

    /// The same filters as a query string, for the export links.
    fn query(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("du", &self.from)
            .append_pair("au", &self.until)
            .append_pair("categorie", &self.category)
            .append_pair("statut", &self.status)
            .append_pair("quartier", &self.district)
            .finish()
    }
}

/// Checked filters: the store's filter, and the period's last day.
struct Checked {
    filter: ReportFilter,
    until: Date,
}

/// What the statistics name: categories and districts (services and teams for exports).
struct Names {
    categories: Vec<Category>,
    districts: Vec<District>,
}

impl Names {
    async fn load(kernel: &Kernel) -> Result<Names, AppError> {
        Ok(Names {
            categories: store::categories(&kernel.db).await?,
            districts: store::districts(&kernel.db).await?,
        })
    }
    fn category(&self, id: &str) -> String {
        self.categories
            .iter()
            .find(|c| c.id == id)
            .map(|c| full_name(&self.categories, c))
            .unwrap_or_default()
    }
    fn category_code(&self, id: &str) -> String {
        self.categories
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.code.clone())
            .unwrap_or_default()
    }
    fn district(&self, id: Option<&str>) -> Option<String> {
        id.and_then(|id| self.districts.iter().find(|d| d.id == id))
            .map(|d| d.name.clone())
    }
}

/// Checks the typed filters; empty dates mean the last twelve months up to today.
fn check(
    tr: &Tr,
    typed: &mut Typed,
    names: &Names,
    today: Date,
    services: Option<Vec<String>>,
) -> Result<Checked, FormErrors> {
    let mut errors = FormErrors::new();
    let default_from = today
        .first_of_month()
        .checked_sub(11.months())
        .unwrap_or(today);
    let mut date = |raw: &mut String, field: &str, default: Date| -> Option<Date> {
        if raw.is_empty() {
            *raw = default.to_string();
            return Some(default);
        }
        match raw.parse::<Date>() {
            Ok(d) => Some(d),
            Err(_) => {
                errors.add(field, tr.t("rstat-error-date"));
                None
            }
        }
    };
    let from = date(&mut typed.from, "du", default_from);
    let until = date(&mut typed.until, "au", today);
    if let (Some(from), Some(until)) = (from, until)
        && from > until
    {
        errors.add("au", tr.t("rstat-error-period"));
    }
    let mut category_ids = vec![];
    if !typed.category.is_empty() {
        match names.categories.iter().find(|c| c.id == typed.category) {
            None => errors.add("categorie", tr.t("rstat-error-category")),
            Some(c) => {
                // A top-level category counts with its sub-categories.
                category_ids.push(c.id.clone());
                category_ids.extend(
                    names
                        .categories
                        .iter()
                        .filter(|s| s.parent_id.as_deref() == Some(c.id.as_str()))
                        .map(|s| s.id.clone()),
                );
            }
        }
    }
    let statuses = match typed.status.as_str() {
        "" => vec![],
        raw => match Status::parse(raw) {
            Some(s) => vec![s],
            None => {
                errors.add("statut", tr.t("rstat-error-status"));
                vec![]
            }
        },
    };
    let district_id = match typed.district.as_str() {
        "" => None,
        raw if names.districts.iter().any(|d| d.id == raw) => Some(raw.to_string()),
        _ => {
            errors.add("quartier", tr.t("rstat-error-district"));
            None
        }
    };
    let (Some(from), Some(until)) = (from, until) else {
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let created_from = start_of(from);
    let created_until = until
        .checked_add(1.day())
        .ok()
        .and_then(start_of)
        .map(|t| t - SignedDuration::from_micros(1));
    Ok(Checked {
        filter: ReportFilter {
            statuses,
            category_ids,
            service_ids: services,
            district_id,
            created_from,
            created_until,
            ..ReportFilter::default()
        },
        until,
    })
}

/// A chart: its bars and the table that says the same in numbers.
pub struct Chart {
    pub id: &'static str,
    pub title: String,
    /// (label, value, bar length out of 100)
    pub bars: Vec<(String, i64, i64)>,
    pub height: usize,
}

fn chart(id: &'static str, title: String, counts: Vec<(String, i64)>) -> Chart {
    Chart {
        id,
        title,
        height: counts.len() * 28 + 8,
        bars: stats::bars(&counts),
    }
}

pub struct DelayLine {
    pub category: String,
    pub acknowledged: usize,
    pub to_acknowledge: String,
    pub resolved: usize,
    pub to_resolve: String,
}

#[derive(askama::Template)]
#[template(path = "stats_page.html")]
struct StatsPage {
    page: Page,
    section: &'static str,
    is_admin: bool,
    /// Limited to the services the person manages.
    limited: bool,
    errors: FormErrors,
    typed: Typed,
    categories: Vec<Opt>,
    statuses: Vec<Opt>,
    districts: Vec<Opt>,
    query: String,
    total: i64,
    to_acknowledge: String,
    to_resolve: String,
    charts: Vec<Chart>,
    delays: Vec<DelayLine>,
}

/// « 2 j 4 h », « 3 h 20 min », « 45 min »; « — » when nothing was measured.
fn duration_text(tr: &Tr, duration: Option<SignedDuration>) -> String {
    let Some(duration) = duration else {
        return tr.t("rstat-no-delay");
    };
    match stats::parts(duration) {
        (0, 0, minutes) => tr.t1("rstat-duration-minutes", "minutes", minutes),
        (0, hours, minutes) => tr.t2("rstat-duration-hours", "hours", hours, "minutes", minutes),
        (days, hours, _) => tr.t2("rstat-duration-days", "days", days, "hours", hours),
    }
}

fn month_label(tr: &Tr, month: Date) -> String {
    tr.t2(
        "rstat-month-label",
        "month",
        tr.t(&format!("rstat-month-{}", month.month())),
        "year",
        month.year(),
    )
}

async fn charts(
    kernel: &Kernel,
    tr: &Tr,
    names: &Names,
    checked: &Checked,
) -> Result<(i64, Vec<Chart>), AppError> {
    let filter = &checked.filter;
    let by_status = store::count_by(&kernel.db, filter, StatGroup::Status).await?;
    let total: i64 = by_status.iter().map(|(_, n)| n).sum();
    let status_keys: Vec<String> = Status::ALL.iter().map(|s| s.as_str().to_string()).collect();
    let statuses = stats::in_order(&status_keys, &by_status)
        .into_iter()
        .map(|(key, n)| {
            let label = key
                .as_deref()
                .and_then(Status::parse)
                .map(|s| tr.t(s.label_key()))
                .unwrap_or_default();
            (label, n)
        })
        .collect();

    let mut by_category: Vec<(String, i64)> =
        store::count_by(&kernel.db, filter, StatGroup::Category)
            .await?
            .into_iter()
            .map(|(id, n)| (names.category(id.as_deref().unwrap_or_default()), n))
            .collect();
    by_category.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));

    let district_keys: Vec<String> = names.districts.iter().map(|d| d.id.clone()).collect();
    let by_district = stats::in_order(
        &district_keys,
        &store::count_by(&kernel.db, filter, StatGroup::District).await?,
    )
    .into_iter()
    .map(|(id, n)| {
        let label = names
            .district(id.as_deref())
            .unwrap_or_else(|| tr.t("rstat-no-district"));
        (label, n)
    })
    .collect();

    let months = stats::months_until(checked.until, 12);
    let mut bounds: Vec<Timestamp> = months.iter().filter_map(|m| start_of(*m)).collect();
    if let Some(next) = months
        .last()
        .and_then(|m| m.checked_add(1.month()).ok())
        .and_then(start_of)
    {
        bounds.push(next);
    }
    let counts = store::count_by_period(&kernel.db, filter, &bounds).await?;
    let by_month = months
        .iter()
        .zip(counts)
        .map(|(m, n)| (month_label(tr, *m), n))
        .collect();

    Ok((
        total,
        vec![
            chart("par-statut", tr.t("rstat-by-status"), statuses),
            chart("par-categorie", tr.t("rstat-by-category"), by_category),
            chart("par-quartier", tr.t("rstat-by-district"), by_district),
            chart("par-mois", tr.t("rstat-by-month"), by_month),
        ],
    ))
}

pub async fn page(
    State(kernel): State<Kernel>,
    page: Page,
    LoggedIn(caller): LoggedIn,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let services = scope(&caller)?;
    let tr = page.tr.clone();
    let names = Names::load(&kernel).await?;
    let mut typed = Typed::read(query);
    let limited = services.is_some();
    let checked = check(&tr, &mut typed, &names, paris_date(kernel.now()), services);
    let mut view = StatsPage {
        section: "statistiques",
        is_admin: caller
            .identity
            .as_ref()
            .is_some_and(|i| i.has_role(Role::Administrator)),
        limited,
        errors: FormErrors::new(),
        categories: {
            let mut items = vec![(String::new(), tr.t("rstat-any-category"))];
            items.extend(
                tree(&names.categories)
                    .into_iter()
                    .map(|(c, _)| (c.id.clone(), full_name(&names.categories, c))),
            );
            opts(items, &typed.category)
        },
        statuses: {
            let mut items = vec![(String::new(), tr.t("rstat-any-status"))];
            items.extend(
                Status::ALL
                    .iter()
                    .map(|s| (s.as_str().to_string(), tr.t(s.label_key()))),
            );
            opts(items, &typed.status)
        },
        districts: {
            let mut items = vec![(String::new(), tr.t("rstat-any-district"))];
            items.extend(
                names
                    .districts
                    .iter()
                    .map(|d| (d.id.clone(), d.name.clone())),
            );
            opts(items, &typed.district)
        },
        query: typed.query(),
        typed: typed.clone(),
        total: 0,
        to_acknowledge: String::new(),
        to_resolve: String::new(),
        charts: vec![],
        delays: vec![],
        page,
    };
    let checked = match checked {
        Ok(c) => c,
        Err(errors) => {
            view.errors = errors;
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &view);
        }
    };
    let (total, charts) = charts(&kernel, &tr, &names, &checked).await?;
    let (all, per_category) = stats::delays(&store::delay_rows(&kernel.db, &checked.filter).await?);
    let mut delays: Vec<DelayLine> = per_category
        .into_iter()
        .map(|(id, d): (String, Delays)| DelayLine {
            category: names.category(&id),
            acknowledged: d.acknowledged,
            to_acknowledge: duration_text(&tr, d.to_acknowledge),
            resolved: d.resolved,
            to_resolve: duration_text(&tr, d.to_resolve),
        })
        .collect();
    delays.sort_by(|a, b| a.category.cmp(&b.category));
    view.total = total;
    view.to_acknowledge = duration_text(&tr, all.to_acknowledge);
    view.to_resolve = duration_text(&tr, all.to_resolve);
    view.charts = charts;
    view.delays = delays;
    render_status(StatusCode::OK, &view)
}
