//! The account overview of a customer (H1).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::{FromRow, PgPool};

use super::parse_column;
use crate::{
    domain::{account::InvoiceStatus, money::Currency},
    error::AppError,
};

/// A customer's account: contact data, the sums its balance is made of, its last invoice.
#[derive(Debug, Clone, FromRow)]
pub struct AccountRow {
    pub customer_number: String,
    pub first_name: String,
    pub last_name: String,
    pub company_name: Option<String>,
    pub email: String,
    pub phone: Option<String>,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub old_invoice_layout: bool,
    pub old_invoice_help_url: String,
    #[sqlx(try_from = "String")]
    pub currency: Currency,
    pub invoiced: Decimal,
    pub credited: Decimal,
    pub paid: Decimal,
    #[sqlx(skip)]
    pub last_invoice: Option<LastInvoiceRow>,
}

/// The newest invoice of a customer.
#[derive(Debug, Clone)]
pub struct LastInvoiceRow {
    pub number: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub total: Decimal,
    pub status: InvoiceStatus,
    pub currency: Currency,
}

/// The last invoice's columns of the overview's row: all NULL for a customer without one.
#[derive(FromRow)]
struct LastInvoiceColumns {
    last_number: Option<String>,
    last_issue_date: Option<NaiveDate>,
    last_due_date: Option<NaiveDate>,
    last_total: Option<Decimal>,
    last_status: Option<String>,
    last_currency: Option<String>,
}

impl LastInvoiceColumns {
    fn into_row(self) -> Result<Option<LastInvoiceRow>, AppError> {
        // Its number is never NULL: no number, no last invoice.
        let Some(number) = self.last_number else {
            return Ok(None);
        };
        let (Some(issue_date), Some(due_date), Some(total), Some(status), Some(currency)) = (
            self.last_issue_date,
            self.last_due_date,
            self.last_total,
            self.last_status,
            self.last_currency,
        ) else {
            return Err(AppError::internal("an invoice row with NULL columns"));
        };
        Ok(Some(LastInvoiceRow {
            number,
            issue_date,
            due_date,
            total,
            status: parse_column("invoices.status", &status, InvoiceStatus::parse)?,
            currency: parse_column("invoices.currency", &currency, Currency::parse)?,
        }))
    }
}

/// Balance, last invoice and contact data of one customer, in one statement.
pub async fn overview(pool: &PgPool, customer_id: i64) -> Result<AccountRow, AppError> {
    let row = sqlx::query(
        "SELECT c.customer_number, c.first_name, c.last_name, c.company_name, c.email, c.phone,
                c.street, c.postal_code, c.city, c.old_invoice_layout, p.old_invoice_help_url,
                p.currency,
                COALESCE((SELECT sum(i.total) FROM invoices i
                           WHERE i.customer_id = c.id AND i.kind = 'invoice'), 0) AS invoiced,
                COALESCE((SELECT sum(i.total) FROM invoices i
                           WHERE i.customer_id = c.id AND i.kind = 'credit_note'), 0) AS credited,
                COALESCE((SELECT sum(pay.amount) FROM payments pay
                            JOIN invoices i ON i.id = pay.invoice_id
                           WHERE i.customer_id = c.id), 0) AS paid,
                last.number AS last_number, last.issue_date AS last_issue_date,
                last.due_date AS last_due_date, last.total AS last_total,
                last.status AS last_status, last.currency AS last_currency
           FROM customers c
           JOIN providers p ON p.id = c.provider_id
           LEFT JOIN LATERAL (
                SELECT i.number, i.issue_date, i.due_date, i.total, i.status, i.currency
                  FROM invoices i
                 WHERE i.customer_id = c.id AND i.kind = 'invoice'
                 ORDER BY i.issue_date DESC, i.id DESC
                 LIMIT 1
           ) last ON true
          WHERE c.id = $1",
    )
    .bind(customer_id)
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;

    let mut account = AccountRow::from_row(&row)?;
    account.last_invoice = LastInvoiceColumns::from_row(&row)?.into_row()?;
    Ok(account)
}
