//! Persistence of procedures, form versions, requests and everything attached to them.
//! SQL lives here only; every query runs unchanged on SQLite and PostgreSQL.

use jiff::Timestamp;
use jiff::civil::Date;
use kernel::Tx;
use kernel::clock::{from_db, to_db};
use kernel::db::Db;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::forms::{Answers, FormDefinition};
use crate::model::{
    Channel, Completion, DeemedDecision, Delay, FormVersion, Procedure, ProcedureKind, Regime,
    Request,
};
use crate::routing::{RoutingRule, Street};
use crate::workflow::Workflow;

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn date_to_db(date: Option<Date>) -> Option<String> {
    date.map(|d| d.to_string())
}

fn date_from_db(text: Option<String>) -> Option<Date> {
    text.and_then(|t| t.parse().ok())
}

fn corrupt(what: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("stored {what} cannot be read").into())
}

// ------------------------------------------------------------------ procedures

const PROCEDURE_COLUMNS: &str = "id, slug, title, theme, summary, description, audiences, documents, expected_delay, kind, info_url, regime, delay_unit, delay_count, legal_basis, service_id, workflow, listed";

fn procedure_from_row(row: &AnyRow) -> Result<Procedure, sqlx::Error> {
    let split = |text: String, sep: char| -> Vec<String> {
        text.split(sep)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    };
    Ok(Procedure {
        id: row.get(0),
        slug: row.get(1),
        title: row.get(2),
        theme: row.get(3),
        summary: row.get(4),
        description: row.get(5),
        audiences: split(row.get(6), ','),
        documents: split(row.get(7), '\n'),
        expected_delay: row.get(8),
        kind: ProcedureKind::parse(&row.get::<String, _>(9)).ok_or_else(|| corrupt("kind"))?,
        info_url: row.get(10),
        regime: Regime::parse(&row.get::<String, _>(11)).ok_or_else(|| corrupt("regime"))?,
        delay: Delay::from_parts(&row.get::<String, _>(12), row.get(13))
            .ok_or_else(|| corrupt("delay"))?,
        legal_basis: row.get(14),
        service_id: row.get(15),
        workflow: serde_json::from_str(&row.get::<String, _>(16))
            .map_err(|_| corrupt("workflow"))?,
        listed: row.get::<i64, _>(17) != 0,
    })
}

fn procedure_search_text(p: &Procedure) -> String {
    format!("{} {} {} {}", p.title, p.summary, p.description, p.theme).to_lowercase()
}

/// Writes a procedure as it is now (insert, or update of every field but its creation date).
pub async fn save_procedure(tx: &mut Tx, p: &Procedure, now: Timestamp) -> Result<(), sqlx::Error> {
    let (unit, count) = p.delay.parts();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO procedures ({PROCEDURE_COLUMNS}, search_text, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20)
         ON CONFLICT (id) DO UPDATE SET slug = $2, title = $3, theme = $4, summary = $5,
           description = $6, audiences = $7, documents = $8, expected_delay = $9, kind = $10,
           info_url = $11, regime = $12, delay_unit = $13, delay_count = $14, legal_basis = $15,
           service_id = $16, workflow = $17, listed = $18, search_text = $19, updated_at = $20"
    )))
    .bind(&p.id)
    .bind(&p.slug)
    .bind(&p.title)
    .bind(&p.theme)
    .bind(&p.summary)
    .bind(&p.description)
    .bind(p.audiences.join(","))
    .bind(p.documents.join("\n"))
    .bind(&p.expected_delay)
    .bind(p.kind.as_str())
    .bind(&p.info_url)
    .bind(p.regime.as_str())
    .bind(unit)
    .bind(count)
    .bind(&p.legal_basis)
    .bind(&p.service_id)
    .bind(serde_json::to_string(&p.workflow).map_err(|e| sqlx::Error::Encode(e.into()))?)
    .bind(i64::from(p.listed))
    .bind(procedure_search_text(p))
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The catalogue, by theme then title. `query` narrows it (lower-cased words, all must match).
pub async fn procedures(
    db: &Db,
    listed_only: bool,
    query: &str,
) -> Result<Vec<Procedure>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {PROCEDURE_COLUMNS}, search_text FROM procedures {} ORDER BY theme, title",
        if listed_only { "WHERE listed = 1" } else { "" }
    )))
    .fetch_all(db.pool())
    .await?;
    let words: Vec<String> = query
        .to_lowercase()
        .split_whitespace()
        .map(String::from)
        .collect();
    let mut out = Vec::new();
    for row in &rows {
        let text: String = row.get(18);
        if words.iter().all(|w| text.contains(w.as_str())) {
            out.push(procedure_from_row(row)?);
        }
    }
    Ok(out)
}

pub async fn procedure_by_slug(db: &Db, slug: &str) -> Result<Option<Procedure>, sqlx::Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {PROCEDURE_COLUMNS} FROM procedures WHERE slug = $1"
    )))
    .bind(slug)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(procedure_from_row).transpose()
}

pub async fn procedure_by_id(db: &Db, id: &str) -> Result<Option<Procedure>, sqlx::Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {PROCEDURE_COLUMNS} FROM procedures WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(procedure_from_row).transpose()
}

/// The same, read inside a write transaction (the row the change is based on).
pub async fn procedure_for_update(tx: &mut Tx, id: &str) -> Result<Option<Procedure>, sqlx::Error> {
    // Take the row's write lock first (the same statement on both databases), so that two
    // edits of one procedure, or an edit and a status move, run one after the other.
    lock_procedure(tx, id).await?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {PROCEDURE_COLUMNS} FROM procedures WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    row.as_ref().map(procedure_from_row).transpose()
}

/// How many filed requests of a procedure are in each status now. Takes a connection so
/// that a transaction counts what it is about to change (`&mut **tx`).
pub async fn status_counts(
    conn: &mut sqlx::AnyConnection,
    procedure_id: &str,
) -> Result<std::collections::BTreeMap<String, i64>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT status, COUNT(*) FROM requests WHERE procedure_id = $1 AND number IS NOT NULL GROUP BY status",
    )
    .bind(procedure_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(|row| (row.get(0), row.get(1))).collect())
}

/// Per procedure: the number of its published form version, and whether a draft exists.
pub async fn form_overview(
    db: &Db,
) -> Result<std::collections::HashMap<String, (Option<i64>, bool)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT procedure_id, state, MAX(version) FROM form_versions
         WHERE state IN ('published', 'draft') GROUP BY procedure_id, state",
    )
    .fetch_all(db.pool())
    .await?;
    let mut out: std::collections::HashMap<String, (Option<i64>, bool)> = Default::default();
    for row in &rows {
        let entry = out.entry(row.get(0)).or_default();
        match row.get::<String, _>(1).as_str() {
            "published" => entry.0 = Some(row.get(2)),
            _ => entry.1 = true,
        }
    }
    Ok(out)
}

// ------------------------------------------------------------------ form versions

const VERSION_COLUMNS: &str = "id, procedure_id, version, definition, state, published_at";

fn version_from_row(row: &AnyRow) -> Result<FormVersion, sqlx::Error> {
    Ok(FormVersion {
        id: row.get(0),
        procedure_id: row.get(1),
        version: row.get(2),
        definition: serde_json::from_str(&row.get::<String, _>(3))
            .map_err(|_| corrupt("form definition"))?,
        state: row.get(4),
        published_at: row.get::<Option<i64>, _>(5).map(from_db),
    })
}

/// Saves a new draft version (numbered after the last one) and returns it.
pub async fn insert_draft_version(
    tx: &mut Tx,
    procedure_id: &str,
    definition: &FormDefinition,
    by: Option<&str>,
    now: Timestamp,
) -> Result<FormVersion, sqlx::Error> {
    let next: i64 = sqlx::query(
        "SELECT COALESCE(MAX(version), 0) + 1 FROM form_versions WHERE procedure_id = $1",
    )
    .bind(procedure_id)
    .fetch_one(&mut **tx)
    .await?
    .get(0);
    let id = new_id();
    sqlx::query(
        "INSERT INTO form_versions (id, procedure_id, version, definition, state, created_at, created_by)
         VALUES ($1, $2, $3, $4, 'draft', $5, $6)",
    )
    .bind(&id)
    .bind(procedure_id)
    .bind(next)
    .bind(serde_json::to_string(definition).map_err(|e| sqlx::Error::Encode(e.into()))?)
    .bind(to_db(now))
    .bind(by)
    .execute(&mut **tx)
    .await?;
    Ok(FormVersion {
        id,
        procedure_id: procedure_id.into(),
        version: next,
        definition: definition.clone(),
        state: "draft".into(),
        published_at: None,
    })
}

/// Replaces a draft's definition; a published version is never touched.
pub async fn update_draft_version(
    tx: &mut Tx,
    version_id: &str,
    definition: &FormDefinition,
    by: Option<&str>,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE form_versions SET definition = $2, updated_at = $3, updated_by = $4
         WHERE id = $1 AND state = 'draft'",
    )
    .bind(version_id)
    .bind(serde_json::to_string(definition).map_err(|e| sqlx::Error::Encode(e.into()))?)
    .bind(to_db(now))
    .bind(by)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Publishes a draft: the current published version is retired (requests filed with it
/// keep pointing at it), the draft becomes the version new requests use.
pub async fn publish_version(
    tx: &mut Tx,
    procedure_id: &str,
    version_id: &str,
    by: Option<&str>,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    sqlx::query(
        "UPDATE form_versions SET state = 'retired' WHERE procedure_id = $1 AND state = 'published'",
    )
    .bind(procedure_id)
    .execute(&mut **tx)
    .await?;
    let done = sqlx::query(
        "UPDATE form_versions SET state = 'published', published_at = $3, published_by = $4
         WHERE id = $1 AND procedure_id = $2 AND state = 'draft'",
    )
    .bind(version_id)
    .bind(procedure_id)
    .bind(to_db(now))
    .bind(by)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Takes the procedure's row for the rest of the transaction, so that two people changing
/// its form at once do it one after the other (a row lock on PostgreSQL; on SQLite, write
/// transactions already queue). Returns whether the procedure exists.
pub async fn lock_procedure(tx: &mut Tx, procedure_id: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE procedures SET updated_at = updated_at WHERE id = $1")
        .bind(procedure_id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A procedure's version in this state, read inside a write transaction.
pub async fn version_in_state_for_update(
    tx: &mut Tx,
    procedure_id: &str,
    state: &str,
) -> Result<Option<FormVersion>, sqlx::Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {VERSION_COLUMNS} FROM form_versions WHERE procedure_id = $1 AND state = $2
         ORDER BY version DESC LIMIT 1"
    )))
    .bind(procedure_id)
    .bind(state)
    .fetch_optional(&mut **tx)
    .await?;
    row.as_ref().map(version_from_row).transpose()
}

async fn version_in_state(
    db: &Db,
    procedure_id: &str,
    state: &str,
) -> Result<Option<FormVersion>, sqlx::Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {VERSION_COLUMNS} FROM form_versions WHERE procedure_id = $1 AND state = $2
         ORDER BY version DESC LIMIT 1"
    )))
    .bind(procedure_id)
    .bind(state)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(version_from_row).transpose()
}

pub async fn published_version(
    db: &Db,
    procedure_id: &str,
) -> Result<Option<FormVersion>, sqlx::Error> {
    version_in_state(db, procedure_id, "published").await
}

pub async fn draft_version(
    db: &Db,
    procedure_id: &str,
) -> Result<Option<FormVersion>, sqlx::Error> {
    version_in_state(db, procedure_id, "draft").await
}

pub async fn version_by_id(db: &Db, id: &str) -> Result<Option<FormVersion>, sqlx::Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {VERSION_COLUMNS} FROM form_versions WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(version_from_row).transpose()
}

pub async fn versions(db: &Db, procedure_id: &str) -> Result<Vec<FormVersion>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {VERSION_COLUMNS} FROM form_versions WHERE procedure_id = $1 ORDER BY version DESC"
    )))
    .bind(procedure_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(version_from_row).collect()
}

/// Who made a version and when: what the form builder lists.
#[derive(Debug, Clone)]
pub struct VersionHistory {
    pub id: String,
    pub version: i64,
    pub state: String,
    pub created_at: Timestamp,
    pub created_by: Option<String>,
    pub updated_at: Option<Timestamp>,
    pub updated_by: Option<String>,
    pub published_at: Option<Timestamp>,
    pub published_by: Option<String>,
}

/// A procedure's versions, newest first.
pub async fn version_history(
    db: &Db,
    procedure_id: &str,
) -> Result<Vec<VersionHistory>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, version, state, created_at, created_by, updated_at, updated_by, published_at, published_by
         FROM form_versions WHERE procedure_id = $1 ORDER BY version DESC",
    )
    .bind(procedure_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .map(|row| VersionHistory {
            id: row.get(0),
            version: row.get(1),
            state: row.get(2),
            created_at: from_db(row.get(3)),
            created_by: row.get(4),
            updated_at: row.get::<Option<i64>, _>(5).map(from_db),
            updated_by: row.get(6),
            published_at: row.get::<Option<i64>, _>(7).map(from_db),
            published_by: row.get(8),
        })
        .collect())
}

/// Requests that still use a version: filed and not yet decided, and drafts being filled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VersionUse {
    pub open: i64,
    pub drafts: i64,
}

/// Requests using this version (shown before a new one is published: they keep it).
pub async fn open_requests_using(db: &Db, version_id: &str) -> Result<VersionUse, sqlx::Error> {
    let row = sqlx::query(
        "SELECT
           COALESCE(SUM(CASE WHEN number IS NOT NULL AND decided_at IS NULL THEN 1 ELSE 0 END), 0),
           COALESCE(SUM(CASE WHEN number IS NULL THEN 1 ELSE 0 END), 0)
         FROM requests WHERE form_version_id = $1",
    )
    .bind(version_id)
    .fetch_one(db.pool())
    .await?;
    Ok(VersionUse {
        open: row.get(0),
        drafts: row.get(1),
    })
}

// ------------------------------------------------------------------ routing

pub async fn routing_rules(db: &Db, procedure_id: &str) -> Result<Vec<RoutingRule>, sqlx::Error> {
    let mut conn = db.pool().acquire().await?;
    routing_rules_in(&mut conn, procedure_id).await
}

/// The same, on a connection or inside a transaction (`&mut **tx`), to read the rules an
/// edit is about to replace.
pub async fn routing_rules_in(
    conn: &mut sqlx::AnyConnection,
    procedure_id: &str,
) -> Result<Vec<RoutingRule>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT rule, service_id, team_id FROM routing_rules WHERE procedure_id = $1 ORDER BY position",
    )
    .bind(procedure_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(RoutingRule {
                condition: serde_json::from_str(&row.get::<String, _>(0))
                    .map_err(|_| corrupt("routing rule"))?,
                service_id: row.get(1),
                team_id: row.get(2),
            })
        })
        .collect()
}

pub async fn replace_routing_rules(
    tx: &mut Tx,
    procedure_id: &str,
    rules: &[RoutingRule],
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM routing_rules WHERE procedure_id = $1")
        .bind(procedure_id)
        .execute(&mut **tx)
        .await?;
    for (position, rule) in rules.iter().enumerate() {
        sqlx::query(
            "INSERT INTO routing_rules (id, procedure_id, position, rule, service_id, team_id) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(new_id())
        .bind(procedure_id)
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(serde_json::to_string(&rule.condition).map_err(|e| sqlx::Error::Encode(e.into()))?)
        .bind(&rule.service_id)
        .bind(&rule.team_id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

pub async fn streets(db: &Db) -> Result<Vec<Street>, sqlx::Error> {
    let rows = sqlx::query("SELECT name, district FROM streets ORDER BY name")
        .fetch_all(db.pool())
        .await?;
    Ok(rows
        .iter()
        .map(|row| Street {
            name: row.get(0),
            district: row.get(1),
        })
        .collect())
}

pub async fn insert_street(tx: &mut Tx, name: &str, district: &str) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO streets (id, name, district) VALUES ($1, $2, $3)")
        .bind(new_id())
        .bind(name)
        .bind(district)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

// ------------------------------------------------------------------ requests

const REQUEST_COLUMNS: &str = "id, number, procedure_id, form_version_id, service_id, assignee_id, status, channel, applicant_id, applicant_name, applicant_email, applicant_phone, applicant_address, answers, current_page, regime, delay_unit, delay_count, received_on, competent_received_on, incomplete_at_receipt, complete_on, deemed_kind, deemed_on, submitted_at, decided_at, created_at, updated_at, team_id";

fn request_from_row(row: &AnyRow) -> Result<Request, sqlx::Error> {
    Ok(Request {
        id: row.get(0),
        number: row.get(1),
        procedure_id: row.get(2),
        form_version_id: row.get(3),
        service_id: row.get(4),
        assignee_id: row.get(5),
        status: row.get(6),
        channel: Channel::parse(&row.get::<String, _>(7)).ok_or_else(|| corrupt("channel"))?,
        applicant_id: row.get(8),
        applicant_name: row.get(9),
        applicant_email: row.get(10),
        applicant_phone: row.get(11),
        applicant_address: row.get(12),
        answers: serde_json::from_str(&row.get::<String, _>(13)).map_err(|_| corrupt("answers"))?,
        current_page: row.get(14),
        regime: Regime::parse(&row.get::<String, _>(15)).ok_or_else(|| corrupt("regime"))?,
        delay: Delay::from_parts(&row.get::<String, _>(16), row.get(17))
            .ok_or_else(|| corrupt("delay"))?,
        received_on: date_from_db(row.get(18)),
        competent_received_on: date_from_db(row.get(19)),
        incomplete_at_receipt: row.get::<i64, _>(20) != 0,
        complete_on: date_from_db(row.get(21)),
        deemed: DeemedDecision::from_parts(&row.get::<String, _>(22), date_from_db(row.get(23))),
        submitted_at: row.get::<Option<i64>, _>(24).map(from_db),
        decided_at: row.get::<Option<i64>, _>(25).map(from_db),
        created_at: from_db(row.get(26)),
        updated_at: from_db(row.get(27)),
        team_id: row.get(28),
    })
}

/// What agents search in: the number, the applicant's name and every answer.
pub fn search_text(r: &Request) -> String {
    let mut text = String::new();
    if let Some(number) = &r.number {
        text.push_str(&number.to_lowercase());
        text.push(' ');
    }
    text.push_str(&r.applicant_name.to_lowercase());
    for value in r.answers.values().flatten() {
        text.push(' ');
        text.push_str(&value.to_lowercase());
    }
    text
}

fn answers_json(answers: &Answers) -> Result<String, sqlx::Error> {
    serde_json::to_string(answers).map_err(|e| sqlx::Error::Encode(e.into()))
}

/// Writes a request as it is now (insert or full update): one place for every column.
pub async fn save_request(tx: &mut Tx, r: &Request) -> Result<(), sqlx::Error> {
    let (unit, count) = r.delay.parts();
    let (deemed_kind, deemed_on) = r.deemed.parts();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO requests ({REQUEST_COLUMNS}, search_text)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30)
         ON CONFLICT (id) DO UPDATE SET number = $2, service_id = $5, assignee_id = $6, status = $7,
           channel = $8, applicant_id = $9, applicant_name = $10, applicant_email = $11,
           applicant_phone = $12, applicant_address = $13, answers = $14, current_page = $15,
           regime = $16, delay_unit = $17, delay_count = $18, received_on = $19,
           competent_received_on = $20, incomplete_at_receipt = $21, complete_on = $22,
           deemed_kind = $23, deemed_on = $24, submitted_at = $25, decided_at = $26,
           updated_at = $28, team_id = $29, search_text = $30"
    )))
    .bind(&r.id)
    .bind(&r.number)
    .bind(&r.procedure_id)
    .bind(&r.form_version_id)
    .bind(&r.service_id)
    .bind(&r.assignee_id)
    .bind(&r.status)
    .bind(r.channel.as_str())
    .bind(&r.applicant_id)
    .bind(&r.applicant_name)
    .bind(&r.applicant_email)
    .bind(&r.applicant_phone)
    .bind(&r.applicant_address)
    .bind(answers_json(&r.answers)?)
    .bind(r.current_page)
    .bind(r.regime.as_str())
    .bind(unit)
    .bind(count)
    .bind(date_to_db(r.received_on))
    .bind(date_to_db(r.competent_received_on))
    .bind(i64::from(r.incomplete_at_receipt))
    .bind(date_to_db(r.complete_on))
    .bind(deemed_kind)
    .bind(date_to_db(deemed_on))
    .bind(r.submitted_at.map(to_db))
    .bind(r.decided_at.map(to_db))
    .bind(to_db(r.created_at))
    .bind(to_db(r.updated_at))
    .bind(&r.team_id)
    .bind(search_text(r))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn request_by_id(db: &Db, id: &str) -> Result<Option<Request>, sqlx::Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {REQUEST_COLUMNS} FROM requests WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(request_from_row).transpose()
}

/// The same, read inside a write transaction (the row the change is based on).
pub async fn request_for_update(tx: &mut Tx, id: &str) -> Result<Option<Request>, sqlx::Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {REQUEST_COLUMNS} FROM requests WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    row.as_ref().map(request_from_row).transpose()
}

pub async fn request_by_number(db: &Db, number: &str) -> Result<Option<Request>, sqlx::Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {REQUEST_COLUMNS} FROM requests WHERE number = $1"
    )))
    .bind(number)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(request_from_row).transpose()
}

/// A person's requests, drafts included, newest first.
pub async fn requests_of(db: &Db, applicant_id: &str) -> Result<Vec<Request>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {REQUEST_COLUMNS} FROM requests WHERE applicant_id = $1 ORDER BY created_at DESC"
    )))
    .bind(applicant_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(request_from_row).collect()
}

/// The filed requests of a person known only by a contact record (no account), found by
/// the e-mail address they gave, or else by name and phone: the same person calling twice.
pub async fn requests_of_contact(
    db: &Db,
    email: Option<&str>,
    name: &str,
    phone: Option<&str>,
) -> Result<Vec<Request>, sqlx::Error> {
    let rows = match (email, phone) {
        (Some(email), _) => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {REQUEST_COLUMNS} FROM requests
                 WHERE applicant_id IS NULL AND number IS NOT NULL AND lower(applicant_email) = lower($1)
                 ORDER BY created_at DESC"
            )))
            .bind(email)
            .fetch_all(db.pool())
            .await?
        }
        (None, Some(phone)) => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {REQUEST_COLUMNS} FROM requests
                 WHERE applicant_id IS NULL AND number IS NOT NULL AND applicant_email IS NULL
                   AND applicant_name = $1 AND applicant_phone = $2
                 ORDER BY created_at DESC"
            )))
            .bind(name)
            .bind(phone)
            .fetch_all(db.pool())
            .await?
        }
        (None, None) => Vec::new(),
    };
    rows.iter().map(request_from_row).collect()
}

/// `$1, $2, …` for an `IN` list of `n` values, the same on both databases.
fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The history of several requests at once (a person's timeline), oldest first.
pub async fn events_of(
    db: &Db,
    request_ids: &[String],
) -> Result<Vec<(String, Event)>, sqlx::Error> {
    if request_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT request_id, at, actor_label, kind, from_status, to_status, detail, public
         FROM request_events WHERE request_id IN ({}) ORDER BY at, id",
        placeholders(request_ids.len())
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for id in request_ids {
        query = query.bind(id);
    }
    Ok(query
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|row| {
            (
                row.get(0),
                Event {
                    at: from_db(row.get(1)),
                    actor_label: row.get(2),
                    kind: row.get(3),
                    from_status: row.get(4),
                    to_status: row.get(5),
                    detail: row.get(6),
                    public: row.get::<i64, _>(7) != 0,
                },
            )
        })
        .collect())
}

/// The messages of several requests at once, oldest first.
pub async fn messages_of(
    db: &Db,
    request_ids: &[String],
) -> Result<Vec<(String, Message)>, sqlx::Error> {
    if request_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT request_id, at, author_label, from_staff, body FROM request_messages
         WHERE request_id IN ({}) ORDER BY at, id",
        placeholders(request_ids.len())
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for id in request_ids {
        query = query.bind(id);
    }
    Ok(query
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|row| {
            (
                row.get(0),
                Message {
                    at: from_db(row.get(1)),
                    author_label: row.get(2),
                    from_staff: row.get::<i64, _>(3) != 0,
                    body: row.get(4),
                },
            )
        })
        .collect())
}

/// The next number of the year. The row lock taken by the update makes two filings at the
/// same instant get two numbers, on both databases.
pub async fn next_number(tx: &mut Tx, year: i16) -> Result<i64, sqlx::Error> {
    Ok(sqlx::query(
        "INSERT INTO request_numbers (year, last_value) VALUES ($1, 1)
         ON CONFLICT (year) DO UPDATE SET last_value = request_numbers.last_value + 1
         RETURNING last_value",
    )
    .bind(i64::from(year))
    .fetch_one(&mut **tx)
    .await?
    .get(0))
}

/// Requests whose implicit decision date has passed (`deemed_on` before `today`) and that
/// are still awaiting a decision. The caller checks each one's status in its workflow.
pub async fn deemed_due(db: &Db, today: Date, limit: i64) -> Result<Vec<Request>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {REQUEST_COLUMNS} FROM requests
         WHERE deemed_kind IN ('accepted', 'rejected') AND deemed_on < $1 AND decided_at IS NULL
           AND number IS NOT NULL
         ORDER BY deemed_on LIMIT $2"
    )))
    .bind(today.to_string())
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(request_from_row).collect()
}

/// Open requests whose implicit decision falls between `from` and `to` (inclusive): the
/// ones agents must be warned about.
pub async fn deadlines_between(db: &Db, from: Date, to: Date) -> Result<Vec<Request>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {REQUEST_COLUMNS} FROM requests
         WHERE deemed_kind IN ('accepted', 'rejected') AND deemed_on >= $1 AND deemed_on <= $2
           AND decided_at IS NULL AND number IS NOT NULL
         ORDER BY deemed_on"
    )))
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(request_from_row).collect()
}

// ------------------------------------------------------------------ the inbox

/// Filters of the agents' inbox; empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct InboxQuery {
    /// Services whose requests the agent may see (empty: none).
    pub services: Vec<String>,
    pub service: Option<String>,
    pub procedure: Option<String>,
    pub status: Option<String>,
    /// A user id, or `none` for requests nobody has taken.
    pub assignee: Option<String>,
    pub channel: Option<String>,
    pub team: Option<TeamFilter>,
    /// Only requests whose implicit decision falls on or before this date.
    pub due_before: Option<Date>,
    /// Only requests with no decision yet.
    pub open_only: bool,
    pub text: String,
    pub limit: i64,
    pub offset: i64,
}

/// The inbox's team filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TeamFilter {
    /// Requests of any of these teams (the agent's own).
    AnyOf(Vec<String>),
    /// Requests with no team.
    NoTeam,
}

/// One line of the inbox.
#[derive(Debug, Clone)]
pub struct InboxRow {
    pub id: String,
    pub number: String,
    pub procedure_slug: String,
    pub procedure_title: String,
    pub service_id: String,
    pub team_id: Option<String>,
    pub status: String,
    pub channel: Channel,
    pub applicant_name: String,
    pub assignee_name: Option<String>,
    pub assignee_email: Option<String>,
    pub deemed: DeemedDecision,
    pub received_on: Option<Date>,
    pub workflow: Workflow,
}

/// The inbox, soonest legal deadline first, then oldest; with the total for paging.
pub async fn inbox(db: &Db, q: &InboxQuery) -> Result<(Vec<InboxRow>, i64), sqlx::Error> {
    if q.services.is_empty() {
        return Ok((vec![], 0));
    }
    // Placeholders are numbered as filters are added; values are always bound.
    let mut conditions = vec!["r.number IS NOT NULL".to_string()];
    let mut binds: Vec<String> = Vec::new();
    let placeholder = |value: String, binds: &mut Vec<String>| {
        binds.push(value);
        format!("${}", binds.len())
    };
    let list: Vec<String> = q
        .services
        .iter()
        .map(|s| placeholder(s.clone(), &mut binds))
        .collect();
    conditions.push(format!("r.service_id IN ({})", list.join(", ")));
    for (column, value) in [
        ("r.service_id", &q.service),
        ("r.procedure_id", &q.procedure),
        ("r.status", &q.status),
        ("r.channel", &q.channel),
    ] {
        if let Some(v) = value.as_ref().filter(|v| !v.is_empty()) {
            let p = placeholder(v.clone(), &mut binds);
            conditions.push(format!("{column} = {p}"));
        }
    }
    match q.assignee.as_deref() {
        Some("none") => conditions.push("r.assignee_id IS NULL".into()),
        Some(id) if !id.is_empty() => {
            let p = placeholder(id.to_string(), &mut binds);
            conditions.push(format!("r.assignee_id = {p}"));
        }
        _ => {}
    }
    match &q.team {
        Some(TeamFilter::NoTeam) => conditions.push("r.team_id IS NULL".into()),
        // No team of one's own: nothing matches.
        Some(TeamFilter::AnyOf(teams)) if teams.is_empty() => conditions.push("1 = 0".into()),
        Some(TeamFilter::AnyOf(teams)) => {
            let list: Vec<String> = teams
                .iter()
                .map(|t| placeholder(t.clone(), &mut binds))
                .collect();
            conditions.push(format!("r.team_id IN ({})", list.join(", ")));
        }
        None => {}
    }
    if let Some(date) = q.due_before {
        let p = placeholder(date.to_string(), &mut binds);
        conditions.push(format!("r.deemed_on IS NOT NULL AND r.deemed_on <= {p}"));
    }
    if q.open_only {
        conditions.push("r.decided_at IS NULL".into());
    }
    for word in q.text.to_lowercase().split_whitespace().take(6) {
        let escaped = word
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let p = placeholder(format!("%{escaped}%"), &mut binds);
        conditions.push(format!("r.search_text LIKE {p} ESCAPE '\\'"));
    }
    let filter = conditions.join(" AND ");
    let count_sql = format!("SELECT COUNT(*) FROM requests r WHERE {filter}");
    let mut count_query = sqlx::query(sqlx::AssertSqlSafe(count_sql));
    for b in &binds {
        count_query = count_query.bind(b.clone());
    }
    let total: i64 = count_query.fetch_one(db.pool()).await?.get(0);
    let list_sql = format!(
        "SELECT r.id, r.number, p.title, r.service_id, r.status, r.channel, r.applicant_name,
                u.given_name, u.family_name, r.deemed_kind, r.deemed_on, r.received_on, p.workflow,
                p.slug, u.email, r.team_id
         FROM requests r
         JOIN procedures p ON p.id = r.procedure_id
         LEFT JOIN users u ON u.id = r.assignee_id
         WHERE {filter}
         ORDER BY {}
         LIMIT {} OFFSET {}",
        if q.open_only {
            // Open requests only: the index on (service, decided_at, deemed_on) gives the
            // order; those without a legal deadline come last.
            "r.deemed_on IS NULL, r.deemed_on, r.submitted_at"
        } else {
            "CASE WHEN r.decided_at IS NULL AND r.deemed_on IS NOT NULL THEN 0 ELSE 1 END, r.deemed_on, r.submitted_at"
        },
        q.limit.clamp(1, 500),
        q.offset.max(0)
    );
    let mut list_query = sqlx::query(sqlx::AssertSqlSafe(list_sql));
    for b in &binds {
        list_query = list_query.bind(b.clone());
    }
    let rows = list_query.fetch_all(db.pool()).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let given: Option<String> = row.get(7);
        let family: Option<String> = row.get(8);
        out.push(InboxRow {
            id: row.get(0),
            number: row.get(1),
            procedure_slug: row.get(13),
            procedure_title: row.get(2),
            service_id: row.get(3),
            team_id: row.get(15),
            status: row.get(4),
            channel: Channel::parse(&row.get::<String, _>(5)).ok_or_else(|| corrupt("channel"))?,
            applicant_name: row.get(6),
            assignee_name: given.zip(family).map(|(g, f)| format!("{g} {f}")),
            assignee_email: row.get(14),
            deemed: DeemedDecision::from_parts(&row.get::<String, _>(9), date_from_db(row.get(10))),
            received_on: date_from_db(row.get(11)),
            workflow: serde_json::from_str(&row.get::<String, _>(12))
                .map_err(|_| corrupt("workflow"))?,
        });
    }
    Ok((out, total))
}

// ------------------------------------------------------------------ completions

/// Completion requests of a request; takes a connection so that a transaction sees its own
/// writes (`&mut **tx`) and a reader can use the pool (`&mut *db.pool().acquire().await?`).
pub async fn completions(
    conn: &mut sqlx::AnyConnection,
    request_id: &str,
) -> Result<Vec<Completion>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT requested_on, answered_on FROM request_completions WHERE request_id = $1 ORDER BY requested_on, created_at",
    )
    .bind(request_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            Some(Completion {
                requested_on: date_from_db(row.get(0))?,
                answered_on: date_from_db(row.get(1)),
            })
        })
        .collect())
}

pub async fn insert_completion(
    tx: &mut Tx,
    request_id: &str,
    requested_on: Date,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO request_completions (id, request_id, requested_on, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(new_id())
    .bind(request_id)
    .bind(requested_on.to_string())
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Marks the awaited documents as received; returns whether any were awaited.
pub async fn answer_completions(
    tx: &mut Tx,
    request_id: &str,
    answered_on: Date,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE request_completions SET answered_on = $2 WHERE request_id = $1 AND answered_on IS NULL",
    )
    .bind(request_id)
    .bind(answered_on.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() > 0)
}

// ------------------------------------------------------------------ history, messages, notes

#[derive(Debug, Clone)]
pub struct Event {
    pub at: Timestamp,
    pub actor_label: String,
    pub kind: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub detail: String,
    pub public: bool,
}

pub struct NewEvent<'a> {
    pub request_id: &'a str,
    pub actor_id: Option<&'a str>,
    pub actor_label: &'a str,
    pub kind: &'a str,
    pub from_status: Option<&'a str>,
    pub to_status: Option<&'a str>,
    pub detail: &'a str,
    pub public: bool,
}

pub async fn add_event(tx: &mut Tx, e: &NewEvent<'_>, now: Timestamp) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO request_events (id, request_id, at, actor_id, actor_label, kind, from_status, to_status, detail, public)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(new_id())
    .bind(e.request_id)
    .bind(to_db(now))
    .bind(e.actor_id)
    .bind(e.actor_label)
    .bind(e.kind)
    .bind(e.from_status)
    .bind(e.to_status)
    .bind(e.detail)
    .bind(i64::from(e.public))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn events(
    db: &Db,
    request_id: &str,
    public_only: bool,
) -> Result<Vec<Event>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT at, actor_label, kind, from_status, to_status, detail, public FROM request_events
         WHERE request_id = $1 {} ORDER BY at, id",
        if public_only { "AND public = 1" } else { "" }
    )))
    .bind(request_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .map(|row| Event {
            at: from_db(row.get(0)),
            actor_label: row.get(1),
            kind: row.get(2),
            from_status: row.get(3),
            to_status: row.get(4),
            detail: row.get(5),
            public: row.get::<i64, _>(6) != 0,
        })
        .collect())
}

#[derive(Debug, Clone)]
pub struct Message {
    pub at: Timestamp,
    pub author_label: String,
    pub from_staff: bool,
    pub body: String,
}

pub async fn add_message(
    tx: &mut Tx,
    request_id: &str,
    author_id: Option<&str>,
    author_label: &str,
    from_staff: bool,
    body: &str,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO request_messages (id, request_id, at, author_id, author_label, from_staff, body)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id())
    .bind(request_id)
    .bind(to_db(now))
    .bind(author_id)
    .bind(author_label)
    .bind(i64::from(from_staff))
    .bind(body)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn messages(db: &Db, request_id: &str) -> Result<Vec<Message>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT at, author_label, from_staff, body FROM request_messages WHERE request_id = $1 ORDER BY at, id",
    )
    .bind(request_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .map(|row| Message {
            at: from_db(row.get(0)),
            author_label: row.get(1),
            from_staff: row.get::<i64, _>(2) != 0,
            body: row.get(3),
        })
        .collect())
}

#[derive(Debug, Clone)]
pub struct Note {
    pub at: Timestamp,
    pub author_label: String,
    pub body: String,
}

pub async fn add_note(
    tx: &mut Tx,
    request_id: &str,
    author_id: &str,
    author_label: &str,
    body: &str,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO request_notes (id, request_id, at, author_id, author_label, body) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new_id())
    .bind(request_id)
    .bind(to_db(now))
    .bind(author_id)
    .bind(author_label)
    .bind(body)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn notes(db: &Db, request_id: &str) -> Result<Vec<Note>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT at, author_label, body FROM request_notes WHERE request_id = $1 ORDER BY at, id",
    )
    .bind(request_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .map(|row| Note {
            at: from_db(row.get(0)),
            author_label: row.get(1),
            body: row.get(2),
        })
        .collect())
}

// ------------------------------------------------------------------ documents

#[derive(Debug, Clone)]
pub struct Document {
    pub id: String,
    pub file_id: String,
    pub field_key: Option<String>,
    /// answer, document, decision, acknowledgement, attestation
    pub kind: String,
    pub from_staff: bool,
    pub public: bool,
    pub name: String,
    pub size_bytes: i64,
    pub at: Timestamp,
}

pub struct NewDocument<'a> {
    pub request_id: &'a str,
    pub file_id: &'a str,
    pub field_key: Option<&'a str>,
    pub kind: &'a str,
    pub from_staff: bool,
    pub public: bool,
}

pub async fn add_document(
    tx: &mut Tx,
    d: &NewDocument<'_>,
    now: Timestamp,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO request_documents (id, request_id, file_id, field_key, kind, from_staff, public, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(d.request_id)
    .bind(d.file_id)
    .bind(d.field_key)
    .bind(d.kind)
    .bind(i64::from(d.from_staff))
    .bind(i64::from(d.public))
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn documents(db: &Db, request_id: &str) -> Result<Vec<Document>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT d.id, d.file_id, d.field_key, d.kind, d.from_staff, d.public, f.original_name, f.size_bytes, d.created_at
         FROM request_documents d JOIN files f ON f.id = d.file_id
         WHERE d.request_id = $1 ORDER BY d.created_at, d.id",
    )
    .bind(request_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .map(|row| Document {
            id: row.get(0),
            file_id: row.get(1),
            field_key: row.get(2),
            kind: row.get(3),
            from_staff: row.get::<i64, _>(4) != 0,
            public: row.get::<i64, _>(5) != 0,
            name: row.get(6),
            size_bytes: row.get(7),
            at: from_db(row.get(8)),
        })
        .collect())
}

/// Drops a draft's answer file for a field (the person replaced or removed it).
pub async fn remove_field_documents(
    tx: &mut Tx,
    request_id: &str,
    field_key: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM request_documents WHERE request_id = $1 AND field_key = $2")
        .bind(request_id)
        .bind(field_key)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

// ------------------------------------------------------------------ acknowledgements

pub async fn save_acknowledgement(
    tx: &mut Tx,
    request_id: &str,
    ack: &crate::acknowledgement::Acknowledgement,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO request_acknowledgements (request_id, content, created_at) VALUES ($1, $2, $3)",
    )
    .bind(request_id)
    .bind(serde_json::to_string(ack).map_err(|e| sqlx::Error::Encode(e.into()))?)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn acknowledgement(
    db: &Db,
    request_id: &str,
) -> Result<Option<crate::acknowledgement::Acknowledgement>, sqlx::Error> {
    let row = sqlx::query("SELECT content FROM request_acknowledgements WHERE request_id = $1")
        .bind(request_id)
        .fetch_optional(db.pool())
        .await?;
    row.map(|row| {
        serde_json::from_str(&row.get::<String, _>(0)).map_err(|_| corrupt("acknowledgement"))
    })
    .transpose()
}

// ------------------------------------------------------------------ canned replies

#[derive(Debug, Clone)]
pub struct CannedReply {
    pub id: String,
    pub service_id: Option<String>,
    pub title: String,
    pub body: String,
}

/// Replies usable by agents of these services: theirs and those shared by every service.
pub async fn canned_replies(db: &Db, services: &[String]) -> Result<Vec<CannedReply>, sqlx::Error> {
    let rows = sqlx::query("SELECT id, service_id, title, body FROM canned_replies ORDER BY title")
        .fetch_all(db.pool())
        .await?;
    Ok(rows
        .iter()
        .map(|row| CannedReply {
            id: row.get(0),
            service_id: row.get(1),
            title: row.get(2),
            body: row.get(3),
        })
        .filter(|r| r.service_id.as_ref().is_none_or(|s| services.contains(s)))
        .collect())
}

pub async fn insert_canned_reply(
    tx: &mut Tx,
    service_id: Option<&str>,
    title: &str,
    body: &str,
    now: Timestamp,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO canned_replies (id, service_id, title, body, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&id)
    .bind(service_id)
    .bind(title)
    .bind(body)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn delete_canned_reply(tx: &mut Tx, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM canned_replies WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

// ------------------------------------------------------------------ knowledge base

#[derive(Debug, Clone)]
pub struct Article {
    pub id: String,
    pub slug: String,
    pub title: String,
    pub body: String,
    pub updated_at: Timestamp,
}

fn article_from_row(row: &AnyRow) -> Article {
    Article {
        id: row.get(0),
        slug: row.get(1),
        title: row.get(2),
        body: row.get(3),
        updated_at: from_db(row.get(4)),
    }
}

/// Articles whose title or text holds every word of `query` (all when empty), by title.
pub async fn articles(db: &Db, query: &str) -> Result<Vec<Article>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, slug, title, body, updated_at, search_text FROM kb_articles ORDER BY title",
    )
    .fetch_all(db.pool())
    .await?;
    let words: Vec<String> = query
        .to_lowercase()
        .split_whitespace()
        .map(String::from)
        .collect();
    Ok(rows
        .iter()
        .filter(|row| {
            let text: String = row.get(5);
            words.iter().all(|w| text.contains(w.as_str()))
        })
        .map(article_from_row)
        .collect())
}

pub async fn article_by_slug(db: &Db, slug: &str) -> Result<Option<Article>, sqlx::Error> {
    let row =
        sqlx::query("SELECT id, slug, title, body, updated_at FROM kb_articles WHERE slug = $1")
            .bind(slug)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.as_ref().map(article_from_row))
}

/// Creates or replaces an article (by its slug).
pub async fn save_article(
    tx: &mut Tx,
    slug: &str,
    title: &str,
    body: &str,
    by: Option<&str>,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO kb_articles (id, slug, title, body, search_text, updated_at, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (slug) DO UPDATE SET title = $3, body = $4, search_text = $5, updated_at = $6, updated_by = $7",
    )
    .bind(new_id())
    .bind(slug)
    .bind(title)
    .bind(body)
    .bind(format!("{title} {body}").to_lowercase())
    .bind(to_db(now))
    .bind(by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The sheets an agent linked to a request, by title.
pub async fn linked_articles(db: &Db, request_id: &str) -> Result<Vec<Article>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT a.id, a.slug, a.title, a.body, a.updated_at FROM kb_articles a
         JOIN request_articles l ON l.article_id = a.id
         WHERE l.request_id = $1 ORDER BY a.title",
    )
    .bind(request_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(article_from_row).collect())
}

/// Links a sheet to a request; linking it twice changes nothing. Returns whether it is new.
pub async fn link_article(
    tx: &mut Tx,
    request_id: &str,
    article_id: &str,
    by: &str,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO request_articles (request_id, article_id, linked_at, linked_by)
         VALUES ($1, $2, $3, $4) ON CONFLICT (request_id, article_id) DO NOTHING",
    )
    .bind(request_id)
    .bind(article_id)
    .bind(to_db(now))
    .bind(by)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Removes a link. Returns whether there was one.
pub async fn unlink_article(
    tx: &mut Tx,
    request_id: &str,
    article_id: &str,
) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("DELETE FROM request_articles WHERE request_id = $1 AND article_id = $2")
            .bind(request_id)
            .bind(article_id)
            .execute(&mut **tx)
            .await?;
    Ok(done.rows_affected() > 0)
}

// ------------------------------------------------------------------ statistics

/// One filed request as the statistics see it: no name, no answer.
#[derive(Debug, Clone)]
pub struct StatRecord {
    pub number: String,
    pub procedure_id: String,
    pub service_id: String,
    pub status: String,
    pub channel: Channel,
    pub received_on: Option<Date>,
    pub decided_at: Option<Timestamp>,
    pub deemed_on: Option<Date>,
}

pub async fn stat_records(db: &Db, services: &[String]) -> Result<Vec<StatRecord>, sqlx::Error> {
    if services.is_empty() {
        return Ok(vec![]);
    }
    let placeholders: Vec<String> = (1..=services.len()).map(|i| format!("${i}")).collect();
    let mut query = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT number, procedure_id, service_id, status, channel, received_on, decided_at, deemed_on
         FROM requests WHERE number IS NOT NULL AND service_id IN ({}) ORDER BY number",
        placeholders.join(", ")
    )));
    for s in services {
        query = query.bind(s.clone());
    }
    let rows = query.fetch_all(db.pool()).await?;
    rows.iter()
        .map(|row| {
            Ok(StatRecord {
                number: row.get(0),
                procedure_id: row.get(1),
                service_id: row.get(2),
                status: row.get(3),
                channel: Channel::parse(&row.get::<String, _>(4))
                    .ok_or_else(|| corrupt("channel"))?,
                received_on: date_from_db(row.get(5)),
                decided_at: row.get::<Option<i64>, _>(6).map(from_db),
                deemed_on: date_from_db(row.get(7)),
            })
        })
        .collect()
}

// ------------------------------------------------------------------ API tokens

/// A token issued to a staff member for the JSON API. The token itself is never stored.
#[derive(Debug, Clone)]
pub struct ApiToken {
    pub id: String,
    pub user_id: String,
    pub owner_name: String,
    pub owner_email: String,
    pub label: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

const API_TOKEN_QUERY: &str = "SELECT t.id, t.user_id, u.given_name, u.family_name, u.email, t.label, t.created_at, t.last_used_at, t.revoked_at
     FROM api_tokens t JOIN users u ON u.id = t.user_id";

fn api_token_from_row(row: &AnyRow) -> ApiToken {
    ApiToken {
        id: row.get(0),
        user_id: row.get(1),
        owner_name: format!("{} {}", row.get::<String, _>(2), row.get::<String, _>(3)),
        owner_email: row.get(4),
        label: row.get(5),
        created_at: from_db(row.get(6)),
        last_used_at: row.get::<Option<i64>, _>(7).map(from_db),
        revoked_at: row.get::<Option<i64>, _>(8).map(from_db),
    }
}

pub async fn insert_api_token(
    tx: &mut Tx,
    user_id: &str,
    label: &str,
    token_hash: &str,
    now: Timestamp,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO api_tokens (id, user_id, label, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&id)
    .bind(user_id)
    .bind(label)
    .bind(token_hash)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Tokens of one person (`Some`) or of everyone (`None`), newest first.
pub async fn api_tokens(db: &Db, user_id: Option<&str>) -> Result<Vec<ApiToken>, sqlx::Error> {
    let rows = match user_id {
        Some(user_id) => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "{API_TOKEN_QUERY} WHERE t.user_id = $1 ORDER BY t.created_at DESC, t.id"
            )))
            .bind(user_id)
            .fetch_all(db.pool())
            .await?
        }
        None => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "{API_TOKEN_QUERY} ORDER BY t.created_at DESC, t.id"
            )))
            .fetch_all(db.pool())
            .await?
        }
    };
    Ok(rows.iter().map(api_token_from_row).collect())
}

pub async fn api_token_for_update(tx: &mut Tx, id: &str) -> Result<Option<ApiToken>, sqlx::Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{API_TOKEN_QUERY} WHERE t.id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.as_ref().map(api_token_from_row))
}

/// The live (not revoked) token with this hash: its id and its owner.
pub async fn live_api_token(
    db: &Db,
    token_hash: &str,
) -> Result<Option<(String, String)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, user_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
    )
    .bind(token_hash)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|row| (row.get(0), row.get(1))))
}

/// Records a use of the token; at most one write a minute per token, however busy.
pub async fn touch_api_token(db: &Db, id: &str, now: Timestamp) -> Result<(), sqlx::Error> {
    let now = to_db(now);
    sqlx::query(
        "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)",
    )
    .bind(id)
    .bind(now)
    .bind(now - 60_000_000)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Revokes a token; returns false when it was already revoked.
pub async fn revoke_api_token(tx: &mut Tx, id: &str, now: Timestamp) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
            .bind(id)
            .bind(to_db(now))
            .execute(&mut **tx)
            .await?;
    Ok(done.rows_affected() == 1)
}
