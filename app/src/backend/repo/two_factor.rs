//! Two-factor sign-in (TOTP): the login's secret, its recovery codes and the pending
//! second-factor steps of sign-ins.

use chrono::NaiveDateTime;
use sqlx::{PgConnection, PgPool};

use crate::{
    backend::sealed::{DataKeys, Purpose},
    error::AppError,
};

/// Whether two-factor sign-in is on (since when, UTC) and how many recovery codes are unused.
pub async fn state(pool: &PgPool, login_id: i64) -> Result<(Option<NaiveDateTime>, i64), AppError> {
    Ok(sqlx::query_as(
        "SELECT totp_enabled_at AT TIME ZONE 'UTC' AS enabled_at,
                (SELECT count(*) FROM recovery_codes r
                  WHERE r.login_id = l.id AND r.used_at IS NULL) AS left_codes
           FROM logins l WHERE l.id = $1",
    )
    .bind(login_id)
    .fetch_one(pool)
    .await?)
}

/// Remembers a new secret, sealed, until the customer proves the app has it.
pub async fn set_pending(
    pool: &PgPool,
    login_id: i64,
    secret: &[u8],
    keys: &DataKeys,
) -> Result<(), AppError> {
    sqlx::query("UPDATE logins SET totp_pending_secret = $2 WHERE id = $1")
        .bind(login_id)
        .bind(keys.seal(Purpose::Totp { login_id }, secret)?)
        .execute(pool)
        .await?;
    Ok(())
}

/// The pending secret, locked and opened.
pub async fn lock_pending(
    conn: &mut PgConnection,
    login_id: i64,
    keys: &DataKeys,
) -> Result<Option<Vec<u8>>, AppError> {
    let sealed: Option<Vec<u8>> = sqlx::query_scalar(
        "SELECT totp_pending_secret FROM logins WHERE id = $1 AND totp_secret IS NULL FOR UPDATE",
    )
    .bind(login_id)
    .fetch_optional(&mut *conn)
    .await?
    .flatten();
    sealed
        .map(|sealed| keys.open(Purpose::Totp { login_id }, &sealed))
        .transpose()
}

/// Turns two-factor sign-in on with the pending secret, the step just used and the hashes of
/// new recovery codes (replacing any old ones).
pub async fn enable(
    conn: &mut PgConnection,
    login_id: i64,
    step: u64,
    code_hashes: &[Vec<u8>],
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE logins
            SET totp_secret = totp_pending_secret, totp_pending_secret = NULL,
                totp_last_step = $2, totp_enabled_at = now()
          WHERE id = $1",
    )
    .bind(login_id)
    .bind(i64::try_from(step).map_err(|_| AppError::internal("TOTP step out of range"))?)
    .execute(&mut *conn)
    .await?;
    forget_recovery_codes(conn, login_id).await?;
    sqlx::query("INSERT INTO recovery_codes (login_id, code_hash) SELECT $1, unnest($2::bytea[])")
        .bind(login_id)
        .bind(code_hashes)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn forget_recovery_codes(conn: &mut PgConnection, login_id: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM recovery_codes WHERE login_id = $1")
        .bind(login_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Turns two-factor sign-in off and forgets the secret and the recovery codes.
pub async fn disable(conn: &mut PgConnection, login_id: i64) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE logins SET totp_secret = NULL, totp_pending_secret = NULL, totp_last_step = NULL,
                           totp_enabled_at = NULL
          WHERE id = $1",
    )
    .bind(login_id)
    .execute(&mut *conn)
    .await?;
    forget_recovery_codes(conn, login_id).await?;
    Ok(())
}

/// The secret (opened) and the last used step of a login with two-factor sign-in on.
pub async fn secret_of(
    pool: &PgPool,
    login_id: i64,
    keys: &DataKeys,
) -> Result<Option<(Vec<u8>, Option<u64>)>, AppError> {
    let row: Option<(Vec<u8>, Option<i64>)> = sqlx::query_as(
        "SELECT totp_secret, totp_last_step FROM logins
          WHERE id = $1 AND totp_secret IS NOT NULL",
    )
    .bind(login_id)
    .fetch_optional(pool)
    .await?;
    row.map(|(sealed, last)| {
        let secret = keys.open(Purpose::Totp { login_id }, &sealed)?;
        Ok((secret, last.and_then(|l| u64::try_from(l).ok())))
    })
    .transpose()
}

/// Marks a step used, once: `false` when it (or a later one) was used already.
pub async fn use_step(pool: &PgPool, login_id: i64, step: u64) -> Result<bool, AppError> {
    let done = sqlx::query(
        "UPDATE logins SET totp_last_step = $2
          WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
    )
    .bind(login_id)
    .bind(i64::try_from(step).map_err(|_| AppError::internal("TOTP step out of range"))?)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Uses a recovery code, once.
pub async fn use_recovery(pool: &PgPool, login_id: i64, hash: &[u8]) -> Result<bool, AppError> {
    let done = sqlx::query(
        "UPDATE recovery_codes SET used_at = now()
          WHERE login_id = $1 AND code_hash = $2 AND used_at IS NULL",
    )
    .bind(login_id)
    .bind(hash)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Starts a second-factor step for a login that gave the right password.
pub async fn create_challenge(
    pool: &PgPool,
    token_hash: &[u8],
    login_id: i64,
    minutes: i32,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO mfa_challenges (token_hash, login_id, expires_at)
         VALUES ($1, $2, now() + make_interval(mins => $3))",
    )
    .bind(token_hash)
    .bind(login_id)
    .bind(minutes)
    .execute(pool)
    .await?;
    Ok(())
}

/// The login of a live step.
pub async fn challenge_login(pool: &PgPool, token_hash: &[u8]) -> Result<Option<i64>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT login_id FROM mfa_challenges WHERE token_hash = $1 AND expires_at > now()",
    )
    .bind(token_hash)
    .fetch_optional(pool)
    .await?)
}

/// Counts a wrong code; answers the attempts so far.
pub async fn fail_challenge(pool: &PgPool, token_hash: &[u8]) -> Result<i32, AppError> {
    Ok(sqlx::query_scalar(
        "UPDATE mfa_challenges SET attempts = attempts + 1 WHERE token_hash = $1
         RETURNING attempts",
    )
    .bind(token_hash)
    .fetch_optional(pool)
    .await?
    .unwrap_or(i32::MAX))
}

/// Ends a step (done, or too many wrong codes); also drops expired ones.
pub async fn end_challenge(pool: &PgPool, token_hash: &[u8]) -> Result<(), AppError> {
    sqlx::query("DELETE FROM mfa_challenges WHERE token_hash = $1 OR expires_at <= now()")
        .bind(token_hash)
        .execute(pool)
        .await?;
    Ok(())
}
