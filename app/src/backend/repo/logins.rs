//! Login rows (S1).

use sqlx::PgPool;

use crate::error::AppError;

/// A login as needed for signing in.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LoginRow {
    pub id: i64,
    pub password_hash: String,
    /// Two-factor sign-in is on: the password only opens the second step.
    pub two_factor: bool,
}

/// The login with this (normalised) email at this provider.
pub async fn find_by_email(
    pool: &PgPool,
    provider_id: i64,
    email: &str,
) -> Result<Option<LoginRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, password_hash, totp_secret IS NOT NULL AS two_factor
               FROM logins WHERE provider_id = $1 AND email = $2",
    )
    .bind(provider_id)
    .bind(email)
    .fetch_optional(pool)
    .await?)
}

/// Creates a login; `None` when the email is already registered at this provider.
pub async fn create(
    conn: &mut sqlx::PgConnection,
    provider_id: i64,
    email: &str,
    password_hash: &str,
    language: &str,
) -> Result<Option<i64>, AppError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO logins (provider_id, email, password_hash, language)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT ON CONSTRAINT logins_email_unique DO NOTHING
         RETURNING id",
    )
    .bind(provider_id)
    .bind(email)
    .bind(password_hash)
    .bind(language)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Remembers the language a login chose (its sign-in page, the language switch): its SMS and its
/// household's inbox are written in it (P4).
pub async fn choose_language(pool: &PgPool, login_id: i64, lang: &str) -> Result<(), AppError> {
    sqlx::query("UPDATE logins SET language = $2, language_chosen_at = now() WHERE id = $1")
        .bind(login_id)
        .bind(lang)
        .execute(pool)
        .await?;
    Ok(())
}

/// The email of a login.
pub async fn email_of(pool: &PgPool, login_id: i64) -> Result<String, AppError> {
    Ok(sqlx::query_scalar("SELECT email FROM logins WHERE id = $1")
        .bind(login_id)
        .fetch_one(pool)
        .await?)
}
