//! Autopay (B3, I6): the invoices due for a charge, the attempts and their outcome.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::PgConnection;

use crate::{
    backend::sealed::{DataKeys, Purpose},
    domain::{billing::invoice_dates::PaymentMethod, money::Currency},
    error::AppError,
};

/// An invoice whose autopay day has come, with what charging it needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueCharge {
    #[sqlx(rename = "id")]
    pub invoice_id: i64,
    pub number: String,
    pub customer_id: i64,
    pub amount_due: Decimal,
    #[sqlx(try_from = "String")]
    pub currency: Currency,
    /// Charges tried so far.
    #[sqlx(rename = "autopay_attempts")]
    pub attempts: i32,
    #[sqlx(rename = "payment_method", try_from = "String")]
    pub method: PaymentMethod,
    #[sqlx(flatten)]
    pub instruments: Instruments,
}

/// What a customer can be charged with.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Instruments {
    #[sqlx(rename = "instrument_customer_id")]
    pub customer_id: i64,
    pub card_last4: Option<String>,
    /// The active mandate's IBAN, sealed (issue 24 item 15): opened only to charge or mask.
    pub iban_sealed: Option<Vec<u8>>,
    pub phone: Option<String>,
}

impl Instruments {
    /// The instrument of `method`, if the customer has one.
    pub fn for_method(
        &self,
        method: PaymentMethod,
        keys: &DataKeys,
    ) -> Result<Option<String>, AppError> {
        Ok(match method {
            PaymentMethod::Card => self.card_last4.clone(),
            PaymentMethod::SepaDebit => match &self.iban_sealed {
                Some(sealed) => Some(keys.open_text(
                    Purpose::Iban {
                        customer_id: self.customer_id,
                    },
                    sealed,
                )?),
                None => None,
            },
            PaymentMethod::MobileMoney => self.phone.clone(),
        })
    }
}

pub(super) const INSTRUMENT_COLUMNS: &str = "c.id AS instrument_customer_id, c.card_last4, c.phone,
    (SELECT m.iban_sealed FROM sepa_mandates m
      WHERE m.customer_id = c.id AND m.revoked_on IS NULL) AS iban_sealed";

/// The payment instruments a customer has stored.
pub async fn instruments_of(
    conn: &mut PgConnection,
    customer_id: i64,
) -> Result<Instruments, AppError> {
    let sql = format!("SELECT {INSTRUMENT_COLUMNS} FROM customers c WHERE c.id = $1");
    Ok(sqlx::query_as(&sql)
        .bind(customer_id)
        .fetch_one(&mut *conn)
        .await?)
}

/// Invoices with an autopay day on or before `day`, after `after`, locked.
pub async fn lock_autopay_due(
    conn: &mut PgConnection,
    day: NaiveDate,
    after: i64,
    limit: i64,
) -> Result<Vec<DueCharge>, AppError> {
    let sql = format!(
        "SELECT i.id, i.number, i.customer_id, i.currency, i.autopay_attempts, s.payment_method,
                i.total - COALESCE((SELECT sum(p.amount) FROM payments p
                                     WHERE p.invoice_id = i.id), 0) AS amount_due,
                {INSTRUMENT_COLUMNS}
           FROM invoices i
           JOIN subscriptions s ON s.id = i.subscription_id
           JOIN customers c ON c.id = i.customer_id
          WHERE i.autopay_on <= $1 AND i.status IN ('open', 'failed') AND i.id > $2
          ORDER BY i.id LIMIT $3
            FOR UPDATE OF i SKIP LOCKED"
    );
    Ok(sqlx::query_as(&sql)
        .bind(day)
        .bind(after)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?)
}

/// Records one charge sent to the provider.
#[allow(clippy::too_many_arguments)]
pub async fn record_attempt(
    conn: &mut PgConnection,
    invoice_id: i64,
    day: NaiveDate,
    method: PaymentMethod,
    automatic: bool,
    reference: Option<&str>,
    decline_reason: Option<&str>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO payment_attempts (invoice_id, attempted_on, method, automatic, outcome,
                                       provider_reference, decline_reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(invoice_id)
    .bind(day)
    .bind(method.code())
    .bind(automatic)
    .bind(if reference.is_some() {
        "succeeded"
    } else {
        "declined"
    })
    .bind(reference)
    .bind(decline_reason)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records a payment (one per idempotency key) and settles the invoice. Returns whether this
/// call wrote it.
pub async fn settle(
    conn: &mut PgConnection,
    invoice_id: i64,
    amount: Decimal,
    day: NaiveDate,
    method: PaymentMethod,
    reference: &str,
    idempotency_key: &str,
) -> Result<bool, AppError> {
    let written = sqlx::query(
        "INSERT INTO payments (invoice_id, amount, paid_on, method, reference, idempotency_key)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(invoice_id)
    .bind(amount)
    .bind(day)
    .bind(method.code())
    .bind(reference)
    .bind(idempotency_key)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    close_settled(conn, invoice_id).await?;
    Ok(written)
}

/// After a declined automatic charge: "failed", with the next retry day or none.
pub async fn mark_failed(
    conn: &mut PgConnection,
    invoice_id: i64,
    attempts: u32,
    next_attempt: Option<NaiveDate>,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE invoices SET status = 'failed', autopay_attempts = $2, autopay_on = $3
          WHERE id = $1",
    )
    .bind(invoice_id)
    .bind(i32::try_from(attempts).map_err(|_| AppError::internal("autopay attempts out of range"))?)
    .bind(next_attempt)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Nothing left to pay (credits covered it): paid without a charge.
pub async fn close_settled(conn: &mut PgConnection, invoice_id: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE invoices SET status = 'paid', autopay_on = NULL WHERE id = $1")
        .bind(invoice_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// I6: a mobile-money invoice waits for the customer.
pub async fn mark_action_required(
    conn: &mut PgConnection,
    invoice_id: i64,
) -> Result<(), AppError> {
    sqlx::query("UPDATE invoices SET status = 'action_required', autopay_on = NULL WHERE id = $1")
        .bind(invoice_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
