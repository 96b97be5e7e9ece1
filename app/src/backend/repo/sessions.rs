//! Session rows.

use sqlx::{PgPool, Row};

use super::links::link_of;
use crate::{backend::session::SessionCtx, error::AppError};

/// The live session with this token hash (not expired, not idle too long) and its login's
/// links (L2), in one statement; touches its last-seen time at most once a minute.
pub async fn find_live(
    pool: &PgPool,
    token_hash: &[u8],
    idle_minutes: i64,
) -> Result<Option<SessionCtx>, AppError> {
    let row = sqlx::query(
        "WITH live AS (
             SELECT s.token_hash, s.login_id, s.last_seen_at
               FROM sessions s
              WHERE s.token_hash = $1
                AND s.expires_at > now()
                AND s.last_seen_at > now() - make_interval(mins => $2::int)
         ), touched AS (
             UPDATE sessions s SET last_seen_at = now()
               FROM live
              WHERE s.token_hash = live.token_hash
                AND live.last_seen_at < now() - interval '1 minute'
         )
         SELECT l.id, l.email, l.language, k.roles, k.customer_ids, k.contract_ids
           FROM live
           JOIN logins l ON l.id = live.login_id
          CROSS JOIN LATERAL (
                SELECT array_agg(role) AS roles, array_agg(customer_id) AS customer_ids,
                       array_agg(contract_id) AS contract_ids
                  FROM links WHERE links.login_id = l.id
          ) k",
    )
    .bind(token_hash)
    .bind(i32::try_from(idle_minutes).unwrap_or(i32::MAX))
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let login_id: i64 = row.get("id");
    // array_agg over no links is NULL.
    let roles: Vec<String> = row.get::<Option<_>, _>("roles").unwrap_or_default();
    let customer_ids: Vec<Option<i64>> =
        row.get::<Option<_>, _>("customer_ids").unwrap_or_default();
    let contract_ids: Vec<Option<i64>> =
        row.get::<Option<_>, _>("contract_ids").unwrap_or_default();
    // The three aggregates run over the same rows in the same order.
    if customer_ids.len() != roles.len() || contract_ids.len() != roles.len() {
        tracing::error!(login_id, "link arrays of a session differ in length");
        return Err(AppError::Internal);
    }
    let links = roles
        .iter()
        .zip(customer_ids)
        .zip(contract_ids)
        .map(|((role, customer_id), contract_id)| link_of(login_id, role, customer_id, contract_id))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(SessionCtx {
        login_id,
        email: row.get("email"),
        language: row.get("language"),
        links,
    }))
}

/// Replaces the previous session of the request (if any) by a new one, in one transaction.
pub async fn rotate(
    pool: &PgPool,
    previous_hash: Option<&[u8]>,
    new_hash: &[u8],
    login_id: i64,
    absolute_hours: i64,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    if let Some(previous) = previous_hash {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(previous)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(
        "INSERT INTO sessions (token_hash, login_id, created_at, last_seen_at, expires_at)
         VALUES ($1, $2, now(), now(), now() + make_interval(hours => $3::int))",
    )
    .bind(new_hash)
    .bind(login_id)
    .bind(i32::try_from(absolute_hours).unwrap_or(i32::MAX))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes one session.
pub async fn delete(pool: &PgPool, token_hash: &[u8]) -> Result<(), AppError> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(pool)
        .await?;
    Ok(())
}

/// Deletes expired sessions; returns how many.
pub async fn purge_expired(pool: &PgPool, idle_minutes: i64) -> Result<u64, AppError> {
    let done = sqlx::query(
        "DELETE FROM sessions
          WHERE expires_at <= now()
             OR last_seen_at <= now() - make_interval(mins => $1::int)",
    )
    .bind(i32::try_from(idle_minutes).unwrap_or(i32::MAX))
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}
