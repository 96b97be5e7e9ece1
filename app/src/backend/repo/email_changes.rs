//! Email changes (issue 27 item 4): the links that confirm a login's new address, and their
//! use. Times are the clock's wall time (`Clock::unix_seconds`), bound as seconds.

use chrono::NaiveDateTime;
use sqlx::{PgConnection, PgPool};

use crate::error::AppError;

/// Links asked for by a login in the last `window_minutes` (the throttle per login).
pub async fn recent(
    conn: &mut PgConnection,
    login_id: i64,
    now: i64,
    window_minutes: i32,
) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM email_changes
          WHERE login_id = $1
            AND requested_at > to_timestamp($2::double precision) - make_interval(mins => $3)",
    )
    .bind(login_id)
    .bind(now as f64)
    .bind(window_minutes)
    .fetch_one(&mut *conn)
    .await?)
}

/// Stores a new link for `new_email`, valid for `ttl_minutes`; the login's older open links
/// are spent (only the newest request counts).
pub async fn create(
    conn: &mut PgConnection,
    login_id: i64,
    new_email: &str,
    token_hash: &[u8],
    now: i64,
    ttl_minutes: i32,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE email_changes SET used_at = to_timestamp($2::double precision)
          WHERE login_id = $1 AND used_at IS NULL",
    )
    .bind(login_id)
    .bind(now as f64)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO email_changes (login_id, new_email, token_hash, requested_at, expires_at)
         VALUES ($1, $2, $3, to_timestamp($4::double precision),
                 to_timestamp($4::double precision) + make_interval(mins => $5))",
    )
    .bind(login_id)
    .bind(new_email)
    .bind(token_hash)
    .bind(now as f64)
    .bind(ttl_minutes)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A change waiting for its confirmation.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PendingChange {
    pub new_email: String,
    /// UTC.
    pub expires_at: NaiveDateTime,
}

/// The login's open change at `now`, if any.
pub async fn pending(
    pool: &PgPool,
    login_id: i64,
    now: i64,
) -> Result<Option<PendingChange>, AppError> {
    Ok(sqlx::query_as::<_, PendingChange>(
        "SELECT new_email, (expires_at AT TIME ZONE 'UTC') AS expires_at FROM email_changes
          WHERE login_id = $1 AND used_at IS NULL
            AND expires_at > to_timestamp($2::double precision)
          ORDER BY id DESC LIMIT 1",
    )
    .bind(login_id)
    .bind(now as f64)
    .fetch_optional(pool)
    .await?)
}

/// The new address a link would confirm, when it is unused and not expired at `now`.
pub async fn usable(
    pool: &PgPool,
    provider_id: i64,
    token_hash: &[u8],
    now: i64,
) -> Result<Option<String>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT c.new_email FROM email_changes c JOIN logins l ON l.id = c.login_id
          WHERE c.token_hash = $1 AND l.provider_id = $2 AND c.used_at IS NULL
            AND c.expires_at > to_timestamp($3::double precision)",
    )
    .bind(token_hash)
    .bind(provider_id)
    .bind(now as f64)
    .fetch_optional(pool)
    .await?)
}

/// What a confirmed link changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmed {
    /// The login's address is now `new_email`; `old_email` gets the notice.
    Changed {
        login_id: i64,
        old_email: String,
        new_email: String,
        language: String,
    },
    /// Another login took the address in the meantime; the link is spent, nothing changed.
    Taken,
}

/// Uses a link once and changes its login's address. `None` when the link was used, expired or
/// never existed. The login's open password reset links are spent with it: they went to the
/// old address.
pub async fn confirm(
    conn: &mut PgConnection,
    provider_id: i64,
    token_hash: &[u8],
    now: i64,
) -> Result<Option<Confirmed>, AppError> {
    let Some((login_id, new_email)) = sqlx::query_as::<_, (i64, String)>(
        "UPDATE email_changes c SET used_at = to_timestamp($3::double precision)
           FROM logins l
          WHERE l.id = c.login_id AND c.token_hash = $1 AND l.provider_id = $2
            AND c.used_at IS NULL AND c.expires_at > to_timestamp($3::double precision)
          RETURNING c.login_id, c.new_email",
    )
    .bind(token_hash)
    .bind(provider_id)
    .bind(now as f64)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    // The login's row is locked first, so that two confirmations of one login cannot cross.
    let (old_email, language): (String, String) =
        sqlx::query_as("SELECT email, language FROM logins WHERE id = $1 FOR UPDATE")
            .bind(login_id)
            .fetch_one(&mut *conn)
            .await?;
    // The unique (provider, email) constraint decides a race with a registration; ON CONFLICT
    // cannot name an UPDATE, so the row is changed only where no other login has the address.
    let changed = sqlx::query(
        "UPDATE logins SET email = $2
          WHERE id = $1 AND NOT EXISTS
                (SELECT 1 FROM logins o WHERE o.provider_id = $3 AND o.email = $2 AND o.id <> $1)",
    )
    .bind(login_id)
    .bind(&new_email)
    .bind(provider_id)
    .execute(&mut *conn)
    .await;
    match changed {
        Ok(done) if done.rows_affected() == 1 => {}
        Ok(_) => return Ok(Some(Confirmed::Taken)),
        Err(sqlx::Error::Database(err)) if err.is_unique_violation() => {
            return Ok(Some(Confirmed::Taken));
        }
        Err(err) => return Err(err.into()),
    }
    sqlx::query(
        "UPDATE password_resets SET used_at = to_timestamp($2::double precision)
          WHERE login_id = $1 AND used_at IS NULL",
    )
    .bind(login_id)
    .bind(now as f64)
    .execute(&mut *conn)
    .await?;
    Ok(Some(Confirmed::Changed {
        login_id,
        old_email,
        new_email,
        language,
    }))
}

/// Deletes links expired more than a day ago; returns how many.
pub async fn purge(pool: &PgPool) -> Result<u64, AppError> {
    Ok(
        sqlx::query("DELETE FROM email_changes WHERE expires_at < now() - interval '1 day'")
            .execute(pool)
            .await?
            .rows_affected(),
    )
}
