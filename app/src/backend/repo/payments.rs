//! Payment methods (I4): SEPA mandates, the card on file, autopay requirements.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::{PgConnection, PgPool};

use crate::{
    backend::sealed::{DataKeys, Purpose},
    domain::money::Currency,
    error::AppError,
};

/// The active mandate of a customer: (holder, IBAN, reference, creditor id, signed on).
pub struct ActiveMandate {
    pub account_holder: String,
    pub iban: String,
    pub reference: String,
    pub creditor_id: String,
    pub signed_on: NaiveDate,
}

/// What the payment section needs to know about a customer.
#[derive(sqlx::FromRow)]
pub struct PaymentFacts {
    pub customer_number: String,
    #[sqlx(skip)]
    pub mandate: Option<ActiveMandate>,
    pub card_last4: Option<String>,
    pub requires_autopay: bool,
    #[sqlx(rename = "sepa_creditor_id")]
    pub creditor_id: Option<String>,
    #[sqlx(try_from = "String")]
    pub currency: Currency,
    /// The oldest open invoice that is not yet due: (due date, total).
    #[sqlx(skip)]
    pub next_debit: Option<(NaiveDate, Decimal)>,
}

/// The active mandate as stored: its IBAN sealed.
#[derive(sqlx::FromRow)]
struct MandateRow {
    account_holder: String,
    iban_sealed: Vec<u8>,
    reference: String,
    creditor_id: String,
    signed_on: NaiveDate,
}

/// The payment facts of a customer, read in one place (inside a transaction when deciding);
/// `keys` open the mandate's IBAN.
pub async fn facts(
    conn: &mut PgConnection,
    customer_id: i64,
    today: NaiveDate,
    keys: &DataKeys,
) -> Result<PaymentFacts, AppError> {
    let mut facts = sqlx::query_as::<_, PaymentFacts>(
        "SELECT c.customer_number, c.card_last4, p.sepa_creditor_id, p.currency,
                EXISTS (SELECT 1 FROM contracts ct
                         WHERE ct.customer_id = c.id AND ct.requires_autopay
                           AND ct.status = 'active') AS requires_autopay
           FROM customers c JOIN providers p ON p.id = c.provider_id
          WHERE c.id = $1",
    )
    .bind(customer_id)
    .fetch_one(&mut *conn)
    .await?;
    facts.mandate = sqlx::query_as::<_, MandateRow>(
        "SELECT account_holder, iban_sealed, reference, creditor_id, signed_on FROM sepa_mandates
          WHERE customer_id = $1 AND revoked_on IS NULL",
    )
    .bind(customer_id)
    .fetch_optional(&mut *conn)
    .await?
    .map(|m| -> Result<ActiveMandate, AppError> {
        Ok(ActiveMandate {
            account_holder: m.account_holder,
            iban: keys.open_text(Purpose::Iban { customer_id }, &m.iban_sealed)?,
            reference: m.reference,
            creditor_id: m.creditor_id,
            signed_on: m.signed_on,
        })
    })
    .transpose()?;
    facts.next_debit = sqlx::query_as(
        "SELECT due_date, total FROM invoices
          WHERE customer_id = $1 AND kind = 'invoice' AND status = 'open' AND due_date >= $2
          ORDER BY due_date, id LIMIT 1",
    )
    .bind(customer_id)
    .bind(today)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(facts)
}

/// Locks the customer row: mandate changes of one customer happen one at a time.
pub async fn lock_customer(conn: &mut PgConnection, customer_id: i64) -> Result<(), AppError> {
    sqlx::query("SELECT id FROM customers WHERE id = $1 FOR NO KEY UPDATE")
        .bind(customer_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// How many mandates the customer ever had (for the next reference).
pub async fn mandate_count(conn: &mut PgConnection, customer_id: i64) -> Result<i64, AppError> {
    Ok(
        sqlx::query_scalar("SELECT count(*) FROM sepa_mandates WHERE customer_id = $1")
            .bind(customer_id)
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// Ends the active mandate, if any, on `day`; returns whether there was one.
pub async fn revoke(
    conn: &mut PgConnection,
    customer_id: i64,
    day: NaiveDate,
) -> Result<bool, AppError> {
    let done = sqlx::query(
        "UPDATE sepa_mandates SET revoked_on = GREATEST($2, signed_on)
          WHERE customer_id = $1 AND revoked_on IS NULL",
    )
    .bind(customer_id)
    .bind(day)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// A new mandate.
pub struct NewMandate<'a> {
    pub customer_id: i64,
    pub account_holder: &'a str,
    pub iban: &'a str,
    pub reference: &'a str,
    pub creditor_id: &'a str,
    pub signed_on: NaiveDate,
}

/// Stores a new (active) mandate, its IBAN sealed with `keys`.
pub async fn insert(
    conn: &mut PgConnection,
    m: &NewMandate<'_>,
    keys: &DataKeys,
) -> Result<(), AppError> {
    let iban_sealed = keys.seal(
        Purpose::Iban {
            customer_id: m.customer_id,
        },
        m.iban.as_bytes(),
    )?;
    sqlx::query(
        "INSERT INTO sepa_mandates (customer_id, account_holder, iban_sealed, reference,
                                    creditor_id, signed_on)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(m.customer_id)
    .bind(m.account_holder)
    .bind(iban_sealed)
    .bind(m.reference)
    .bind(m.creditor_id)
    .bind(m.signed_on)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The provider's short name for mandate references (its slug).
pub async fn provider_prefix(pool: &PgPool, provider_id: i64) -> Result<String, AppError> {
    Ok(
        sqlx::query_scalar("SELECT slug FROM providers WHERE id = $1")
            .bind(provider_id)
            .fetch_one(pool)
            .await?,
    )
}
