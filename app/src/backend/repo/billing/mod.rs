//! Subscriptions, billing runs, autopay and portal payments (B1–B7, I5, I6): the SQL. The
//! rules come from `domain::billing`; `backend::billing` puts the two together.
//!
//! This module: subscriptions and what their invoices depend on; `invoices` writes invoices
//! (every kind, one writer), `autopay` charges them, `payables` are paid in the portal,
//! `plans` are the catalogue's plans and the changes between them.

mod autopay;
mod invoices;
mod payables;
mod plans;

pub use autopay::*;
pub use invoices::*;
pub use payables::*;
pub use plans::*;

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::{Decimal, prelude::ToPrimitive};
use sqlx::PgConnection;

use crate::{
    domain::{
        billing::{
            invoice_dates::{AutopayPolicy, AutopayPolicyTable, PaymentMethod},
            preview::DailyUsage,
        },
        calendar::DateRange,
        lang::Lang,
        money::Currency,
    },
    error::AppError,
};

/// A subscription with everything its invoices depend on.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Subscription {
    pub id: i64,
    pub contract_id: i64,
    pub contract_number: String,
    pub customer_id: i64,
    pub provider_id: i64,
    #[sqlx(try_from = "String")]
    pub language: Lang,
    pub managed: bool,
    pub vat_rate: Decimal,
    /// Days to pay a first invoice in the customer's country, where it differs (B4).
    pub first_invoice_due_days: Option<i32>,
    #[sqlx(try_from = "String")]
    pub currency: Currency,
    pub tariff_id: i64,
    pub tariff_name: String,
    pub monthly_price: Decimal,
    #[sqlx(rename = "data_allowance_bytes")]
    pub allowance_bytes: Option<i64>,
    #[sqlx(rename = "overage_price_per_gb")]
    pub overage_price: Option<Decimal>,
    pub shipped_on: NaiveDate,
    pub first_connected_on: Option<NaiveDate>,
    pub activated_on: Option<NaiveDate>,
    pub next_cycle_start: Option<NaiveDate>,
    #[sqlx(try_from = "String")]
    pub payment_method: PaymentMethod,
}

const SUBSCRIPTION_COLUMNS: &str = "
    SELECT s.id, s.contract_id, ct.contract_number, cu.id AS customer_id, cu.provider_id,
           cu.language, cu.managed, co.vat_rate, co.first_invoice_due_days, t.currency,
           t.id AS tariff_id, t.name AS tariff_name, t.monthly_price, t.data_allowance_bytes,
           t.overage_price_per_gb, s.shipped_on, s.first_connected_on, s.activated_on,
           s.next_cycle_start, s.payment_method
      FROM subscriptions s
      JOIN contracts ct ON ct.id = s.contract_id
      JOIN customers cu ON cu.id = ct.customer_id
      JOIN countries co ON co.code = cu.country
      JOIN tariffs t ON t.id = ct.tariff_id";

/// One subscription (any customer: callers check ownership).
pub async fn subscription_by_id(
    conn: &mut PgConnection,
    id: i64,
) -> Result<Option<Subscription>, AppError> {
    let sql = format!("{SUBSCRIPTION_COLUMNS} WHERE s.id = $1");
    Ok(sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?)
}

/// The subscriptions of a customer's active contracts, by contract number.
pub async fn subscriptions_of(
    conn: &mut PgConnection,
    customer_id: i64,
) -> Result<Vec<Subscription>, AppError> {
    let sql = format!(
        "{SUBSCRIPTION_COLUMNS} WHERE cu.id = $1 AND ct.status = 'active'
          ORDER BY ct.contract_number"
    );
    Ok(sqlx::query_as(&sql)
        .bind(customer_id)
        .fetch_all(&mut *conn)
        .await?)
}

/// Locks a subscription of `customer_id` for a change (`None`: not theirs or no such row).
pub async fn lock_subscription(
    conn: &mut PgConnection,
    customer_id: i64,
    id: i64,
) -> Result<Option<Subscription>, AppError> {
    let locked: Option<i64> = sqlx::query_scalar(
        "SELECT s.id FROM subscriptions s JOIN contracts ct ON ct.id = s.contract_id
          WHERE s.id = $1 AND ct.customer_id = $2 AND ct.status = 'active'
            FOR UPDATE OF s",
    )
    .bind(id)
    .bind(customer_id)
    .fetch_optional(&mut *conn)
    .await?;
    match locked {
        Some(id) => subscription_by_id(conn, id).await,
        None => Ok(None),
    }
}

/// The autopay policy table (B3).
pub async fn policies(conn: &mut PgConnection) -> Result<AutopayPolicyTable, AppError> {
    let rows: Vec<(NaiveDate, i32)> =
        sqlx::query_as("SELECT effective_from, offset_days FROM autopay_policies")
            .fetch_all(&mut *conn)
            .await?;
    Ok(AutopayPolicyTable::new(
        rows.into_iter()
            .map(|(effective_from, offset_days)| AutopayPolicy {
                effective_from,
                offset_days: u32::try_from(offset_days).unwrap_or(0),
            })
            .collect(),
    ))
}

/// Subscriptions not activated yet whose equipment was shipped by `day`, after `after`,
/// locked (rows another run holds are skipped).
pub async fn lock_unactivated(
    conn: &mut PgConnection,
    day: NaiveDate,
    after: i64,
    limit: i64,
) -> Result<Vec<(i64, NaiveDate, Option<NaiveDate>)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, shipped_on, first_connected_on FROM subscriptions
          WHERE activated_on IS NULL AND shipped_on <= $1 AND id > $2
          ORDER BY id LIMIT $3
            FOR UPDATE SKIP LOCKED",
    )
    .bind(day)
    .bind(after)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?)
}

/// B2: records the activation; the first cycle starts that day and the contract with it.
pub async fn activate(
    conn: &mut PgConnection,
    id: i64,
    activated_on: NaiveDate,
) -> Result<(), AppError> {
    sqlx::query(
        "WITH s AS (UPDATE subscriptions SET activated_on = $2, next_cycle_start = $2
                     WHERE id = $1 RETURNING contract_id)
         UPDATE contracts SET start_date = $2 FROM s WHERE contracts.id = s.contract_id",
    )
    .bind(id)
    .bind(activated_on)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Ids of subscriptions with a cycle to invoice by `day`, after `after`, locked. Managed
/// accounts are billed through their reseller or employer, not by this run (B5).
pub async fn lock_due(
    conn: &mut PgConnection,
    day: NaiveDate,
    after: i64,
    limit: i64,
) -> Result<Vec<i64>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT s.id FROM subscriptions s
           JOIN contracts ct ON ct.id = s.contract_id
           JOIN customers cu ON cu.id = ct.customer_id
          WHERE s.next_cycle_start <= $1 AND s.id > $2 AND NOT cu.managed
          ORDER BY s.id LIMIT $3
            FOR UPDATE OF s SKIP LOCKED",
    )
    .bind(day)
    .bind(after)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?)
}

/// A plan change waiting for the next invoice.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PendingPlanChange {
    pub id: i64,
    pub effective_on: NaiveDate,
    pub old_name: String,
    pub new_name: String,
    pub old_price: Decimal,
    pub new_price: Decimal,
}

/// The unbilled plan changes made in `cycle`.
pub async fn plan_changes_in(
    conn: &mut PgConnection,
    subscription_id: i64,
    cycle: DateRange,
) -> Result<Vec<PendingPlanChange>, AppError> {
    Ok(plan_changes_of(conn, &[(subscription_id, cycle)])
        .await?
        .remove(&subscription_id)
        .unwrap_or_default())
}

/// Data used per day of `range` on a contract (megabytes), from the per-day rollups.
pub async fn daily_data(
    conn: &mut PgConnection,
    contract_id: i64,
    range: DateRange,
) -> Result<Vec<DailyUsage>, AppError> {
    Ok(daily_data_of(conn, &[(contract_id, range)])
        .await?
        .remove(&contract_id)
        .unwrap_or_default())
}

// --- The billing run's set-based invoicing (issue 10: 100 000 subscriptions in a minute) ---

/// The subscriptions `ids`, by id.
pub async fn subscriptions_by_ids(
    conn: &mut PgConnection,
    ids: &[i64],
) -> Result<Vec<Subscription>, AppError> {
    let sql = format!("{SUBSCRIPTION_COLUMNS} WHERE s.id = ANY($1) ORDER BY s.id");
    Ok(sqlx::query_as(&sql).bind(ids).fetch_all(&mut *conn).await?)
}

/// A pending plan change with its subscription.
#[derive(sqlx::FromRow)]
struct SubscriptionsChange {
    subscription_id: i64,
    #[sqlx(flatten)]
    change: PendingPlanChange,
}

/// [`plan_changes_in`] for many (subscription, cycle) pairs at once, by subscription.
pub async fn plan_changes_of(
    conn: &mut PgConnection,
    cycles: &[(i64, DateRange)],
) -> Result<HashMap<i64, Vec<PendingPlanChange>>, AppError> {
    let (ids, starts, ends) = super::range_arrays(cycles);
    let rows: Vec<SubscriptionsChange> = sqlx::query_as(
        "SELECT pc.subscription_id, pc.id, pc.effective_on, o.name AS old_name,
                n.name AS new_name, pc.old_price, pc.new_price
           FROM unnest($1::bigint[], $2::date[], $3::date[]) AS c(id, s, e)
           JOIN plan_changes pc ON pc.subscription_id = c.id AND pc.invoice_id IS NULL
                               AND pc.effective_on BETWEEN c.s AND c.e
           JOIN tariffs o ON o.id = pc.old_tariff_id
           JOIN tariffs n ON n.id = pc.new_tariff_id
          ORDER BY pc.id",
    )
    .bind(&ids)
    .bind(&starts)
    .bind(&ends)
    .fetch_all(&mut *conn)
    .await?;
    let mut by_subscription: HashMap<i64, Vec<PendingPlanChange>> = HashMap::new();
    for row in rows {
        by_subscription
            .entry(row.subscription_id)
            .or_default()
            .push(row.change);
    }
    Ok(by_subscription)
}

/// [`daily_data`] for many (contract, range) pairs at once, by contract.
pub async fn daily_data_of(
    conn: &mut PgConnection,
    ranges: &[(i64, DateRange)],
) -> Result<HashMap<i64, Vec<DailyUsage>>, AppError> {
    let (ids, starts, ends) = super::range_arrays(ranges);
    let rows: Vec<(i64, NaiveDate, Decimal)> = sqlx::query_as(
        "SELECT d.contract_id, d.usage_date, d.quantity AS mb
           FROM unnest($1::bigint[], $2::date[], $3::date[]) AS c(id, s, e)
           JOIN usage_daily d ON d.contract_id = c.id AND d.kind = 'data'
                             AND d.usage_date BETWEEN c.s AND c.e
          ORDER BY d.contract_id, d.usage_date",
    )
    .bind(&ids)
    .bind(&starts)
    .bind(&ends)
    .fetch_all(&mut *conn)
    .await?;
    let mut by_contract: HashMap<i64, Vec<DailyUsage>> = HashMap::new();
    for (contract_id, day, mb) in rows {
        by_contract
            .entry(contract_id)
            .or_default()
            .push(daily_usage(day, mb));
    }
    Ok(by_contract)
}

/// Megabytes of a day as the preview counts them: bytes, truncated.
fn daily_usage(day: NaiveDate, mb: Decimal) -> DailyUsage {
    DailyUsage {
        day,
        bytes: (mb * Decimal::from(1_000_000))
            .trunc()
            .to_u64()
            .unwrap_or(u64::MAX),
    }
}
