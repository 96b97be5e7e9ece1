//! Sealing the secrets at rest in place (issue 24 item 15): values still in clear (rows from
//! before sealing, the demo loader) at every start, values under an older key on rotation.
//! Batches of rows are locked with `SKIP LOCKED`, so instances starting together share the
//! work and never seal one value twice.

use sqlx::PgPool;

use crate::{
    backend::sealed::{DataKeys, Purpose},
    error::AppError,
};

const BATCH: i64 = 500;

/// What a sealing pass changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sealed {
    pub ibans: u64,
    pub totp_secrets: u64,
}

/// Which values a pass takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// Values in clear only (every start).
    Clear,
    /// Values in clear and values sealed under another key than the current one (rotation).
    Rotate,
}

/// Seals what `pass` takes under the current key.
pub async fn seal(pool: &PgPool, keys: &DataKeys, pass: Pass) -> Result<Sealed, AppError> {
    Ok(Sealed {
        ibans: seal_ibans(pool, keys, pass).await?,
        totp_secrets: seal_totp(pool, keys, pass).await?,
    })
}

/// A mandate's IBAN, in clear (from before sealing) or sealed.
#[derive(sqlx::FromRow)]
struct MandateSecret {
    id: i64,
    customer_id: i64,
    iban: Option<String>,
    iban_sealed: Option<Vec<u8>>,
}

async fn seal_ibans(pool: &PgPool, keys: &DataKeys, pass: Pass) -> Result<u64, AppError> {
    let current = i32::from(keys.current_id());
    let mut done = 0;
    loop {
        let mut tx = pool.begin().await?;
        let rows: Vec<MandateSecret> = sqlx::query_as(
            "SELECT id, customer_id, iban, iban_sealed FROM sepa_mandates
              WHERE iban IS NOT NULL OR ($2 AND get_byte(iban_sealed, 0) <> $1)
              ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED",
        )
        .bind(current)
        .bind(pass == Pass::Rotate)
        .bind(BATCH)
        .fetch_all(&mut *tx)
        .await?;
        if rows.is_empty() {
            return Ok(done);
        }
        let count = rows.len() as u64;
        for MandateSecret {
            id,
            customer_id,
            iban,
            iban_sealed,
        } in rows
        {
            let purpose = Purpose::Iban { customer_id };
            let plain = match (iban, iban_sealed) {
                (Some(clear), _) => clear.into_bytes(),
                (None, Some(sealed)) => keys.open(purpose, &sealed)?,
                (None, None) => return Err(AppError::internal("a mandate without its IBAN")),
            };
            sqlx::query("UPDATE sepa_mandates SET iban_sealed = $2, iban = NULL WHERE id = $1")
                .bind(id)
                .bind(keys.seal(purpose, &plain)?)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        done += count;
    }
}

/// A login's TOTP secrets, clear (20 bytes) or sealed.
#[derive(sqlx::FromRow)]
struct TotpSecrets {
    id: i64,
    totp_secret: Option<Vec<u8>>,
    totp_pending_secret: Option<Vec<u8>>,
}

/// Clear secrets are 20 bytes; sealed ones start with their key id.
async fn seal_totp(pool: &PgPool, keys: &DataKeys, pass: Pass) -> Result<u64, AppError> {
    let current = i32::from(keys.current_id());
    let mut done = 0;
    loop {
        let mut tx = pool.begin().await?;
        let rows: Vec<TotpSecrets> = sqlx::query_as(
            "SELECT id, totp_secret, totp_pending_secret FROM logins
              WHERE length(totp_secret) = 20 OR length(totp_pending_secret) = 20
                 OR ($2 AND (get_byte(totp_secret, 0) <> $1
                             OR get_byte(totp_pending_secret, 0) <> $1))
              ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED",
        )
        .bind(current)
        .bind(pass == Pass::Rotate)
        .bind(BATCH)
        .fetch_all(&mut *tx)
        .await?;
        if rows.is_empty() {
            return Ok(done);
        }
        let count = rows.len() as u64;
        for TotpSecrets {
            id: login_id,
            totp_secret,
            totp_pending_secret,
        } in rows
        {
            let purpose = Purpose::Totp { login_id };
            let again = |value: Option<Vec<u8>>| -> Result<Option<Vec<u8>>, AppError> {
                let Some(value) = value else {
                    return Ok(None);
                };
                let plain = if value.len() == 20 {
                    value
                } else {
                    keys.open(purpose, &value)?
                };
                keys.seal(purpose, &plain).map(Some)
            };
            let secret = again(totp_secret)?;
            let pending = again(totp_pending_secret)?;
            sqlx::query(
                "UPDATE logins SET totp_secret = $2, totp_pending_secret = $3 WHERE id = $1",
            )
            .bind(login_id)
            .bind(secret)
            .bind(pending)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        done += count;
    }
}
