//! Confirm (X2, X4): one transaction: the configuration changes, an invoice dated today
//! carries the charge and the credit, the audit record is written; the term end stays. The
//! invoice is charged to the stored card at once, as the term was, or waits for a payment in
//! the portal (issue 28 item 5). The same key again replays the first answer; a quote of an
//! older configuration is stale.

use crate::backend::events::{self, EventKind, Subject};
use serde::{Deserialize, Serialize};

use super::{decide, prices, refusal_error, service_of};
use crate::{
    backend::{
        billing::{card, line_words, stored_line_text},
        entry::Holder,
        idempotency::{self, Claim},
        repo::hosting as repo,
        state::AppState,
    },
    domain::billing::{line_text::LineText, upgrade::Configuration},
    error::AppError,
};

/// What a confirmed upgrade did (kept with its idempotency key, so its shape is stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Upgraded {
    pub invoice_number: String,
    /// Charged to the stored card; otherwise it waits for a payment in the portal.
    #[serde(default)]
    pub paid: bool,
}

/// Applies the upgrade to `config` the holder confirmed with `idempotency_key`.
pub async fn confirm(
    state: &AppState,
    holder: &Holder,
    contract_id: i64,
    version: i32,
    config: &Configuration,
    idempotency_key: &str,
) -> Result<Upgraded, AppError> {
    let login_id = holder.access.session.login_id;
    let mut tx = state.pool.begin().await?;
    // The same key again (a double click, a retry): the first answer, nothing new.
    let request = (contract_id, version, config);
    if let Claim::Replay(answer) = idempotency::claim(
        &mut tx,
        login_id,
        idempotency_key,
        "confirm_upgrade",
        &request,
    )
    .await?
    {
        return answer;
    }
    // The service row lock orders concurrent confirmations of other keys.
    let service = service_of(&mut tx, holder.customer_id, contract_id, true).await?;
    let today = state.clock.today();
    let (offer, decision) = decide(&service, today, version, config)?;
    let quote = decision.map_err(refusal_error)?;
    let (old_price, new_price) = prices(&offer, config)?;
    // The lines' texts as kind and parameters, so that each reader gets them in its
    // language (I2), and in the household's language as the stored description.
    let charge_line = LineText::HostingCharge {
        hostname: service.hostname.clone(),
        days_remaining: quote.days_remaining,
        days_total: quote.days_total,
    };
    let credit_line = LineText::HostingCredit {
        hostname: service.hostname.clone(),
        days_remaining: quote.days_remaining,
        days_total: quote.days_total,
    };
    let (invoice_id, number) = repo::apply_upgrade(
        &mut tx,
        &repo::NewChange {
            service: &service,
            login_id,
            requested_on: today,
            effective_on: today,
            new_config: config,
            old_price,
            new_price,
            idempotency_key: &format!("{login_id}-{idempotency_key}"),
        },
        &repo::Applied {
            days_total: quote.days_total,
            days_remaining: quote.days_remaining,
            charge: quote.charge.amount(),
            credit: quote.credit.amount(),
            charge_text: &line_words(&charge_line, service.language),
            credit_text: &line_words(&credit_line, service.language),
            charge_line_text: &stored_line_text(&charge_line)?,
            credit_line_text: &stored_line_text(&credit_line)?,
        },
    )
    .await?;
    events::record(
        &mut tx,
        Subject::Contract(contract_id),
        EventKind::UpgradeConfirmed,
        serde_json::json!({
            "hostname": service.hostname,
            "configuration": config,
            "invoice": number,
            "net": quote.net.amount().to_string(),
            "currency": quote.net.currency().code(),
        }),
    )
    .await?;
    let charged = card::charge_stored_card(
        &mut tx,
        state.payments.as_ref(),
        &state.keys,
        &card::Due {
            invoice_id,
            number: &number,
            customer_id: holder.customer_id,
            amount: quote.net.amount(),
            currency: quote.net.currency(),
            key: format!("upgrade-{invoice_id}"),
        },
        today,
    )
    .await?;
    tracing::info!(contract_id, invoice = %number, net = %quote.net, ?charged, "configuration upgraded");
    let answer = Ok(Upgraded {
        invoice_number: number,
        paid: charged == card::Charged::Paid,
    });
    idempotency::remember(&mut tx, login_id, idempotency_key, &answer).await?;
    tx.commit().await?;
    answer
}
