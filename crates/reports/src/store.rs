//! Persistence of reports: categories, districts, routing, reports, their history, photos,
//! subscriptions and Open311 clients. SQL lives here only; every query runs unchanged on
//! SQLite and PostgreSQL.

use jiff::Timestamp;
use jiff::civil::Date;
use kernel::Tx;
use kernel::clock::{from_db, to_db};
use kernel::db::Db;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::model::{
    Category, District, Photo, Point, Report, RoutingRule, Source, Status, Update, UpdateKind,
};
use crate::rules::Nearby;

pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn corrupt(what: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("stored {what} cannot be read").into())
}

fn flag(value: bool) -> i64 {
    i64::from(value)
}

// ------------------------------------------------------------------ categories

const CATEGORY_COLUMNS: &str = "id, code, name, description, icon, parent_id, keywords, notice, private, duplicate_radius_m, attributes, position, active";

fn category_from_row(row: &AnyRow) -> Result<Category, sqlx::Error> {
    Ok(Category {
        id: row.get(0),
        code: row.get(1),
        name: row.get(2),
        description: row.get(3),
        icon: row.get(4),
        parent_id: row.get(5),
        keywords: row.get(6),
        notice: row.get(7),
        private: row.get::<i64, _>(8) != 0,
        duplicate_radius_m: row.get(9),
        attributes: serde_json::from_str(&row.get::<String, _>(10))
            .map_err(|_| corrupt("attributes"))?,
        position: row.get(11),
        active: row.get::<i64, _>(12) != 0,
    })
}

/// Every category, top-level ones and sub-categories, in display order.
pub async fn categories(db: &Db) -> Result<Vec<Category>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CATEGORY_COLUMNS} FROM report_categories ORDER BY position, name"
    )))
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(category_from_row).collect()
}

pub async fn category_by_code(db: &Db, code: &str) -> Result<Option<Category>, sqlx::Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CATEGORY_COLUMNS} FROM report_categories WHERE code = $1"
    )))
    .bind(code)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(category_from_row).transpose()
}

pub async fn category_by_id(db: &Db, id: &str) -> Result<Option<Category>, sqlx::Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CATEGORY_COLUMNS} FROM report_categories WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(category_from_row).transpose()
}

/// Writes a category as it is now (insert or update).
pub async fn save_category(tx: &mut Tx, c: &Category, now: Timestamp) -> Result<(), sqlx::Error> {
    let attributes = serde_json::to_string(&c.attributes).map_err(|_| corrupt("attributes"))?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO report_categories ({CATEGORY_COLUMNS}, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         ON CONFLICT (id) DO UPDATE SET code = $2, name = $3, description = $4, icon = $5,
           parent_id = $6, keywords = $7, notice = $8, private = $9, duplicate_radius_m = $10,
           attributes = $11, position = $12, active = $13"
    )))
    .bind(&c.id)
    .bind(&c.code)
    .bind(&c.name)
    .bind(&c.description)
    .bind(&c.icon)
    .bind(&c.parent_id)
    .bind(&c.keywords)
    .bind(&c.notice)
    .bind(flag(c.private))
    .bind(c.duplicate_radius_m)
    .bind(attributes)
    .bind(c.position)
    .bind(flag(c.active))
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

// ------------------------------------------------------------------ districts

/// Reads a stored GeoJSON geometry (Polygon or MultiPolygon) as a multipolygon.
pub fn parse_area(geometry: &str) -> Option<geo::MultiPolygon<f64>> {
    let geometry: geojson::Geometry = geometry.parse().ok()?;
    match geo::Geometry::<f64>::try_from(geometry).ok()? {
        geo::Geometry::Polygon(p) => Some(geo::MultiPolygon(vec![p])),
        geo::Geometry::MultiPolygon(m) => Some(m),
        _ => None,
    }
}

pub async fn districts(db: &Db) -> Result<Vec<District>, sqlx::Error> {
    let rows = sqlx::query("SELECT id, slug, name, geometry FROM report_districts ORDER BY name")
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|row| {
            Ok(District {
                id: row.get(0),
                slug: row.get(1),
                name: row.get(2),
                area: parse_area(&row.get::<String, _>(3)).ok_or_else(|| corrupt("district"))?,
            })
        })
        .collect()
}

/// Inserts a district, or replaces the area and name of the one with this slug. Returns
/// its id.
pub async fn save_district(
    tx: &mut Tx,
    slug: &str,
    name: &str,
    area: &geo::MultiPolygon<f64>,
    now: Timestamp,
) -> Result<String, sqlx::Error> {
    use geo::BoundingRect;
    let rect = area
        .bounding_rect()
        .ok_or_else(|| corrupt("empty district"))?;
    let (min_lat, min_lon) = Point::new(rect.min().y, rect.min().x)
        .ok_or_else(|| corrupt("district"))?
        .to_micro();
    let (max_lat, max_lon) = Point::new(rect.max().y, rect.max().x)
        .ok_or_else(|| corrupt("district"))?
        .to_micro();
    let geometry = geojson::Geometry::from(area).to_string();
    let existing: Option<String> =
        sqlx::query_scalar("SELECT id FROM report_districts WHERE slug = $1")
            .bind(slug)
            .fetch_optional(&mut **tx)
            .await?;
    let id = existing.unwrap_or_else(new_id);
    sqlx::query(
        "INSERT INTO report_districts (id, slug, name, geometry, min_lat, min_lon, max_lat, max_lon, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (id) DO UPDATE SET name = $3, geometry = $4, min_lat = $5, min_lon = $6,
           max_lat = $7, max_lon = $8",
    )
    .bind(&id)
    .bind(slug)
    .bind(name)
    .bind(geometry)
    .bind(min_lat)
    .bind(min_lon)
    .bind(max_lat)
    .bind(max_lon)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

// ------------------------------------------------------------------ routing

fn rule_from_row(row: &AnyRow) -> RoutingRule {
    RoutingRule {
        id: row.get(0),
        position: row.get(1),
        category_id: row.get(2),
        district_id: row.get(3),
        service_id: row.get(4),
        team_id: row.get(5),
        agency: row.get(6),
    }
}

pub async fn routing_rules(db: &Db) -> Result<Vec<RoutingRule>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, position, category_id, district_id, service_id, team_id, agency
         FROM report_routing_rules ORDER BY position",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(rule_from_row).collect())
}

/// Replaces every routing rule at once (the rules are edited as one ordered list).
pub async fn replace_routing_rules(tx: &mut Tx, rules: &[RoutingRule]) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM report_routing_rules")
        .execute(&mut **tx)
        .await?;
    for rule in rules {
        sqlx::query(
            "INSERT INTO report_routing_rules (id, position, category_id, district_id, service_id, team_id, agency)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&rule.id)
        .bind(rule.position)
        .bind(&rule.category_id)
        .bind(&rule.district_id)
        .bind(&rule.service_id)
        .bind(&rule.team_id)
        .bind(&rule.agency)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

// ------------------------------------------------------------------ streets

/// A street of the commune with a representative point.
#[derive(Debug, Clone, PartialEq)]
pub struct StreetPoint {
    pub name: String,
    pub normalised: String,
    pub postcode: String,
    pub point: Point,
}

pub async fn streets(db: &Db) -> Result<Vec<StreetPoint>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT name, normalised, postcode, lat, lon FROM report_streets ORDER BY name",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .map(|row| StreetPoint {
            name: row.get(0),
            normalised: row.get(1),
            postcode: row.get(2),
            point: Point::from_micro(row.get(3), row.get(4)),
        })
        .collect())
}

pub async fn insert_street(tx: &mut Tx, street: &StreetPoint) -> Result<(), sqlx::Error> {
    let (lat, lon) = street.point.to_micro();
    sqlx::query(
        "INSERT INTO report_streets (id, name, normalised, postcode, lat, lon) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new_id())
    .bind(&street.name)
    .bind(&street.normalised)
    .bind(&street.postcode)
    .bind(lat)
    .bind(lon)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

// ------------------------------------------------------------------ reports

const REPORT_COLUMNS: &str = "id, reference, category_id, status, lat, lon, address, district_id, description, answers, service_id, team_id, agency, author_user_id, author_email, source, api_client_id, description_hidden, planned_on, status_note, merged_into, me_too_count, created_at, updated_at, acknowledged_at, closed_at";

/// The same columns, prefixed for queries that join.
fn report_columns(alias: &str) -> String {
    REPORT_COLUMNS
        .split(", ")
        .map(|c| format!("{alias}.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn report_from_row(row: &AnyRow) -> Result<Report, sqlx::Error> {
    Ok(Report {
        id: row.get(0),
        reference: row.get(1),
        category_id: row.get(2),
        status: Status::parse(&row.get::<String, _>(3)).ok_or_else(|| corrupt("status"))?,
        point: Point::from_micro(row.get(4), row.get(5)),
        address: row.get(6),
        district_id: row.get(7),
        description: row.get(8),
        answers: serde_json::from_str(&row.get::<String, _>(9)).map_err(|_| corrupt("answers"))?,
        service_id: row.get(10),
        team_id: row.get(11),
        agency: row.get(12),
        author_user_id: row.get(13),
        author_email: row.get(14),
        source: Source::parse(&row.get::<String, _>(15)),
        api_client_id: row.get(16),
        description_hidden: row.get::<i64, _>(17) != 0,
        planned_on: row
            .get::<Option<String>, _>(18)
            .and_then(|d| d.parse::<Date>().ok()),
        status_note: row.get(19),
        merged_into: row.get(20),
        me_too_count: row.get(21),
        created_at: from_db(row.get(22)),
        updated_at: from_db(row.get(23)),
        acknowledged_at: row.get::<Option<i64>, _>(24).map(from_db),
        closed_at: row.get::<Option<i64>, _>(25).map(from_db),
    })
}

/// The next reference of the year, taken inside the filing transaction.
pub async fn next_reference(tx: &mut Tx, year: i16) -> Result<String, sqlx::Error> {
    let last: i64 = sqlx::query_scalar(
        "INSERT INTO report_sequences (year, last) VALUES ($1, 1)
         ON CONFLICT (year) DO UPDATE SET last = report_sequences.last + 1
         RETURNING last",
    )
    .bind(i64::from(year))
    .fetch_one(&mut **tx)
    .await?;
    Ok(crate::rules::reference(year, last))
}

/// What text search looks in, normalised once in Rust.
fn search_text(r: &Report) -> String {
    kernel::text::normalise(&format!("{} {} {}", r.reference, r.address, r.description))
}

/// Stores a new report with the hash of its tracking token and its Open311 token.
pub async fn insert_report(
    tx: &mut Tx,
    r: &Report,
    tracking_hash: &str,
    open311_token: &str,
) -> Result<(), sqlx::Error> {
    let (lat, lon) = r.point.to_micro();
    let answers = serde_json::to_string(&r.answers).map_err(|_| corrupt("answers"))?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO reports ({REPORT_COLUMNS}, tracking_hash, open311_token, search_text)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29)"
    )))
    .bind(&r.id)
    .bind(&r.reference)
    .bind(&r.category_id)
    .bind(r.status.as_str())
    .bind(lat)
    .bind(lon)
    .bind(&r.address)
    .bind(&r.district_id)
    .bind(&r.description)
    .bind(answers)
    .bind(&r.service_id)
    .bind(&r.team_id)
    .bind(&r.agency)
    .bind(&r.author_user_id)
    .bind(&r.author_email)
    .bind(r.source.as_str())
    .bind(&r.api_client_id)
    .bind(flag(r.description_hidden))
    .bind(r.planned_on.map(|d| d.to_string()))
    .bind(&r.status_note)
    .bind(&r.merged_into)
    .bind(r.me_too_count)
    .bind(to_db(r.created_at))
    .bind(to_db(r.updated_at))
    .bind(r.acknowledged_at.map(to_db))
    .bind(r.closed_at.map(to_db))
    .bind(tracking_hash)
    .bind(open311_token)
    .bind(search_text(r))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Writes what can change on a report after filing.
pub async fn update_report(tx: &mut Tx, r: &Report) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE reports SET category_id = $2, status = $3, district_id = $4, service_id = $5,
           team_id = $6, agency = $7, description_hidden = $8, planned_on = $9, status_note = $10,
           merged_into = $11, me_too_count = $12, updated_at = $13, acknowledged_at = $14,
           closed_at = $15, author_email = $16
         WHERE id = $1",
    )
    .bind(&r.id)
    .bind(&r.category_id)
    .bind(r.status.as_str())
    .bind(&r.district_id)
    .bind(&r.service_id)
    .bind(&r.team_id)
    .bind(&r.agency)
    .bind(flag(r.description_hidden))
    .bind(r.planned_on.map(|d| d.to_string()))
    .bind(&r.status_note)
    .bind(&r.merged_into)
    .bind(r.me_too_count)
    .bind(to_db(r.updated_at))
    .bind(r.acknowledged_at.map(to_db))
    .bind(r.closed_at.map(to_db))
    .bind(&r.author_email)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Reads a report inside a write transaction, holding its row until commit so that two
/// agents acting at once never lose one another's change.
pub async fn lock_report(tx: &mut Tx, id: &str) -> Result<Option<Report>, sqlx::Error> {
    // A no-op write takes the row lock on PostgreSQL; SQLite already holds the database
    // write lock (BEGIN IMMEDIATE).
    let touched = sqlx::query("UPDATE reports SET updated_at = updated_at WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    if touched.rows_affected() == 0 {
        return Ok(None);
    }
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {REPORT_COLUMNS} FROM reports WHERE id = $1"
    )))
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    report_from_row(&row).map(Some)
}

pub async fn report_by_id(db: &Db, id: &str) -> Result<Option<Report>, sqlx::Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {REPORT_COLUMNS} FROM reports WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(report_from_row).transpose()
}

pub async fn report_by_reference(db: &Db, reference: &str) -> Result<Option<Report>, sqlx::Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {REPORT_COLUMNS} FROM reports WHERE reference = $1"
    )))
    .bind(reference)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(report_from_row).transpose()
}

pub async fn report_by_open311_token(db: &Db, token: &str) -> Result<Option<Report>, sqlx::Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {REPORT_COLUMNS} FROM reports WHERE open311_token = $1"
    )))
    .bind(token)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(report_from_row).transpose()
}

pub async fn open311_token_of(db: &Db, id: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT open311_token FROM reports WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await
}

/// The report a tracking link opens: the author's link, or a subscriber's own link.
pub async fn report_by_tracking_hash(db: &Db, hash: &str) -> Result<Option<Report>, sqlx::Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {REPORT_COLUMNS} FROM reports WHERE tracking_hash = $1"
    )))
    .bind(hash)
    .fetch_optional(db.pool())
    .await?;
    if let Some(row) = row {
        return report_from_row(&row).map(Some);
    }
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM reports r JOIN report_subscriptions s ON s.report_id = r.id WHERE s.tracking_hash = $1",
        report_columns("r")
    )))
    .bind(hash)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(report_from_row).transpose()
}

/// Moves a report and its history back in time (the demo's samples, filed "days ago"):
/// the filing by `filed_by`, what agents did since by `handled_by`.
pub async fn backdate_report(
    db: &Db,
    id: &str,
    filed_by: jiff::SignedDuration,
    handled_by: jiff::SignedDuration,
) -> Result<(), sqlx::Error> {
    let micros = |d: jiff::SignedDuration| i64::try_from(d.as_micros()).unwrap_or(i64::MAX);
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE reports SET created_at = created_at - $2, updated_at = updated_at - $3,
           acknowledged_at = acknowledged_at - $3, closed_at = closed_at - $3 WHERE id = $1",
    )
    .bind(id)
    .bind(micros(filed_by))
    .bind(micros(handled_by))
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE report_updates SET created_at = created_at - CASE WHEN kind = 'filed' THEN $2 ELSE $3 END
         WHERE report_id = $1",
    )
    .bind(id)
    .bind(micros(filed_by))
    .bind(micros(handled_by))
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// Which reports a list shows. Every field narrows; empty lists mean "any".
#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    pub ids: Vec<String>,
    pub statuses: Vec<Status>,
    pub category_ids: Vec<String>,
    /// Visibility for agents: reports handled by one of these services.
    pub service_ids: Option<Vec<String>>,
    pub team_ids: Vec<String>,
    pub district_id: Option<String>,
    pub author_user_id: Option<String>,
    pub created_from: Option<Timestamp>,
    pub created_until: Option<Timestamp>,
    /// Only reports of public categories (the public map, Open311).
    pub public_only: bool,
    /// Within a box (south-west, north-east).
    pub within: Option<(Point, Point)>,
    /// Words in the reference, address or description.
    pub text: String,
    /// Closed reports closed before this instant are left out (the map shows open and
    /// recently resolved reports).
    pub closed_since: Option<Timestamp>,
    pub limit: i64,
    pub offset: i64,
    pub order: ReportOrder,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ReportOrder {
    #[default]
    NewestFirst,
    OldestFirst,
    RecentlyUpdated,
}

struct Sql {
    clauses: Vec<String>,
    binds: Vec<Bind>,
}

enum Bind {
    Text(String),
    Int(i64),
}

impl Sql {
    fn param(&mut self, bind: Bind) -> String {
        self.binds.push(bind);
        format!("${}", self.binds.len())
    }
    fn list(&mut self, values: impl IntoIterator<Item = String>) -> String {
        let params: Vec<String> = values
            .into_iter()
            .map(|v| self.param(Bind::Text(v)))
            .collect();
        params.join(", ")
    }
}

fn where_clause(filter: &ReportFilter) -> Sql {
    let mut sql = Sql {
        clauses: vec![],
        binds: vec![],
    };
    if !filter.ids.is_empty() {
        let list = sql.list(filter.ids.iter().cloned());
        sql.clauses.push(format!("r.id IN ({list})"));
    }
    if !filter.statuses.is_empty() {
        let list = sql.list(filter.statuses.iter().map(|s| s.as_str().to_string()));
        sql.clauses.push(format!("r.status IN ({list})"));
    }
    if !filter.category_ids.is_empty() {
        let list = sql.list(filter.category_ids.iter().cloned());
        sql.clauses.push(format!("r.category_id IN ({list})"));
    }
    if let Some(services) = &filter.service_ids {
        if services.is_empty() {
            sql.clauses.push("1 = 0".into());
        } else {
            let list = sql.list(services.iter().cloned());
            sql.clauses.push(format!("r.service_id IN ({list})"));
        }
    }
    if !filter.team_ids.is_empty() {
        let list = sql.list(filter.team_ids.iter().cloned());
        sql.clauses.push(format!("r.team_id IN ({list})"));
    }
    if let Some(district) = &filter.district_id {
        let p = sql.param(Bind::Text(district.clone()));
        sql.clauses.push(format!("r.district_id = {p}"));
    }
    if let Some(author) = &filter.author_user_id {
        let p = sql.param(Bind::Text(author.clone()));
        sql.clauses.push(format!("r.author_user_id = {p}"));
    }
    if let Some(from) = filter.created_from {
        let p = sql.param(Bind::Int(to_db(from)));
        sql.clauses.push(format!("r.created_at >= {p}"));
    }
    if let Some(until) = filter.created_until {
        let p = sql.param(Bind::Int(to_db(until)));
        sql.clauses.push(format!("r.created_at <= {p}"));
    }
    if filter.public_only {
        // A sub-category of a private category is private too.
        sql.clauses.push(
            "r.category_id IN (SELECT c.id FROM report_categories c WHERE c.private = 0 AND (c.parent_id IS NULL OR c.parent_id IN (SELECT p.id FROM report_categories p WHERE p.private = 0)))".into(),
        );
    }
    if let Some((min, max)) = filter.within {
        let (min_lat, min_lon) = min.to_micro();
        let (max_lat, max_lon) = max.to_micro();
        let a = sql.param(Bind::Int(min_lat));
        let b = sql.param(Bind::Int(max_lat));
        let c = sql.param(Bind::Int(min_lon));
        let d = sql.param(Bind::Int(max_lon));
        sql.clauses.push(format!(
            "r.lat BETWEEN {a} AND {b} AND r.lon BETWEEN {c} AND {d}"
        ));
    }
    let text = kernel::text::normalise(&filter.text);
    if !text.is_empty() {
        // Normalised text holds letters, digits and single spaces only: no LIKE wildcard.
        let p = sql.param(Bind::Text(format!("%{text}%")));
        sql.clauses.push(format!("r.search_text LIKE {p}"));
    }
    if let Some(since) = filter.closed_since {
        let p = sql.param(Bind::Int(to_db(since)));
        sql.clauses
            .push(format!("(r.closed_at IS NULL OR r.closed_at >= {p})"));
    }
    sql
}

fn bind_all<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    binds: Vec<Bind>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    for bind in binds {
        query = match bind {
            Bind::Text(t) => query.bind(t),
            Bind::Int(i) => query.bind(i),
        };
    }
    query
}

fn where_text(sql: &Sql) -> String {
    if sql.clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", sql.clauses.join(" AND "))
    }
}

pub async fn list_reports(db: &Db, filter: &ReportFilter) -> Result<Vec<Report>, sqlx::Error> {
    fetch_page(db, where_clause(filter), filter).await
}

pub async fn count_reports(db: &Db, filter: &ReportFilter) -> Result<i64, sqlx::Error> {
    count_where(db, where_clause(filter)).await
}

/// Open reports of a category in a box, filed since an instant: the candidates of the
/// duplicate search.
pub async fn nearby(
    db: &Db,
    category_id: &str,
    within: (Point, Point),
    since: Timestamp,
) -> Result<Vec<Nearby>, sqlx::Error> {
    let (min_lat, min_lon) = within.0.to_micro();
    let (max_lat, max_lon) = within.1.to_micro();
    let rows = sqlx::query(
        "SELECT id, category_id, status, lat, lon, created_at FROM reports
         WHERE category_id = $1 AND lat BETWEEN $2 AND $3 AND lon BETWEEN $4 AND $5
           AND created_at >= $6 AND status IN ('new', 'acknowledged', 'in_progress')
         ORDER BY created_at DESC
         LIMIT 500",
    )
    .bind(category_id)
    .bind(min_lat)
    .bind(max_lat)
    .bind(min_lon)
    .bind(max_lon)
    .bind(to_db(since))
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Nearby {
                id: row.get(0),
                category_id: row.get(1),
                status: Status::parse(&row.get::<String, _>(2)).ok_or_else(|| corrupt("status"))?,
                point: Point::from_micro(row.get(3), row.get(4)),
                created_at: from_db(row.get(5)),
            })
        })
        .collect()
}

// ------------------------------------------------------------------ history

pub async fn insert_update(tx: &mut Tx, u: &Update) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO report_updates (id, report_id, kind, status, message, public, hidden, agent_id, agent_name, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&u.id)
    .bind(&u.report_id)
    .bind(u.kind.as_str())
    .bind(u.status.map(|s| s.as_str()))
    .bind(&u.message)
    .bind(flag(u.public))
    .bind(flag(u.hidden))
    .bind(&u.agent_id)
    .bind(&u.agent_name)
    .bind(to_db(u.created_at))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A report's history, oldest first.
pub async fn updates_of(db: &Db, report_id: &str) -> Result<Vec<Update>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, report_id, kind, status, message, public, hidden, agent_id, agent_name, created_at
         FROM report_updates WHERE report_id = $1 ORDER BY created_at, id",
    )
    .bind(report_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(update_from_row).collect())
}

fn update_from_row(row: &AnyRow) -> Update {
    Update {
        id: row.get(0),
        report_id: row.get(1),
        kind: UpdateKind::parse(&row.get::<String, _>(2)),
        status: row
            .get::<Option<String>, _>(3)
            .and_then(|s| Status::parse(&s)),
        message: row.get(4),
        public: row.get::<i64, _>(5) != 0,
        hidden: row.get::<i64, _>(6) != 0,
        agent_id: row.get(7),
        agent_name: row.get(8),
        created_at: from_db(row.get(9)),
    }
}

pub async fn set_update_hidden(
    tx: &mut Tx,
    report_id: &str,
    update_id: &str,
    hidden: bool,
) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("UPDATE report_updates SET hidden = $3 WHERE id = $2 AND report_id = $1")
            .bind(report_id)
            .bind(update_id)
            .bind(flag(hidden))
            .execute(&mut **tx)
            .await?;
    Ok(done.rows_affected() == 1)
}

// ------------------------------------------------------------------ photos

pub async fn insert_photo(tx: &mut Tx, p: &Photo) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO report_photos (id, report_id, update_id, file_id, width, height, hidden, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&p.id)
    .bind(&p.report_id)
    .bind(&p.update_id)
    .bind(&p.file_id)
    .bind(p.width)
    .bind(p.height)
    .bind(flag(p.hidden))
    .bind(to_db(p.created_at))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The kernel's file row of a photo already written to storage.
pub async fn insert_photo_file(
    tx: &mut Tx,
    object: &kernel::storage::StoredObject,
    photo: &crate::photos::CleanPhoto,
    now: Timestamp,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO files (id, storage_key, content_type, size_bytes, sha256, original_name, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(&object.key)
    .bind(photo.content_type)
    .bind(i64::try_from(object.size_bytes).unwrap_or(i64::MAX))
    .bind(&object.sha256)
    .bind(format!("photo.{}", photo.extension()))
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

fn photo_from_row(row: &AnyRow) -> Photo {
    Photo {
        id: row.get(0),
        report_id: row.get(1),
        update_id: row.get(2),
        file_id: row.get(3),
        width: row.get(4),
        height: row.get(5),
        hidden: row.get::<i64, _>(6) != 0,
        created_at: from_db(row.get(7)),
    }
}

pub async fn photos_of(db: &Db, report_id: &str) -> Result<Vec<Photo>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, report_id, update_id, file_id, width, height, hidden, created_at
         FROM report_photos WHERE report_id = $1 ORDER BY created_at, id",
    )
    .bind(report_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(photo_from_row).collect())
}

pub async fn photo_by_id(db: &Db, id: &str) -> Result<Option<Photo>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, report_id, update_id, file_id, width, height, hidden, created_at
         FROM report_photos WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.as_ref().map(photo_from_row))
}

pub async fn set_photo_hidden(
    tx: &mut Tx,
    report_id: &str,
    photo_id: &str,
    hidden: bool,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE report_photos SET hidden = $3 WHERE id = $2 AND report_id = $1")
        .bind(report_id)
        .bind(photo_id)
        .bind(flag(hidden))
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

// ------------------------------------------------------------------ subscriptions

/// Someone told of a report's progress: an account, an e-mail, or neither (a tracking link
/// of their own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscriber {
    pub user_id: Option<String>,
    pub email: Option<String>,
}

pub async fn insert_subscription(
    tx: &mut Tx,
    report_id: &str,
    subscriber: &Subscriber,
    tracking_hash: Option<&str>,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO report_subscriptions (id, report_id, user_id, email, tracking_hash, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new_id())
    .bind(report_id)
    .bind(&subscriber.user_id)
    .bind(&subscriber.email)
    .bind(tracking_hash)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn subscribers(tx: &mut Tx, report_id: &str) -> Result<Vec<Subscriber>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT user_id, email FROM report_subscriptions WHERE report_id = $1 ORDER BY created_at",
    )
    .bind(report_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .iter()
        .map(|row| Subscriber {
            user_id: row.get(0),
            email: row.get(1),
        })
        .collect())
}

pub async fn is_subscribed(db: &Db, report_id: &str, user_id: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM report_subscriptions WHERE report_id = $1 AND user_id = $2",
    )
    .bind(report_id)
    .bind(user_id)
    .fetch_one(db.pool())
    .await?;
    Ok(n > 0)
}

// ------------------------------------------------------------------ agents' preferences

/// How an agent hears of a new report for their teams, besides the live inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoticePreferences {
    /// One e-mail per new report (on by default).
    pub email: bool,
    /// One notification per new report on each of the agent's devices (off until chosen).
    pub push: bool,
}

impl Default for NoticePreferences {
    fn default() -> Self {
        NoticePreferences {
            email: true,
            push: false,
        }
    }
}

fn preferences_from_row(row: &AnyRow) -> NoticePreferences {
    let email: String = row.get(0);
    let push: i64 = row.get(1);
    NoticePreferences {
        email: email != "none",
        push: push != 0,
    }
}

pub async fn notice_preferences(db: &Db, user_id: &str) -> Result<NoticePreferences, sqlx::Error> {
    let row = sqlx::query(
        "SELECT new_report, push_new_report FROM report_agent_preferences WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.as_ref().map(preferences_from_row).unwrap_or_default())
}

pub async fn set_notice_preferences(
    tx: &mut Tx,
    user_id: &str,
    preferences: NoticePreferences,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let email = if preferences.email { "each" } else { "none" };
    sqlx::query(
        "INSERT INTO report_agent_preferences (user_id, new_report, push_new_report, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id) DO UPDATE SET new_report = $2, push_new_report = $3, updated_at = $4",
    )
    .bind(user_id)
    .bind(email)
    .bind(i64::from(preferences.push))
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The preferences of the staff who changed them; everyone else has the defaults.
pub async fn chosen_preferences(
    db: &Db,
) -> Result<std::collections::HashMap<String, NoticePreferences>, sqlx::Error> {
    let rows =
        sqlx::query("SELECT new_report, push_new_report, user_id FROM report_agent_preferences")
            .fetch_all(db.pool())
            .await?;
    Ok(rows
        .iter()
        .map(|row| (row.get(2), preferences_from_row(row)))
        .collect())
}

// ------------------------------------------------------------------ Open311 clients

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiClient {
    pub id: String,
    pub name: String,
    pub contact: String,
    pub key_prefix: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

fn client_from_row(row: &AnyRow) -> ApiClient {
    ApiClient {
        id: row.get(0),
        name: row.get(1),
        contact: row.get(2),
        key_prefix: row.get(3),
        created_at: from_db(row.get(4)),
        last_used_at: row.get::<Option<i64>, _>(5).map(from_db),
        revoked_at: row.get::<Option<i64>, _>(6).map(from_db),
    }
}

pub async fn insert_client(
    tx: &mut Tx,
    client: &ApiClient,
    key_hash: &str,
    created_by: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO open311_clients (id, name, contact, key_hash, key_prefix, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&client.id)
    .bind(&client.name)
    .bind(&client.contact)
    .bind(key_hash)
    .bind(&client.key_prefix)
    .bind(created_by)
    .bind(to_db(client.created_at))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn clients(db: &Db) -> Result<Vec<ApiClient>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, name, contact, key_prefix, created_at, last_used_at, revoked_at
         FROM open311_clients ORDER BY created_at DESC",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(client_from_row).collect())
}

/// The client holding this key, if it is not revoked.
pub async fn client_by_key_hash(db: &Db, hash: &str) -> Result<Option<ApiClient>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, name, contact, key_prefix, created_at, last_used_at, revoked_at
         FROM open311_clients WHERE key_hash = $1 AND revoked_at IS NULL",
    )
    .bind(hash)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.as_ref().map(client_from_row))
}

pub async fn touch_client(tx: &mut Tx, id: &str, now: Timestamp) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE open311_clients SET last_used_at = $2 WHERE id = $1")
        .bind(id)
        .bind(to_db(now))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn revoke_client(tx: &mut Tx, id: &str, now: Timestamp) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE open311_clients SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
    )
    .bind(id)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

// ------------------------------------------------------------------ agents' inbox and handling

/// The agents' inbox: the report filter, and « without a team » that the filter cannot say.
#[derive(Debug, Clone, Default)]
pub struct InboxFilter {
    pub reports: ReportFilter,
    /// Only reports that no team of their service holds.
    pub without_team: bool,
}

fn inbox_where(filter: &InboxFilter) -> Sql {
    let mut sql = where_clause(&filter.reports);
    if filter.without_team {
        sql.clauses.push("r.team_id IS NULL".into());
    }
    sql
}

/// One page of the inbox, in the filter's order, and how many reports match in all.
pub async fn inbox_page(db: &Db, filter: &InboxFilter) -> Result<(Vec<Report>, i64), sqlx::Error> {
    let total = count_where(db, inbox_where(filter)).await?;
    let reports = fetch_page(db, inbox_where(filter), &filter.reports).await?;
    Ok((reports, total))
}

/// How many reports a WHERE clause selects.
async fn count_where(db: &Db, sql: Sql) -> Result<i64, sqlx::Error> {
    let text = format!("SELECT COUNT(*) FROM reports r {}", where_text(&sql));
    let row = bind_all(sqlx::query(sqlx::AssertSqlSafe(text)), sql.binds)
        .fetch_one(db.pool())
        .await?;
    Ok(row.get::<i64, _>(0))
}

/// The reports a WHERE clause selects, in the filter's order, one page of them.
async fn fetch_page(
    db: &Db,
    mut sql: Sql,
    filter: &ReportFilter,
) -> Result<Vec<Report>, sqlx::Error> {
    let order = match filter.order {
        ReportOrder::NewestFirst => "r.created_at DESC, r.id",
        ReportOrder::OldestFirst => "r.created_at, r.id",
        ReportOrder::RecentlyUpdated => "r.updated_at DESC, r.id",
    };
    let limit = sql.param(Bind::Int(if filter.limit > 0 { filter.limit } else { 50 }));
    let offset = sql.param(Bind::Int(filter.offset.max(0)));
    let text = format!(
        "SELECT {} FROM reports r {} ORDER BY {order} LIMIT {limit} OFFSET {offset}",
        report_columns("r"),
        where_text(&sql)
    );
    let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(text)), sql.binds)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(report_from_row).collect()
}

/// How many reports of the inbox are in each status, whatever status the filter asks for.
pub async fn inbox_status_counts(
    db: &Db,
    filter: &InboxFilter,
) -> Result<Vec<(Status, i64)>, sqlx::Error> {
    let mut any_status = filter.clone();
    any_status.reports.statuses.clear();
    let sql = inbox_where(&any_status);
    let text = format!(
        "SELECT r.status, COUNT(*) FROM reports r {} GROUP BY r.status",
        where_text(&sql)
    );
    let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(text)), sql.binds)
        .fetch_all(db.pool())
        .await?;
    Ok(Status::ALL
        .into_iter()
        .map(|status| {
            let n = rows
                .iter()
                .find(|row| row.get::<String, _>(0) == status.as_str())
                .map(|row| row.get::<i64, _>(1))
                .unwrap_or(0);
            (status, n)
        })
        .collect())
}

/// How many people follow a report (never who).
pub async fn count_subscribers(db: &Db, report_id: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM report_subscriptions WHERE report_id = $1")
        .bind(report_id)
        .fetch_one(db.pool())
        .await
}

/// Moves the followers of a merged report to the report it was merged into. Someone who
/// already follows the kept report is not subscribed twice; a follower with a tracking
/// link of their own keeps it (it opens the kept report from now on).
pub async fn move_subscriptions(tx: &mut Tx, from: &str, to: &str) -> Result<u64, sqlx::Error> {
    sqlx::query(
        "DELETE FROM report_subscriptions
         WHERE report_id = $1 AND tracking_hash IS NULL AND user_id IS NOT NULL
           AND user_id IN (SELECT user_id FROM report_subscriptions WHERE report_id = $2 AND user_id IS NOT NULL)",
    )
    .bind(from)
    .bind(to)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "DELETE FROM report_subscriptions
         WHERE report_id = $1 AND tracking_hash IS NULL AND user_id IS NULL AND email IS NOT NULL
           AND email IN (SELECT email FROM report_subscriptions WHERE report_id = $2 AND email IS NOT NULL)",
    )
    .bind(from)
    .bind(to)
    .execute(&mut **tx)
    .await?;
    let moved = sqlx::query("UPDATE report_subscriptions SET report_id = $2 WHERE report_id = $1")
        .bind(from)
        .bind(to)
        .execute(&mut **tx)
        .await?;
    Ok(moved.rows_affected())
}

// ------------------------------------------------------------------ Open311

/// A client with its key's state, read inside the transaction that changes it.
pub async fn client_by_id(tx: &mut Tx, id: &str) -> Result<Option<ApiClient>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, name, contact, key_prefix, created_at, last_used_at, revoked_at
         FROM open311_clients WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.as_ref().map(client_from_row))
}

/// `$1, $2, …` for a list of values bound in order.
fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The first photo the public may see of each report: the report's own photos before
/// the photos of a fix, oldest first.
pub async fn first_visible_photos(
    db: &Db,
    report_ids: &[String],
) -> Result<std::collections::HashMap<String, String>, sqlx::Error> {
    let mut first = std::collections::HashMap::new();
    if report_ids.is_empty() {
        return Ok(first);
    }
    let text = format!(
        "SELECT report_id, id FROM report_photos
         WHERE hidden = 0 AND report_id IN ({})
         ORDER BY report_id, CASE WHEN update_id IS NULL THEN 0 ELSE 1 END, created_at, id",
        placeholders(report_ids.len())
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(text));
    for id in report_ids {
        query = query.bind(id);
    }
    for row in query.fetch_all(db.pool()).await? {
        first.entry(row.get(0)).or_insert_with(|| row.get(1));
    }
    Ok(first)
}

/// The public entries of the history of several reports, oldest first.
pub async fn public_updates_of(db: &Db, report_ids: &[String]) -> Result<Vec<Update>, sqlx::Error> {
    if report_ids.is_empty() {
        return Ok(vec![]);
    }
    let text = format!(
        "SELECT id, report_id, kind, status, message, public, hidden, agent_id, agent_name, created_at
         FROM report_updates WHERE public = 1 AND report_id IN ({})
         ORDER BY report_id, created_at, id",
        placeholders(report_ids.len())
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(text));
    for id in report_ids {
        query = query.bind(id);
    }
    let rows = query.fetch_all(db.pool()).await?;
    Ok(rows.iter().map(update_from_row).collect())
}

// ------------------------------------------------------------------ administration

/// Takes the category's row lock and reads it, so that two administrators editing its
/// settings or questions at once do it one after the other.
pub async fn lock_category(tx: &mut Tx, id: &str) -> Result<Option<Category>, sqlx::Error> {
    let touched = sqlx::query("UPDATE report_categories SET position = position WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    if touched.rows_affected() == 0 {
        return Ok(None);
    }
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CATEGORY_COLUMNS} FROM report_categories WHERE id = $1"
    )))
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    category_from_row(&row).map(Some)
}

/// Reports filed in a category, whatever their status: once there is one, the category's
/// code and its questions' codes are what those reports refer to.
pub async fn reports_in_category(tx: &mut Tx, category_id: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM reports WHERE category_id = $1")
        .bind(category_id)
        .fetch_one(&mut **tx)
        .await
}

/// Reports per category id, for the back office's list.
pub async fn report_counts_by_category(
    db: &Db,
) -> Result<std::collections::HashMap<String, i64>, sqlx::Error> {
    let rows = sqlx::query("SELECT category_id, COUNT(*) FROM reports GROUP BY category_id")
        .fetch_all(db.pool())
        .await?;
    Ok(rows.iter().map(|row| (row.get(0), row.get(1))).collect())
}

/// Takes the lock of every routing rule and reads them in order: the rules are edited as
/// one ordered list, so two edits at once must not interleave.
pub async fn lock_routing_rules(tx: &mut Tx) -> Result<Vec<RoutingRule>, sqlx::Error> {
    sqlx::query("UPDATE report_routing_rules SET position = position")
        .execute(&mut **tx)
        .await?;
    let rows = sqlx::query(
        "SELECT id, position, category_id, district_id, service_id, team_id, agency
         FROM report_routing_rules ORDER BY position",
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.iter().map(rule_from_row).collect())
}

/// How much a district is relied on: routing rules naming it, reports placed in it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DistrictUse {
    pub rules: i64,
    pub reports: i64,
}

pub async fn district_uses(
    db: &Db,
) -> Result<std::collections::HashMap<String, DistrictUse>, sqlx::Error> {
    let mut uses: std::collections::HashMap<String, DistrictUse> = Default::default();
    let rules = sqlx::query(
        "SELECT district_id, COUNT(*) FROM report_routing_rules WHERE district_id IS NOT NULL GROUP BY district_id",
    )
    .fetch_all(db.pool())
    .await?;
    for row in &rules {
        uses.entry(row.get(0)).or_default().rules = row.get(1);
    }
    let reports = sqlx::query(
        "SELECT district_id, COUNT(*) FROM reports WHERE district_id IS NOT NULL GROUP BY district_id",
    )
    .fetch_all(db.pool())
    .await?;
    for row in &reports {
        uses.entry(row.get(0)).or_default().reports = row.get(1);
    }
    Ok(uses)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DistrictDeletion {
    /// Deleted; its reports keep their point but no longer name a district.
    Deleted {
        name: String,
        detached: u64,
    },
    /// Routing rules still name it.
    UsedByRules(i64),
    NotFound,
}

/// Deletes a district that no routing rule names, inside the caller's transaction.
pub async fn delete_district(tx: &mut Tx, id: &str) -> Result<DistrictDeletion, sqlx::Error> {
    let name: Option<String> =
        sqlx::query_scalar("SELECT name FROM report_districts WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
    let Some(name) = name else {
        return Ok(DistrictDeletion::NotFound);
    };
    // The rules' lock first: a rule added meanwhile cannot point to a deleted district.
    lock_routing_rules(tx).await?;
    let rules: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM report_routing_rules WHERE district_id = $1")
            .bind(id)
            .fetch_one(&mut **tx)
            .await?;
    if rules > 0 {
        return Ok(DistrictDeletion::UsedByRules(rules));
    }
    let detached = sqlx::query("UPDATE reports SET district_id = NULL WHERE district_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    sqlx::query("DELETE FROM report_districts WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(DistrictDeletion::Deleted { name, detached })
}

/// The ids of the districts with these slugs (those that exist).
pub async fn district_ids_by_slug(
    tx: &mut Tx,
    slugs: &[String],
) -> Result<Vec<(String, String)>, sqlx::Error> {
    let mut found = Vec::new();
    for slug in slugs {
        let id: Option<String> =
            sqlx::query_scalar("SELECT id FROM report_districts WHERE slug = $1")
                .bind(slug)
                .fetch_optional(&mut **tx)
                .await?;
        if let Some(id) = id {
            found.push((slug.clone(), id));
        }
    }
    Ok(found)
}

// ------------------------------------------------------------------ statistics

/// What the statistics count reports by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatGroup {
    Category,
    District,
    Status,
}

impl StatGroup {
    fn column(self) -> &'static str {
        match self {
            StatGroup::Category => "r.category_id",
            StatGroup::District => "r.district_id",
            StatGroup::Status => "r.status",
        }
    }
}

/// Reports of the filter counted by category, district or status (`None`: no district).
pub async fn count_by(
    db: &Db,
    filter: &ReportFilter,
    group: StatGroup,
) -> Result<Vec<(Option<String>, i64)>, sqlx::Error> {
    let sql = where_clause(filter);
    let column = group.column();
    let text = format!(
        "SELECT {column}, COUNT(*) FROM reports r {} GROUP BY {column}",
        where_text(&sql)
    );
    let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(text)), sql.binds)
        .fetch_all(db.pool())
        .await?;
    Ok(rows.iter().map(|row| (row.get(0), row.get(1))).collect())
}

/// Reports of the filter filed in each period `[bounds[i], bounds[i + 1])`, in one pass.
pub async fn count_by_period(
    db: &Db,
    filter: &ReportFilter,
    bounds: &[Timestamp],
) -> Result<Vec<i64>, sqlx::Error> {
    if bounds.len() < 2 {
        return Ok(vec![]);
    }
    let mut sql = where_clause(filter);
    let columns: Vec<String> = bounds
        .windows(2)
        .map(|w| {
            let from = sql.param(Bind::Int(to_db(w[0])));
            let until = sql.param(Bind::Int(to_db(w[1])));
            format!("COUNT(CASE WHEN r.created_at >= {from} AND r.created_at < {until} THEN 1 END)")
        })
        .collect();
    let text = format!(
        "SELECT {} FROM reports r {}",
        columns.join(", "),
        where_text(&sql)
    );
    let row = bind_all(sqlx::query(sqlx::AssertSqlSafe(text)), sql.binds)
        .fetch_one(db.pool())
        .await?;
    Ok((0..columns.len()).map(|i| row.get::<i64, _>(i)).collect())
}

/// The instants behind the median delays: every acknowledged report of the filter (a
/// resolved one was acknowledged too), two or three numbers each.
pub async fn delay_rows(
    db: &Db,
    filter: &ReportFilter,
) -> Result<Vec<crate::stats::DelayRow>, sqlx::Error> {
    let mut sql = where_clause(filter);
    sql.clauses.push("r.acknowledged_at IS NOT NULL".into());
    let text = format!(
        "SELECT r.category_id, r.created_at, r.acknowledged_at, r.closed_at, r.status FROM reports r {}",
        where_text(&sql)
    );
    let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(text)), sql.binds)
        .fetch_all(db.pool())
        .await?;
    Ok(rows
        .iter()
        .map(|row| {
            let resolved = row.get::<String, _>(4) == Status::Resolved.as_str();
            crate::stats::DelayRow {
                category_id: row.get(0),
                created_at: from_db(row.get(1)),
                acknowledged_at: row.get::<Option<i64>, _>(2).map(from_db),
                resolved_at: if resolved {
                    row.get::<Option<i64>, _>(3).map(from_db)
                } else {
                    None
                },
            }
        })
        .collect())
}

/// One report as the exports give it: what and where, who handles it, when; never the
/// author, the description nor the answers (free text may name people).
#[derive(Debug, Clone, PartialEq)]
pub struct ExportRow {
    pub reference: String,
    pub category_id: String,
    pub status: Status,
    pub district_id: Option<String>,
    pub service_id: Option<String>,
    pub team_id: Option<String>,
    pub agency: String,
    pub address: String,
    pub point: Point,
    pub source: Source,
    pub me_too_count: i64,
    pub created_at: Timestamp,
    pub acknowledged_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
}

pub async fn export_rows(db: &Db, filter: &ReportFilter) -> Result<Vec<ExportRow>, sqlx::Error> {
    let sql = where_clause(filter);
    let text = format!(
        "SELECT r.reference, r.category_id, r.status, r.district_id, r.service_id, r.team_id,
           r.agency, r.address, r.lat, r.lon, r.source, r.me_too_count, r.created_at,
           r.acknowledged_at, r.closed_at
         FROM reports r {} ORDER BY r.created_at, r.id",
        where_text(&sql)
    );
    let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(text)), sql.binds)
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|row| {
            Ok(ExportRow {
                reference: row.get(0),
                category_id: row.get(1),
                status: Status::parse(&row.get::<String, _>(2)).ok_or_else(|| corrupt("status"))?,
                district_id: row.get(3),
                service_id: row.get(4),
                team_id: row.get(5),
                agency: row.get(6),
                address: row.get(7),
                point: Point::from_micro(row.get(8), row.get(9)),
                source: Source::parse(&row.get::<String, _>(10)),
                me_too_count: row.get(11),
                created_at: from_db(row.get(12)),
                acknowledged_at: row.get::<Option<i64>, _>(13).map(from_db),
                closed_at: row.get::<Option<i64>, _>(14).map(from_db),
            })
        })
        .collect()
}

// ------------------------------------------------------------------ public map and list

/// Which reports the public map and list show, by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PublicState {
    /// Open reports and those resolved since `resolved_since`: what the map shows.
    #[default]
    Current,
    Open,
    /// Resolved since `resolved_since`.
    Resolved,
    /// Every state: the public page of one report stays reachable once it is closed.
    Any,
}

/// What the public may narrow the map and the list to. Whatever the filter, only reports
/// of public categories (and of public parent categories) are ever read, and never their
/// author.
#[derive(Debug, Clone, Default)]
pub struct PublicFilter {
    pub id: Option<String>,
    /// A category's code; a top-level category includes its sub-categories.
    pub category_code: Option<String>,
    pub state: PublicState,
    pub district_slug: Option<String>,
    /// Within a box (south-west, north-east).
    pub within: Option<(Point, Point)>,
    pub resolved_since: Timestamp,
}

/// A report as the public sees it: the place already rounded, no author, and the
/// description emptied when a moderator hid it.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicReport {
    pub id: String,
    pub reference: String,
    pub status: Status,
    pub point: Point,
    pub category_code: String,
    pub category_name: String,
    pub icon: String,
    pub district_name: Option<String>,
    pub description: String,
    pub description_hidden: bool,
    pub planned_on: Option<Date>,
    pub merged_into: Option<String>,
    pub me_too_count: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub closed_at: Option<Timestamp>,
}

/// One marker of the public map: the least the map script needs.
#[derive(Debug, Clone, PartialEq)]
pub struct MapPoint {
    pub id: String,
    pub status: Status,
    /// Already rounded.
    pub point: Point,
    pub category_name: String,
    pub icon: String,
    pub created_at: Timestamp,
}

/// Reports, their category and its parent: visibility depends on both categories.
const PUBLIC_FROM: &str = "FROM reports r
     JOIN report_categories c ON c.id = r.category_id
     LEFT JOIN report_categories p ON p.id = c.parent_id";

fn public_where(filter: &PublicFilter) -> Sql {
    let mut sql = Sql {
        clauses: vec![
            "c.private = 0".into(),
            "(p.private IS NULL OR p.private = 0)".into(),
        ],
        binds: vec![],
    };
    // The box goes first, and again inside the "open" half of the state's condition: each
    // half then has an index of its own (status and place, status and closing date),
    // which SQLite's planner can only use for what the half itself names.
    let within = filter.within.map(|(min, max)| {
        let (min_lat, min_lon) = min.to_micro();
        let (max_lat, max_lon) = max.to_micro();
        let a = sql.param(Bind::Int(min_lat));
        let b = sql.param(Bind::Int(max_lat));
        let c = sql.param(Bind::Int(min_lon));
        let d = sql.param(Bind::Int(max_lon));
        format!("r.lat BETWEEN {a} AND {b} AND r.lon BETWEEN {c} AND {d}")
    });
    if let Some(within) = &within {
        sql.clauses.push(within.clone());
    }
    let open = match &within {
        Some(within) => format!("r.status IN ('new', 'acknowledged', 'in_progress') AND {within}"),
        None => "r.status IN ('new', 'acknowledged', 'in_progress')".to_string(),
    };
    match filter.state {
        PublicState::Any => {}
        PublicState::Open => sql.clauses.push(open),
        PublicState::Current => {
            let since = sql.param(Bind::Int(to_db(filter.resolved_since)));
            sql.clauses.push(format!(
                "(({open}) OR (r.status = 'resolved' AND r.closed_at >= {since}))"
            ));
        }
        PublicState::Resolved => {
            let since = sql.param(Bind::Int(to_db(filter.resolved_since)));
            sql.clauses
                .push(format!("r.status = 'resolved' AND r.closed_at >= {since}"));
        }
    }
    if let Some(id) = &filter.id {
        let p = sql.param(Bind::Text(id.clone()));
        sql.clauses.push(format!("r.id = {p}"));
    }
    if let Some(code) = &filter.category_code {
        let p = sql.param(Bind::Text(code.clone()));
        sql.clauses.push(format!("(c.code = {p} OR p.code = {p})"));
    }
    if let Some(slug) = &filter.district_slug {
        let p = sql.param(Bind::Text(slug.clone()));
        sql.clauses.push(format!(
            "r.district_id IN (SELECT id FROM report_districts WHERE slug = {p})"
        ));
    }
    sql
}

/// Reports the public may see, newest first.
pub async fn public_reports(
    db: &Db,
    filter: &PublicFilter,
    limit: i64,
    offset: i64,
) -> Result<Vec<PublicReport>, sqlx::Error> {
    let mut sql = public_where(filter);
    let limit = sql.param(Bind::Int(limit.max(1)));
    let offset = sql.param(Bind::Int(offset.max(0)));
    let text = format!(
        "SELECT r.id, r.reference, r.status, r.lat, r.lon, c.code, c.name, c.icon,
           (SELECT d.name FROM report_districts d WHERE d.id = r.district_id),
           r.description, r.description_hidden, r.planned_on, r.merged_into, r.me_too_count,
           r.created_at, r.updated_at, r.closed_at
         {PUBLIC_FROM} {} ORDER BY r.created_at DESC, r.id LIMIT {limit} OFFSET {offset}",
        where_text(&sql)
    );
    let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(text)), sql.binds)
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|row| {
            let hidden = row.get::<i64, _>(10) != 0;
            Ok(PublicReport {
                id: row.get(0),
                reference: row.get(1),
                status: Status::parse(&row.get::<String, _>(2)).ok_or_else(|| corrupt("status"))?,
                point: Point::from_micro(row.get(3), row.get(4)).approximate(),
                category_code: row.get(5),
                category_name: row.get(6),
                icon: row.get(7),
                district_name: row.get(8),
                description: if hidden { String::new() } else { row.get(9) },
                description_hidden: hidden,
                planned_on: row
                    .get::<Option<String>, _>(11)
                    .and_then(|d| d.parse::<Date>().ok()),
                merged_into: row.get(12),
                me_too_count: row.get(13),
                created_at: from_db(row.get(14)),
                updated_at: from_db(row.get(15)),
                closed_at: row.get::<Option<i64>, _>(16).map(from_db),
            })
        })
        .collect()
}

pub async fn count_public_reports(db: &Db, filter: &PublicFilter) -> Result<i64, sqlx::Error> {
    let sql = public_where(filter);
    let text = format!("SELECT COUNT(*) {PUBLIC_FROM} {}", where_text(&sql));
    let row = bind_all(sqlx::query(sqlx::AssertSqlSafe(text)), sql.binds)
        .fetch_one(db.pool())
        .await?;
    Ok(row.get::<i64, _>(0))
}

/// One report of a public category, whatever its state.
pub async fn public_report(db: &Db, id: &str) -> Result<Option<PublicReport>, sqlx::Error> {
    let filter = PublicFilter {
        id: Some(id.to_string()),
        state: PublicState::Any,
        ..PublicFilter::default()
    };
    Ok(public_reports(db, &filter, 1, 0).await?.into_iter().next())
}

/// The markers of the public map, newest first: one query on the place index, with
/// the few columns a marker needs.
pub async fn public_points(
    db: &Db,
    filter: &PublicFilter,
    limit: i64,
) -> Result<Vec<MapPoint>, sqlx::Error> {
    let mut sql = public_where(filter);
    let limit = sql.param(Bind::Int(limit.max(1)));
    let text = format!(
        "SELECT r.id, r.status, r.lat, r.lon, c.name, c.icon, r.created_at
         {PUBLIC_FROM} {} ORDER BY r.created_at DESC, r.id LIMIT {limit}",
        where_text(&sql)
    );
    let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(text)), sql.binds)
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|row| {
            Ok(MapPoint {
                id: row.get(0),
                status: Status::parse(&row.get::<String, _>(1)).ok_or_else(|| corrupt("status"))?,
                point: Point::from_micro(row.get(2), row.get(3)).approximate(),
                category_name: row.get(4),
                icon: row.get(5),
                created_at: from_db(row.get(6)),
            })
        })
        .collect()
}

// ------------------------------------------------------------------ following (residents)

/// Reports a person follows without being their author ("me too", subscriptions), most
/// recent subscription first.
pub async fn followed_report_ids(db: &Db, user_id: &str) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT s.report_id FROM report_subscriptions s JOIN reports r ON r.id = s.report_id
         WHERE s.user_id = $1 AND (r.author_user_id IS NULL OR r.author_user_id <> $1)
         ORDER BY s.created_at DESC",
    )
    .bind(user_id)
    .fetch_all(db.pool())
    .await
}

/// Is this hash the author's tracking link (rather than a subscriber's own link)?
pub async fn is_author_tracking_hash(db: &Db, hash: &str) -> Result<bool, sqlx::Error> {
    let found: Option<String> =
        sqlx::query_scalar("SELECT id FROM reports WHERE tracking_hash = $1")
            .bind(hash)
            .fetch_optional(db.pool())
            .await?;
    Ok(found.is_some())
}

/// Does the report already count this person among its followers, by account or by
/// e-mail? Read inside the transaction that holds the report's row.
pub async fn already_follows(
    tx: &mut Tx,
    report_id: &str,
    subscriber: &Subscriber,
) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM report_subscriptions
         WHERE report_id = $1 AND ((user_id IS NOT NULL AND user_id = $2) OR (email IS NOT NULL AND email = $3))",
    )
    .bind(report_id)
    .bind(&subscriber.user_id)
    .bind(&subscriber.email)
    .fetch_one(&mut **tx)
    .await?;
    Ok(n > 0)
}
