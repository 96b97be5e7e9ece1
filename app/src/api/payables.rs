//! Paying an invoice that autopay could not settle, in the portal (I6). Holders only (L2).

use chrono::NaiveDate;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::backend::events::{self, EventKind, Subject};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{domain::billing::invoice_dates::PaymentMethod, error::AppError};

#[cfg(feature = "ssr")]
use crate::backend::entry::{self, Holder};

/// A way to pay an invoice now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodChoice {
    pub method: PaymentMethod,
    /// The instrument, masked: card digits, IBAN tail, mobile number tail.
    pub masked: String,
}

/// Why an invoice waits for the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PayReason {
    /// The automatic payment was declined.
    Declined,
    /// A mobile money payment to complete (I6).
    MobileMoney,
    /// Nothing pays it automatically (a hosting invoice without a stored card, issue 28).
    Due,
}

/// An invoice waiting for the customer (autopay failed, mobile money to complete, or nothing
/// to pay it automatically).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayableView {
    pub invoice_id: i64,
    pub number: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub reason: PayReason,
    pub amount_due: Decimal,
    pub currency: String,
    pub methods: Vec<MethodChoice>,
    /// Sent back with the payment: a repeated submission with it records nothing new.
    pub idempotency_key: String,
}

#[cfg(feature = "ssr")]
fn method_choices(
    p: &crate::backend::repo::billing::Payable,
    keys: &crate::backend::sealed::DataKeys,
) -> Result<Vec<MethodChoice>, AppError> {
    let tail = |s: &str| -> String {
        let chars: Vec<char> = s.chars().filter(|c| !c.is_whitespace()).collect();
        chars[chars.len().saturating_sub(4)..].iter().collect()
    };
    // Mobile money first for its payers (I6), then the other methods the household has.
    let mut order = vec![
        PaymentMethod::MobileMoney,
        PaymentMethod::Card,
        PaymentMethod::SepaDebit,
    ];
    if p.subscription_method() != Some(PaymentMethod::MobileMoney) {
        order.retain(|m| *m != PaymentMethod::MobileMoney);
    }
    let mut choices = Vec::with_capacity(order.len());
    for method in order {
        if let Some(instrument) = p.instruments.for_method(method, keys)? {
            choices.push(MethodChoice {
                method,
                masked: format!("•••• {}", tail(&instrument)),
            });
        }
    }
    Ok(choices)
}

/// The household's invoices that wait for a payment in the portal, each with a fresh key.
#[server(endpoint = "payables")]
pub async fn get_payables() -> Result<Vec<PayableView>, AppError> {
    use crate::backend::repo::billing as repo;
    entry::holder(|state, Holder { customer_id, .. }| async move {
        let mut conn = state.pool.acquire().await?;
        let payables = repo::payables(&mut conn, customer_id).await?;
        payables
            .iter()
            .map(|p| {
                Ok(PayableView {
                    invoice_id: p.invoice_id,
                    number: p.number.clone(),
                    issue_date: p.issue_date,
                    due_date: p.due_date,
                    reason: if p.status != crate::domain::account::InvoiceStatus::ActionRequired {
                        PayReason::Declined
                    } else if p.subscription_method() == Some(PaymentMethod::MobileMoney) {
                        PayReason::MobileMoney
                    } else {
                        PayReason::Due
                    },
                    amount_due: p.amount_due,
                    currency: p.currency.code().to_string(),
                    methods: method_choices(p, &state.keys)?,
                    idempotency_key: uuid::Uuid::new_v4().to_string(),
                })
            })
            .collect()
    })
    .await
}

/// How a portal payment ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaymentDone {
    /// Paid (a repeated confirmation with the same key gets this same answer).
    Paid,
}

/// I6: pays an invoice that waits for the customer, once per idempotency key; a second tab
/// (another key) finds it paid and changes nothing.
#[server(endpoint = "pay_invoice")]
pub async fn pay_invoice(
    invoice_id: i64,
    method: String,
    idempotency_key: String,
) -> Result<PaymentDone, AppError> {
    use crate::{
        backend::{
            idempotency::{self, Claim},
            payment_gateway::{ChargeOutcome, ChargeRequest},
            repo::billing as repo,
        },
        domain::validation::FieldProblem,
    };
    entry::holder(|state, holder| async move {
        let Holder {
            customer_id,
            access,
        } = holder;
        let Some(method) = PaymentMethod::parse(method.trim()) else {
            return Err(AppError::field(
                "method",
                FieldProblem::PaymentMethodMissing,
            ));
        };
        let login_id = access.session.login_id;
        // Keys are per login (another login's key never replays this one's payment) and per
        // method (after a decline, another method is a new charge, not the declined one).
        let claim_key = format!("{idempotency_key}:{}", method.code());
        let key = format!("portal-{login_id}-{idempotency_key}-{}", method.code());
        let today = state.clock.today();
        let mut tx = state.pool.begin().await?;
        let request = (invoice_id, method.code());
        if let Claim::Replay(answer) =
            idempotency::claim(&mut tx, login_id, &claim_key, "pay_invoice", &request).await?
        {
            return answer;
        }
        let payable = repo::lock_payable(&mut tx, customer_id, invoice_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !matches!(
            payable.status,
            crate::domain::account::InvoiceStatus::Failed
                | crate::domain::account::InvoiceStatus::ActionRequired
        ) {
            return Err(AppError::Stale);
        }
        let choices = method_choices(&payable, &state.keys)?;
        if !choices.iter().any(|c| c.method == method) {
            return Err(AppError::field(
                "method",
                FieldProblem::PaymentMethodMissing,
            ));
        }
        let instrument = payable
            .instruments
            .for_method(method, &state.keys)?
            .unwrap_or_default();
        let outcome = state
            .payments
            .charge(&ChargeRequest {
                idempotency_key: key.clone(),
                invoice_number: payable.number.clone(),
                amount: payable.amount_due,
                currency: payable.currency.code().to_string(),
                method,
                instrument,
            })
            .await?;
        match outcome {
            ChargeOutcome::Succeeded { reference } => {
                repo::record_attempt(
                    &mut tx,
                    invoice_id,
                    today,
                    method,
                    false,
                    Some(&reference),
                    None,
                )
                .await?;
                repo::settle(
                    &mut tx,
                    invoice_id,
                    payable.amount_due,
                    today,
                    method,
                    &reference,
                    &key,
                )
                .await?;
                events::record(
                    &mut tx,
                    Subject::Invoice(invoice_id),
                    EventKind::InvoicePaid,
                    serde_json::json!({
                        "invoice": payable.number,
                        "amount": payable.amount_due.to_string(),
                        "currency": payable.currency,
                        "method": method.code(),
                        "reference": reference,
                        "paid_on": today,
                    }),
                )
                .await?;
                let answer = Ok(PaymentDone::Paid);
                idempotency::remember(&mut tx, login_id, &claim_key, &answer).await?;
                tx.commit().await?;
                tracing::info!(
                    invoice_id,
                    method = method.code(),
                    "invoice paid in the portal"
                );
                crate::backend::flash::notice(&state, crate::domain::flash::Flash::InvoicePaid)
                    .await;
                answer
            }
            ChargeOutcome::Declined { reason } => {
                repo::record_attempt(
                    &mut tx,
                    invoice_id,
                    today,
                    method,
                    false,
                    None,
                    Some(&reason),
                )
                .await?;
                let answer = Err(AppError::field("method", FieldProblem::PaymentDeclined));
                idempotency::remember::<PaymentDone>(&mut tx, login_id, &claim_key, &answer)
                    .await?;
                tx.commit().await?;
                answer
            }
        }
    })
    .await
}
