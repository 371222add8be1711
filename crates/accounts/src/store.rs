//! Persistence of accounts, services, roles and e-mail tokens. SQL lives here only.

use jiff::Timestamp;
use kernel::Tx;
use kernel::clock::{from_db, to_db};
use kernel::db::Db;
use kernel::identity::{Identity, Role, RoleGrant, ServiceRef};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::model::{Grant, Service, StaffMember, Team, TeamMember, User};
use crate::rules::TokenPurpose;

const USER_COLUMNS: &str = "id, email, password_hash, given_name, family_name, email_verified_at, totp_secret, totp_enabled_at, totp_last_step, created_at, last_login_at, disabled_at";

fn user_from_row(row: &AnyRow) -> User {
    User {
        id: row.get(0),
        email: row.get(1),
        password_hash: row.get(2),
        given_name: row.get(3),
        family_name: row.get(4),
        email_verified: row.get::<Option<i64>, _>(5).is_some(),
        totp_secret: row.get(6),
        totp_enabled: row.get::<Option<i64>, _>(7).is_some(),
        totp_last_step: row.get(8),
        created_at: from_db(row.get(9)),
        last_login_at: row.get::<Option<i64>, _>(10).map(from_db),
        disabled: row.get::<Option<i64>, _>(11).is_some(),
    }
}

pub async fn user_by_email(db: &Db, email: &str) -> Result<Option<User>, sqlx::Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users WHERE email = $1"
    )))
    .bind(email)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.as_ref().map(user_from_row))
}

pub async fn user_by_id(db: &Db, id: &str) -> Result<Option<User>, sqlx::Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.as_ref().map(user_from_row))
}

/// A person's e-mail, read inside the caller's transaction (a write transaction must
/// not wait for a second connection).
pub async fn email_of(tx: &mut Tx, id: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT email FROM users WHERE id = $1 AND disabled_at IS NULL")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
}

pub async fn count_users(db: &Db) -> Result<i64, sqlx::Error> {
    Ok(sqlx::query("SELECT COUNT(*) FROM users")
        .fetch_one(db.pool())
        .await?
        .get(0))
}

pub struct NewUser<'a> {
    pub email: &'a str,
    pub password_hash: &'a str,
    pub given_name: &'a str,
    pub family_name: &'a str,
    pub verified: bool,
}

pub async fn insert_user(
    tx: &mut Tx,
    user: &NewUser<'_>,
    now: Timestamp,
) -> Result<String, sqlx::Error> {
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO users (id, email, password_hash, given_name, family_name, email_verified_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(user.email)
    .bind(user.password_hash)
    .bind(user.given_name.trim())
    .bind(user.family_name.trim())
    .bind(user.verified.then(|| to_db(now)))
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn set_password(tx: &mut Tx, user_id: &str, hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(user_id)
        .bind(hash)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn mark_verified(tx: &mut Tx, user_id: &str, now: Timestamp) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET email_verified_at = COALESCE(email_verified_at, $2) WHERE id = $1",
    )
    .bind(user_id)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn record_login(tx: &mut Tx, user_id: &str, now: Timestamp) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET last_login_at = $2 WHERE id = $1")
        .bind(user_id)
        .bind(to_db(now))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn enable_totp(
    tx: &mut Tx,
    user_id: &str,
    sealed_secret: &str,
    step: i64,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    // Only a first enrolment: an enrolled second factor is never replaced this way.
    Ok(sqlx::query(
        "UPDATE users SET totp_secret = $2, totp_enabled_at = $3, totp_last_step = $4 WHERE id = $1 AND totp_enabled_at IS NULL",
    )
    .bind(user_id)
    .bind(sealed_secret)
    .bind(to_db(now))
    .bind(step)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

/// Records the time step of an accepted code; refuses (returns false) a step already used,
/// so a code seen over someone's shoulder cannot be replayed.
pub async fn consume_totp_step(db: &Db, user_id: &str, step: i64) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE users SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
    )
    .bind(user_id)
    .bind(step)
    .execute(db.pool())
    .await?
    .rows_affected()
        == 1)
}

pub async fn replace_recovery_codes(
    tx: &mut Tx,
    user_id: &str,
    hashes: &[String],
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    for hash in hashes {
        sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
            .bind(user_id)
            .bind(hash)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Uses a recovery code once; true when it existed and was unused.
pub async fn use_recovery_code(
    tx: &mut Tx,
    user_id: &str,
    hash: &str,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
    )
    .bind(user_id)
    .bind(hash)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

pub async fn remaining_recovery_codes(db: &Db, user_id: &str) -> Result<i64, sqlx::Error> {
    Ok(
        sqlx::query("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")
            .bind(user_id)
            .fetch_one(db.pool())
            .await?
            .get(0),
    )
}

pub async fn create_token(
    tx: &mut Tx,
    user_id: &str,
    purpose: TokenPurpose,
    token_hash: &str,
    expires_at: Timestamp,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO account_tokens (token_hash, user_id, purpose, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(purpose.as_str())
    .bind(to_db(expires_at))
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The user a valid (unused, unexpired, right purpose) token belongs to.
async fn valid_token_user<'e, E>(
    executor: E,
    token_hash: &str,
    purposes: &[TokenPurpose],
    now: Timestamp,
) -> Result<Option<String>, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let row = sqlx::query(
        "SELECT user_id, purpose FROM account_tokens WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(to_db(now))
    .fetch_optional(executor)
    .await?;
    Ok(row.and_then(|r| {
        let purpose: String = r.get(1);
        purposes
            .iter()
            .any(|p| p.as_str() == purpose)
            .then(|| r.get(0))
    }))
}

/// The user a valid token belongs to, without using it (to show the form it opens).
pub async fn peek_token(
    db: &Db,
    token_hash: &str,
    purposes: &[TokenPurpose],
    now: Timestamp,
) -> Result<Option<String>, sqlx::Error> {
    valid_token_user(db.pool(), token_hash, purposes, now).await
}

/// Uses a token once: returns its user when it was valid, and marks it used.
pub async fn take_token(
    tx: &mut Tx,
    token_hash: &str,
    purposes: &[TokenPurpose],
    now: Timestamp,
) -> Result<Option<String>, sqlx::Error> {
    let Some(user_id) = valid_token_user(&mut **tx, token_hash, purposes, now).await? else {
        return Ok(None);
    };
    // The row count settles a race between two uses of the same link.
    let used = sqlx::query(
        "UPDATE account_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL",
    )
    .bind(token_hash)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok((used == 1).then_some(user_id))
}

/// Voids every pending link of a purpose for a person (a new reset link voids the old ones).
pub async fn void_tokens(
    tx: &mut Tx,
    user_id: &str,
    purpose: TokenPurpose,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE account_tokens SET used_at = $3 WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL")
        .bind(user_id)
        .bind(purpose.as_str())
        .bind(to_db(now))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn service_from_row(row: &AnyRow) -> Service {
    Service {
        id: row.get(0),
        slug: row.get(1),
        name: row.get(2),
        email: row.get(3),
        phone: row.get(4),
    }
}

pub async fn services(db: &Db) -> Result<Vec<Service>, sqlx::Error> {
    let rows = sqlx::query("SELECT id, slug, name, email, phone FROM services ORDER BY name")
        .fetch_all(db.pool())
        .await?;
    Ok(rows.iter().map(service_from_row).collect())
}

pub async fn service_by_slug(db: &Db, slug: &str) -> Result<Option<Service>, sqlx::Error> {
    let row = sqlx::query("SELECT id, slug, name, email, phone FROM services WHERE slug = $1")
        .bind(slug)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.as_ref().map(service_from_row))
}

pub async fn insert_service(
    tx: &mut Tx,
    slug: &str,
    name: &str,
    email: &str,
    phone: &str,
    now: Timestamp,
) -> Result<String, sqlx::Error> {
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query("INSERT INTO services (id, slug, name, email, phone, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(&id)
        .bind(slug)
        .bind(name)
        .bind(email)
        .bind(phone)
        .bind(to_db(now))
        .execute(&mut **tx)
        .await?;
    Ok(id)
}

pub async fn grant_role(
    tx: &mut Tx,
    user_id: &str,
    role: Role,
    service_id: Option<&str>,
    granted_by: Option<&str>,
    now: Timestamp,
) -> Result<String, sqlx::Error> {
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO role_grants (id, user_id, role, service_id, granted_at, granted_by) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(user_id)
    .bind(role.as_str())
    .bind(service_id)
    .bind(to_db(now))
    .bind(granted_by)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Removes a grant of that person; returns what was removed.
pub async fn revoke_grant(
    tx: &mut Tx,
    user_id: &str,
    grant_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query("SELECT role FROM role_grants WHERE id = $1 AND user_id = $2")
        .bind(grant_id)
        .bind(user_id)
        .fetch_optional(&mut **tx)
        .await?;
    let Some(row) = row else { return Ok(None) };
    sqlx::query("DELETE FROM role_grants WHERE id = $1")
        .bind(grant_id)
        .execute(&mut **tx)
        .await?;
    Ok(Some(row.get(0)))
}

const GRANT_QUERY: &str = "SELECT g.id, g.role, s.id, s.slug, s.name, g.user_id FROM role_grants g
    LEFT JOIN services s ON s.id = g.service_id";

fn grant_from_row(row: &AnyRow) -> Option<Grant> {
    let role = Role::parse(&row.get::<String, _>(1))?;
    let service = row.get::<Option<String>, _>(2).map(|id| ServiceRef {
        id,
        slug: row.get(3),
        name: row.get(4),
    });
    Some(Grant {
        id: row.get(0),
        role,
        service,
    })
}

pub async fn grants_for(db: &Db, user_id: &str) -> Result<Vec<Grant>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{GRANT_QUERY} WHERE g.user_id = $1 ORDER BY g.role, s.name"
    )))
    .bind(user_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().filter_map(grant_from_row).collect())
}

/// Identity for each request: one query for the person, one for their roles, one for
/// their teams.
pub async fn load_identity(db: &Db, user_id: &str) -> Result<Option<Identity>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, email, given_name, family_name FROM users WHERE id = $1 AND disabled_at IS NULL",
    )
    .bind(user_id)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let grants = grants_for(db, user_id)
        .await?
        .into_iter()
        .map(|g| RoleGrant {
            role: g.role,
            service: g.service,
        })
        .collect();
    Ok(Some(Identity {
        user_id: row.get(0),
        email: row.get(1),
        display_name: format!("{} {}", row.get::<String, _>(2), row.get::<String, _>(3)),
        grants,
        team_ids: teams_of_user(db, user_id)
            .await?
            .into_iter()
            .map(|t| t.id)
            .collect(),
    }))
}

/// Everyone holding at least one staff role, with their roles.
pub async fn staff(db: &Db) -> Result<Vec<StaffMember>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users WHERE id IN (SELECT user_id FROM role_grants WHERE role <> 'resident')
         ORDER BY family_name, given_name"
    )))
    .fetch_all(db.pool())
    .await?;
    let grant_rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{GRANT_QUERY} WHERE g.role <> 'resident' ORDER BY g.role, s.name"
    )))
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .map(user_from_row)
        .map(|user| {
            let grants = grant_rows
                .iter()
                .filter(|r| r.get::<String, _>(5) == user.id)
                .filter_map(grant_from_row)
                .collect();
            StaffMember { user, grants }
        })
        .collect())
}

const TEAM_COLUMNS: &str = "t.id, t.service_id, t.slug, t.name";

fn team_from_row(row: &AnyRow) -> Team {
    Team {
        id: row.get(0),
        service_id: row.get(1),
        slug: row.get(2),
        name: row.get(3),
    }
}

/// Every team of every service, by name (few enough to be filtered in memory).
pub async fn teams(db: &Db) -> Result<Vec<Team>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {TEAM_COLUMNS} FROM teams t ORDER BY t.name, t.slug"
    )))
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(team_from_row).collect())
}

pub async fn teams_of_service(db: &Db, service_id: &str) -> Result<Vec<Team>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {TEAM_COLUMNS} FROM teams t WHERE t.service_id = $1 ORDER BY t.name, t.slug"
    )))
    .bind(service_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(team_from_row).collect())
}

pub async fn teams_of_user(db: &Db, user_id: &str) -> Result<Vec<Team>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {TEAM_COLUMNS} FROM teams t JOIN team_members m ON m.team_id = t.id
         WHERE m.user_id = $1 ORDER BY t.name, t.slug"
    )))
    .bind(user_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(team_from_row).collect())
}

pub async fn team_by_id(db: &Db, id: &str) -> Result<Option<Team>, sqlx::Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {TEAM_COLUMNS} FROM teams t WHERE t.id = $1"
    )))
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.as_ref().map(team_from_row))
}

pub async fn team_by_slug(
    db: &Db,
    service_id: &str,
    slug: &str,
) -> Result<Option<Team>, sqlx::Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {TEAM_COLUMNS} FROM teams t WHERE t.service_id = $1 AND t.slug = $2"
    )))
    .bind(service_id)
    .bind(slug)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.as_ref().map(team_from_row))
}

pub async fn insert_team(
    tx: &mut Tx,
    service_id: &str,
    slug: &str,
    name: &str,
    now: Timestamp,
) -> Result<String, sqlx::Error> {
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO teams (id, service_id, slug, name, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&id)
    .bind(service_id)
    .bind(slug)
    .bind(name)
    .bind(to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// The members of a service's teams, by name.
pub async fn team_members_of_service(
    db: &Db,
    service_id: &str,
) -> Result<Vec<TeamMember>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT m.team_id, u.id, u.given_name, u.family_name FROM team_members m
         JOIN teams t ON t.id = m.team_id JOIN users u ON u.id = m.user_id
         WHERE t.service_id = $1 ORDER BY u.family_name, u.given_name",
    )
    .bind(service_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .map(|r| TeamMember {
            team_id: r.get(0),
            user_id: r.get(1),
            name: format!("{} {}", r.get::<String, _>(2), r.get::<String, _>(3)),
        })
        .collect())
}

/// Agents and managers of a service (the people who may join its teams), by name:
/// (user id, display name).
pub async fn staff_of_service(
    db: &Db,
    service_id: &str,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, given_name, family_name FROM users
         WHERE disabled_at IS NULL AND id IN (SELECT user_id FROM role_grants WHERE service_id = $1)
         ORDER BY family_name, given_name",
    )
    .bind(service_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .map(|r| {
            (
                r.get(0),
                format!("{} {}", r.get::<String, _>(1), r.get::<String, _>(2)),
            )
        })
        .collect())
}

/// Adds a member; false when they already belonged to the team.
pub async fn add_team_member(
    tx: &mut Tx,
    team_id: &str,
    user_id: &str,
) -> Result<bool, sqlx::Error> {
    let present = sqlx::query("SELECT 1 FROM team_members WHERE team_id = $1 AND user_id = $2")
        .bind(team_id)
        .bind(user_id)
        .fetch_optional(&mut **tx)
        .await?
        .is_some();
    if present {
        return Ok(false);
    }
    sqlx::query("INSERT INTO team_members (team_id, user_id) VALUES ($1, $2)")
        .bind(team_id)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(true)
}

/// Removes a member; false when they did not belong to the team.
pub async fn remove_team_member(
    tx: &mut Tx,
    team_id: &str,
    user_id: &str,
) -> Result<bool, sqlx::Error> {
    Ok(
        sqlx::query("DELETE FROM team_members WHERE team_id = $1 AND user_id = $2")
            .bind(team_id)
            .bind(user_id)
            .execute(&mut **tx)
            .await?
            .rows_affected()
            == 1,
    )
}
