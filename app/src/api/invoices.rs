//! Invoices & payments (I1): the last invoices and credit notes of the customer number the
//! login holds. A user link sees none of it (L2): for it the tab does not exist (404).

use chrono::NaiveDate;
use leptos::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{
    domain::account::{InvoiceKind, InvoiceStatus},
    error::AppError,
};

#[cfg(feature = "ssr")]
use crate::backend::entry::{self, Holder};

/// How many invoices and credit notes the tab lists (I1).
pub const LISTED: i64 = 12;

/// One invoice or credit note in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceRow {
    pub id: i64,
    pub kind: InvoiceKind,
    pub number: String,
    pub issue_date: NaiveDate,
    pub period: Option<(NaiveDate, NaiveDate)>,
    pub due_date: NaiveDate,
    pub total: Decimal,
    pub currency: String,
    pub status: InvoiceStatus,
    /// For a credit note: the number of the invoice it corrects.
    pub corrects: Option<String>,
}

/// The invoices of the signed-in holder, newest first.
#[server(endpoint = "invoices")]
pub async fn get_invoices() -> Result<Vec<InvoiceRow>, AppError> {
    use crate::backend::repo;
    entry::holder(|state, Holder { customer_id, .. }| async move {
        Ok(repo::invoices::latest(&state.pool, customer_id, LISTED)
            .await?
            .into_iter()
            .map(InvoiceRow::from)
            .collect())
    })
    .await
}

#[cfg(feature = "ssr")]
impl From<crate::backend::repo::invoices::ListedInvoice> for InvoiceRow {
    fn from(row: crate::backend::repo::invoices::ListedInvoice) -> Self {
        let period = row.period();
        InvoiceRow {
            id: row.id,
            kind: row.kind,
            number: row.number,
            issue_date: row.issue_date,
            period,
            due_date: row.due_date,
            total: row.total,
            currency: row.currency.code().to_string(),
            status: row.status,
            corrects: row.corrects,
        }
    }
}

/// The address of an invoice's PDF in `lang` (served by the server's download route).
pub fn pdf_href(invoice_id: i64, lang: crate::domain::lang::Lang) -> String {
    format!("/invoices/{invoice_id}/pdf?lang={}", lang.code())
}

/// The PDF download (I2): only the holder of the invoice's customer number gets it; anyone
/// else gets 404 (signed in) or 401 (not signed in). Called by the server's axum route.
#[cfg(feature = "ssr")]
pub async fn pdf_download(
    state: &crate::backend::state::AppState,
    headers: &http::HeaderMap,
    invoice_id: i64,
    lang: crate::domain::lang::Lang,
) -> Result<(String, Vec<u8>), AppError> {
    use crate::backend::{access::require_access_from, invoice_pdf, repo};
    let access = require_access_from(state, headers).await?;
    let customer_id = access.require_holder()?;
    // The provider's own PDF when it sent one (issue 28), else the portal renders it.
    if let Some((number, bytes)) =
        repo::invoices::provider_pdf(&state.pool, customer_id, invoice_id).await?
    {
        return Ok((format!("{number}.pdf"), bytes));
    }
    let document = repo::invoices::document(&state.pool, customer_id, invoice_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let bytes = invoice_pdf::render(&document, lang)?;
    Ok((format!("{}.pdf", document.number), bytes))
}
