//! The Security tab (S2) and brute-force counters (S3).

use chrono::NaiveDateTime;
use sqlx::{PgConnection, PgPool};

use crate::{
    domain::security::{RecentFailures, SecurityQuestion, WINDOW_MINUTES, throttled},
    error::AppError,
};

use super::parse_column;

/// What a failure was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    SignIn,
    CurrentPassword,
    SecondFactor,
}

impl FailureKind {
    fn as_str(self) -> &'static str {
        match self {
            FailureKind::SignIn => "sign_in",
            FailureKind::CurrentPassword => "current_password",
            FailureKind::SecondFactor => "second_factor",
        }
    }
}

/// Whether the recent failures hold back the next attempt at this account key from this
/// address (S3, `domain::security::throttled`).
pub async fn locked_out(
    pool: &PgPool,
    account_key: &str,
    ip: Option<&str>,
) -> Result<bool, AppError> {
    Ok(throttled(&recent_failures(pool, account_key, ip).await?))
}

/// The failures within the window that bear on an attempt at `account_key` from `ip`.
async fn recent_failures(
    pool: &PgPool,
    account_key: &str,
    ip: Option<&str>,
) -> Result<RecentFailures, AppError> {
    let (pair, pair_last_secs, address, address_last_secs, account) = sqlx::query_as(
        "WITH recent AS (
             SELECT account_key, ip, created_at FROM auth_failures
              WHERE account_key = $1 AND created_at > now() - make_interval(mins => $3::int)
             UNION
             SELECT account_key, ip, created_at FROM auth_failures
              WHERE $2::text IS NOT NULL AND ip = $2
                AND created_at > now() - make_interval(mins => $3::int)
         )
         SELECT
           count(*) FILTER (WHERE account_key = $1 AND ip IS NOT DISTINCT FROM $2) AS pair,
           floor(extract(epoch FROM now() - max(created_at)
                 FILTER (WHERE account_key = $1 AND ip IS NOT DISTINCT FROM $2)))::bigint
             AS pair_last,
           count(*) FILTER (WHERE $2::text IS NOT NULL AND ip = $2) AS address,
           floor(extract(epoch FROM now() - max(created_at)
                 FILTER (WHERE $2::text IS NOT NULL AND ip = $2)))::bigint AS address_last,
           count(*) FILTER (WHERE account_key = $1) AS account
           FROM recent",
    )
    .bind(account_key)
    .bind(ip)
    .bind(i32::try_from(WINDOW_MINUTES).unwrap_or(i32::MAX))
    .fetch_one(pool)
    .await?;
    Ok(RecentFailures {
        pair,
        pair_last_secs,
        address,
        address_last_secs,
        account,
    })
}

/// Counts one failure.
pub async fn record_failure(
    pool: &PgPool,
    kind: FailureKind,
    account_key: &str,
    ip: Option<&str>,
) -> Result<(), AppError> {
    sqlx::query("INSERT INTO auth_failures (kind, account_key, ip) VALUES ($1, $2, $3)")
        .bind(kind.as_str())
        .bind(account_key)
        .bind(ip)
        .execute(pool)
        .await?;
    Ok(())
}

/// Forgets every failure of an account (its password just changed: old guesses are moot).
pub async fn clear_failures(pool: &PgPool, account_key: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM auth_failures WHERE account_key = $1")
        .bind(account_key)
        .execute(pool)
        .await?;
    Ok(())
}

/// Forgets the failures of an account from the address it just proved itself from; failures
/// from other addresses (an attacker's) keep counting.
pub async fn clear_failures_from(
    pool: &PgPool,
    account_key: &str,
    ip: Option<&str>,
) -> Result<(), AppError> {
    sqlx::query("DELETE FROM auth_failures WHERE account_key = $1 AND ip IS NOT DISTINCT FROM $2")
        .bind(account_key)
        .bind(ip)
        .execute(pool)
        .await?;
    Ok(())
}

/// Deletes sign-in and linking failures older than every window that counts them (a day for
/// sign-ins, two for linking targets); returns how many.
pub async fn purge_failures(pool: &PgPool) -> Result<u64, AppError> {
    let auth = sqlx::query("DELETE FROM auth_failures WHERE created_at < now() - interval '1 day'")
        .execute(pool)
        .await?;
    let linking =
        sqlx::query("DELETE FROM link_attempts WHERE created_at < now() - interval '2 days'")
            .execute(pool)
            .await?;
    Ok(auth.rows_affected() + linking.rows_affected())
}

/// The security settings of a login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginSecurity {
    pub password_hash: String,
    pub question: Option<SecurityQuestion>,
    /// UTC.
    pub password_changed_at: Option<NaiveDateTime>,
}

pub async fn of_login(pool: &PgPool, login_id: i64) -> Result<LoginSecurity, AppError> {
    let (password_hash, question, password_changed_at): (String, Option<String>, _) =
        sqlx::query_as(
            "SELECT password_hash, security_question,
                password_changed_at AT TIME ZONE 'UTC' AS password_changed_at
           FROM logins WHERE id = $1",
        )
        .bind(login_id)
        .fetch_one(pool)
        .await?;
    let question = match question {
        Some(q) => Some(parse_column(
            "logins.security_question",
            &q,
            SecurityQuestion::parse,
        )?),
        None => None,
    };
    Ok(LoginSecurity {
        password_hash,
        question,
        password_changed_at,
    })
}

/// Replaces the password and ends every session of the login (the caller starts a new one).
pub async fn set_password(
    conn: &mut PgConnection,
    login_id: i64,
    hash: &str,
) -> Result<(), AppError> {
    sqlx::query("UPDATE logins SET password_hash = $2, password_changed_at = now() WHERE id = $1")
        .bind(login_id)
        .bind(hash)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE login_id = $1")
        .bind(login_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Sets the security question and the hash of its normalised answer.
pub async fn set_question(
    pool: &PgPool,
    login_id: i64,
    question: SecurityQuestion,
    answer_hash: &str,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE logins SET security_question = $2, security_answer_hash = $3 WHERE id = $1",
    )
    .bind(login_id)
    .bind(question.as_str())
    .bind(answer_hash)
    .execute(pool)
    .await?;
    Ok(())
}
