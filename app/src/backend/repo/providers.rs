//! Provider settings (P3).

use sqlx::PgPool;

use crate::{domain::brand::Brand, error::AppError};

/// The provider's id for its slug.
pub async fn id_by_slug(pool: &PgPool, slug: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM providers WHERE slug = $1")
        .bind(slug)
        .fetch_optional(pool)
        .await
}

/// The white-label settings the shell shows on every page.
pub async fn brand(pool: &PgPool, provider_id: i64) -> Result<Brand, AppError> {
    Ok(sqlx::query_as(
        "SELECT name, logo_path, color_primary, color_accent, support_url
           FROM providers WHERE id = $1",
    )
    .bind(provider_id)
    .fetch_one(pool)
    .await?)
}

/// What the page shell reads in one statement.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ShellRow {
    #[sqlx(flatten)]
    pub brand: Brand,
    /// Unread messages of the held customer number (0 without one).
    pub unread: i64,
    /// Whether the held customer number has hosting services.
    pub hosting: bool,
}

/// The brand and, for a holder, the unread messages of their customer number (M2; 0 without
/// one): what the page shell reads, in one statement.
pub async fn brand_and_unread(
    pool: &PgPool,
    provider_id: i64,
    holder_of: Option<i64>,
) -> Result<ShellRow, AppError> {
    Ok(sqlx::query_as(
        "SELECT name, logo_path, color_primary, color_accent, support_url,
                (SELECT count(*) FROM messages m
                  WHERE m.customer_id = $2 AND m.read_at IS NULL) AS unread,
                EXISTS (SELECT 1 FROM contracts c
                         WHERE c.customer_id = $2 AND c.service = 'hosting') AS hosting
           FROM providers WHERE id = $1",
    )
    .bind(provider_id)
    .bind(holder_of)
    .fetch_one(pool)
    .await?)
}

/// The provider's currency (ISO 4217).
pub async fn currency(pool: &PgPool, provider_id: i64) -> Result<String, AppError> {
    let code: String = sqlx::query_scalar("SELECT currency FROM providers WHERE id = $1")
        .bind(provider_id)
        .fetch_one(pool)
        .await?;
    Ok(code.trim().to_string())
}

/// The provider's sales contact (P3): where a tariff without upgrades points (X3).
pub async fn sales_url(pool: &PgPool, provider_id: i64) -> Result<String, AppError> {
    Ok(
        sqlx::query_scalar("SELECT sales_url FROM providers WHERE id = $1")
            .bind(provider_id)
            .fetch_one(pool)
            .await?,
    )
}
