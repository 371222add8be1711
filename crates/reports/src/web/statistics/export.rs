//! The reports of the statistics' filters as files: CSV for spreadsheets (`;` and a
//! byte-order mark, French headers and decimals) and GeoJSON for maps. What and where,
//! who handles it and when — never who reported it, nor their words. Every export is
//! audited.

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::Response;
use jiff::Timestamp;
use kernel::i18n::Tr;
use kernel::web::page::{LoggedIn, Page};
use kernel::{AppError, Caller, Kernel};

use super::{Checked, Names, Typed, check, paris_date, scope};
use crate::model::Source;
use crate::store::{self, ExportRow};
use crate::web::admin::Handlers;

/// Names of categories and districts, of services and teams.
struct Labels {
    names: Names,
    handlers: Handlers,
}

/// Reads the filters and the rows, and records the export in the audit log.
async fn rows(
    kernel: &Kernel,
    caller: &Caller,
    tr: &Tr,
    query: Vec<(String, String)>,
    format: &str,
) -> Result<(Labels, Vec<ExportRow>), AppError> {
    let services = scope(caller)?;
    let names = Names::load(kernel).await?;
    let mut typed = Typed::read(query);
    let Checked { filter, .. } = check(tr, &mut typed, &names, paris_date(kernel.now()), services)
        .map_err(|errors| {
            let messages: Vec<&str> = errors.all().iter().map(|(_, m)| m.as_str()).collect();
            AppError::BadRequest(messages.join(" "))
        })?;
    let rows = store::export_rows(&kernel.db, &filter).await?;
    kernel
        .audit_view(
            caller,
            "reports.exported",
            None,
            serde_json::json!({
                "format": format,
                "from": typed.from,
                "until": typed.until,
                "category": typed.category,
                "status": typed.status,
                "district": typed.district,
                "services": filter.service_ids,
                "count": rows.len(),
            }),
        )
        .await?;
    Ok((
        Labels {
            names,
            handlers: Handlers::load(kernel).await?,
        },
        rows,
    ))
}

fn source_label(tr: &Tr, source: Source) -> String {
    tr.t(&format!("rstat-source-{}", source.as_str()))
}

/// « 2026-11-23 09:30 », Paris time: what spreadsheets read as a date.
fn local(at: Timestamp) -> String {
    at.to_zoned(kernel::clock::paris())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

/// ISO 8601 with the zone, Paris time.
fn iso(at: Timestamp) -> String {
    at.to_zoned(kernel::clock::paris())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// Hours between two instants with one decimal, French style (« 2,5 »).
fn hours(from: Timestamp, to: Option<Timestamp>) -> String {
    to.map(|to| {
        let tenths = to.duration_since(from).as_secs().max(0) * 10 / 3600;
        format!("{},{}", tenths / 10, tenths % 10)
    })
    .unwrap_or_default()
}

fn french_decimal(value: f64) -> String {
    format!("{value:.6}").replace('.', ",")
}

fn download(name: &str, content_type: &str, body: Vec<u8>) -> Result<Response, AppError> {
    Response::builder()
        .header(header::CONTENT_TYPE, content_type)
        .header(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        )
        .header(header::CACHE_CONTROL, "private, no-store")
        .body(Body::from(body))
        .map_err(|e| AppError::Internal(e.into()))
}

pub async fn csv(
    State(kernel): State<Kernel>,
    page: Page,
    LoggedIn(caller): LoggedIn,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let tr = &page.tr;
    let (labels, rows) = rows(&kernel, &caller, tr, query, "csv").await?;
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    let csv_error = |e: csv::Error| AppError::Internal(e.into());
    writer
        .write_record([
            "reference",
            "categorie",
            "code_categorie",
            "statut",
            "quartier",
            "service",
            "equipe",
            "organisme",
            "adresse",
            "latitude",
            "longitude",
            "canal",
            "soutiens",
            "depose_le",
            "pris_en_compte_le",
            "clos_le",
            "heures_avant_prise_en_compte",
            "heures_avant_cloture",
        ])
        .map_err(csv_error)?;
    for r in &rows {
        writer
            .write_record([
                r.reference.clone(),
                labels.names.category(&r.category_id),
                labels.names.category_code(&r.category_id),
                tr.t(r.status.label_key()),
                labels
                    .names
                    .district(r.district_id.as_deref())
                    .unwrap_or_default(),
                labels.handlers.service(r.service_id.as_deref()),
                labels.handlers.team(r.team_id.as_deref()),
                r.agency.clone(),
                r.address.clone(),
                french_decimal(r.point.lat),
                french_decimal(r.point.lon),
                source_label(tr, r.source),
                r.me_too_count.to_string(),
                local(r.created_at),
                r.acknowledged_at.map(local).unwrap_or_default(),
                r.closed_at.map(local).unwrap_or_default(),
                hours(r.created_at, r.acknowledged_at),
                hours(r.created_at, r.closed_at),
            ])
            .map_err(csv_error)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| AppError::Internal(anyhow::anyhow!(e.to_string())))?;
    // A byte-order mark so that spreadsheet software reads the accents right.
    let mut body = "\u{feff}".as_bytes().to_vec();
    body.extend(bytes);
    download(
        &format!("signalements-{}.csv", paris_date(kernel.now())),
        "text/csv; charset=utf-8",
        body,
    )
}

pub async fn geojson(
    State(kernel): State<Kernel>,
    page: Page,
    LoggedIn(caller): LoggedIn,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let tr = &page.tr;
    let (labels, rows) = rows(&kernel, &caller, tr, query, "geojson").await?;
    let features: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            serde_json::json!({
                "type": "Feature",
                "geometry": { "type": "Point", "coordinates": [r.point.lon, r.point.lat] },
                "properties": {
                    "reference": r.reference,
                    "categorie": labels.names.category(&r.category_id),
                    "code_categorie": labels.names.category_code(&r.category_id),
                    "statut": r.status.as_str(),
                    "statut_libelle": tr.t(r.status.label_key()),
                    "quartier": labels.names.district(r.district_id.as_deref()),
                    "service": labels.handlers.service(r.service_id.as_deref()),
                    "equipe": labels.handlers.team(r.team_id.as_deref()),
                    "organisme": r.agency,
                    "adresse": r.address,
                    "canal": source_label(tr, r.source),
                    "soutiens": r.me_too_count,
                    "depose_le": iso(r.created_at),
                    "pris_en_compte_le": r.acknowledged_at.map(iso),
                    "clos_le": r.closed_at.map(iso),
                }
            })
        })
        .collect();
    let collection = serde_json::json!({ "type": "FeatureCollection", "features": features });
    let body = serde_json::to_vec(&collection).map_err(|e| AppError::Internal(e.into()))?;
    download(
        &format!("signalements-{}.geojson", paris_date(kernel.now())),
        "application/geo+json",
        body,
    )
}
