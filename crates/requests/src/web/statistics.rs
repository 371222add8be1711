//! Statistics for service managers, elected officials and administrators: charts drawn on
//! the server (SVG) with their numbers in a table beside them, and a CSV export without
//! personal data.

use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, Response};
use kernel::identity::{Permission, Role};
use kernel::web::page::{LoggedIn, Page, render};
use kernel::{AppError, Caller, Kernel};

use crate::actions::today;
use crate::stats::{StatRow, bars, figures};
use crate::store::{self, StatRecord};

pub struct Chart {
    pub id: &'static str,
    pub title: String,
    /// (label, value, bar length out of 100)
    pub bars: Vec<(String, usize, usize)>,
    pub height: usize,
}

#[derive(askama::Template)]
#[template(path = "statistics.html")]
struct StatisticsPage {
    page: Page,
    total: usize,
    median: String,
    past_deadline: usize,
    charts: Vec<Chart>,
}

/// The services whose figures this person reads: all for elected officials and
/// administrators, their own for service managers.
async fn scope(kernel: &Kernel, caller: &Caller) -> Result<Vec<String>, AppError> {
    caller.require(Permission::ViewStatistics)?;
    let identity = caller.identity.as_ref().ok_or(AppError::LoginRequired)?;
    if identity.has_role(Role::ElectedOfficial) || identity.has_role(Role::Administrator) {
        Ok(accounts::store::services(&kernel.db)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect())
    } else {
        Ok(identity.services().map(|s| s.id.clone()).collect())
    }
}

struct Labelled {
    records: Vec<StatRecord>,
    procedures: Vec<crate::model::Procedure>,
    services: Vec<accounts::model::Service>,
}

impl Labelled {
    fn procedure(&self, r: &StatRecord) -> Option<&crate::model::Procedure> {
        self.procedures.iter().find(|p| p.id == r.procedure_id)
    }
    fn service(&self, r: &StatRecord) -> String {
        self.services
            .iter()
            .find(|s| s.id == r.service_id)
            .map(|s| s.name.clone())
            .unwrap_or_default()
    }
}

async fn load(kernel: &Kernel, caller: &Caller) -> Result<Labelled, AppError> {
    let services = scope(kernel, caller).await?;
    Ok(Labelled {
        records: store::stat_records(&kernel.db, &services).await?,
        procedures: store::procedures(&kernel.db, false, "").await?,
        services: accounts::store::services(&kernel.db).await?,
    })
}

fn paris_date(at: jiff::Timestamp) -> jiff::civil::Date {
    at.to_zoned(kernel::clock::paris()).date()
}

pub async fn page(
    State(kernel): State<Kernel>,
    page: Page,
    LoggedIn(caller): LoggedIn,
) -> Result<Html<String>, AppError> {
    let data = load(&kernel, &caller).await?;
    let rows: Vec<StatRow> = data
        .records
        .iter()
        .filter_map(|r| {
            let received_on = r.received_on?;
            let procedure = data.procedure(r)?;
            Some(StatRow {
                procedure: procedure.title.clone(),
                status_label: procedure.workflow.label(&r.status),
                channel: page.tr.t(&r.channel.label_key()),
                month: format!("{}-{:02}", received_on.year(), received_on.month()),
                received_on,
                decided_on: r.decided_at.map(paris_date),
                deemed_on: r.deemed_on,
                open: r.decided_at.is_none(),
            })
        })
        .collect();
    let f = figures(&rows, today(&kernel));
    let chart = |id: &'static str, key: &str, counts: &[(String, usize)]| Chart {
        id,
        title: page.tr.t(key),
        height: counts.len() * 28 + 8,
        bars: bars(counts),
    };
    let charts = vec![
        chart("par-demarche", "stats-by-procedure", &f.by_procedure),
        chart("par-statut", "stats-by-status", &f.by_status),
        chart("par-canal", "stats-by-channel", &f.by_channel),
        chart("par-mois", "stats-by-month", &f.by_month),
    ];
    render(&StatisticsPage {
        total: f.total,
        median: f
            .median_days
            .map(|d| page.tr.t1("stats-days", "count", d))
            .unwrap_or_else(|| page.tr.t("stats-no-decision")),
        past_deadline: f.past_deadline,
        charts,
        page,
    })
}

/// Every filed request of the person's scope, one line each, without names or answers.
pub async fn csv_export(
    State(kernel): State<Kernel>,
    page: Page,
    LoggedIn(caller): LoggedIn,
) -> Result<Response, AppError> {
    let data = load(&kernel, &caller).await?;
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    let csv_error = |e: csv::Error| AppError::Internal(e.into());
    writer
        .write_record([
            "numero",
            "demarche",
            "service",
            "canal",
            "statut",
            "recue_le",
            "decidee_le",
            "echeance_legale",
        ])
        .map_err(csv_error)?;
    for r in &data.records {
        let procedure = data.procedure(r);
        writer
            .write_record([
                r.number.clone(),
                procedure.map(|p| p.title.clone()).unwrap_or_default(),
                data.service(r),
                page.tr.t(&r.channel.label_key()),
                procedure
                    .map(|p| p.workflow.label(&r.status))
                    .unwrap_or_else(|| r.status.clone()),
                r.received_on.map(|d| d.to_string()).unwrap_or_default(),
                r.decided_at
                    .map(|t| paris_date(t).to_string())
                    .unwrap_or_default(),
                r.deemed_on.map(|d| d.to_string()).unwrap_or_default(),
            ])
            .map_err(csv_error)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| AppError::Internal(anyhow::anyhow!(e.to_string())))?;
    // A byte-order mark so that spreadsheet software reads the accents right.
    let mut body = "\u{feff}".as_bytes().to_vec();
    body.extend(bytes);
    Response::builder()
        .header(header::CONTENT_TYPE, "text/csv; charset=utf-8")
        .header(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"demandes-{}.csv\"", today(&kernel)),
        )
        .body(Body::from(body))
        .map_err(|e| AppError::Internal(e.into()))
}
