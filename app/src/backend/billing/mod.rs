//! B1–B7, I5, I6 on PostgreSQL: the billing run (activation, invoices, autopay) and the state
//! behind the invoice preview. The rules are `domain::billing`; the SQL is `repo::billing`.
//!
//! Exactly once: the run takes rows with `FOR UPDATE SKIP LOCKED` in batches, each batch one
//! transaction (a killed run leaves nothing half-written), each row in a savepoint (one bad
//! row does not stop the others); an invoice is unique per (subscription, cycle start); the
//! subscription's `next_cycle_start` moves in the invoice's transaction; invoice numbers come
//! from a locked counter row inside it (gapless). Charges carry an idempotency key derived from
//! the invoice and attempt, so a charge whose commit was lost is answered, not repeated.
//!
//! `run` is the billing run, `preview` the next invoice as it stands today, `line_text` the
//! invoice lines' words; this module holds what they share: a subscription's country rules,
//! fees and state in a cycle.

pub mod card;
mod line_text;
mod preview;
mod run;

pub use line_text::{describe, line_text_of, line_words, read_line_text, stored_line_text};
pub use preview::{NextInvoice, next_invoice};
pub use run::{BATCH, RunReport, run, run_until};

use chrono::NaiveDate;
use sqlx::PgConnection;

use crate::{
    backend::repo::billing::{self as repo, Subscription},
    domain::{
        billing::{
            invoice_dates::CountryRules,
            preview::{DataAllowance, DatedPrice, RecurringFee, SubscriptionState},
            proration::PriceChange,
        },
        calendar::DateRange,
    },
    error::AppError,
};

/// The rules of the customer's country (B4).
fn country_rules(sub: &Subscription) -> CountryRules {
    CountryRules {
        vat_rate: sub.vat_rate,
        first_invoice_due_days: sub
            .first_invoice_due_days
            .and_then(|days| u32::try_from(days).ok()),
    }
}

/// The monthly fees of a subscription: its plan at today's catalogue price.
pub fn fees(sub: &Subscription) -> Vec<RecurringFee> {
    vec![RecurringFee {
        label: sub.tariff_name.clone(),
        prices: vec![DatedPrice {
            effective_from: NaiveDate::MIN,
            monthly: sub.monthly_price,
        }],
        vat_rate: sub.vat_rate,
    }]
}

/// Everything the invoice after `cycle` depends on, and the plan changes it bills.
pub async fn state_for(
    conn: &mut PgConnection,
    sub: &Subscription,
    cycle: DateRange,
) -> Result<(SubscriptionState, Vec<i64>), AppError> {
    let changes = repo::plan_changes_in(conn, sub.id, cycle).await?;
    let usage = repo::daily_data(conn, sub.contract_id, cycle).await?;
    state_from(sub, cycle, &changes, usage)
}

/// The state of a subscription in `cycle` from its unbilled plan changes and data per day;
/// with the ids of those changes.
fn state_from(
    sub: &Subscription,
    cycle: DateRange,
    changes: &[repo::PendingPlanChange],
    usage: Vec<crate::domain::billing::preview::DailyUsage>,
) -> Result<(SubscriptionState, Vec<i64>), AppError> {
    let allowance = sub.allowance_bytes.and_then(|b| u64::try_from(b).ok());
    let data = match (allowance, sub.overage_price) {
        (Some(allowance_bytes), Some(price_per_gb)) => Some(DataAllowance {
            label: sub.tariff_name.clone(),
            allowance_bytes,
            price_per_gb,
            vat_rate: sub.vat_rate,
        }),
        _ => None,
    };
    let state = SubscriptionState {
        cycle,
        currency: sub.currency,
        managed: sub.managed,
        fees: fees(sub),
        changes: changes
            .iter()
            .map(|c| PriceChange {
                label: format!("{} → {}", c.old_name, c.new_name),
                day: c.effective_on,
                old_price: c.old_price,
                new_price: c.new_price,
                vat_rate: sub.vat_rate,
            })
            .collect(),
        data,
        usage,
    };
    Ok((state, changes.iter().map(|c| c.id).collect()))
}
