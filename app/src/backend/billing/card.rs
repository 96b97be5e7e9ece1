//! Invoices the portal issues outside a monthly cycle (a hosting upgrade, a hosting renewal)
//! are charged at once to the stored card, as the hosting term itself was (issue 28 item 5);
//! without a card, or declined, they wait for the customer under "Invoices & payments" with a
//! Pay button (I6).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::PgConnection;

use crate::{
    backend::{
        payment_gateway::{ChargeOutcome, ChargeRequest, PaymentGateway},
        repo::billing as repo,
        sealed::DataKeys,
    },
    domain::{billing::invoice_dates::PaymentMethod, money::Currency},
    error::AppError,
};

/// An invoice to charge now.
pub struct Due<'a> {
    pub invoice_id: i64,
    pub number: &'a str,
    pub customer_id: i64,
    pub amount: Decimal,
    pub currency: Currency,
    /// The charge's idempotency key: a charge whose commit was lost is answered, not repeated.
    pub key: String,
}

/// How the charge ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charged {
    /// Paid (or nothing to pay).
    Paid,
    /// Declined: payable in the portal with another method.
    Declined,
    /// No card stored: payable in the portal.
    ToPay,
}

/// Charges `due` to the customer's stored card in the caller's transaction.
pub async fn charge_stored_card(
    conn: &mut PgConnection,
    gateway: &dyn PaymentGateway,
    keys: &DataKeys,
    due: &Due<'_>,
    day: NaiveDate,
) -> Result<Charged, AppError> {
    if due.amount <= Decimal::ZERO {
        repo::close_settled(conn, due.invoice_id).await?;
        return Ok(Charged::Paid);
    }
    let instruments = repo::instruments_of(conn, due.customer_id).await?;
    let Some(card) = instruments.for_method(PaymentMethod::Card, keys)? else {
        repo::mark_action_required(conn, due.invoice_id).await?;
        return Ok(Charged::ToPay);
    };
    let request = ChargeRequest {
        idempotency_key: due.key.clone(),
        invoice_number: due.number.to_string(),
        amount: due.amount,
        currency: due.currency.code().to_string(),
        method: PaymentMethod::Card,
        instrument: card,
    };
    if charge_and_record(conn, gateway, &request, due.invoice_id, day).await? {
        Ok(Charged::Paid)
    } else {
        // No automatic retry: the customer pays it in the portal.
        repo::mark_failed(conn, due.invoice_id, 1, None).await?;
        Ok(Charged::Declined)
    }
}

/// Sends `request` for `invoice_id` and records the automatic attempt; a success also records
/// the payment that settles the invoice. Whether it was paid.
pub(super) async fn charge_and_record(
    conn: &mut PgConnection,
    gateway: &dyn PaymentGateway,
    request: &ChargeRequest,
    invoice_id: i64,
    day: NaiveDate,
) -> Result<bool, AppError> {
    let (reference, decline_reason) = match gateway.charge(request).await? {
        ChargeOutcome::Succeeded { reference } => (Some(reference), None),
        ChargeOutcome::Declined { reason } => (None, Some(reason)),
    };
    repo::record_attempt(
        conn,
        invoice_id,
        day,
        request.method,
        true,
        reference.as_deref(),
        decline_reason.as_deref(),
    )
    .await?;
    let Some(reference) = reference else {
        return Ok(false);
    };
    repo::settle(
        conn,
        invoice_id,
        request.amount,
        day,
        request.method,
        &reference,
        &request.idempotency_key,
    )
    .await?;
    Ok(true)
}
