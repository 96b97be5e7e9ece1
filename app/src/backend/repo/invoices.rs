//! Invoices and credit notes (I1–I3).

use chrono::NaiveDate;
use sqlx::{PgPool, Row, postgres::PgRow};

use super::parse_column;
use crate::{
    backend::invoice_pdf::{DocumentLine, DocumentPayment, InvoiceDocument},
    domain::account::{InvoiceKind, InvoiceStatus},
    error::AppError,
};

/// An invoice or credit note as the list shows it.
#[derive(Debug, Clone)]
pub struct ListedInvoice {
    pub id: i64,
    pub kind: InvoiceKind,
    pub number: String,
    pub issue_date: NaiveDate,
    pub period: Option<(NaiveDate, NaiveDate)>,
    pub due_date: NaiveDate,
    pub total: rust_decimal::Decimal,
    pub currency: String,
    pub status: InvoiceStatus,
    /// For a credit note: the number of the invoice it corrects.
    pub corrects: Option<String>,
}

/// The billing period of an invoice row (credit notes have none).
fn period(row: &PgRow) -> Option<(NaiveDate, NaiveDate)> {
    match (row.get("period_start"), row.get("period_end")) {
        (Some(start), Some(end)) => Some((start, end)),
        _ => None,
    }
}

/// The `limit` newest invoices and credit notes of a customer, newest first.
pub async fn latest(
    pool: &PgPool,
    customer_id: i64,
    limit: i64,
) -> Result<Vec<ListedInvoice>, AppError> {
    let rows = sqlx::query(
        "SELECT i.id, i.kind, i.number, i.issue_date, i.period_start, i.period_end, i.due_date,
                i.total, i.currency, i.status, c.number AS corrects
           FROM invoices i LEFT JOIN invoices c ON c.id = i.corrects_invoice_id
          WHERE i.customer_id = $1
          ORDER BY i.issue_date DESC, i.id DESC
          LIMIT $2",
    )
    .bind(customer_id)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(ListedInvoice {
                id: row.get("id"),
                kind: parse_column("invoices.kind", row.get("kind"), InvoiceKind::parse)?,
                number: row.get("number"),
                issue_date: row.get("issue_date"),
                period: period(row),
                due_date: row.get("due_date"),
                total: row.get("total"),
                currency: row.get::<String, _>("currency").trim().to_string(),
                status: parse_column("invoices.status", row.get("status"), InvoiceStatus::parse)?,
                corrects: row.get("corrects"),
            })
        })
        .collect()
}

/// Everything the PDF of one invoice or credit note shows, if it belongs to `customer_id`
/// (anything else is `None`: "not yours" looks like "does not exist").
pub async fn document(
    pool: &PgPool,
    customer_id: i64,
    invoice_id: i64,
) -> Result<Option<InvoiceDocument>, AppError> {
    let Some(row) = sqlx::query(
        "SELECT p.name AS provider_name, p.support_url, p.sepa_creditor_id,
                c.customer_number, c.first_name, c.last_name, c.company_name, c.street,
                c.postal_code, c.city,
                i.kind, i.number, i.issue_date, i.period_start, i.period_end, i.due_date,
                i.status, i.currency, i.total, k.number AS corrects
           FROM invoices i
           JOIN customers c ON c.id = i.customer_id
           JOIN providers p ON p.id = i.provider_id
           LEFT JOIN invoices k ON k.id = i.corrects_invoice_id
          WHERE i.id = $1 AND i.customer_id = $2",
    )
    .bind(invoice_id)
    .bind(customer_id)
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let lines = sqlx::query(
        "SELECT description, line_text, amount, vat_rate FROM invoice_lines
          WHERE invoice_id = $1 ORDER BY position",
    )
    .bind(invoice_id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|l| DocumentLine {
        description: l.get("description"),
        text: crate::backend::billing::read_line_text(l.get("line_text")),
        amount: l.get("amount"),
        vat_rate: l.get("vat_rate"),
    })
    .collect();
    let payments = sqlx::query(
        "SELECT paid_on, method, amount FROM payments WHERE invoice_id = $1 ORDER BY paid_on, id",
    )
    .bind(invoice_id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|p| DocumentPayment {
        paid_on: p.get("paid_on"),
        method: p.get("method"),
        amount: p.get("amount"),
    })
    .collect();
    Ok(Some(InvoiceDocument {
        provider_name: row.get("provider_name"),
        support_url: row.get("support_url"),
        creditor_id: row.get("sepa_creditor_id"),
        customer_number: row.get("customer_number"),
        customer_name: format!(
            "{} {}",
            row.get::<String, _>("first_name"),
            row.get::<String, _>("last_name")
        ),
        company_name: row.get("company_name"),
        street: row.get("street"),
        postal_code: row.get("postal_code"),
        city: row.get("city"),
        kind: parse_column("invoices.kind", row.get("kind"), InvoiceKind::parse)?,
        number: row.get("number"),
        issue_date: row.get("issue_date"),
        period: period(&row),
        due_date: row.get("due_date"),
        status: parse_column("invoices.status", row.get("status"), InvoiceStatus::parse)?,
        currency: row.get::<String, _>("currency").trim().to_string(),
        total: row.get("total"),
        corrects: row.get("corrects"),
        lines,
        payments,
    }))
}

/// The number and currency of an invoice of `customer_id` (`None` when it is not theirs).
pub async fn number_of(
    pool: &PgPool,
    customer_id: i64,
    invoice_id: i64,
) -> Result<Option<(String, String)>, AppError> {
    let row =
        sqlx::query("SELECT number, currency FROM invoices WHERE id = $1 AND customer_id = $2")
            .bind(invoice_id)
            .bind(customer_id)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(|r| {
        (
            r.get("number"),
            r.get::<String, _>("currency").trim().to_string(),
        )
    }))
}
