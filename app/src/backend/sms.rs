//! SMS: one-time linking codes, the outbox they wait in, and its delivery.
//!
//! A code is written to `sms_outbox` in the same transaction as its `link_codes` row, so a code
//! exists exactly when its SMS will go out. `deliver_pending` hands waiting rows to an
//! `SmsDelivery` and marks them sent; rows are claimed with `FOR UPDATE SKIP LOCKED`, so two
//! server instances never send one SMS twice. The development delivery writes the SMS to the log
//! and to the household's inbox (`messages`), as the demo has no SMS gateway.

use std::future::Future;

use sha2::{Digest, Sha256};
use sqlx::PgPool;

use crate::{domain::lang::Lang, error::AppError, i18n::*};

/// Minutes a code stays valid.
pub const CODE_TTL_MINUTES: i32 = 10;
/// Wrong entries a single code survives.
pub const CODE_MAX_ATTEMPTS: i32 = 5;
/// Codes a login may request per throttling window.
pub const MAX_CODE_REQUESTS: i64 = 3;
/// Delivery attempts before a row is given up (kept, with its last error, for support).
pub const MAX_DELIVERY_ATTEMPTS: i32 = 5;

/// A fresh six-digit code, uniform over 000000–999999, and its SHA-256.
pub fn new_code() -> Result<(String, Vec<u8>), AppError> {
    loop {
        let mut bytes = [0_u8; 4];
        getrandom::fill(&mut bytes).map_err(|err| {
            tracing::error!(error = %err, "no randomness for a linking code");
            AppError::Internal
        })?;
        let n = u32::from_le_bytes(bytes);
        // Rejection sampling keeps every code equally likely.
        if n < u32::MAX - u32::MAX % 1_000_000 {
            let code = format!("{:06}", n % 1_000_000);
            let hash = hash_code(&code);
            return Ok((code, hash));
        }
    }
}

/// The stored form of a code.
pub fn hash_code(code: &str) -> Vec<u8> {
    Sha256::digest(code.as_bytes()).to_vec()
}

/// Compares two hashes without stopping at the first difference.
pub fn same_hash(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0_u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The SMS text carrying a code, in `lang`.
pub fn code_text(lang: Lang, code: &str) -> String {
    format!("{code} {}", td_string!(locale_of(lang), linking.sms_body))
}

/// One SMS waiting in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OutboxSms {
    pub id: i64,
    pub customer_id: i64,
    pub phone_number: String,
    pub body: String,
    #[sqlx(try_from = "String")]
    pub language: Lang,
}

/// Something that sends an SMS: a gateway in production, the log and inbox in development.
pub trait SmsDelivery: Send + Sync {
    /// Sends one SMS; an `Err` leaves it in the outbox for a later attempt.
    fn send(&self, sms: &OutboxSms) -> impl Future<Output = Result<(), String>> + Send;
}

/// The development delivery: the SMS goes to the server log and, as a message, to the inbox of
/// the customer whose line it is addressed to.
#[derive(Clone, Debug)]
pub struct DevDelivery {
    pub pool: PgPool,
}

impl SmsDelivery for DevDelivery {
    async fn send(&self, sms: &OutboxSms) -> Result<(), String> {
        tracing::info!(to = %sms.phone_number, body = %sms.body, "SMS (development delivery)");
        let subject = format!(
            "{} {}",
            td_string!(locale_of(sms.language), linking.sms_subject),
            sms.phone_number
        );
        sqlx::query(
            "INSERT INTO messages (customer_id, kind, subject, body)
             VALUES ($1, 'linking_code', $2, $3)",
        )
        .bind(sms.customer_id)
        .bind(subject)
        .bind(&sms.body)
        .execute(&self.pool)
        .await
        .map(|_| ())
        .map_err(|err| err.to_string())
    }
}

/// Delivers up to `batch` waiting SMS; returns how many were sent. Each row is claimed, sent
/// and marked in its own transaction, so a crash resends at most the one in flight.
pub async fn deliver_pending<D: SmsDelivery>(
    pool: &PgPool,
    delivery: &D,
    batch: usize,
) -> Result<usize, AppError> {
    let mut sent = 0;
    for _ in 0..batch {
        let mut tx = pool.begin().await?;
        let Some(sms) = sqlx::query_as::<_, OutboxSms>(
            "SELECT id, customer_id, phone_number, body, language FROM sms_outbox
              WHERE sent_at IS NULL AND attempts < $1
              ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
        )
        .bind(MAX_DELIVERY_ATTEMPTS)
        .fetch_optional(&mut *tx)
        .await?
        else {
            break;
        };
        match delivery.send(&sms).await {
            Ok(()) => {
                sqlx::query(
                    "UPDATE sms_outbox SET sent_at = now(), attempts = attempts + 1 WHERE id = $1",
                )
                .bind(sms.id)
                .execute(&mut *tx)
                .await?;
                sent += 1;
            }
            Err(error) => {
                tracing::warn!(sms_id = sms.id, %error, "SMS delivery failed");
                sqlx::query(
                    "UPDATE sms_outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1",
                )
                .bind(sms.id)
                .bind(error)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
    }
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits_and_hashed() {
        let (code, hash) = new_code().expect("code");
        assert_eq!(code.len(), 6);
        assert!(code.bytes().all(|b| b.is_ascii_digit()));
        assert!(same_hash(&hash, &hash_code(&code)));
        assert!(!same_hash(&hash, &hash_code("not it")));
        assert!(!same_hash(&hash, &hash[..31]));
    }

    #[test]
    fn sms_text_starts_with_the_code_in_the_customer_language() {
        let text = code_text(Lang::De, "042042");
        assert!(text.starts_with("042042 ist Ihr Code"), "{text}");
        assert!(code_text(Lang::Fr, "1").contains("valable 10 minutes"));
    }
}
