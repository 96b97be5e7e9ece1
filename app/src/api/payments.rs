//! Direct debit (I4): the holder's payment method, activating a SEPA mandate and cancelling
//! it. Holders only (L2); a user link gets "not found".

use chrono::NaiveDate;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::backend::events::{self, EventKind, Subject};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::backend::entry::{self, Holder};

/// The active mandate as the customer sees it (the IBAN masked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MandateView {
    pub account_holder: String,
    pub masked_iban: String,
    pub reference: String,
    pub creditor_id: String,
    pub signed_on: NaiveDate,
}

/// The next debit and the day it is announced by (pre-notification).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextDebit {
    pub debit_date: NaiveDate,
    pub notified_by: NaiveDate,
    pub amount: Decimal,
    pub currency: String,
}

/// The payment section of the Invoices & payments tab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentMethods {
    pub mandate: Option<MandateView>,
    pub card_last4: Option<String>,
    pub requires_autopay: bool,
    /// The provider's SEPA creditor identifier (shown before signing).
    pub creditor_id: Option<String>,
    pub next_debit: Option<NextDebit>,
}

#[cfg(feature = "ssr")]
fn view_of(facts: crate::backend::repo::payments::PaymentFacts) -> PaymentMethods {
    use crate::domain::payment::{mask_iban, pre_notification_date};
    let currency = facts.currency.code().to_string();
    let has_mandate = facts.mandate.is_some();
    PaymentMethods {
        mandate: facts.mandate.map(|m| MandateView {
            account_holder: m.account_holder,
            masked_iban: mask_iban(&m.iban),
            reference: m.reference,
            creditor_id: m.creditor_id,
            signed_on: m.signed_on,
        }),
        card_last4: facts.card_last4,
        requires_autopay: facts.requires_autopay,
        creditor_id: facts.creditor_id,
        next_debit: facts
            .next_debit
            .filter(|_| has_mandate)
            .map(|(debit_date, amount)| NextDebit {
                debit_date,
                notified_by: pre_notification_date(debit_date),
                amount,
                currency,
            }),
    }
}

/// The payment methods of the signed-in holder.
#[server(endpoint = "payment_methods")]
pub async fn get_payment_methods() -> Result<PaymentMethods, AppError> {
    use crate::backend::repo;
    entry::holder(|state, Holder { customer_id, .. }| async move {
        let mut conn = state.pool.acquire().await?;
        let facts =
            repo::payments::facts(&mut conn, customer_id, state.clock.today(), &state.keys).await?;
        Ok(view_of(facts))
    })
    .await
}

/// Activates direct debit with a new SEPA mandate signed today (replacing an active one, in
/// the same transaction). `consent` is the mandate checkbox.
#[server(endpoint = "activate_sepa")]
pub async fn activate_sepa(
    account_holder: String,
    iban: String,
    consent: Option<String>,
    /// Step-up (ASVS V7.5, issue 9): the password again before money moves elsewhere.
    #[server(default)]
    current_password: String,
) -> Result<(), AppError> {
    use crate::{
        backend::repo,
        domain::{
            payment::{check_account_holder, mandate_reference, normalize_iban},
            validation::FieldProblem,
        },
    };
    entry::holder(|state, holder| async move {
        let Holder {
            customer_id,
            access,
        } = holder;
        let account_holder = account_holder.trim().to_string();
        let iban = normalize_iban(&iban);
        AppError::check_fields([
            (
                "account_holder",
                check_account_holder(&account_holder).err(),
            ),
            ("iban", iban.as_ref().err().copied()),
            (
                "consent",
                (consent.as_deref() != Some("on")).then_some(FieldProblem::ConsentMissing),
            ),
            (
                "current_password",
                current_password
                    .is_empty()
                    .then_some(FieldProblem::Required),
            ),
        ])?;
        crate::api::security::prove_current_password(&state, &access.session, current_password)
            .await?;
        let Ok(iban) = iban else {
            return Err(AppError::internal(
                "a field check_fields passed did not parse",
            ));
        };
        let today = state.clock.today();
        let prefix = repo::payments::provider_prefix(&state.pool, state.provider_id).await?;
        let mut tx = state.pool.begin().await?;
        repo::payments::lock_customer(&mut tx, customer_id).await?;
        let facts = repo::payments::facts(&mut tx, customer_id, today, &state.keys).await?;
        let Some(creditor_id) = facts.creditor_id else {
            tracing::error!(
                provider_id = state.provider_id,
                "no SEPA creditor id configured"
            );
            return Err(AppError::Unavailable);
        };
        let sequence = repo::payments::mandate_count(&mut tx, customer_id).await? + 1;
        let reference = mandate_reference(&prefix, &facts.customer_number, sequence);
        repo::payments::revoke(&mut tx, customer_id, today).await?;
        repo::payments::insert(
            &mut tx,
            &repo::payments::NewMandate {
                customer_id,
                account_holder: &account_holder,
                iban: &iban,
                reference: &reference,
                creditor_id: &creditor_id,
                signed_on: today,
            },
            &state.keys,
        )
        .await?;
        events::record(
            &mut tx,
            Subject::Customer(customer_id),
            EventKind::MandateCreated,
            serde_json::json!({
                "reference": reference,
                "account_holder": account_holder,
                "signed_on": today,
            }),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(customer_id, %reference, "SEPA mandate activated");
        Ok(())
    })
    .await
}

/// Cancels direct debit, unless a contract requires automatic payment and no other method
/// remains (I4).
#[server(endpoint = "revoke_sepa")]
pub async fn revoke_sepa() -> Result<(), AppError> {
    use crate::{backend::repo, domain::payment::may_revoke_mandate};
    entry::holder(|state, Holder { customer_id, .. }| async move {
        let today = state.clock.today();
        let mut tx = state.pool.begin().await?;
        repo::payments::lock_customer(&mut tx, customer_id).await?;
        let facts = repo::payments::facts(&mut tx, customer_id, today, &state.keys).await?;
        if facts.mandate.is_none() {
            return Err(AppError::NotFound);
        }
        may_revoke_mandate(facts.requires_autopay, facts.card_last4.is_some())
            .map_err(|_| AppError::AutopayRequired)?;
        repo::payments::revoke(&mut tx, customer_id, today).await?;
        events::record(
            &mut tx,
            Subject::Customer(customer_id),
            EventKind::MandateRevoked,
            serde_json::json!({ "revoked_on": today }),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(customer_id, "SEPA mandate revoked");
        Ok(())
    })
    .await
}
