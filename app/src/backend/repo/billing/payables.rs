//! Invoices the customer can pay in the portal (I6).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::PgConnection;

use super::autopay::{INSTRUMENT_COLUMNS, Instruments};
use crate::{
    domain::{account::InvoiceStatus, billing::invoice_dates::PaymentMethod, money::Currency},
    error::AppError,
};

/// An invoice the customer can pay in the portal.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Payable {
    #[sqlx(rename = "id")]
    pub invoice_id: i64,
    pub number: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    #[sqlx(try_from = "String")]
    pub status: InvoiceStatus,
    pub amount_due: Decimal,
    #[sqlx(try_from = "String")]
    pub currency: Currency,
    /// How its subscription pays (none for an invoice outside a subscription).
    payment_method: Option<String>,
    #[sqlx(flatten)]
    pub instruments: Instruments,
}

impl Payable {
    /// How its subscription pays (none for an invoice outside a subscription).
    pub fn subscription_method(&self) -> Option<PaymentMethod> {
        self.payment_method
            .as_deref()
            .and_then(PaymentMethod::parse)
    }
}

const PAYABLE_SELECT: &str = "
    SELECT i.id, i.number, i.issue_date, i.due_date, i.status, i.currency, s.payment_method,
           i.total - COALESCE((SELECT sum(p.amount) FROM payments p WHERE p.invoice_id = i.id), 0)
               AS amount_due,
";

const PAYABLE_FROM: &str = "
      FROM invoices i
      JOIN customers c ON c.id = i.customer_id
      LEFT JOIN subscriptions s ON s.id = i.subscription_id";

/// The invoices waiting for the customer: autopay failed, or mobile money to complete.
pub async fn payables(conn: &mut PgConnection, customer_id: i64) -> Result<Vec<Payable>, AppError> {
    let sql = format!(
        "{PAYABLE_SELECT} {INSTRUMENT_COLUMNS} {PAYABLE_FROM} WHERE i.customer_id = $1 AND i.kind = 'invoice'
            AND i.status IN ('failed', 'action_required')
          ORDER BY i.issue_date, i.id"
    );
    Ok(sqlx::query_as(&sql)
        .bind(customer_id)
        .fetch_all(&mut *conn)
        .await?)
}

/// Locks one invoice of `customer_id` for a portal payment (`None`: not theirs).
pub async fn lock_payable(
    conn: &mut PgConnection,
    customer_id: i64,
    invoice_id: i64,
) -> Result<Option<Payable>, AppError> {
    let locked: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM invoices WHERE id = $1 AND customer_id = $2 AND kind = 'invoice'
            FOR UPDATE",
    )
    .bind(invoice_id)
    .bind(customer_id)
    .fetch_optional(&mut *conn)
    .await?;
    if locked.is_none() {
        return Ok(None);
    }
    let sql = format!("{PAYABLE_SELECT} {INSTRUMENT_COLUMNS} {PAYABLE_FROM} WHERE i.id = $1");
    Ok(sqlx::query_as(&sql)
        .bind(invoice_id)
        .fetch_optional(&mut *conn)
        .await?)
}
