//! Forgotten passwords (issue 27): requests for a link, the tokens they made, and their use.
//! Times are the clock's wall time (`Clock::unix_seconds`), bound as seconds.

use sqlx::{PgConnection, PgPool};

use crate::error::AppError;

/// The requests answered alike for every address (issue 27): reset links and registrations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requests {
    PasswordReset,
    Registration,
}

/// Requests in the last `window_minutes`: by the address typed and by the client address
/// (either may be throttled, whether or not the address has a login).
pub async fn recent_requests(
    pool: &PgPool,
    kind: Requests,
    email: &str,
    client_ip: Option<&str>,
    now: i64,
    window_minutes: i32,
) -> Result<(i64, i64), AppError> {
    let table = match kind {
        Requests::PasswordReset => "password_reset_requests",
        Requests::Registration => "registration_requests",
    };
    let counts: (i64, i64) = sqlx::query_as(&format!(
        "SELECT count(*) FILTER (WHERE email = $1),
                count(*) FILTER (WHERE $2::text IS NOT NULL AND client_ip = $2)
           FROM {table}
          WHERE requested_at > to_timestamp($3::double precision) - make_interval(mins => $4)
            AND (email = $1 OR client_ip = $2)"
    ))
    .bind(email)
    .bind(client_ip)
    .bind(now as f64)
    .bind(window_minutes)
    .fetch_one(pool)
    .await?;
    Ok(counts)
}

/// Records a request; the mail worker handles it (`backend::password_reset::process`).
pub async fn record_request(
    pool: &PgPool,
    provider_id: i64,
    email: &str,
    client_ip: Option<&str>,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO password_reset_requests (provider_id, email, client_ip, requested_at)
         VALUES ($4, $1, $2, to_timestamp($3::double precision))",
    )
    .bind(email)
    .bind(client_ip)
    .bind(now as f64)
    .bind(provider_id)
    .execute(pool)
    .await?;
    Ok(())
}

/// A request not handled yet, claimed for the caller's transaction.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PendingRequest {
    pub id: i64,
    pub email: String,
}

/// Claims the provider's oldest unhandled request (other instances skip it).
pub async fn claim_request(
    conn: &mut PgConnection,
    provider_id: i64,
) -> Result<Option<PendingRequest>, AppError> {
    Ok(sqlx::query_as::<_, PendingRequest>(
        "SELECT id, email FROM password_reset_requests
          WHERE handled_at IS NULL AND provider_id = $1
          ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
    )
    .bind(provider_id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Marks a request handled.
pub async fn mark_handled(conn: &mut PgConnection, id: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE password_reset_requests SET handled_at = now() WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The login a reset may be sent to.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResetLogin {
    pub id: i64,
    pub email: String,
    pub language: String,
}

/// The login with `email` at the provider, if any.
pub async fn login_by_email(
    conn: &mut PgConnection,
    provider_id: i64,
    email: &str,
) -> Result<Option<ResetLogin>, AppError> {
    Ok(sqlx::query_as::<_, ResetLogin>(
        "SELECT id, email, language FROM logins WHERE provider_id = $1 AND email = $2",
    )
    .bind(provider_id)
    .bind(email)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Tokens made for a login in the last `window_minutes` (the throttle per account).
pub async fn recent_tokens(
    conn: &mut PgConnection,
    login_id: i64,
    now: i64,
    window_minutes: i32,
) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM password_resets
          WHERE login_id = $1
            AND created_at > to_timestamp($2::double precision) - make_interval(mins => $3)",
    )
    .bind(login_id)
    .bind(now as f64)
    .bind(window_minutes)
    .fetch_one(&mut *conn)
    .await?)
}

/// Stores a token's hash, valid for `ttl_minutes` from `now`.
pub async fn create_token(
    conn: &mut PgConnection,
    login_id: i64,
    token_hash: &[u8],
    now: i64,
    ttl_minutes: i32,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO password_resets (login_id, token_hash, created_at, expires_at)
         VALUES ($1, $2, to_timestamp($3::double precision),
                 to_timestamp($3::double precision) + make_interval(mins => $4))",
    )
    .bind(login_id)
    .bind(token_hash)
    .bind(now as f64)
    .bind(ttl_minutes)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The login a token opens, when it is unused and not expired at `now`.
pub async fn valid_token_login(
    pool: &PgPool,
    token_hash: &[u8],
    now: i64,
) -> Result<Option<ResetLogin>, AppError> {
    Ok(sqlx::query_as::<_, ResetLogin>(
        "SELECT l.id, l.email, l.language FROM password_resets r JOIN logins l ON l.id = r.login_id
          WHERE r.token_hash = $1 AND r.used_at IS NULL
            AND r.expires_at > to_timestamp($2::double precision)",
    )
    .bind(token_hash)
    .bind(now as f64)
    .fetch_optional(pool)
    .await?)
}

/// Uses a token once: it and every other open token of its login are spent. `None` when it
/// was used, expired or never existed (or another request used it first).
pub async fn consume_token(
    conn: &mut PgConnection,
    token_hash: &[u8],
    now: i64,
) -> Result<Option<i64>, AppError> {
    let login_id: Option<i64> = sqlx::query_scalar(
        "UPDATE password_resets SET used_at = to_timestamp($2::double precision)
          WHERE token_hash = $1 AND used_at IS NULL
            AND expires_at > to_timestamp($2::double precision)
          RETURNING login_id",
    )
    .bind(token_hash)
    .bind(now as f64)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(login_id) = login_id {
        sqlx::query(
            "UPDATE password_resets SET used_at = to_timestamp($2::double precision)
              WHERE login_id = $1 AND used_at IS NULL",
        )
        .bind(login_id)
        .bind(now as f64)
        .execute(&mut *conn)
        .await?;
    }
    Ok(login_id)
}

/// Deletes requests and tokens older than a day; returns how many.
pub async fn purge(pool: &PgPool) -> Result<u64, AppError> {
    let requests = sqlx::query(
        "DELETE FROM password_reset_requests
          WHERE handled_at IS NOT NULL AND requested_at < now() - interval '1 day'",
    )
    .execute(pool)
    .await?;
    let tokens =
        sqlx::query("DELETE FROM password_resets WHERE expires_at < now() - interval '1 day'")
            .execute(pool)
            .await?;
    Ok(requests.rows_affected() + tokens.rows_affected())
}
