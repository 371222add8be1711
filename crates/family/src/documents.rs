//! Supporting documents and family quotients: a family gives a document once; an agent
//! of the family service checks it once; every service that needs that type uses the
//! accepted one. Quotients are entered by those agents, from a date, never for the past
//! without a decision of theirs.

use jiff::Timestamp;
use jiff::civil::Date;
use kernel::audit::AuditTarget;
use kernel::clock::{from_db, to_db};
use kernel::db::Db;
use kernel::files::{self, FileError};
use kernel::storage::{DOCUMENT_TYPES, UploadPolicy};
use kernel::{Caller, Kernel, Role, Tx};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::model::{Document, DocumentStatus, DocumentType};
use crate::rules::{self, Problem, QuotientRecord, QuotientSource};
use crate::store::new_id;

// ------------------------------------------------------------------ who keeps the files

const SERVICE_KEY: &str = "service_id";

/// The service whose staff keep the family files.
pub async fn family_service(db: &Db) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT value FROM family_settings WHERE key = $1")
        .bind(SERVICE_KEY)
        .fetch_optional(db.pool())
        .await
}

pub async fn set_family_service(tx: &mut Tx, service_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO family_settings (key, value) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET value = $2",
    )
    .bind(SERVICE_KEY)
    .bind(service_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Administrators, and the staff of the family service.
pub async fn is_family_agent(kernel: &Kernel, caller: &Caller) -> Result<bool, sqlx::Error> {
    let Some(identity) = &caller.identity else {
        return Ok(false);
    };
    if identity.has_role(Role::Administrator) {
        return Ok(true);
    }
    Ok(family_service(&kernel.db)
        .await?
        .is_some_and(|service| identity.works_for(&service)))
}

// ------------------------------------------------------------------ documents

/// A document as listed to the family or the agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDocument {
    pub id: String,
    pub household_id: String,
    pub child_id: Option<String>,
    pub file_id: String,
    pub file_name: String,
    pub document: Document,
    pub uploaded_at: Timestamp,
}

const DOCUMENT_COLUMNS: &str = "d.id, d.household_id, d.child_id, d.file_id, f.original_name, d.kind, d.status, d.refusal_reason, d.valid_from, d.valid_until, d.uploaded_at";

fn stored_document(row: &AnyRow) -> Option<StoredDocument> {
    let kind: String = row.get(5);
    let status: String = row.get(6);
    let reason: String = row.get(7);
    let from: String = row.get(8);
    let until: Option<String> = row.get(9);
    Some(StoredDocument {
        id: row.get(0),
        household_id: row.get(1),
        child_id: row.get(2),
        file_id: row.get(3),
        file_name: row.get(4),
        document: Document {
            kind: DocumentType::from_code(&kind)?,
            status: match status.as_str() {
                "accepted" => DocumentStatus::Accepted,
                "refused" => DocumentStatus::Refused { reason },
                _ => DocumentStatus::Pending,
            },
            valid_from: from.parse().ok()?,
            valid_until: until.and_then(|u| u.parse().ok()),
        },
        uploaded_at: from_db(row.get(10)),
    })
}

pub async fn documents_of(db: &Db, household_id: &str) -> Result<Vec<StoredDocument>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {DOCUMENT_COLUMNS} FROM supporting_documents d JOIN files f ON f.id = d.file_id
         WHERE d.household_id = $1 ORDER BY d.uploaded_at DESC, d.id"
    )))
    .bind(household_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().filter_map(stored_document).collect())
}

pub async fn document_by_id(db: &Db, id: &str) -> Result<Option<StoredDocument>, sqlx::Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {DOCUMENT_COLUMNS} FROM supporting_documents d JOIN files f ON f.id = d.file_id WHERE d.id = $1"
    )))
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.as_ref().and_then(stored_document))
}

/// Documents waiting for a check, oldest first, with their household's name.
pub async fn pending_documents(
    db: &Db,
    limit: i64,
) -> Result<Vec<(StoredDocument, String)>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {DOCUMENT_COLUMNS}, h.label FROM supporting_documents d
           JOIN files f ON f.id = d.file_id JOIN households h ON h.id = d.household_id
         WHERE d.status = 'pending' ORDER BY d.uploaded_at, d.id LIMIT $1"
    )))
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .filter_map(|r| Some((stored_document(r)?, r.get::<String, _>(11))))
        .collect())
}

/// What a family sends with a document.
pub struct Upload<'a> {
    pub kind: &'a str,
    pub dated: &'a str,
    pub file_name: &'a str,
    pub bytes: &'a [u8],
}

/// A family gives a document: checked, encrypted and stored before its row is written.
pub async fn upload(
    kernel: &Kernel,
    caller: &Caller,
    household_id: &str,
    upload: Upload<'_>,
) -> Result<String, crate::actions::FamilyError> {
    use crate::actions::FamilyError;
    let mut problems: Vec<Problem> = Vec::new();
    let kind = DocumentType::from_code(upload.kind.trim());
    if kind.is_none() {
        problems.push(("kind", "Choisissez le type de document.".into()));
    }
    let today = kernel.now().to_zoned(kernel::clock::paris()).date();
    let dated = rules::parse_date(upload.dated);
    match dated {
        None => problems.push((
            "dated",
            "Indiquez la date du document au format jj/mm/aaaa.".into(),
        )),
        Some(d) if d > today => problems.push((
            "dated",
            "La date du document ne peut pas être dans le futur.".into(),
        )),
        Some(_) => {}
    }
    if upload.bytes.is_empty() {
        problems.push(("file", "Choisissez le fichier à envoyer.".into()));
    }
    let (Some(kind), Some(dated), true) = (kind, dated, problems.is_empty()) else {
        return Err(FamilyError::Invalid(problems));
    };
    let policy = UploadPolicy {
        max_bytes: kernel.config.max_upload_bytes,
        allowed: DOCUMENT_TYPES,
    };
    let mut tx = kernel.db.begin().await?;
    let file = match files::store_upload(
        kernel,
        &mut tx,
        "family/documents",
        upload.file_name,
        upload.bytes,
        &policy,
    )
    .await
    {
        Ok(file) => file,
        Err(FileError::Refused(why)) => {
            return Err(FamilyError::Invalid(vec![("file", why.to_string())]));
        }
        Err(FileError::Db(e)) => return Err(e.into()),
        Err(FileError::Storage(e)) => {
            return Err(FamilyError::Storage(e.to_string()));
        }
    };
    let id = new_id();
    sqlx::query(
        "INSERT INTO supporting_documents (id, household_id, child_id, kind, file_id, valid_from, valid_until, status, refusal_reason, uploaded_by, uploaded_at)
         VALUES ($1, $2, NULL, $3, $4, $5, $6, 'pending', '', $7, $8)",
    )
    .bind(&id)
    .bind(household_id)
    .bind(kind.code())
    .bind(&file.id)
    .bind(dated.to_string())
    .bind(rules::default_validity(kind, dated).map(|d| d.to_string()))
    .bind(caller.identity.as_ref().map(|i| i.user_id.clone()))
    .bind(to_db(kernel.now()))
    .execute(&mut *tx)
    .await?;
    kernel
        .audit(
            &mut tx,
            caller,
            "family.document_given",
            Some(&AuditTarget::new("document", &id)),
            serde_json::json!({ "household": household_id, "kind": kind.code() }),
        )
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// An agent's check of a document.
pub enum Check {
    Accept { valid_until: Option<Date> },
    Refuse { reason: String },
}

pub async fn check(
    kernel: &Kernel,
    caller: &Caller,
    document_id: &str,
    check: Check,
) -> Result<(), crate::actions::FamilyError> {
    use crate::actions::FamilyError;
    if !is_family_agent(kernel, caller).await? {
        return Err(FamilyError::NotFound);
    }
    let document = document_by_id(&kernel.db, document_id)
        .await?
        .ok_or(FamilyError::NotFound)?;
    let (status, reason, until) = match check {
        Check::Accept { valid_until } => {
            if valid_until.is_some_and(|u| u < document.document.valid_from) {
                return Err(FamilyError::Invalid(vec![(
                    "valid_until",
                    "La fin de validité ne peut pas précéder la date du document.".into(),
                )]));
            }
            ("accepted", String::new(), valid_until)
        }
        Check::Refuse { reason } => {
            let reason = rules::clean(&reason, 500);
            if reason.is_empty() {
                return Err(FamilyError::Invalid(vec![(
                    "reason",
                    "Indiquez à la famille pourquoi le document est refusé.".into(),
                )]));
            }
            ("refused", reason, document.document.valid_until)
        }
    };
    // The family hears of a refusal: read before the transaction.
    let emails: Vec<String> = if status == "refused" {
        crate::store::adults(&kernel.db, &document.household_id)
            .await?
            .into_iter()
            .map(|a| a.person.email)
            .filter(|e| !e.is_empty())
            .collect()
    } else {
        Vec::new()
    };
    let mut tx = kernel.db.begin().await?;
    for email in &emails {
        kernel::outbox::enqueue_email(
            &mut tx,
            kernel.now(),
            &kernel::outbox::Email {
                to: email.clone(),
                subject: format!(
                    "Pièce refusée : {}",
                    document.document.kind.label_fr()
                ),
                text: format!(
                    "Bonjour,\n\nLe service famille n'a pas pu accepter votre pièce « {} » : {reason}.\nDéposez-en une nouvelle dans votre dossier famille :\n{}\n\nLe service famille\n",
                    document.document.kind.label_fr(),
                    kernel.link("/famille/documents"),
                ),
                html: None,
            },
        )
        .await?;
    }
    sqlx::query(
        "UPDATE supporting_documents SET status = $2, refusal_reason = $3, valid_until = $4, checked_by = $5, checked_at = $6
         WHERE id = $1",
    )
    .bind(document_id)
    .bind(status)
    .bind(&reason)
    .bind(until.map(|d| d.to_string()))
    .bind(caller.identity.as_ref().map(|i| i.user_id.clone()))
    .bind(to_db(kernel.now()))
    .execute(&mut *tx)
    .await?;
    kernel
        .audit(
            &mut tx,
            caller,
            "family.document_checked",
            Some(&AuditTarget::new("document", document_id)),
            serde_json::json!({ "status": status, "household": document.household_id }),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

// ------------------------------------------------------------------ requirements

/// Each family service and the document types it asks for, in order.
pub async fn requirements(db: &Db) -> Result<Vec<(String, Vec<DocumentType>)>, sqlx::Error> {
    let rows =
        sqlx::query("SELECT service, kind FROM document_requirements ORDER BY service, position")
            .fetch_all(db.pool())
            .await?;
    let mut out: Vec<(String, Vec<DocumentType>)> = Vec::new();
    for row in rows {
        let service: String = row.get(0);
        let Some(kind) = DocumentType::from_code(&row.get::<String, _>(1)) else {
            continue;
        };
        match out.last_mut() {
            Some((last, kinds)) if *last == service => kinds.push(kind),
            _ => out.push((service, vec![kind])),
        }
    }
    Ok(out)
}

pub async fn set_requirements(
    tx: &mut Tx,
    service: &str,
    kinds: &[DocumentType],
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM document_requirements WHERE service = $1")
        .bind(service)
        .execute(&mut **tx)
        .await?;
    for (position, kind) in kinds.iter().enumerate() {
        sqlx::query(
            "INSERT INTO document_requirements (service, kind, position) VALUES ($1, $2, $3)",
        )
        .bind(service)
        .bind(kind.code())
        .bind(i64::try_from(position).unwrap_or(0))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

// ------------------------------------------------------------------ quotients

pub async fn quotients(db: &Db, household_id: &str) -> Result<Vec<QuotientRecord>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT value, source, effective_from FROM family_quotients WHERE household_id = $1 ORDER BY effective_from, recorded_at",
    )
    .bind(household_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            let source: String = r.get(1);
            let from: String = r.get(2);
            Some(QuotientRecord {
                value: u32::try_from(r.get::<i64, _>(0)).ok()?,
                source: if source == "caf" {
                    QuotientSource::CafCertificate
                } else {
                    QuotientSource::Computed
                },
                effective_from: from.parse().ok()?,
            })
        })
        .collect())
}

/// The quotient that applies to a household on a day, if one was entered.
pub async fn quotient_on(
    db: &Db,
    household_id: &str,
    day: Date,
) -> Result<Option<u32>, sqlx::Error> {
    Ok(rules::quotient_on(&quotients(db, household_id).await?, day))
}

/// An agent enters a quotient, from a date (retroactive only by their decision).
pub async fn record_quotient(
    kernel: &Kernel,
    caller: &Caller,
    household_id: &str,
    record: &QuotientRecord,
    retroactive_decision: bool,
    note: &str,
) -> Result<(), crate::actions::FamilyError> {
    use crate::actions::FamilyError;
    if !is_family_agent(kernel, caller).await? {
        return Err(FamilyError::NotFound);
    }
    let today = kernel.now().to_zoned(kernel::clock::paris()).date();
    if let Err(e) = rules::check_effective_date(record.effective_from, today, retroactive_decision)
    {
        return Err(FamilyError::Invalid(vec![(
            "effective_from",
            e.to_string(),
        )]));
    }
    let note = rules::clean(note, 300);
    if retroactive_decision && record.effective_from < today && note.is_empty() {
        return Err(FamilyError::Invalid(vec![(
            "note",
            "Motivez l'effet rétroactif (par exemple : attestation CAF reçue en retard).".into(),
        )]));
    }
    let mut tx = kernel.db.begin().await?;
    sqlx::query(
        "INSERT INTO family_quotients (id, household_id, value, source, effective_from, note, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(household_id)
    .bind(i64::from(record.value))
    .bind(match record.source {
        QuotientSource::CafCertificate => "caf",
        QuotientSource::Computed => "computed",
    })
    .bind(record.effective_from.to_string())
    .bind(&note)
    .bind(caller.identity.as_ref().map(|i| i.user_id.clone()))
    .bind(to_db(kernel.now()))
    .execute(&mut *tx)
    .await?;
    kernel
        .audit(
            &mut tx,
            caller,
            "family.quotient_recorded",
            Some(&AuditTarget::new("household", household_id)),
            serde_json::json!({
                "value": record.value,
                "from": record.effective_from.to_string(),
                "retroactive": record.effective_from < today,
            }),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

// ------------------------------------------------------------------ reminders

/// Days before a document ends when the family is asked for a new one.
pub const REMIND_DAYS: i64 = 30;

/// Asks each family, once per document, for a new one when an accepted document ends
/// within `REMIND_DAYS` days (and nothing newer of its type was given): an e-mail to each
/// responsible adult with an address. Returns how many documents were reminded.
pub async fn remind_expiring(kernel: &Kernel) -> Result<usize, sqlx::Error> {
    use jiff::ToSpan;
    let today = kernel.now().to_zoned(kernel::clock::paris()).date();
    let horizon = today.saturating_add(REMIND_DAYS.days());
    let rows = sqlx::query(
        "SELECT d.id, d.household_id, d.kind, d.valid_until FROM supporting_documents d
         WHERE d.status = 'accepted' AND d.reminded_at IS NULL
           AND d.valid_until IS NOT NULL AND d.valid_until >= $1 AND d.valid_until <= $2
           AND NOT EXISTS (SELECT 1 FROM supporting_documents n
                           WHERE n.household_id = d.household_id AND n.kind = d.kind
                             AND n.uploaded_at > d.uploaded_at AND n.status <> 'refused')
         ORDER BY d.valid_until, d.id",
    )
    .bind(today.to_string())
    .bind(horizon.to_string())
    .fetch_all(kernel.db.pool())
    .await?;
    let mut reminded = 0;
    for row in rows {
        let id: String = row.get(0);
        let household: String = row.get(1);
        let Some(kind) = DocumentType::from_code(&row.get::<String, _>(2)) else {
            continue;
        };
        let until: String = row.get(3);
        let until = until
            .parse::<Date>()
            .map(|d| d.strftime("%d/%m/%Y").to_string())
            .unwrap_or(until);
        let emails: Vec<String> = crate::store::adults(&kernel.db, &household)
            .await?
            .into_iter()
            .map(|a| a.person.email)
            .filter(|e| !e.is_empty())
            .collect();
        let mut tx = kernel.db.begin().await?;
        // Claimed first, so that two instances never remind twice.
        let claimed = sqlx::query(
            "UPDATE supporting_documents SET reminded_at = $2 WHERE id = $1 AND reminded_at IS NULL",
        )
        .bind(&id)
        .bind(to_db(kernel.now()))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed != 1 {
            continue;
        }
        for email in &emails {
            kernel::outbox::enqueue_email(
                &mut tx,
                kernel.now(),
                &kernel::outbox::Email {
                    to: email.clone(),
                    subject: format!("Pièce à renouveler : {}", kind.label_fr()),
                    text: format!(
                        "Bonjour,\n\nVotre pièce « {} » n'est plus valable après le {until}. Pour que vos réservations continuent sans interruption, déposez-en une nouvelle dans votre dossier famille :\n{}\n\nLe service famille\n",
                        kind.label_fr(),
                        kernel.link("/famille/documents"),
                    ),
                    html: None,
                },
            )
            .await?;
        }
        tx.commit().await?;
        reminded += 1;
    }
    Ok(reminded)
}
