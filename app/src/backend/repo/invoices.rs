//! Invoices and credit notes (I1–I3).

use sqlx::{PgPool, Row};

use super::parse_column;
use crate::{
    api::invoices::InvoiceRow,
    domain::account::{InvoiceKind, InvoiceStatus},
    error::AppError,
};

/// The `limit` newest invoices and credit notes of a customer, newest first.
pub async fn latest(
    pool: &PgPool,
    customer_id: i64,
    limit: i64,
) -> Result<Vec<InvoiceRow>, AppError> {
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
            let period = match (row.get("period_start"), row.get("period_end")) {
                (Some(start), Some(end)) => Some((start, end)),
                _ => None,
            };
            Ok(InvoiceRow {
                id: row.get("id"),
                kind: parse_column("invoices.kind", row.get("kind"), InvoiceKind::parse)?,
                number: row.get("number"),
                issue_date: row.get("issue_date"),
                period,
                due_date: row.get("due_date"),
                total: row.get("total"),
                currency: row.get::<String, _>("currency").trim().to_string(),
                status: parse_column("invoices.status", row.get("status"), InvoiceStatus::parse)?,
                corrects: row.get("corrects"),
            })
        })
        .collect()
}
