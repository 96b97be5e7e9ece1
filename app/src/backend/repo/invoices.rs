//! Invoices and credit notes (I1–I3).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::PgPool;

use crate::{
    backend::invoice_pdf::{DocumentLine, DocumentPayment, InvoiceDocument},
    domain::{
        account::{InvoiceKind, InvoiceStatus},
        money::Currency,
    },
    error::AppError,
};

/// An invoice or credit note as the list shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ListedInvoice {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub kind: InvoiceKind,
    pub number: String,
    pub issue_date: NaiveDate,
    period_start: Option<NaiveDate>,
    period_end: Option<NaiveDate>,
    pub due_date: NaiveDate,
    pub total: Decimal,
    #[sqlx(try_from = "String")]
    pub currency: Currency,
    #[sqlx(try_from = "String")]
    pub status: InvoiceStatus,
    /// For a credit note: the number of the invoice it corrects.
    pub corrects: Option<String>,
}

impl ListedInvoice {
    /// The billing period (credit notes have none).
    pub fn period(&self) -> Option<(NaiveDate, NaiveDate)> {
        self.period_start.zip(self.period_end)
    }
}

/// The `limit` newest invoices and credit notes of a customer, newest first.
pub async fn latest(
    pool: &PgPool,
    customer_id: i64,
    limit: i64,
) -> Result<Vec<ListedInvoice>, AppError> {
    Ok(sqlx::query_as(
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
    .await?)
}

/// The head of an invoice's document: who sends it, to whom, and the invoice itself.
#[derive(sqlx::FromRow)]
struct DocumentHead {
    provider_name: String,
    support_url: String,
    sepa_creditor_id: Option<String>,
    customer_number: String,
    first_name: String,
    last_name: String,
    company_name: Option<String>,
    street: String,
    postal_code: String,
    city: String,
    #[sqlx(flatten)]
    invoice: ListedInvoice,
}

/// An invoice line as stored: its text as JSON, if it has one.
#[derive(sqlx::FromRow)]
struct LineRow {
    description: String,
    line_text: Option<String>,
    amount: Decimal,
    vat_rate: Decimal,
}

/// A payment recorded against an invoice.
#[derive(sqlx::FromRow)]
struct PaymentRow {
    paid_on: NaiveDate,
    method: String,
    amount: Decimal,
}

/// The PDF the provider sent for invoice `invoice_id` of `customer_id`, when it sent one:
/// (invoice number, bytes).
pub async fn provider_pdf(
    pool: &PgPool,
    customer_id: i64,
    invoice_id: i64,
) -> Result<Option<(String, Vec<u8>)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT i.number, f.content FROM invoice_pdfs f JOIN invoices i ON i.id = f.invoice_id
          WHERE i.id = $1 AND i.customer_id = $2",
    )
    .bind(invoice_id)
    .bind(customer_id)
    .fetch_optional(pool)
    .await?)
}

/// Everything the PDF of one invoice or credit note shows, if it belongs to `customer_id`
/// (anything else is `None`: "not yours" looks like "does not exist").
pub async fn document(
    pool: &PgPool,
    customer_id: i64,
    invoice_id: i64,
) -> Result<Option<InvoiceDocument>, AppError> {
    let Some(head) = sqlx::query_as::<_, DocumentHead>(
        "SELECT p.name AS provider_name, p.support_url, p.sepa_creditor_id,
                c.customer_number, c.first_name, c.last_name, c.company_name, c.street,
                c.postal_code, c.city,
                i.id, i.kind, i.number, i.issue_date, i.period_start, i.period_end, i.due_date,
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
    let lines = sqlx::query_as::<_, LineRow>(
        "SELECT description, line_text, amount, vat_rate FROM invoice_lines
          WHERE invoice_id = $1 ORDER BY position",
    )
    .bind(invoice_id)
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|l| DocumentLine {
        text: crate::backend::billing::read_line_text(l.line_text.as_deref()),
        description: l.description,
        amount: l.amount,
        vat_rate: l.vat_rate,
    })
    .collect();
    let payments = sqlx::query_as::<_, PaymentRow>(
        "SELECT paid_on, method, amount FROM payments WHERE invoice_id = $1 ORDER BY paid_on, id",
    )
    .bind(invoice_id)
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|p| DocumentPayment {
        paid_on: p.paid_on,
        method: p.method,
        amount: p.amount,
    })
    .collect();
    let invoice = head.invoice;
    Ok(Some(InvoiceDocument {
        provider_name: head.provider_name,
        support_url: head.support_url,
        creditor_id: head.sepa_creditor_id,
        customer_number: head.customer_number,
        customer_name: format!("{} {}", head.first_name, head.last_name),
        company_name: head.company_name,
        street: head.street,
        postal_code: head.postal_code,
        city: head.city,
        kind: invoice.kind,
        period: invoice.period(),
        number: invoice.number,
        issue_date: invoice.issue_date,
        due_date: invoice.due_date,
        status: invoice.status,
        currency: invoice.currency.code().to_string(),
        total: invoice.total,
        corrects: invoice.corrects,
        lines,
        payments,
    }))
}

/// An invoice's number and currency.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InvoiceRef {
    pub number: String,
    #[sqlx(try_from = "String")]
    pub currency: Currency,
}

/// The number and currency of an invoice of `customer_id` (`None` when it is not theirs).
pub async fn number_of(
    pool: &PgPool,
    customer_id: i64,
    invoice_id: i64,
) -> Result<Option<InvoiceRef>, AppError> {
    Ok(
        sqlx::query_as("SELECT number, currency FROM invoices WHERE id = $1 AND customer_id = $2")
            .bind(invoice_id)
            .bind(customer_id)
            .fetch_optional(pool)
            .await?,
    )
}
