//! `PUT /provider/v1/invoices/{number}`: an invoice or credit note the provider issued, with
//! its lines (gross amounts, each with its VAT rate). An issued invoice is never rewritten:
//! the same invoice sent again is "unchanged", another one under its number is refused (a
//! credit note corrects it). The portal renders its PDF like its own invoices'; the inbox
//! announces it (`notices::announce_invoices`).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::PgConnection;

use super::{FieldError, Outcome, Refused, Upserted, customers};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    pub number: String,
    pub customer: String,
    /// The invoice number a credit note corrects; `None` for an invoice.
    pub corrects: Option<String>,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub period: Option<(NaiveDate, NaiveDate)>,
    pub lines: Vec<InvoiceLine>,
    /// SHA-256 of the request as the API read it: what "the same invoice" means.
    pub digest: [u8; 32],
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceLine {
    pub kind: String,
    pub description: String,
    /// A contract number of the invoice's customer.
    pub contract: Option<String>,
    /// Gross, rounded to the cent.
    pub amount: Decimal,
    pub vat_rate: Decimal,
}

pub async fn upsert(conn: &mut PgConnection, provider_id: i64, invoice: &Invoice) -> Outcome {
    let stored: Option<Option<Vec<u8>>> = sqlx::query_scalar(
        "SELECT provider_digest FROM invoices WHERE provider_id = $1 AND number = $2 FOR UPDATE",
    )
    .bind(provider_id)
    .bind(&invoice.number)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(digest) = stored {
        return Ok(if digest.as_deref() == Some(invoice.digest.as_slice()) {
            Ok(Upserted::Unchanged)
        } else {
            Err(Refused::Conflict(
                "an issued invoice is not changed: correct it with a credit note",
            ))
        });
    }
    let Some((customer_id, _)) = customers::find(conn, provider_id, &invoice.customer).await?
    else {
        return Ok(Err(Refused::field(
            "customer",
            format!("no customer {:?}", invoice.customer),
        )));
    };
    let corrects_id = match &invoice.corrects {
        None => None,
        Some(number) => {
            let id: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM invoices
                  WHERE provider_id = $1 AND number = $2 AND customer_id = $3
                    AND kind = 'invoice'",
            )
            .bind(provider_id)
            .bind(number)
            .bind(customer_id)
            .fetch_optional(&mut *conn)
            .await?;
            match id {
                Some(id) => Some(id),
                None => {
                    return Ok(Err(Refused::field(
                        "corrects",
                        format!("no invoice {number:?} of this customer"),
                    )));
                }
            }
        }
    };
    let mut numbers: Vec<&str> = invoice
        .lines
        .iter()
        .filter_map(|l| l.contract.as_deref())
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    let contracts: Vec<(String, i64)> = sqlx::query_as(
        "SELECT contract_number, id FROM contracts
          WHERE customer_id = $1 AND contract_number = ANY($2)",
    )
    .bind(customer_id)
    .bind(&numbers)
    .fetch_all(&mut *conn)
    .await?;
    let mut contract_ids = Vec::with_capacity(invoice.lines.len());
    let mut problems = Vec::new();
    for (i, line) in invoice.lines.iter().enumerate() {
        match &line.contract {
            None => contract_ids.push(None),
            Some(number) => match contracts.iter().find(|(n, _)| n == number) {
                Some((_, id)) => contract_ids.push(Some(*id)),
                None => problems.push(FieldError::new(
                    format!("lines[{i}].contract"),
                    format!("no contract {number:?} of this customer"),
                )),
            },
        }
    }
    if !problems.is_empty() {
        return Ok(Err(Refused::Invalid(problems)));
    }
    let total: Decimal = invoice.lines.iter().map(|l| l.amount).sum();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO invoices (provider_id, customer_id, kind, number, corrects_invoice_id,
                               issue_date, period_start, period_end, due_date, status, currency,
                               total, provider_digest)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', p.currency, $10, $11
           FROM providers p WHERE p.id = $1
         RETURNING id",
    )
    .bind(provider_id)
    .bind(customer_id)
    .bind(if corrects_id.is_some() {
        "credit_note"
    } else {
        "invoice"
    })
    .bind(&invoice.number)
    .bind(corrects_id)
    .bind(invoice.issue_date)
    .bind(invoice.period.map(|p| p.0))
    .bind(invoice.period.map(|p| p.1))
    .bind(invoice.due_date)
    .bind(total)
    .bind(invoice.digest.as_slice())
    .fetch_one(&mut *conn)
    .await?;
    let positions: Vec<i32> = (1..).take(invoice.lines.len()).collect();
    let kinds: Vec<&str> = invoice.lines.iter().map(|l| l.kind.as_str()).collect();
    let descriptions: Vec<&str> = invoice
        .lines
        .iter()
        .map(|l| l.description.as_str())
        .collect();
    let amounts: Vec<Decimal> = invoice.lines.iter().map(|l| l.amount).collect();
    let rates: Vec<Decimal> = invoice.lines.iter().map(|l| l.vat_rate).collect();
    sqlx::query(
        "INSERT INTO invoice_lines (invoice_id, position, kind, description, contract_id, amount,
                                    vat_rate)
         SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::bigint[],
                                  $6::numeric[], $7::numeric[])",
    )
    .bind(id)
    .bind(&positions)
    .bind(&kinds)
    .bind(&descriptions)
    .bind(&contract_ids)
    .bind(&amounts)
    .bind(&rates)
    .execute(&mut *conn)
    .await?;
    Ok(Ok(Upserted::Created))
}

/// `PUT /provider/v1/invoices/{number}/pdf`: the PDF the provider rendered for one of its
/// invoices (checked to be a PDF by the API layer). Like the invoice, it is stored once: the
/// same file again is "unchanged", another one is refused.
pub async fn store_pdf(
    conn: &mut PgConnection,
    provider_id: i64,
    number: &str,
    content: &[u8],
    sha256: &[u8; 32],
) -> Outcome {
    let invoice: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM invoices WHERE provider_id = $1 AND number = $2 FOR UPDATE",
    )
    .bind(provider_id)
    .bind(number)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(invoice_id) = invoice else {
        return Ok(Err(Refused::NotFound(
            "There is no invoice with this number: send the invoice first",
        )));
    };
    let stored: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT sha256 FROM invoice_pdfs WHERE invoice_id = $1")
            .bind(invoice_id)
            .fetch_optional(&mut *conn)
            .await?;
    match stored {
        Some(hash) if hash == sha256.as_slice() => Ok(Ok(Upserted::Unchanged)),
        Some(_) => Ok(Err(Refused::Conflict(
            "an invoice's PDF is not replaced: correct the invoice with a credit note",
        ))),
        None => {
            sqlx::query(
                "INSERT INTO invoice_pdfs (invoice_id, content, size_bytes, sha256)
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(invoice_id)
            .bind(content)
            .bind(i32::try_from(content.len()).unwrap_or(i32::MAX))
            .bind(sha256.as_slice())
            .execute(&mut *conn)
            .await?;
            Ok(Ok(Upserted::Created))
        }
    }
}
