//! The account overview of a customer (H1).

use sqlx::{PgPool, Row};

use crate::{
    api::home::{AccountOverview, InvoiceSummary},
    domain::{account::InvoiceStatus, balance::open_balance},
    error::AppError,
};

use super::parse_column;

/// Balance, last invoice, contact data and contracts of one customer.
pub async fn overview(pool: &PgPool, customer_id: i64) -> Result<AccountOverview, AppError> {
    // Both reads on one connection (a pool checkout costs a round trip).
    let mut conn = pool.acquire().await?;
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
                           WHERE i.customer_id = c.id), 0) AS paid
           FROM customers c JOIN providers p ON p.id = c.provider_id
          WHERE c.id = $1",
    )
    .bind(customer_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;

    let last_invoice = match sqlx::query(
        "SELECT number, issue_date, due_date, total, status, currency
           FROM invoices
          WHERE customer_id = $1 AND kind = 'invoice'
          ORDER BY issue_date DESC, id DESC
          LIMIT 1",
    )
    .bind(customer_id)
    .fetch_optional(&mut *conn)
    .await?
    {
        Some(inv) => Some(InvoiceSummary {
            number: inv.get("number"),
            issue_date: inv.get("issue_date"),
            due_date: inv.get("due_date"),
            total: inv.get("total"),
            status: parse_column("invoices.status", inv.get("status"), InvoiceStatus::parse)?,
            currency: inv.get::<String, _>("currency").trim().to_string(),
        }),
        None => None,
    };

    Ok(AccountOverview {
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
        balance: open_balance(row.get("invoiced"), row.get("credited"), row.get("paid")),
        last_invoice,
    })
}
