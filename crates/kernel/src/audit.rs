//! The audit log: who did what to which record, for whom, when and from where.
//! Append-only; each entry's hash covers the previous one's, so a modified, deleted or
//! inserted row breaks the chain and `parvis audit verify` finds it.

use hmac::{Hmac, KeyInit, Mac};
use jiff::Timestamp;
use serde::Serialize;
use sha2::Sha256;
use sqlx::Row;

use crate::clock::{from_db, to_db};
use crate::db::{Backend, Db, Tx};
use crate::secret::SecretKey;

/// Who acts: the person logged in, and the person they act for (counter, mandate).
#[derive(Debug, Clone, Default, Serialize)]
pub struct AuditActor {
    pub user_id: Option<String>,
    pub label: String,
    pub acting_for_id: Option<String>,
    pub acting_for_label: Option<String>,
    pub ip: Option<String>,
}

impl AuditActor {
    pub fn system(label: &str) -> AuditActor {
        AuditActor {
            label: label.to_string(),
            ..AuditActor::default()
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct AuditTarget {
    pub kind: String,
    pub id: String,
}

impl AuditTarget {
    pub fn new(kind: &str, id: &str) -> AuditTarget {
        AuditTarget {
            kind: kind.into(),
            id: id.into(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub id: String,
    #[serde(skip)]
    pub at: Timestamp,
    pub at_micros: i64,
    pub actor_id: Option<String>,
    pub actor_label: String,
    pub acting_for_id: Option<String>,
    pub acting_for_label: Option<String>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub ip: Option<String>,
    pub details: String,
    pub prev_hash: String,
    #[serde(skip)]
    pub hash: String,
}

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The chain is keyed with a key derived from the instance secret: someone who can write
/// to the database but does not hold the secret cannot forge a consistent chain.
pub fn chain_key(secret: &SecretKey) -> [u8; 32] {
    secret.derive("kernel/audit-chain/hmac-sha256/v1")
}

impl AuditEntry {
    /// HMAC-SHA256 over every field and the previous hash, in a fixed order.
    fn compute_hash(&self, key: &[u8; 32]) -> String {
        let canonical = serde_json::to_string(self).unwrap_or_default();
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("any key length");
        mac.update(canonical.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// Appends an entry inside the caller's transaction, so the audit and the change it
/// records commit together or not at all.
#[allow(clippy::too_many_arguments)]
pub async fn record(
    tx: &mut Tx,
    backend: Backend,
    key: &[u8; 32],
    at: Timestamp,
    actor: &AuditActor,
    action: &str,
    target: Option<&AuditTarget>,
    details: serde_json::Value,
) -> Result<(), sqlx::Error> {
    if backend == Backend::Postgres {
        // Per-backend spot: one appender at a time, so the chain stays linear.
        // (On SQLite, write transactions already hold the database's write lock.)
        sqlx::query("SELECT pg_advisory_xact_lock(7061727669730002)")
            .execute(&mut **tx)
            .await?;
    }
    let last = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut **tx)
        .await?;
    let (seq, prev_hash) = match last {
        Some(row) => (row.get::<i64, _>(0) + 1, row.get::<String, _>(1)),
        None => (1, GENESIS.to_string()),
    };
    let mut entry = AuditEntry {
        seq,
        id: uuid::Uuid::new_v4().to_string(),
        at,
        at_micros: to_db(at),
        actor_id: actor.user_id.clone(),
        actor_label: actor.label.clone(),
        acting_for_id: actor.acting_for_id.clone(),
        acting_for_label: actor.acting_for_label.clone(),
        action: action.to_string(),
        target_type: target.map(|t| t.kind.clone()),
        target_id: target.map(|t| t.id.clone()),
        ip: actor.ip.clone(),
        details: details.to_string(),
        prev_hash,
        hash: String::new(),
    };
    entry.hash = entry.compute_hash(key);
    let search_text = format!(
        "{} {}",
        entry.actor_label,
        entry.acting_for_label.as_deref().unwrap_or_default()
    )
    .to_lowercase();
    sqlx::query(
        "INSERT INTO audit_log (seq, id, at, actor_id, actor_label, acting_for_id, acting_for_label,
            action, target_type, target_id, ip, details, prev_hash, hash, search_text)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(entry.seq)
    .bind(&entry.id)
    .bind(entry.at_micros)
    .bind(&entry.actor_id)
    .bind(&entry.actor_label)
    .bind(&entry.acting_for_id)
    .bind(&entry.acting_for_label)
    .bind(&entry.action)
    .bind(&entry.target_type)
    .bind(&entry.target_id)
    .bind(&entry.ip)
    .bind(&entry.details)
    .bind(&entry.prev_hash)
    .bind(&entry.hash)
    .bind(&search_text)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

const COLUMNS: &str = "seq, id, at, actor_id, actor_label, acting_for_id, acting_for_label, action, target_type, target_id, ip, details, prev_hash, hash";

fn entry_from_row(row: &sqlx::any::AnyRow) -> AuditEntry {
    let at_micros: i64 = row.get(2);
    AuditEntry {
        seq: row.get(0),
        id: row.get(1),
        at: from_db(at_micros),
        at_micros,
        actor_id: row.get(3),
        actor_label: row.get(4),
        acting_for_id: row.get(5),
        acting_for_label: row.get(6),
        action: row.get(7),
        target_type: row.get(8),
        target_id: row.get(9),
        ip: row.get(10),
        details: row.get(11),
        prev_hash: row.get(12),
        hash: row.get(13),
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum Verification {
    /// The whole chain holds; this many entries were checked.
    Intact { entries: i64 },
    /// The first entry whose content, position or link does not match.
    Broken { seq: i64, reason: String },
}

/// Walks the chain from the first entry and recomputes every hash.
pub async fn verify(db: &Db, secret: &SecretKey) -> Result<Verification, sqlx::Error> {
    let key = chain_key(secret);
    let mut expected_prev = GENESIS.to_string();
    let mut expected_seq = 1;
    let mut after = 0i64;
    loop {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 1000"
        )))
        .bind(after)
        .fetch_all(db.pool())
        .await?;
        if rows.is_empty() {
            return Ok(Verification::Intact {
                entries: expected_seq - 1,
            });
        }
        for row in &rows {
            let entry = entry_from_row(row);
            if entry.seq != expected_seq {
                return Ok(Verification::Broken {
                    seq: expected_seq,
                    reason: format!("entrée n° {expected_seq} manquante"),
                });
            }
            if entry.prev_hash != expected_prev {
                return Ok(Verification::Broken {
                    seq: entry.seq,
                    reason: "le lien avec l'entrée précédente ne correspond pas".into(),
                });
            }
            if entry.compute_hash(&key) != entry.hash {
                return Ok(Verification::Broken {
                    seq: entry.seq,
                    reason: "le contenu de l'entrée a été modifié".into(),
                });
            }
            expected_prev = entry.hash.clone();
            expected_seq += 1;
            after = entry.seq;
        }
    }
}

#[derive(Debug, Default, Clone)]
pub struct AuditQuery {
    /// Part of the actor's name or e-mail, or of the person acted for.
    pub who: Option<String>,
    /// Prefix of the action, e.g. `account.` or `login.failed`.
    pub action: Option<String>,
    /// Exact id of the record concerned.
    pub target_id: Option<String>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub before_seq: Option<i64>,
    pub limit: i64,
}

/// Newest first, filtered; SQL built from fixed fragments with bound values only.
pub async fn search(db: &Db, query: &AuditQuery) -> Result<Vec<AuditEntry>, sqlx::Error> {
    let mut sql = format!("SELECT {COLUMNS} FROM audit_log WHERE 1 = 1");
    let mut n = 0;
    let mut next = || {
        n += 1;
        format!("${n}")
    };
    if query.who.is_some() {
        let p = next();
        sql.push_str(&format!(" AND search_text LIKE {p} ESCAPE '\\'"));
    }
    if query.action.is_some() {
        sql.push_str(&format!(" AND action LIKE {} ESCAPE '\\'", next()));
    }
    if query.target_id.is_some() {
        sql.push_str(&format!(" AND target_id = {}", next()));
    }
    if query.from.is_some() {
        sql.push_str(&format!(" AND at >= {}", next()));
    }
    if query.to.is_some() {
        sql.push_str(&format!(" AND at < {}", next()));
    }
    if query.before_seq.is_some() {
        sql.push_str(&format!(" AND seq < {}", next()));
    }
    sql.push_str(&format!(" ORDER BY seq DESC LIMIT {}", next()));
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some(who) = &query.who {
        q = q.bind(format!("%{}%", escape_like(&who.to_lowercase())));
    }
    if let Some(action) = &query.action {
        q = q.bind(format!("{}%", escape_like(action)));
    }
    if let Some(target) = &query.target_id {
        q = q.bind(target.clone());
    }
    if let Some(from) = query.from {
        q = q.bind(to_db(from));
    }
    if let Some(to) = query.to {
        q = q.bind(to_db(to));
    }
    if let Some(before) = query.before_seq {
        q = q.bind(before);
    }
    q = q.bind(query.limit.clamp(1, 500));
    let rows = q.fetch_all(db.pool()).await?;
    Ok(rows.iter().map(entry_from_row).collect())
}

/// `LIKE` wildcards typed by a person are matched literally (`ESCAPE '\'` on both engines).
fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
