//! The account overview of a customer (H1).

use sqlx::{PgPool, Row};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::{domain::account::InvoiceStatus, error::AppError};

use super::parse_column;

/// A customer's account: contact data, the sums its balance is made of, its last invoice.
#[derive(Debug, Clone)]
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
    pub currency: String,
    pub invoiced: Decimal,
    pub credited: Decimal,
    pub paid: Decimal,
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
    pub currency: String,
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

    // The last invoice, when the customer has one (its number is never NULL).
    let last_invoice = match row.get::<Option<String>, _>("last_number") {
        Some(number) => Some(LastInvoiceRow {
            number,
            issue_date: row.get("last_issue_date"),
            due_date: row.get("last_due_date"),
            total: row.get("last_total"),
            status: parse_column(
                "invoices.status",
                row.get("last_status"),
                InvoiceStatus::parse,
            )?,
            currency: row.get::<String, _>("last_currency").trim().to_string(),
        }),
        None => None,
    };

    Ok(AccountRow {
        customer_number: row.get("customer_number"),
        first_name: row.get("first_name"),
        last_name: row.get("last_name"),
        company_name: row.get("company_name"),
        email: row.get("email"),
        phone: row.get("phone"),
        street: row.get("street"),
        postal_code: row.get("postal_code"),
        city: row.get("city"),
        old_invoice_layout: row.get("old_invoice_layout"),
        old_invoice_help_url: row.get("old_invoice_help_url"),
        currency: row.get::<String, _>("currency").trim().to_string(),
        invoiced: row.get("invoiced"),
        credited: row.get("credited"),
        paid: row.get("paid"),
        last_invoice,
    })
}
