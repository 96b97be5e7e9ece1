//! Monthly subscriptions (B1–B7, I5): the next invoice as of today, plan changes with their
//! proration, billing-date requests (refused, B6). Holders only (L2): a user link has no
//! invoices or contract changes.

use chrono::NaiveDate;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::backend::events::{self, EventKind, Subject};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{
    domain::{
        billing::{
            invoice_dates::PaymentMethod, preview::PreviewLine, proration::switch_cost,
            vat::VatLine,
        },
        money::{Currency, Money},
    },
    error::AppError,
};

#[cfg(feature = "ssr")]
use crate::backend::entry::{self, Holder};

/// A plan the subscription can switch to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanOption {
    pub tariff_id: i64,
    pub name: String,
    pub monthly_price: Decimal,
    /// Data included per cycle, in GB.
    pub allowance_gb: Option<u64>,
}

/// The next invoice of a subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum NextInvoiceView {
    /// Not activated yet: the first invoice is issued on the activation day.
    AwaitingActivation {
        activation: NaiveDate,
        issue: NaiveDate,
        due: NaiveDate,
    },
    /// Billed through a reseller or employer: no preview (B5).
    Managed,
    /// The invoice of `issue`, as it stands today.
    Preview {
        cycle: (NaiveDate, NaiveDate),
        issue: NaiveDate,
        due: NaiveDate,
        autopay: NaiveDate,
        lines: Vec<PreviewLine>,
        vat: Vec<VatLine>,
        total: Money,
    },
}

/// One monthly subscription of the household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionView {
    pub id: i64,
    pub contract_number: String,
    pub plan_id: i64,
    pub plan_name: String,
    pub plan_price: Decimal,
    pub currency: String,
    pub method: PaymentMethod,
    /// The day of month the cycles start on (B1), once activated.
    pub anchor_day: Option<u32>,
    /// The activation day the cycles are anchored on (B1, B2), once activated.
    pub activated_on: Option<NaiveDate>,
    pub next: NextInvoiceView,
    /// Plans to switch to (only for an active, self-billed subscription).
    pub plans: Vec<PlanOption>,
    /// Today, as the server's clock tells it (P5): quotes are for this day.
    pub today: NaiveDate,
}

impl SubscriptionView {
    /// H3, B5: what switching to `plan` today puts on the next invoice (positive: charge),
    /// computed by the same rule the server applies.
    pub fn quote(&self, plan: &PlanOption) -> Option<Money> {
        if !matches!(self.next, NextInvoiceView::Preview { .. }) {
            return None;
        }
        let currency = Currency::parse(&self.currency)?;
        switch_cost(
            self.activated_on?,
            self.today,
            self.plan_price,
            plan.monthly_price,
            currency,
        )
        .map(|(_, amount)| amount)
    }
}

#[cfg(feature = "ssr")]
fn view_of(
    sub: &crate::backend::repo::billing::Subscription,
    next: crate::backend::billing::NextInvoice,
    plans: Vec<crate::backend::repo::billing::Plan>,
    today: NaiveDate,
) -> SubscriptionView {
    use crate::backend::billing::NextInvoice;
    use crate::domain::billing::preview::BYTES_PER_GB;
    let active = matches!(next, NextInvoice::Preview { .. });
    let next = match next {
        NextInvoice::AwaitingActivation { activation, dates } => {
            NextInvoiceView::AwaitingActivation {
                activation,
                issue: dates.issue,
                due: dates.due,
            }
        }
        NextInvoice::Managed => NextInvoiceView::Managed,
        NextInvoice::Preview {
            cycle,
            preview:
                crate::domain::billing::preview::InvoicePreview {
                    lines, vat, total, ..
                },
            dates,
        } => NextInvoiceView::Preview {
            cycle: (cycle.start(), cycle.end()),
            issue: dates.issue,
            due: dates.due,
            autopay: dates.autopay,
            lines,
            vat,
            total,
        },
    };
    SubscriptionView {
        id: sub.id,
        contract_number: sub.contract_number.clone(),
        plan_id: sub.tariff_id,
        plan_name: sub.tariff_name.clone(),
        plan_price: sub.monthly_price,
        currency: sub.currency.code().to_string(),
        method: sub.payment_method,
        anchor_day: sub.activated_on.map(|a| chrono::Datelike::day(&a)),
        activated_on: sub.activated_on,
        next,
        plans: if active {
            plans
                .into_iter()
                .filter(|p| p.id != sub.tariff_id)
                .map(|p| PlanOption {
                    tariff_id: p.id,
                    name: p.name,
                    monthly_price: p.monthly_price,
                    allowance_gb: p
                        .allowance_bytes
                        .and_then(|b| u64::try_from(b).ok())
                        .map(|b| b / BYTES_PER_GB),
                })
                .collect()
        } else {
            Vec::new()
        },
        today,
    }
}

/// The household's monthly subscriptions with their next invoice as of today (I5).
#[server(endpoint = "next_invoices")]
pub async fn get_next_invoices() -> Result<Vec<SubscriptionView>, AppError> {
    use crate::backend::{billing, repo::billing as repo};
    entry::holder(|state, Holder { customer_id, .. }| async move {
        let today = state.clock.today();
        let mut conn = state.pool.acquire().await?;
        let subs = repo::subscriptions_of(&mut conn, customer_id).await?;
        let mut views = Vec::with_capacity(subs.len());
        for sub in &subs {
            let next = billing::next_invoice(&mut conn, sub, today).await?;
            let plans = repo::plans_for(&mut conn, sub.contract_id).await?;
            views.push(view_of(sub, next, plans, today));
        }
        Ok(views)
    })
    .await
}

/// Switches a subscription's monthly plan today; the proration goes on the next invoice.
/// `quoted_on` is the day the amount was shown: a quote from another day is stale.
#[server(endpoint = "change_plan")]
pub async fn change_plan(
    subscription_id: i64,
    tariff_id: String,
    quoted_on: String,
) -> Result<Decimal, AppError> {
    use crate::{backend::repo::billing as repo, domain::validation::FieldProblem};
    entry::holder(|state, holder| async move {
        let Holder {
            customer_id,
            access,
        } = holder;
        let Ok(tariff_id) = tariff_id.trim().parse::<i64>() else {
            return Err(AppError::field("tariff_id", FieldProblem::PlanRequired));
        };
        let today = state.clock.today();
        if quoted_on.parse::<NaiveDate>().ok() != Some(today) {
            return Err(AppError::Stale);
        }
        let mut tx = state.pool.begin().await?;
        let sub = repo::lock_subscription(&mut tx, customer_id, subscription_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let activation = sub
            .activated_on
            .filter(|a| *a <= today && !sub.managed)
            .ok_or_else(|| AppError::field("tariff_id", FieldProblem::PlanNotChangeable))?;
        if tariff_id == sub.tariff_id {
            return Err(AppError::field("tariff_id", FieldProblem::PlanUnchanged));
        }
        let plans = repo::plans_for(&mut tx, sub.contract_id).await?;
        let plan = plans
            .iter()
            .find(|p| p.id == tariff_id)
            .ok_or_else(|| AppError::field("tariff_id", FieldProblem::PlanRequired))?;
        let currency = sub.currency;
        // Activated by today (checked above), so today is in a cycle.
        let (cycle, amount) = switch_cost(
            activation,
            today,
            sub.monthly_price,
            plan.monthly_price,
            currency,
        )
        .ok_or_else(|| AppError::internal("an activated subscription outside its cycles"))?;
        let amount = amount.amount();
        repo::insert_plan_change(
            &mut tx,
            &repo::NewPlanChange {
                subscription_id: sub.id,
                contract_id: sub.contract_id,
                login_id: access.session.login_id,
                effective_on: today,
                cycle,
                old_tariff_id: sub.tariff_id,
                new_tariff_id: plan.id,
                old_price: sub.monthly_price,
                new_price: plan.monthly_price,
                amount,
            },
        )
        .await?;
        let tariff = repo::tariff_code(&mut tx, plan.id).await?;
        events::record(
            &mut tx,
            Subject::Contract(sub.contract_id),
            EventKind::PlanChanged,
            serde_json::json!({
                "subscription": subscription_id,
                "tariff": tariff,
                "effective_on": today,
                "monthly_price_before": sub.monthly_price.to_string(),
                "monthly_price_after": plan.monthly_price.to_string(),
                "prorated_amount": amount.to_string(),
                "currency": currency.code(),
            }),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(subscription_id, tariff_id, %amount, "plan changed");
        Ok(amount)
    })
    .await
}

/// B6: asks to move the billing date. Always refused with the reason: the cycles start on
/// the activation day of the month.
#[server(endpoint = "billing_date_change")]
pub async fn request_billing_date_change(
    subscription_id: i64,
    billing_day: String,
) -> Result<(), AppError> {
    use crate::{
        backend::repo::billing as repo,
        domain::{
            billing::invoice_dates::request_billing_date_change as decide, validation::FieldProblem,
        },
    };
    entry::holder(|state, Holder { customer_id, .. }| async move {
        let day = billing_day
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|d| (1..=31).contains(d))
            .ok_or_else(|| AppError::field("billing_day", FieldProblem::DayInvalid))?;
        let mut conn = state.pool.acquire().await?;
        let sub = repo::subscriptions_of(&mut conn, customer_id)
            .await?
            .into_iter()
            .find(|s| s.id == subscription_id)
            .ok_or(AppError::NotFound)?;
        let activation = sub.activated_on.unwrap_or(sub.shipped_on);
        match decide(activation, day) {
            Err(_) => {
                tracing::info!(subscription_id, day, "billing date change refused (B6)");
                Err(AppError::field(
                    "billing_day",
                    FieldProblem::BillingDateFixed,
                ))
            }
        }
    })
    .await
}
