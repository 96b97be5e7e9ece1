//! Subscriptions, billing runs, autopay and portal payments (B1–B7, I5, I6): the SQL. The
//! rules come from `domain::billing`; `backend::billing` puts the two together.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use rust_decimal::{Decimal, prelude::ToPrimitive};
use sqlx::{PgConnection, Row, postgres::PgRow};

use super::parse_column;
use crate::{
    backend::sealed::{DataKeys, Purpose},
    domain::{
        billing::{
            invoice_dates::{AutopayPolicy, AutopayPolicyTable, PaymentMethod},
            numbering::{Series, format_number},
            preview::DailyUsage,
        },
        calendar::DateRange,
        lang::Lang,
    },
    error::AppError,
};

/// A subscription with everything its invoices depend on.
#[derive(Debug, Clone)]
pub struct Subscription {
    pub id: i64,
    pub contract_id: i64,
    pub contract_number: String,
    pub customer_id: i64,
    pub provider_id: i64,
    pub language: Lang,
    pub managed: bool,
    pub vat_rate: Decimal,
    pub first_invoice_due_days: Option<u32>,
    pub currency: String,
    pub tariff_id: i64,
    pub tariff_name: String,
    pub monthly_price: Decimal,
    pub allowance_bytes: Option<u64>,
    pub overage_price: Option<Decimal>,
    pub shipped_on: NaiveDate,
    pub first_connected_on: Option<NaiveDate>,
    pub activated_on: Option<NaiveDate>,
    pub next_cycle_start: Option<NaiveDate>,
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

fn subscription(row: &PgRow) -> Result<Subscription, AppError> {
    Ok(Subscription {
        id: row.get("id"),
        contract_id: row.get("contract_id"),
        contract_number: row.get("contract_number"),
        customer_id: row.get("customer_id"),
        provider_id: row.get("provider_id"),
        language: parse_column("customers.language", row.get("language"), Lang::parse)?,
        managed: row.get("managed"),
        vat_rate: row.get("vat_rate"),
        first_invoice_due_days: row
            .get::<Option<i32>, _>("first_invoice_due_days")
            .and_then(|d| u32::try_from(d).ok()),
        currency: row.get::<String, _>("currency").trim().to_string(),
        tariff_id: row.get("tariff_id"),
        tariff_name: row.get("tariff_name"),
        monthly_price: row.get("monthly_price"),
        allowance_bytes: row
            .get::<Option<i64>, _>("data_allowance_bytes")
            .and_then(|b| u64::try_from(b).ok()),
        overage_price: row.get("overage_price_per_gb"),
        shipped_on: row.get("shipped_on"),
        first_connected_on: row.get("first_connected_on"),
        activated_on: row.get("activated_on"),
        next_cycle_start: row.get("next_cycle_start"),
        payment_method: parse_column(
            "subscriptions.payment_method",
            row.get("payment_method"),
            PaymentMethod::parse,
        )?,
    })
}

/// One subscription (any customer: callers check ownership).
pub async fn subscription_by_id(
    conn: &mut PgConnection,
    id: i64,
) -> Result<Option<Subscription>, AppError> {
    let sql = format!("{SUBSCRIPTION_COLUMNS} WHERE s.id = $1");
    sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| subscription(&r))
        .transpose()
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
    sqlx::query(&sql)
        .bind(customer_id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(subscription)
        .collect()
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
    let rows = sqlx::query("SELECT effective_from, offset_days FROM autopay_policies")
        .fetch_all(&mut *conn)
        .await?;
    Ok(AutopayPolicyTable::new(
        rows.iter()
            .map(|r| AutopayPolicy {
                effective_from: r.get("effective_from"),
                offset_days: u32::try_from(r.get::<i32, _>("offset_days")).unwrap_or(0),
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
    let rows = sqlx::query(
        "SELECT id, shipped_on, first_connected_on FROM subscriptions
          WHERE activated_on IS NULL AND shipped_on <= $1 AND id > $2
          ORDER BY id LIMIT $3
            FOR UPDATE SKIP LOCKED",
    )
    .bind(day)
    .bind(after)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .iter()
        .map(|r| {
            (
                r.get("id"),
                r.get("shipped_on"),
                r.get("first_connected_on"),
            )
        })
        .collect())
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
#[derive(Debug, Clone)]
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

/// The next gapless number of `series` for the provider in `year`, taken under the series
/// row's lock (released when the transaction ends, so a rollback leaves no gap).
pub async fn next_number(
    conn: &mut PgConnection,
    provider_id: i64,
    series: Series,
    year: i32,
) -> Result<String, AppError> {
    let value: i64 = sqlx::query_scalar(
        "INSERT INTO invoice_number_series (provider_id, series, year, next_value)
         VALUES ($1, $2, $3, 2)
         ON CONFLICT (provider_id, series, year)
         DO UPDATE SET next_value = invoice_number_series.next_value + 1
         RETURNING next_value - 1",
    )
    .bind(provider_id)
    .bind(series.as_str())
    .bind(year)
    .fetch_one(&mut *conn)
    .await?;
    Ok(format_number(
        series,
        year,
        u64::try_from(value).map_err(|_| AppError::internal("invoice number out of range"))?,
    ))
}

/// One line of an invoice to write.
pub struct NewLine {
    pub kind: &'static str,
    pub description: String,
    /// The text as a kind and parameters (`domain::billing::line_text`), stored as JSON.
    pub text: Option<String>,
    pub amount: Decimal,
    pub vat_rate: Decimal,
}

/// An invoice of a subscription's cycle to write.
pub struct NewCycleInvoice<'a> {
    pub subscription: &'a Subscription,
    pub cycle: DateRange,
    pub issue: NaiveDate,
    pub due: NaiveDate,
    pub autopay_on: NaiveDate,
    pub total: Decimal,
    pub lines: Vec<NewLine>,
    /// The cycle whose usage and plan changes the invoice bills (none for the first one).
    pub billed_cycle: Option<DateRange>,
    pub plan_change_ids: Vec<i64>,
}

/// Writes the invoice of a cycle with its lines, marks what it bills, and moves the
/// subscription to the next cycle. `None` when that cycle already has its invoice.
pub async fn insert_cycle_invoice(
    conn: &mut PgConnection,
    new: &NewCycleInvoice<'_>,
) -> Result<Option<(i64, String)>, AppError> {
    let s = new.subscription;
    let number = next_number(conn, s.provider_id, Series::Invoice, new.issue.year()).await?;
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO invoices (provider_id, customer_id, kind, number, issue_date, period_start,
                               period_end, due_date, status, currency, total, subscription_id,
                               autopay_on)
         VALUES ($1, $2, 'invoice', $3, $4, $5, $6, $7, 'open', $8, $9, $10, $11)
         ON CONFLICT (subscription_id, period_start) WHERE subscription_id IS NOT NULL
         DO NOTHING
         RETURNING id",
    )
    .bind(s.provider_id)
    .bind(s.customer_id)
    .bind(&number)
    .bind(new.issue)
    .bind(new.cycle.start())
    .bind(new.cycle.end())
    .bind(new.due)
    .bind(&s.currency)
    .bind(new.total)
    .bind(s.id)
    .bind(new.autopay_on)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(id) = id else {
        return Ok(None);
    };
    let positions: Vec<i32> = (1..=i32::try_from(new.lines.len())
        .map_err(|_| AppError::internal("too many invoice lines"))?)
        .collect();
    let kinds: Vec<&str> = new.lines.iter().map(|l| l.kind).collect();
    let descriptions: Vec<&str> = new.lines.iter().map(|l| l.description.as_str()).collect();
    let texts: Vec<Option<&str>> = new.lines.iter().map(|l| l.text.as_deref()).collect();
    let amounts: Vec<Decimal> = new.lines.iter().map(|l| l.amount).collect();
    let rates: Vec<Decimal> = new.lines.iter().map(|l| l.vat_rate).collect();
    sqlx::query(
        "INSERT INTO invoice_lines (invoice_id, position, kind, description, line_text,
                                    contract_id, amount, vat_rate)
         SELECT $1, l.position, l.kind, l.description, l.line_text, $2, l.amount, l.vat_rate
           FROM unnest($3::int[], $4::text[], $5::text[], $6::text[], $7::numeric[],
                       $8::numeric[])
                AS l(position, kind, description, line_text, amount, vat_rate)",
    )
    .bind(id)
    .bind(s.contract_id)
    .bind(&positions)
    .bind(&kinds)
    .bind(&descriptions)
    .bind(&texts)
    .bind(&amounts)
    .bind(&rates)
    .execute(&mut *conn)
    .await?;
    if !new.plan_change_ids.is_empty() {
        sqlx::query("UPDATE plan_changes SET invoice_id = $1 WHERE id = ANY($2)")
            .bind(id)
            .bind(&new.plan_change_ids)
            .execute(&mut *conn)
            .await?;
    }
    if let Some(billed) = new.billed_cycle {
        // I3: the consumption behind this invoice.
        sqlx::query(
            "UPDATE usage_records SET invoice_id = $1
              WHERE contract_id = $2 AND usage_date BETWEEN $3 AND $4 AND invoice_id IS NULL",
        )
        .bind(id)
        .bind(s.contract_id)
        .bind(billed.start())
        .bind(billed.end())
        .execute(&mut *conn)
        .await?;
    }
    let next = new
        .cycle
        .end()
        .succ_opt()
        .ok_or_else(|| AppError::internal("cycle ends on the last representable day"))?;
    sqlx::query("UPDATE subscriptions SET next_cycle_start = $2 WHERE id = $1")
        .bind(s.id)
        .bind(next)
        .execute(&mut *conn)
        .await?;
    Ok(Some((id, number)))
}

/// An invoice whose autopay day has come, with what charging it needs.
#[derive(Debug, Clone)]
pub struct DueCharge {
    pub invoice_id: i64,
    pub number: String,
    pub customer_id: i64,
    pub amount_due: Decimal,
    pub currency: String,
    pub attempts: u32,
    pub method: PaymentMethod,
    pub instruments: Instruments,
}

/// What a customer can be charged with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Instruments {
    pub customer_id: i64,
    pub card_last4: Option<String>,
    /// The active mandate's IBAN, sealed (issue 24 item 15): opened only to charge or mask.
    pub iban_sealed: Option<Vec<u8>>,
    pub phone: Option<String>,
}

impl Instruments {
    /// The instrument of `method`, if the customer has one.
    pub fn for_method(
        &self,
        method: PaymentMethod,
        keys: &DataKeys,
    ) -> Result<Option<String>, AppError> {
        Ok(match method {
            PaymentMethod::Card => self.card_last4.clone(),
            PaymentMethod::SepaDebit => match &self.iban_sealed {
                Some(sealed) => Some(keys.open_text(
                    Purpose::Iban {
                        customer_id: self.customer_id,
                    },
                    sealed,
                )?),
                None => None,
            },
            PaymentMethod::MobileMoney => self.phone.clone(),
        })
    }
}

const INSTRUMENT_COLUMNS: &str = "c.id AS instrument_customer_id, c.card_last4, c.phone,
    (SELECT m.iban_sealed FROM sepa_mandates m
      WHERE m.customer_id = c.id AND m.revoked_on IS NULL) AS iban_sealed";

fn instruments(row: &PgRow) -> Instruments {
    Instruments {
        customer_id: row.get("instrument_customer_id"),
        card_last4: row.get("card_last4"),
        iban_sealed: row.get("iban_sealed"),
        phone: row.get("phone"),
    }
}

/// Invoices with an autopay day on or before `day`, after `after`, locked.
pub async fn lock_autopay_due(
    conn: &mut PgConnection,
    day: NaiveDate,
    after: i64,
    limit: i64,
) -> Result<Vec<DueCharge>, AppError> {
    let sql = format!(
        "SELECT i.id, i.number, i.customer_id, i.currency, i.autopay_attempts, s.payment_method,
                i.total - COALESCE((SELECT sum(p.amount) FROM payments p
                                     WHERE p.invoice_id = i.id), 0) AS amount_due,
                {INSTRUMENT_COLUMNS}
           FROM invoices i
           JOIN subscriptions s ON s.id = i.subscription_id
           JOIN customers c ON c.id = i.customer_id
          WHERE i.autopay_on <= $1 AND i.status IN ('open', 'failed') AND i.id > $2
          ORDER BY i.id LIMIT $3
            FOR UPDATE OF i SKIP LOCKED"
    );
    let rows = sqlx::query(&sql)
        .bind(day)
        .bind(after)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(DueCharge {
                invoice_id: r.get("id"),
                number: r.get("number"),
                customer_id: r.get("customer_id"),
                amount_due: r.get("amount_due"),
                currency: r.get::<String, _>("currency").trim().to_string(),
                attempts: u32::try_from(r.get::<i32, _>("autopay_attempts")).unwrap_or(0),
                method: parse_column(
                    "subscriptions.payment_method",
                    r.get("payment_method"),
                    PaymentMethod::parse,
                )?,
                instruments: instruments(r),
            })
        })
        .collect()
}

/// Records one charge sent to the provider.
#[allow(clippy::too_many_arguments)]
pub async fn record_attempt(
    conn: &mut PgConnection,
    invoice_id: i64,
    day: NaiveDate,
    method: PaymentMethod,
    automatic: bool,
    reference: Option<&str>,
    decline_reason: Option<&str>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO payment_attempts (invoice_id, attempted_on, method, automatic, outcome,
                                       provider_reference, decline_reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(invoice_id)
    .bind(day)
    .bind(method.code())
    .bind(automatic)
    .bind(if reference.is_some() {
        "succeeded"
    } else {
        "declined"
    })
    .bind(reference)
    .bind(decline_reason)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records a payment (one per idempotency key) and settles the invoice. Returns whether this
/// call wrote it.
pub async fn settle(
    conn: &mut PgConnection,
    invoice_id: i64,
    amount: Decimal,
    day: NaiveDate,
    method: PaymentMethod,
    reference: &str,
    idempotency_key: &str,
) -> Result<bool, AppError> {
    let written = sqlx::query(
        "INSERT INTO payments (invoice_id, amount, paid_on, method, reference, idempotency_key)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(invoice_id)
    .bind(amount)
    .bind(day)
    .bind(method.code())
    .bind(reference)
    .bind(idempotency_key)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    close_settled(conn, invoice_id).await?;
    Ok(written)
}

/// After a declined automatic charge: "failed", with the next retry day or none.
pub async fn mark_failed(
    conn: &mut PgConnection,
    invoice_id: i64,
    attempts: u32,
    next_attempt: Option<NaiveDate>,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE invoices SET status = 'failed', autopay_attempts = $2, autopay_on = $3
          WHERE id = $1",
    )
    .bind(invoice_id)
    .bind(i32::try_from(attempts).map_err(|_| AppError::internal("autopay attempts out of range"))?)
    .bind(next_attempt)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Nothing left to pay (credits covered it): paid without a charge.
pub async fn close_settled(conn: &mut PgConnection, invoice_id: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE invoices SET status = 'paid', autopay_on = NULL WHERE id = $1")
        .bind(invoice_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// I6: a mobile-money invoice waits for the customer.
pub async fn mark_action_required(
    conn: &mut PgConnection,
    invoice_id: i64,
) -> Result<(), AppError> {
    sqlx::query("UPDATE invoices SET status = 'action_required', autopay_on = NULL WHERE id = $1")
        .bind(invoice_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// An invoice the customer can pay in the portal.
#[derive(Debug, Clone)]
pub struct Payable {
    pub invoice_id: i64,
    pub number: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub status: String,
    pub amount_due: Decimal,
    pub currency: String,
    pub subscription_method: Option<PaymentMethod>,
    pub instruments: Instruments,
}

const PAYABLE_SELECT: &str = "
    SELECT i.id, i.number, i.issue_date, i.due_date, i.status, i.currency, s.payment_method,
           i.total - COALESCE((SELECT sum(p.amount) FROM payments p WHERE p.invoice_id = i.id), 0)
               AS amount_due,
";

const PAYABLE_FROM: &str = "
      FROM invoices i
      JOIN customers c ON c.id = i.customer_id
      LEFT JOIN subscriptions s ON s.id = i.subscription_id";

fn payable(row: &PgRow) -> Result<Payable, AppError> {
    Ok(Payable {
        invoice_id: row.get("id"),
        number: row.get("number"),
        issue_date: row.get("issue_date"),
        due_date: row.get("due_date"),
        status: row.get("status"),
        amount_due: row.get("amount_due"),
        currency: row.get::<String, _>("currency").trim().to_string(),
        subscription_method: row
            .get::<Option<String>, _>("payment_method")
            .as_deref()
            .and_then(PaymentMethod::parse),
        instruments: instruments(row),
    })
}

/// The invoices waiting for the customer: autopay failed, or mobile money to complete.
pub async fn payables(conn: &mut PgConnection, customer_id: i64) -> Result<Vec<Payable>, AppError> {
    let sql = format!(
        "{PAYABLE_SELECT} {INSTRUMENT_COLUMNS} {PAYABLE_FROM} WHERE i.customer_id = $1 AND i.kind = 'invoice'
            AND i.status IN ('failed', 'action_required')
          ORDER BY i.issue_date, i.id"
    );
    sqlx::query(&sql)
        .bind(customer_id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(payable)
        .collect()
}

/// Locks one invoice of `customer_id` for a portal payment (`None`: not theirs).
pub async fn lock_payable(
    conn: &mut PgConnection,
    customer_id: i64,
    invoice_id: i64,
) -> Result<Option<Payable>, AppError> {
    let locked: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM invoices WHERE id = $1 AND customer_id = $2 AND kind = 'invoice'
            FOR UPDATE",
    )
    .bind(invoice_id)
    .bind(customer_id)
    .fetch_optional(&mut *conn)
    .await?;
    if locked.is_none() {
        return Ok(None);
    }
    let sql = format!("{PAYABLE_SELECT} {INSTRUMENT_COLUMNS} {PAYABLE_FROM} WHERE i.id = $1");
    sqlx::query(&sql)
        .bind(invoice_id)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| payable(&r))
        .transpose()
}

/// A monthly plan of the provider's catalogue for a service.
#[derive(Debug, Clone)]
pub struct Plan {
    pub id: i64,
    pub name: String,
    pub monthly_price: Decimal,
    pub allowance_bytes: Option<u64>,
}

/// The monthly plans a subscription can switch to (same provider and service, no term).
pub async fn plans_for(conn: &mut PgConnection, contract_id: i64) -> Result<Vec<Plan>, AppError> {
    let rows = sqlx::query(
        "SELECT t.id, t.name, t.monthly_price, t.data_allowance_bytes
           FROM contracts ct
           JOIN tariffs cur ON cur.id = ct.tariff_id
           JOIN tariffs t ON t.provider_id = cur.provider_id AND t.service = ct.service
                         AND t.currency = cur.currency AND t.term_months IS NULL
          WHERE ct.id = $1
          ORDER BY t.monthly_price, t.id",
    )
    .bind(contract_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .iter()
        .map(|r| Plan {
            id: r.get("id"),
            name: r.get("name"),
            monthly_price: r.get("monthly_price"),
            allowance_bytes: r
                .get::<Option<i64>, _>("data_allowance_bytes")
                .and_then(|b| u64::try_from(b).ok()),
        })
        .collect())
}

/// A plan change to record.
pub struct NewPlanChange {
    pub subscription_id: i64,
    pub contract_id: i64,
    pub login_id: i64,
    pub effective_on: NaiveDate,
    pub cycle: DateRange,
    pub old_tariff_id: i64,
    pub new_tariff_id: i64,
    pub old_price: Decimal,
    pub new_price: Decimal,
    pub amount: Decimal,
}

/// Records a plan change and switches the contract's tariff.
pub async fn insert_plan_change(
    conn: &mut PgConnection,
    change: &NewPlanChange,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO plan_changes (subscription_id, login_id, effective_on, cycle_start,
                                   cycle_end, old_tariff_id, new_tariff_id, old_price,
                                   new_price, amount)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(change.subscription_id)
    .bind(change.login_id)
    .bind(change.effective_on)
    .bind(change.cycle.start())
    .bind(change.cycle.end())
    .bind(change.old_tariff_id)
    .bind(change.new_tariff_id)
    .bind(change.old_price)
    .bind(change.new_price)
    .bind(change.amount)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE contracts SET tariff_id = $2 WHERE id = $1")
        .bind(change.contract_id)
        .bind(change.new_tariff_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

// --- The billing run's set-based invoicing (issue 10: 100 000 subscriptions in a minute) ---

/// The subscriptions `ids`, by id.
pub async fn subscriptions_by_ids(
    conn: &mut PgConnection,
    ids: &[i64],
) -> Result<Vec<Subscription>, AppError> {
    let sql = format!("{SUBSCRIPTION_COLUMNS} WHERE s.id = ANY($1) ORDER BY s.id");
    sqlx::query(&sql)
        .bind(ids)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(subscription)
        .collect()
}

/// [`plan_changes_in`] for many (subscription, cycle) pairs at once, by subscription.
pub async fn plan_changes_of(
    conn: &mut PgConnection,
    cycles: &[(i64, DateRange)],
) -> Result<HashMap<i64, Vec<PendingPlanChange>>, AppError> {
    let (ids, starts, ends) = super::range_arrays(cycles);
    let rows = sqlx::query(
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
    for r in &rows {
        by_subscription
            .entry(r.get("subscription_id"))
            .or_default()
            .push(PendingPlanChange {
                id: r.get("id"),
                effective_on: r.get("effective_on"),
                old_name: r.get("old_name"),
                new_name: r.get("new_name"),
                old_price: r.get("old_price"),
                new_price: r.get("new_price"),
            });
    }
    Ok(by_subscription)
}

/// [`daily_data`] for many (contract, range) pairs at once, by contract.
pub async fn daily_data_of(
    conn: &mut PgConnection,
    ranges: &[(i64, DateRange)],
) -> Result<HashMap<i64, Vec<DailyUsage>>, AppError> {
    let (ids, starts, ends) = super::range_arrays(ranges);
    let rows = sqlx::query(
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
    for r in &rows {
        by_contract
            .entry(r.get("contract_id"))
            .or_default()
            .push(daily_usage(r.get("usage_date"), r.get("mb")));
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

/// Writes many cycle invoices at once, as [`insert_cycle_invoice`] writes one: numbers taken
/// in order (one series update per provider and year, under its row lock), the invoices, their
/// lines, the plan changes and usage they bill, the subscriptions' next cycle. The caller holds
/// the subscriptions' locks and has left out cycles already invoiced; if one still exists the
/// whole call fails (the caller rolls back and goes one by one). Returns the invoices written.
pub async fn insert_cycle_invoices(
    conn: &mut PgConnection,
    invoices: &[NewCycleInvoice<'_>],
) -> Result<u64, AppError> {
    if invoices.is_empty() {
        return Ok(0);
    }
    // Numbers: one reservation of `count` consecutive values per provider and year.
    let mut counts: std::collections::BTreeMap<(i64, i32), i64> = Default::default();
    for new in invoices {
        *counts
            .entry((new.subscription.provider_id, new.issue.year()))
            .or_default() += 1;
    }
    let mut next: HashMap<(i64, i32), i64> = HashMap::new();
    for ((provider_id, year), count) in &counts {
        let first: i64 = sqlx::query_scalar(
            "INSERT INTO invoice_number_series (provider_id, series, year, next_value)
             VALUES ($1, $2, $3, 1 + $4)
             ON CONFLICT (provider_id, series, year)
             DO UPDATE SET next_value = invoice_number_series.next_value + $4
             RETURNING next_value - $4",
        )
        .bind(provider_id)
        .bind(Series::Invoice.as_str())
        .bind(year)
        .bind(count)
        .fetch_one(&mut *conn)
        .await?;
        next.insert((*provider_id, *year), first);
    }
    let mut numbers = Vec::with_capacity(invoices.len());
    for new in invoices {
        let value = next
            .get_mut(&(new.subscription.provider_id, new.issue.year()))
            .ok_or_else(|| AppError::internal("numbering series missing for a new invoice"))?;
        numbers.push(format_number(
            Series::Invoice,
            new.issue.year(),
            u64::try_from(*value).map_err(|_| AppError::internal("invoice number out of range"))?,
        ));
        *value += 1;
    }
    let column =
        |f: &dyn Fn(&NewCycleInvoice<'_>) -> i64| invoices.iter().map(f).collect::<Vec<_>>();
    let subscription_ids = column(&|n| n.subscription.id);
    let rows = sqlx::query(
        "INSERT INTO invoices (provider_id, customer_id, kind, number, issue_date, period_start,
                               period_end, due_date, status, currency, total, subscription_id,
                               autopay_on)
         SELECT provider_id, customer_id, 'invoice', number, issue, cycle_start, cycle_end, due,
                'open', currency, total, subscription_id, autopay_on
           FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::date[], $5::date[],
                       $6::date[], $7::date[], $8::text[], $9::numeric[], $10::bigint[],
                       $11::date[])
                AS n(provider_id, customer_id, number, issue, cycle_start, cycle_end, due,
                     currency, total, subscription_id, autopay_on)
         ON CONFLICT (subscription_id, period_start) WHERE subscription_id IS NOT NULL
         DO NOTHING
         RETURNING id, subscription_id",
    )
    .bind(column(&|n| n.subscription.provider_id))
    .bind(column(&|n| n.subscription.customer_id))
    .bind(&numbers)
    .bind(invoices.iter().map(|n| n.issue).collect::<Vec<_>>())
    .bind(invoices.iter().map(|n| n.cycle.start()).collect::<Vec<_>>())
    .bind(invoices.iter().map(|n| n.cycle.end()).collect::<Vec<_>>())
    .bind(invoices.iter().map(|n| n.due).collect::<Vec<_>>())
    .bind(
        invoices
            .iter()
            .map(|n| n.subscription.currency.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(invoices.iter().map(|n| n.total).collect::<Vec<_>>())
    .bind(&subscription_ids)
    .bind(invoices.iter().map(|n| n.autopay_on).collect::<Vec<_>>())
    .fetch_all(&mut *conn)
    .await?;
    if rows.len() != invoices.len() {
        // A cycle was invoiced after all: the reserved numbers must not be used.
        return Err(AppError::Stale);
    }
    let invoice_of: HashMap<i64, i64> = rows
        .iter()
        .map(|r| (r.get("subscription_id"), r.get("id")))
        .collect();
    let mut ids = Vec::with_capacity(invoices.len());
    for new in invoices {
        ids.push(
            *invoice_of
                .get(&new.subscription.id)
                .ok_or_else(|| AppError::internal("new invoice without its id"))?,
        );
    }

    let (mut line_invoice, mut line_position, mut line_kind, mut line_text) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut line_contract, mut line_amount, mut line_rate) = (Vec::new(), Vec::new(), Vec::new());
    let mut line_words: Vec<Option<&str>> = Vec::new();
    let (mut change_ids, mut change_invoices) = (Vec::new(), Vec::new());
    let (mut usage_contracts, mut usage_starts, mut usage_ends, mut usage_invoices) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut next_starts = Vec::with_capacity(invoices.len());
    for (new, id) in invoices.iter().zip(&ids) {
        for (position, line) in (1_i32..).zip(&new.lines) {
            line_invoice.push(*id);
            line_position.push(position);
            line_kind.push(line.kind);
            line_text.push(line.description.as_str());
            line_words.push(line.text.as_deref());
            line_contract.push(new.subscription.contract_id);
            line_amount.push(line.amount);
            line_rate.push(line.vat_rate);
        }
        for change in &new.plan_change_ids {
            change_ids.push(*change);
            change_invoices.push(*id);
        }
        if let Some(billed) = new.billed_cycle {
            usage_contracts.push(new.subscription.contract_id);
            usage_starts.push(billed.start());
            usage_ends.push(billed.end());
            usage_invoices.push(*id);
        }
        next_starts.push(
            new.cycle
                .end()
                .succ_opt()
                .ok_or_else(|| AppError::internal("cycle ends on the last representable day"))?,
        );
    }
    sqlx::query(
        "INSERT INTO invoice_lines (invoice_id, position, kind, description, contract_id, amount,
                                    vat_rate, line_text)
         SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::bigint[],
                              $6::numeric[], $7::numeric[], $8::text[])",
    )
    .bind(&line_invoice)
    .bind(&line_position)
    .bind(&line_kind)
    .bind(&line_text)
    .bind(&line_contract)
    .bind(&line_amount)
    .bind(&line_rate)
    .bind(&line_words)
    .execute(&mut *conn)
    .await?;
    if !change_ids.is_empty() {
        sqlx::query(
            "UPDATE plan_changes pc SET invoice_id = m.invoice_id
               FROM unnest($1::bigint[], $2::bigint[]) AS m(id, invoice_id)
              WHERE pc.id = m.id",
        )
        .bind(&change_ids)
        .bind(&change_invoices)
        .execute(&mut *conn)
        .await?;
    }
    if !usage_contracts.is_empty() {
        // I3: the consumption behind each invoice.
        sqlx::query(
            "UPDATE usage_records u SET invoice_id = m.invoice_id
               FROM unnest($1::bigint[], $2::date[], $3::date[], $4::bigint[])
                    AS m(contract_id, s, e, invoice_id)
              WHERE u.contract_id = m.contract_id AND u.usage_date BETWEEN m.s AND m.e
                AND u.invoice_id IS NULL",
        )
        .bind(&usage_contracts)
        .bind(&usage_starts)
        .bind(&usage_ends)
        .bind(&usage_invoices)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(
        "UPDATE subscriptions s SET next_cycle_start = m.next
           FROM unnest($1::bigint[], $2::date[]) AS m(id, next)
          WHERE s.id = m.id",
    )
    .bind(&subscription_ids)
    .bind(&next_starts)
    .execute(&mut *conn)
    .await?;
    Ok(ids.len() as u64)
}
