//! Session rows.

use sqlx::PgPool;

use super::links::link_of;
use crate::{backend::session::SessionCtx, error::AppError};

/// A live session's login with one of its links (none: NULL link columns).
#[derive(sqlx::FromRow)]
struct SessionLinkRow {
    id: i64,
    email: String,
    language: String,
    flash: Option<String>,
    role: Option<String>,
    customer_id: Option<i64>,
    contract_id: Option<i64>,
}

/// The live session with this token hash (not expired, not idle too long) and its login's
/// links (L2), in one statement: a row per link, or one row with no link; touches its
/// last-seen time at most once a minute.
pub async fn find_live(
    pool: &PgPool,
    token_hash: &[u8],
    idle_minutes: i64,
) -> Result<Option<SessionCtx>, AppError> {
    let rows: Vec<SessionLinkRow> = sqlx::query_as(
        "WITH live AS (
             SELECT s.token_hash, s.login_id, s.last_seen_at, s.flash
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
         SELECT l.id, l.email, l.language, live.flash, k.role, k.customer_id, k.contract_id
           FROM live
           JOIN logins l ON l.id = live.login_id
           LEFT JOIN links k ON k.login_id = l.id",
    )
    .bind(token_hash)
    .bind(i32::try_from(idle_minutes).unwrap_or(i32::MAX))
    .fetch_all(pool)
    .await?;
    let mut links = Vec::with_capacity(rows.len());
    for row in &rows {
        // NULL role: the one row of a login without links.
        if let Some(role) = &row.role {
            links.push(link_of(row.id, role, row.customer_id, row.contract_id)?);
        }
    }
    let Some(first) = rows.into_iter().next() else {
        return Ok(None);
    };
    let login_id = first.id;
    Ok(Some(SessionCtx {
        login_id,
        email: first.email,
        language: first.language,
        links,
        flash: first.flash,
    }))
}

/// Stores the notice of a plain form post with the session (`domain::flash`).
pub async fn set_flash(pool: &PgPool, token_hash: &[u8], flash: &str) -> Result<(), AppError> {
    sqlx::query("UPDATE sessions SET flash = $2 WHERE token_hash = $1")
        .bind(token_hash)
        .bind(flash)
        .execute(pool)
        .await?;
    Ok(())
}

/// Clears the session's notice once a page has shown it.
pub async fn clear_flash(pool: &PgPool, token_hash: &[u8]) -> Result<(), AppError> {
    sqlx::query("UPDATE sessions SET flash = NULL WHERE token_hash = $1")
        .bind(token_hash)
        .execute(pool)
        .await?;
    Ok(())
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
