//! Migrations: one numbered sequence per capability, embedded in the binary, run at start
//! and by `parvis migrate`. A step is portable SQL, or a SQLite file and a PostgreSQL file
//! where the DDL must differ. An applied step never changes: its checksum is verified.

use sha2::{Digest, Sha256};
use sqlx::{Acquire, Row};

use crate::db::{Backend, Db};

#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// `capability/NNNN_name`, unique and ordered within its capability.
    pub id: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

impl Migration {
    pub const fn portable(id: &'static str, sql: &'static str) -> Migration {
        Migration {
            id,
            sqlite: sql,
            postgres: sql,
        }
    }

    fn sql(&self, backend: Backend) -> &'static str {
        match backend {
            Backend::Sqlite => self.sqlite,
            Backend::Postgres => self.postgres,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("la migration {0} a été modifiée après avoir été appliquée")]
    Changed(String),
    #[error("la migration {id} a échoué : {source}")]
    Failed { id: String, source: sqlx::Error },
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// PostgreSQL advisory lock key, so that instances starting together migrate one at a time.
const PG_LOCK_KEY: i64 = 0x7061_7276_6973; // "parvis"

/// Applies every step not yet applied, in order. Returns the ids applied now.
pub async fn run(db: &Db, migrations: &[Migration]) -> Result<Vec<String>, MigrateError> {
    let mut conn = db.pool().acquire().await?;
    if db.backend() == Backend::Postgres {
        // Per-backend spot: serialise concurrent migrators across instances.
        sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(PG_LOCK_KEY)
            .execute(&mut *conn)
            .await?;
    }
    let result = apply(db.backend(), &mut conn, migrations).await;
    if db.backend() == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(PG_LOCK_KEY)
            .execute(&mut *conn)
            .await?;
    }
    result
}

async fn apply(
    backend: Backend,
    conn: &mut sqlx::pool::PoolConnection<sqlx::Any>,
    migrations: &[Migration],
) -> Result<Vec<String>, MigrateError> {
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS parvis_migrations (
            id TEXT PRIMARY KEY,
            checksum TEXT NOT NULL,
            applied_at BIGINT NOT NULL
        )",
    )
    .execute(&mut **conn)
    .await?;
    let applied: Vec<(String, String)> = sqlx::query("SELECT id, checksum FROM parvis_migrations")
        .fetch_all(&mut **conn)
        .await?
        .into_iter()
        .map(|row| (row.get::<String, _>(0), row.get::<String, _>(1)))
        .collect();
    let mut done = Vec::new();
    for migration in migrations {
        let sql = migration.sql(backend);
        let checksum = hex::encode(Sha256::digest(sql.as_bytes()));
        if let Some((_, existing)) = applied.iter().find(|(id, _)| id == migration.id) {
            if *existing != checksum {
                return Err(MigrateError::Changed(migration.id.into()));
            }
            continue;
        }
        let mut tx = conn.begin().await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut *tx)
            .await
            .map_err(|source| MigrateError::Failed {
                id: migration.id.into(),
                source,
            })?;
        sqlx::query("INSERT INTO parvis_migrations (id, checksum, applied_at) VALUES ($1, $2, $3)")
            .bind(migration.id)
            .bind(&checksum)
            .bind(crate::clock::to_db(jiff::Timestamp::now()))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::info!(migration = migration.id, "migration appliquée");
        done.push(migration.id.to_string());
    }
    Ok(done)
}

/// The schema as (table, column, normalised type) triples, to prove that SQLite and
/// PostgreSQL end with the same tables and columns.
pub async fn schema_summary(db: &Db) -> Result<Vec<(String, String, String)>, sqlx::Error> {
    let rows = match db.backend() {
        Backend::Sqlite => {
            sqlx::query(
                "SELECT m.name, p.name, p.type FROM sqlite_master m JOIN pragma_table_info(m.name) p
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.name",
            )
            .fetch_all(db.pool())
            .await?
        }
        Backend::Postgres => {
            sqlx::query(
                "SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns
                 WHERE table_schema = current_schema() ORDER BY table_name, column_name",
            )
            .fetch_all(db.pool())
            .await?
        }
    };
    Ok(rows
        .into_iter()
        .map(|row| {
            let ty: String = row.get(2);
            (row.get(0), row.get(1), normalise_type(&ty))
        })
        .collect())
}

fn normalise_type(ty: &str) -> String {
    match ty.to_ascii_lowercase().as_str() {
        "bigint" | "integer" | "int8" => "integer".into(),
        "text" | "character varying" => "text".into(),
        "blob" | "bytea" => "blob".into(),
        other => other.into(),
    }
}
