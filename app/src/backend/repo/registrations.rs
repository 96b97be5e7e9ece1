//! Registration by verified address (issue 27): registration requests, the verification links
//! they made, and their use. Times are the clock's wall time, bound as seconds.

use sqlx::{PgConnection, PgPool};

use crate::error::AppError;

/// What a registration asked for; the mail worker handles it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Registration {
    pub id: i64,
    pub email: String,
    pub password_hash: String,
    pub language: String,
}

/// Records a registration.
pub async fn record_request(
    pool: &PgPool,
    provider_id: i64,
    registration: &Registration,
    client_ip: Option<&str>,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO registration_requests
            (provider_id, email, password_hash, language, client_ip, requested_at)
         VALUES ($1, $2, $3, $4, $5, to_timestamp($6::double precision))",
    )
    .bind(provider_id)
    .bind(&registration.email)
    .bind(&registration.password_hash)
    .bind(&registration.language)
    .bind(client_ip)
    .bind(now as f64)
    .execute(pool)
    .await?;
    Ok(())
}

/// Claims the provider's oldest unhandled registration (other instances skip it).
pub async fn claim_request(
    conn: &mut PgConnection,
    provider_id: i64,
) -> Result<Option<Registration>, AppError> {
    Ok(sqlx::query_as::<_, Registration>(
        "SELECT id, email, password_hash, language FROM registration_requests
          WHERE handled_at IS NULL AND provider_id = $1
          ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
    )
    .bind(provider_id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Marks a registration handled and forgets its password hash (the link keeps its own).
pub async fn mark_handled(conn: &mut PgConnection, id: i64) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE registration_requests SET handled_at = now(), password_hash = '' WHERE id = $1",
    )
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Stores a verification link's token hash with the registration it confirms.
pub async fn create_verification(
    conn: &mut PgConnection,
    provider_id: i64,
    registration: &Registration,
    token_hash: &[u8],
    now: i64,
    ttl_minutes: i32,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO email_verifications
            (provider_id, email, password_hash, language, token_hash, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, to_timestamp($6::double precision),
                 to_timestamp($6::double precision) + make_interval(mins => $7))",
    )
    .bind(provider_id)
    .bind(&registration.email)
    .bind(&registration.password_hash)
    .bind(&registration.language)
    .bind(token_hash)
    .bind(now as f64)
    .bind(ttl_minutes)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Whether a verification link can still be used at `now`.
pub async fn verification_usable(
    pool: &PgPool,
    provider_id: i64,
    token_hash: &[u8],
    now: i64,
) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM email_verifications
          WHERE token_hash = $1 AND provider_id = $2 AND used_at IS NULL
            AND expires_at > to_timestamp($3::double precision))",
    )
    .bind(token_hash)
    .bind(provider_id)
    .bind(now as f64)
    .fetch_one(pool)
    .await?)
}

/// Uses a verification link once and makes its login; `None` when the link was used, expired
/// or never existed, or the address has a login by now. Returns the new login's id.
pub async fn verify(
    conn: &mut PgConnection,
    provider_id: i64,
    token_hash: &[u8],
    now: i64,
) -> Result<Option<i64>, AppError> {
    let Some(registration) = sqlx::query_as::<_, (String, String, String)>(
        "UPDATE email_verifications SET used_at = to_timestamp($3::double precision)
          WHERE token_hash = $1 AND provider_id = $2 AND used_at IS NULL
            AND expires_at > to_timestamp($3::double precision)
          RETURNING email, password_hash, language",
    )
    .bind(token_hash)
    .bind(provider_id)
    .bind(now as f64)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let (email, password_hash, language) = registration;
    let login_id =
        super::logins::create(&mut *conn, provider_id, &email, &password_hash, &language).await?;
    if login_id.is_some() {
        // The address's other links are spent with this one.
        sqlx::query(
            "UPDATE email_verifications SET used_at = to_timestamp($3::double precision)
              WHERE provider_id = $1 AND email = $2 AND used_at IS NULL",
        )
        .bind(provider_id)
        .bind(&email)
        .bind(now as f64)
        .execute(&mut *conn)
        .await?;
    }
    Ok(login_id)
}

/// Deletes handled registrations and links older than two days; returns how many.
pub async fn purge(pool: &PgPool) -> Result<u64, AppError> {
    let requests = sqlx::query(
        "DELETE FROM registration_requests
          WHERE handled_at IS NOT NULL AND requested_at < now() - interval '2 days'",
    )
    .execute(pool)
    .await?;
    let links =
        sqlx::query("DELETE FROM email_verifications WHERE expires_at < now() - interval '1 day'")
            .execute(pool)
            .await?;
    Ok(requests.rows_affected() + links.rows_affected())
}
