//! Idempotency keys of confirming actions (issue 9, QUALITY "Idempotency"): an upgrade, an
//! option change, a payment, a booking.
//!
//! The key row is inserted in the transaction of the effect, first: a second request with the
//! same key waits on the row until the first commits, then reads the stored answer and
//! replays it, so twenty identical confirmations give one effect and twenty identical answers.
//! A first request that fails and rolls back leaves no row: the key may be used again. A key
//! sent again with another request is refused (`KeyReused`); a request that waits longer than
//! [`WAIT`] for the first gets `InProgress`. Keys are pruned after a day.

use serde::{Serialize, de::DeserializeOwned};
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};

use crate::{domain::validation::is_idempotency_key, error::AppError};

/// How long a repeated confirmation waits for the first one before answering `InProgress`.
pub const WAIT: &str = "5s";

/// How long keys are kept.
pub const KEEP_HOURS: i32 = 24;

/// A claimed key: either this request does the work, or the first answer is replayed.
#[derive(Debug)]
pub enum Claim<T> {
    /// The key is new: do the effect, then [`remember`] the answer before committing.
    Fresh,
    /// The key was used for this very request: its stored answer.
    Replay(Result<T, AppError>),
}

/// The hash of an action and its arguments.
fn request_hash(action: &str, request: &impl Serialize) -> Result<Vec<u8>, AppError> {
    let json = serde_json::to_vec(request)
        .map_err(|_| AppError::internal("request not encodable for its idempotency key"))?;
    let mut hasher = Sha256::new();
    hasher.update(action.as_bytes());
    hasher.update([0]);
    hasher.update(&json);
    Ok(hasher.finalize().to_vec())
}

/// Claims `key` of `login_id` for `action` with `request`, inside the effect's transaction.
pub async fn claim<T: DeserializeOwned>(
    tx: &mut PgConnection,
    login_id: i64,
    key: &str,
    action: &str,
    request: &impl Serialize,
) -> Result<Claim<T>, AppError> {
    if !is_idempotency_key(key.split(':').next().unwrap_or_default()) || key.len() > 200 {
        return Err(AppError::BadRequest);
    }
    let hash = request_hash(action, request)?;
    sqlx::query(&format!("SET LOCAL lock_timeout = '{WAIT}'"))
        .execute(&mut *tx)
        .await?;
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (login_id, key, action, request_hash, answer)
         VALUES ($1, $2, $3, $4, '')
         ON CONFLICT (login_id, key) DO NOTHING",
    )
    .bind(login_id)
    .bind(key)
    .bind(action)
    .bind(&hash)
    .execute(&mut *tx)
    .await
    .map_err(in_progress_or)?
    .rows_affected();
    sqlx::query("SET LOCAL lock_timeout = 0")
        .execute(&mut *tx)
        .await?;
    if inserted == 1 {
        return Ok(Claim::Fresh);
    }
    let (stored_action, stored_hash, answer): (String, Vec<u8>, String) = sqlx::query_as(
        "SELECT action, request_hash, answer FROM idempotency_keys
          WHERE login_id = $1 AND key = $2",
    )
    .bind(login_id)
    .bind(key)
    .fetch_one(&mut *tx)
    .await?;
    if stored_action != action || stored_hash != hash {
        tracing::info!(
            login_id,
            action,
            "idempotency key reused for another request"
        );
        return Err(AppError::KeyReused);
    }
    let answer: Result<T, AppError> = serde_json::from_str(&answer).map_err(|err| {
        tracing::error!(error = %err, "stored idempotent answer unreadable");
        AppError::Internal
    })?;
    tracing::info!(login_id, action, "confirmation replayed");
    Ok(Claim::Replay(answer))
}

/// A wait on the first request's row that ran out is `InProgress`; anything else as usual.
pub(crate) fn in_progress_or(err: sqlx::Error) -> AppError {
    match &err {
        sqlx::Error::Database(db) if db.code().as_deref() == Some("55P03") => AppError::InProgress,
        _ => AppError::from(err),
    }
}

/// Stores the answer of a fresh claim, in the same transaction as the effect.
pub async fn remember<T: Serialize>(
    tx: &mut PgConnection,
    login_id: i64,
    key: &str,
    answer: &Result<T, AppError>,
) -> Result<(), AppError> {
    let json = serde_json::to_string(answer)
        .map_err(|_| AppError::internal("answer not encodable for its idempotency key"))?;
    sqlx::query("UPDATE idempotency_keys SET answer = $3 WHERE login_id = $1 AND key = $2")
        .bind(login_id)
        .bind(key)
        .bind(json)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Deletes keys older than [`KEEP_HOURS`]; returns how many.
pub async fn purge(pool: &PgPool) -> Result<u64, AppError> {
    let done = sqlx::query(
        "DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)",
    )
    .bind(KEEP_HOURS)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}
