//! The provider API's keys (issue 28 item 1): made and revoked by `selfcare-server api-key`,
//! shown once, stored as their SHA-256, each with scopes.
//!
//! A key is `sck_` and 43 characters of URL-safe base64 (256 random bits); its first 12
//! characters are kept in clear as a hint, to tell keys apart in a list.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use sqlx::{PgExecutor, PgPool};

use crate::error::AppError;

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// Read customers, contracts, invoices and events.
    Read,
    /// Create and change customers, contracts, invoices and the rest.
    Write,
    /// Send usage records.
    Usage,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Read, Scope::Write, Scope::Usage];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Usage => "usage",
        }
    }

    pub fn parse(text: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// The prefix of every key: a secret scanner can recognise one.
pub const KEY_PREFIX: &str = "sck_";
const HINT_CHARS: usize = 12;

/// A key that authenticated a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub id: i64,
    pub provider_id: i64,
    pub scopes: Vec<Scope>,
}

impl ApiKey {
    pub fn allows(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }
}

/// A key as `api-key list` shows it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct KeyListing {
    pub id: i64,
    pub name: String,
    pub hint: String,
    pub scopes: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

fn key_hash(key: &str) -> Vec<u8> {
    Sha256::digest(key.as_bytes()).to_vec()
}

/// Makes a key for `provider_id`; returns its id and the key, which is shown once.
pub async fn create(
    pool: &PgPool,
    provider_id: i64,
    name: &str,
    scopes: &[Scope],
) -> Result<(i64, String), AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || scopes.is_empty() {
        return Err(AppError::BadRequest);
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|err| {
        tracing::error!(error = %err, "no randomness for an API key");
        AppError::Internal
    })?;
    let key = format!("{KEY_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
    let mut scopes: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
    scopes.sort_unstable();
    scopes.dedup();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO provider_api_keys (provider_id, name, key_hash, hint, scopes)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(provider_id)
    .bind(name)
    .bind(key_hash(&key))
    .bind(&key[..HINT_CHARS])
    .bind(&scopes)
    .fetch_one(pool)
    .await?;
    tracing::info!(
        key_id = id,
        provider_id,
        ?scopes,
        "provider API key created"
    );
    Ok((id, key))
}

/// Revokes key `id` of `provider_id`; false when there is no such key still in force.
pub async fn revoke(pool: &PgPool, provider_id: i64, id: i64) -> Result<bool, AppError> {
    let done = sqlx::query(
        "UPDATE provider_api_keys SET revoked_at = now()
          WHERE id = $1 AND provider_id = $2 AND revoked_at IS NULL",
    )
    .bind(id)
    .bind(provider_id)
    .execute(pool)
    .await?;
    if done.rows_affected() == 1 {
        tracing::info!(key_id = id, provider_id, "provider API key revoked");
    }
    Ok(done.rows_affected() == 1)
}

/// The keys of `provider_id`, newest first.
pub async fn list(pool: &PgPool, provider_id: i64) -> Result<Vec<KeyListing>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, name, hint, scopes, created_at, last_used_at, revoked_at
           FROM provider_api_keys WHERE provider_id = $1 ORDER BY id DESC",
    )
    .bind(provider_id)
    .fetch_all(pool)
    .await?)
}

/// The key in force that `presented` is, for `provider_id`; `None` for anything else (unknown,
/// revoked, another provider's, not shaped like a key). Notes when it was last used, at most
/// once a minute.
pub async fn authenticate(
    db: impl PgExecutor<'_>,
    provider_id: i64,
    presented: &str,
) -> Result<Option<ApiKey>, AppError> {
    if !presented.starts_with(KEY_PREFIX) || presented.len() > 100 {
        return Ok(None);
    }
    let row: Option<(i64, Vec<String>)> = sqlx::query_as(
        "WITH found AS (
             SELECT id, scopes, last_used_at FROM provider_api_keys
              WHERE key_hash = $1 AND provider_id = $2 AND revoked_at IS NULL),
         touched AS (
             UPDATE provider_api_keys k SET last_used_at = now() FROM found
              WHERE k.id = found.id
                AND (found.last_used_at IS NULL OR found.last_used_at < now() - interval '1 minute'))
         SELECT id, scopes FROM found",
    )
    .bind(key_hash(presented))
    .bind(provider_id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(id, scopes)| ApiKey {
        id,
        provider_id,
        scopes: scopes.iter().filter_map(|s| Scope::parse(s)).collect(),
    }))
}
