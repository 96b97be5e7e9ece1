//! `PUT /provider/v1/invoices/{number}` (an invoice or credit note with its lines) and
//! `PUT /provider/v1/invoices/{number}/payments/{id}` (what settled it), issue 28 item 2.

use app::{
    backend::{
        provider_import::{
            invoices::{self, Invoice, InvoiceLine},
            payments::{self, Payment},
        },
        provider_keys::Scope,
        state::AppState,
    },
    domain::usage_feed::Amount,
};
use axum::{
    body::Bytes,
    extract::{
        Path, State,
        rejection::{BytesRejection, PathRejection},
    },
    http::HeaderMap,
    response::Response,
};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::{
    Key, Problem,
    input::{self, Checks, JsonBody, MAX_ID_CHARS, UpsertResponses},
};

/// The most lines one invoice has.
const MAX_LINES: usize = 2000;
const LINE_KINDS: [&str; 7] = [
    "recurring",
    "option",
    "usage",
    "overage",
    "proration",
    "one_off",
    "correction",
];

/// An invoice, or a credit note when it names the invoice it `corrects`. Amounts are gross
/// (VAT included), in the provider's currency, as strings; the total is the lines' sum.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "customer": "100001", "issue_date": "2026-11-01", "due_date": "2026-11-15",
    "period_start": "2026-11-01", "period_end": "2026-11-30",
    "lines": [
        {"kind": "recurring", "description": "Mobile 10 GB", "contract": "100001-04",
         "amount": "15.00", "vat_rate": "21"}
    ]
}))]
pub struct InvoiceDoc {
    customer: String,
    /// For a credit note: the number of the invoice it corrects.
    corrects: Option<String>,
    #[schema(value_type = String, format = Date)]
    issue_date: NaiveDate,
    #[schema(value_type = String, format = Date)]
    due_date: NaiveDate,
    #[schema(value_type = Option<String>, format = Date)]
    period_start: Option<NaiveDate>,
    #[schema(value_type = Option<String>, format = Date)]
    period_end: Option<NaiveDate>,
    lines: Vec<LineDoc>,
}

/// One line of an invoice.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineDoc {
    /// recurring, option, usage, overage, proration, one_off or correction.
    kind: String,
    description: String,
    /// The contract the line is for, one of the customer's.
    contract: Option<String>,
    /// Gross, at most 2 decimals; negative for a discount or correction.
    #[schema(value_type = String)]
    amount: Amount,
    /// The VAT rate in percent included in the amount, such as "21".
    #[schema(value_type = String)]
    vat_rate: Amount,
}

impl InvoiceDoc {
    fn check(self, number: String) -> Result<Invoice, Problem> {
        let mut c = Checks::default();
        let customer = c.text("customer", &self.customer, MAX_ID_CHARS);
        let corrects = c.optional_text("corrects", self.corrects.as_deref(), MAX_ID_CHARS);
        if self.due_date < self.issue_date {
            c.fail("due_date", "must not be before issue_date");
        }
        let period = match (self.period_start, self.period_end) {
            (None, None) => None,
            (Some(start), Some(end)) if start <= end => Some((start, end)),
            (Some(_), Some(_)) => {
                c.fail("period_end", "must not be before period_start");
                None
            }
            _ => {
                c.fail("period_start", "period_start and period_end come together");
                None
            }
        };
        if self.lines.is_empty() || self.lines.len() > MAX_LINES {
            c.fail("lines", format!("must hold 1 to {MAX_LINES} lines"));
        }
        let mut lines = Vec::with_capacity(self.lines.len());
        for (i, line) in self.lines.into_iter().enumerate() {
            c.one_of(&format!("lines[{i}].kind"), &line.kind, &LINE_KINDS);
            let rate = line.vat_rate.0;
            if rate.is_sign_negative() || rate >= Decimal::ONE_HUNDRED || rate != rate.round_dp(2) {
                c.fail(
                    format!("lines[{i}].vat_rate"),
                    "must be at least 0, below 100, with at most 2 decimals",
                );
            }
            lines.push(InvoiceLine {
                description: c.text(&format!("lines[{i}].description"), &line.description, 200),
                contract: c.optional_text(
                    &format!("lines[{i}].contract"),
                    line.contract.as_deref(),
                    MAX_ID_CHARS,
                ),
                amount: c.money(&format!("lines[{i}].amount"), line.amount.0),
                vat_rate: rate.normalize(),
                kind: line.kind,
            });
        }
        let total: Decimal = lines.iter().map(|l| l.amount).sum();
        if total.is_sign_negative() && !total.is_zero() {
            c.fail("lines", "the lines must not sum to a negative total");
        }
        let dates = (self.issue_date, self.due_date, period);
        let digest = digest(&number, &customer, corrects.as_deref(), dates, &lines);
        c.finish(Invoice {
            number,
            customer,
            corrects,
            issue_date: self.issue_date,
            due_date: self.due_date,
            period,
            lines,
            digest,
        })
    }
}

/// What makes two sends the same invoice: every checked value, in order (not the body's
/// bytes: spacing and key order do not change an invoice).
fn digest(
    number: &str,
    customer: &str,
    corrects: Option<&str>,
    (issued, due, period): (NaiveDate, NaiveDate, Option<(NaiveDate, NaiveDate)>),
    lines: &[InvoiceLine],
) -> [u8; 32] {
    let mut canonical =
        format!("{number}\n{customer}\n{corrects:?}\n{issued}\n{due}\n{period:?}\n");
    for l in lines {
        canonical.push_str(&format!(
            "{}\t{:?}\t{:?}\t{}\t{}\n",
            l.kind,
            l.description,
            l.contract,
            l.amount.normalize(),
            l.vat_rate
        ));
    }
    Sha256::digest(canonical.as_bytes()).into()
}

/// Stores an invoice or credit note the provider issued. The same invoice sent again is
/// `unchanged`; another one under a stored number is refused (409).
#[utoipa::path(
    put,
    path = "/provider/v1/invoices/{number}",
    tag = "invoices",
    params(("number" = String, Path, description = "The provider's invoice number")),
    request_body = InvoiceDoc,
    responses(UpsertResponses),
    security(("api_key" = ["write"]))
)]
pub async fn put_invoice(
    State(state): State<AppState>,
    key: Key,
    number: Result<Path<String>, PathRejection>,
    JsonBody(doc): JsonBody<InvoiceDoc>,
) -> Result<Response, Problem> {
    let key = key.require(Scope::Write)?;
    let number = input::path(number)?;
    input::path_id("invoice number", &number)?;
    let invoice = doc.check(number)?;
    let location = format!("/provider/v1/invoices/{}", invoice.number);
    input::in_transaction(&state, &location, async |tx| {
        invoices::upsert(tx, key.provider_id, &invoice).await
    })
    .await
}

/// A payment, or (negative) a refund, the provider's systems settled.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"amount": "15.00", "paid_on": "2026-11-10", "method": "sepa"}))]
pub struct PaymentDoc {
    /// At most 2 decimals; negative for a refund, never zero.
    #[schema(value_type = String)]
    amount: Amount,
    #[schema(value_type = String, format = Date)]
    paid_on: NaiveDate,
    /// card, sepa, mobile_money or transfer.
    method: String,
    /// The bank's or payment provider's reference.
    reference: Option<String>,
}

/// Records a payment of an invoice by the provider's payment id: the invoice is paid once
/// its payments cover its total.
#[utoipa::path(
    put,
    path = "/provider/v1/invoices/{number}/payments/{id}",
    tag = "invoices",
    params(
        ("number" = String, Path, description = "The provider's invoice number"),
        ("id" = String, Path, description = "The provider's payment id")
    ),
    request_body = PaymentDoc,
    responses(UpsertResponses),
    security(("api_key" = ["write"]))
)]
pub async fn put_payment(
    State(state): State<AppState>,
    key: Key,
    ids: Result<Path<(String, String)>, PathRejection>,
    JsonBody(doc): JsonBody<PaymentDoc>,
) -> Result<Response, Problem> {
    let key = key.require(Scope::Write)?;
    let (invoice, id) = input::path(ids)?;
    input::path_id("invoice number", &invoice)?;
    input::path_id("payment id", &id)?;
    let mut c = Checks::default();
    let amount = c.money("amount", doc.amount.0);
    if amount.is_zero() {
        c.fail("amount", "must not be zero");
    }
    c.one_of(
        "method",
        &doc.method,
        &["card", "sepa", "mobile_money", "transfer"],
    );
    let reference = c.optional_text("reference", doc.reference.as_deref(), MAX_ID_CHARS);
    let payment = c.finish(Payment {
        invoice,
        id,
        amount,
        paid_on: doc.paid_on,
        method: doc.method,
        reference,
    })?;
    let location = format!(
        "/provider/v1/invoices/{}/payments/{}",
        payment.invoice, payment.id
    );
    input::in_transaction(&state, &location, async |tx| {
        payments::upsert(tx, key.provider_id, &payment).await
    })
    .await
}

/// The largest invoice PDF.
pub const MAX_PDF_BYTES: usize = 10 * 1024 * 1024;

/// Stores the PDF the provider rendered for one of its invoices: the customer downloads it
/// instead of the one the portal renders. Sent again, the same file is `unchanged`; another
/// file is refused (409), as the invoice would be.
#[utoipa::path(
    put,
    path = "/provider/v1/invoices/{number}/pdf",
    tag = "invoices",
    params(("number" = String, Path, description = "The provider's invoice number")),
    request_body(content = Vec<u8>, content_type = "application/pdf", description = "The PDF, at most 10 MiB"),
    responses(UpsertResponses),
    security(("api_key" = ["write"]))
)]
pub async fn put_pdf(
    State(state): State<AppState>,
    key: Key,
    number: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Problem> {
    let key = key.require(Scope::Write)?;
    let number = input::path(number)?;
    input::path_id("invoice number", &number)?;
    input::require_media_type(&headers, &["application/pdf"], "a PDF")?;
    let body = input::body(body, "10 MiB")?;
    // What the customer's browser will open must be a PDF, whatever the header said.
    if !body.starts_with(b"%PDF-") {
        let mut c = Checks::default();
        c.fail("body", "is not a PDF (it does not start with %PDF-)");
        c.finish(())?;
    }
    let sha256: [u8; 32] = Sha256::digest(&body).into();
    let location = format!("/provider/v1/invoices/{number}/pdf");
    input::in_transaction(&state, &location, async |tx| {
        invoices::store_pdf(tx, key.provider_id, &number, &body, &sha256).await
    })
    .await
}
