//! `Idempotency-Key` on the provider API's POSTs (issue 28 item 1), the pattern of the
//! portal's own confirmations (`backend::idempotency`) keyed by API key: the key's row is
//! written first in the effect's transaction, so a retry waits for the first request, then
//! gets its stored answer (status and body); a key sent with another body is refused; a first
//! request that fails and rolls back leaves the key free. Keys are kept a day.

use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};

use crate::error::AppError;

/// How long a retry waits for the first request before `InProgress`.
const WAIT: &str = "5s";
/// How long keys are kept.
pub const KEEP_HOURS: i32 = 24;

/// A claimed key: this request does the work, or the first one's answer is replayed.
#[derive(Debug, PartialEq, Eq)]
pub enum Claim {
    Fresh,
    Replay { status: u16, answer: String },
}

/// Whether `key` can be an idempotency key: 1 to 255 visible ASCII characters.
pub fn is_key(key: &str) -> bool {
    (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

/// The hash of a request: what it does and its body.
pub fn request_hash(operation: &str, body: &[u8]) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update(operation.as_bytes());
    hasher.update([0]);
    hasher.update(body);
    hasher.finalize().to_vec()
}

/// Claims `key` of API key `api_key_id` for a request of `hash`, in the effect's transaction.
pub async fn claim(
    tx: &mut PgConnection,
    api_key_id: i64,
    key: &str,
    hash: &[u8],
) -> Result<Claim, AppError> {
    if !is_key(key) {
        return Err(AppError::BadRequest);
    }
    sqlx::query(&format!("SET LOCAL lock_timeout = '{WAIT}'"))
        .execute(&mut *tx)
        .await?;
    let inserted = sqlx::query(
        "INSERT INTO provider_idempotency_keys (api_key_id, key, request_hash)
         VALUES ($1, $2, $3) ON CONFLICT (api_key_id, key) DO NOTHING",
    )
    .bind(api_key_id)
    .bind(key)
    .bind(hash)
    .execute(&mut *tx)
    .await
    .map_err(|err| match &err {
        sqlx::Error::Database(db) if db.code().as_deref() == Some("55P03") => AppError::InProgress,
        _ => AppError::from(err),
    })?
    .rows_affected();
    sqlx::query("SET LOCAL lock_timeout = 0")
        .execute(&mut *tx)
        .await?;
    if inserted == 1 {
        return Ok(Claim::Fresh);
    }
    let (stored_hash, status, answer): (Vec<u8>, i16, String) = sqlx::query_as(
        "SELECT request_hash, status, answer FROM provider_idempotency_keys
          WHERE api_key_id = $1 AND key = $2",
    )
    .bind(api_key_id)
    .bind(key)
    .fetch_one(&mut *tx)
    .await?;
    if stored_hash != hash {
        tracing::info!(api_key_id, "idempotency key reused for another request");
        return Err(AppError::KeyReused);
    }
    tracing::info!(api_key_id, "provider request replayed");
    Ok(Claim::Replay {
        status: u16::try_from(status).unwrap_or(200),
        answer,
    })
}

/// Stores the answer of a fresh claim, in the effect's transaction.
pub async fn remember(
    tx: &mut PgConnection,
    api_key_id: i64,
    key: &str,
    status: u16,
    answer: &str,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE provider_idempotency_keys SET status = $3, answer = $4
          WHERE api_key_id = $1 AND key = $2",
    )
    .bind(api_key_id)
    .bind(key)
    .bind(i16::try_from(status).unwrap_or(200))
    .bind(answer)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Deletes keys older than [`KEEP_HOURS`]; returns how many.
pub async fn purge(pool: &PgPool) -> Result<u64, AppError> {
    let done = sqlx::query(
        "DELETE FROM provider_idempotency_keys
          WHERE created_at < now() - make_interval(hours => $1)",
    )
    .bind(KEEP_HOURS)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_visible_ascii_up_to_255() {
        assert!(is_key("b1a4f1d2-usage-2026-11-20"));
        assert!(is_key(&"k".repeat(255)));
        assert!(!is_key(""));
        assert!(!is_key(&"k".repeat(256)));
        assert!(!is_key("with space"));
        assert!(!is_key("clé"));
    }

    #[test]
    fn the_hash_covers_operation_and_body() {
        let a = request_hash("usage", b"{}");
        assert_eq!(a, request_hash("usage", b"{}"));
        assert_ne!(a, request_hash("usage", b"{} "));
        assert_ne!(a, request_hash("invoices", b"{}"));
    }
}
