//! Hosting services and their configurable options (X1–X4): the SQL.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::PgConnection;

use super::billing::{self, NewInvoice, NewLine};
use crate::{
    domain::{
        account::ContractStatus,
        billing::upgrade::{Configuration, Offer, OptionPrices},
        calendar::DateRange,
        lang::Lang,
        money::Currency,
    },
    error::AppError,
};

/// A configuration as JSON text for a `jsonb` column.
fn config_json(config: &Configuration) -> Result<String, AppError> {
    serde_json::to_string(config)
        .map_err(|_| AppError::internal("hosting configuration not encodable"))
}

/// One hosting service in the list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ServiceRow {
    pub contract_id: i64,
    pub contract_number: String,
    pub hostname: String,
    pub tariff_name: String,
    #[sqlx(try_from = "String")]
    pub status: ContractStatus,
    pub term_start: NaiveDate,
    pub term_end: NaiveDate,
}

/// The hosting services of a customer.
pub async fn services_of(
    conn: &mut PgConnection,
    customer_id: i64,
) -> Result<Vec<ServiceRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT c.id AS contract_id, c.contract_number, h.hostname, t.name AS tariff_name,
                c.status, h.term_start, h.term_end
           FROM hosting_services h
           JOIN contracts c ON c.id = h.contract_id
           JOIN tariffs t ON t.id = c.tariff_id
          WHERE c.customer_id = $1
          ORDER BY c.contract_number",
    )
    .bind(customer_id)
    .fetch_all(&mut *conn)
    .await?)
}

/// A configurable option with the values it allows.
#[derive(Debug, Clone)]
pub struct OptionRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub unit: String,
    pub current: i64,
    pub values: Vec<(i64, Decimal)>,
}

/// An option as its query returns it: the values and their prices as two arrays.
#[derive(sqlx::FromRow)]
struct OptionColumns {
    id: i64,
    code: String,
    name: String,
    unit: String,
    current: i32,
    vals: Vec<i32>,
    prices: Vec<Decimal>,
}

impl From<OptionColumns> for OptionRow {
    fn from(o: OptionColumns) -> Self {
        OptionRow {
            id: o.id,
            code: o.code,
            name: o.name,
            unit: o.unit,
            current: i64::from(o.current),
            values: o.vals.into_iter().map(i64::from).zip(o.prices).collect(),
        }
    }
}

/// A downgrade waiting for the renewal.
#[derive(Debug, Clone)]
pub struct Scheduled {
    pub id: i64,
    pub effective_on: NaiveDate,
    pub new_config: Configuration,
    pub new_price: Decimal,
}

/// A scheduled change as stored: its configuration as JSON text.
#[derive(sqlx::FromRow)]
struct ScheduledColumns {
    id: i64,
    effective_on: NaiveDate,
    new_config: String,
    new_price: Decimal,
}

impl TryFrom<ScheduledColumns> for Scheduled {
    type Error = AppError;
    fn try_from(c: ScheduledColumns) -> Result<Self, AppError> {
        Ok(Scheduled {
            id: c.id,
            effective_on: c.effective_on,
            new_config: serde_json::from_str(&c.new_config)
                .map_err(|_| AppError::internal("stored hosting configuration unreadable"))?,
            new_price: c.new_price,
        })
    }
}

/// One service with everything its pages and changes need.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Service {
    pub contract_id: i64,
    pub contract_number: String,
    pub customer_id: i64,
    pub provider_id: i64,
    pub hostname: String,
    pub tariff_id: i64,
    pub tariff_name: String,
    pub upgradable: bool,
    /// The tariff's price for a term without options; a tariff without one is not offered.
    pub base_price: Option<Decimal>,
    #[sqlx(try_from = "String")]
    pub currency: Currency,
    pub vat_rate: Decimal,
    /// The customer's language: invoice lines are written in it.
    #[sqlx(try_from = "String")]
    pub language: Lang,
    #[sqlx(try_from = "String")]
    pub status: ContractStatus,
    pub term_start: NaiveDate,
    pub term_end: NaiveDate,
    /// The tariff's term length (a renewal's next term).
    pub term_months: Option<i32>,
    pub version: i32,
    #[sqlx(skip)]
    pub options: Vec<OptionRow>,
    #[sqlx(skip)]
    pub scheduled: Option<Scheduled>,
}

impl Service {
    /// The service's offer (X1–X3): its prices, current configuration, term and currency,
    /// checked (a tariff without a price or a term ending before it starts is an error,
    /// never a price of 0 or a refusal the customer would read).
    pub fn offer(&self) -> Result<Offer, AppError> {
        Ok(Offer {
            base_price: self
                .base_price
                .ok_or_else(|| AppError::internal("hosting tariff without a term price"))?,
            options: self
                .options
                .iter()
                .map(|o| OptionPrices {
                    code: o.code.clone(),
                    values: o.values.clone(),
                })
                .collect(),
            current: self
                .options
                .iter()
                .map(|o| (o.code.clone(), o.current))
                .collect(),
            term: DateRange::new(self.term_start, self.term_end)
                .ok_or_else(|| AppError::internal("hosting term ends before it starts"))?,
            currency: self.currency,
            upgradable: self.upgradable && self.status == ContractStatus::Active,
        })
    }
}

/// A service of `customer_id` (`None`: not theirs or not a hosting service); `lock` takes the
/// service row for a change.
pub async fn service(
    conn: &mut PgConnection,
    customer_id: i64,
    contract_id: i64,
    lang: Lang,
    lock: bool,
) -> Result<Option<Service>, AppError> {
    let sql = format!(
        "SELECT c.id AS contract_id, c.contract_number, c.customer_id, cu.provider_id,
                h.hostname, t.id AS tariff_id, t.name AS tariff_name, t.upgradable,
                t.term_price AS base_price, t.currency, co.vat_rate, cu.language, c.status,
                h.term_start, h.term_end, t.term_months, h.version
           FROM hosting_services h
           JOIN contracts c ON c.id = h.contract_id
           JOIN customers cu ON cu.id = c.customer_id
           JOIN countries co ON co.code = cu.country
           JOIN tariffs t ON t.id = c.tariff_id
          WHERE c.id = $1 AND c.customer_id = $2 {}",
        if lock { "FOR UPDATE OF h" } else { "" }
    );
    let Some(mut service) = sqlx::query_as::<_, Service>(&sql)
        .bind(contract_id)
        .bind(customer_id)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    service.options = sqlx::query_as::<_, OptionColumns>(
        "SELECT o.id, o.code, o.names ->> $3 AS name, o.unit, hc.value AS current,
                array_agg(v.value ORDER BY v.value) AS vals,
                array_agg(v.term_price ORDER BY v.value) AS prices
           FROM hosting_options o
           JOIN hosting_config hc ON hc.option_id = o.id AND hc.contract_id = $2
           JOIN hosting_option_values v ON v.option_id = o.id
          WHERE o.tariff_id = $1
          GROUP BY o.id, hc.value
          ORDER BY o.position, o.id",
    )
    .bind(service.tariff_id)
    .bind(contract_id)
    .bind(lang.code())
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(OptionRow::from)
    .collect();
    service.scheduled = sqlx::query_as::<_, ScheduledColumns>(
        "SELECT id, effective_on, new_config::text AS new_config, new_price FROM hosting_changes
          WHERE contract_id = $1 AND status = 'scheduled'",
    )
    .bind(contract_id)
    .fetch_optional(&mut *conn)
    .await?
    .map(Scheduled::try_from)
    .transpose()?;
    Ok(Some(service))
}

/// A change to record (applied or scheduled).
pub struct NewChange<'a> {
    pub service: &'a Service,
    pub login_id: i64,
    pub requested_on: NaiveDate,
    pub effective_on: NaiveDate,
    pub new_config: &'a Configuration,
    pub old_price: Decimal,
    pub new_price: Decimal,
    pub idempotency_key: &'a str,
}

/// The figures of an applied upgrade and its invoice lines' texts.
pub struct Applied<'a> {
    pub days_total: i64,
    pub days_remaining: i64,
    pub charge: Decimal,
    pub credit: Decimal,
    pub charge_text: &'a str,
    pub credit_text: &'a str,
    /// The two texts as kind and parameters (`domain::billing::line_text`), stored as JSON.
    pub charge_line_text: &'a str,
    pub credit_line_text: &'a str,
}

async fn insert_change(
    conn: &mut PgConnection,
    change: &NewChange<'_>,
    status: &str,
    applied: Option<&Applied<'_>>,
    invoice_id: Option<i64>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO hosting_changes (contract_id, login_id, status, requested_on, effective_on,
                                      old_config, new_config, old_price, new_price, days_total,
                                      days_remaining, charge, credit, invoice_id,
                                      idempotency_key)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9, $10, $11, $12, $13, $14,
                 $15)",
    )
    .bind(change.service.contract_id)
    .bind(change.login_id)
    .bind(status)
    .bind(change.requested_on)
    .bind(change.effective_on)
    .bind(config_json(&change.service.offer()?.current)?)
    .bind(config_json(change.new_config)?)
    .bind(change.old_price)
    .bind(change.new_price)
    .bind(applied.map(|a| i32::try_from(a.days_total).unwrap_or(i32::MAX)))
    .bind(applied.map(|a| i32::try_from(a.days_remaining).unwrap_or(i32::MAX)))
    .bind(applied.map(|a| a.charge))
    .bind(applied.map(|a| a.credit))
    .bind(invoice_id)
    .bind(change.idempotency_key)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Sets the service's configuration to `config` (one value per option of its tariff).
async fn set_config(
    conn: &mut PgConnection,
    s: &Service,
    config: &Configuration,
) -> Result<(), AppError> {
    for option in &s.options {
        let value = config.get(&option.code).copied().ok_or_else(|| {
            AppError::internal("the new configuration misses an option of the service")
        })?;
        sqlx::query(
            "UPDATE hosting_config SET value = $3 WHERE contract_id = $1 AND option_id = $2",
        )
        .bind(s.contract_id)
        .bind(option.id)
        .bind(i32::try_from(value).map_err(|_| AppError::internal("option quantity out of range"))?)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// X2: applies an upgrade: the new configuration, an invoice dated today with the charge and
/// the credit line, the audit record; the term end stays. Returns the invoice's id and number.
pub async fn apply_upgrade(
    conn: &mut PgConnection,
    change: &NewChange<'_>,
    applied: &Applied<'_>,
) -> Result<(i64, String), AppError> {
    let s = change.service;
    set_config(conn, s, change.new_config).await?;
    sqlx::query("UPDATE hosting_services SET version = version + 1 WHERE contract_id = $1")
        .bind(s.contract_id)
        .execute(&mut *conn)
        .await?;
    let lines = [
        NewLine {
            kind: "one_off",
            description: applied.charge_text.to_string(),
            text: Some(applied.charge_line_text.to_string()),
            amount: applied.charge,
            vat_rate: s.vat_rate,
        },
        NewLine {
            kind: "correction",
            description: applied.credit_text.to_string(),
            text: Some(applied.credit_line_text.to_string()),
            amount: -applied.credit,
            vat_rate: s.vat_rate,
        },
    ];
    let period = DateRange::new(change.effective_on, s.term_end)
        .ok_or_else(|| AppError::internal("an upgrade after its service's term"))?;
    let (invoice_id, number) = billing::write(
        conn,
        &NewInvoice {
            provider_id: s.provider_id,
            customer_id: s.customer_id,
            contract_id: s.contract_id,
            currency: s.currency.code(),
            issue: change.effective_on,
            period,
            due: change.effective_on,
            total: applied.charge - applied.credit,
            subscription: None,
            lines: &lines,
        },
    )
    .await?
    .ok_or_else(|| AppError::internal("an upgrade invoice refused by the writer"))?;
    insert_change(conn, change, "applied", Some(applied), Some(invoice_id)).await?;
    Ok((invoice_id, number))
}

/// X3: schedules a downgrade for the renewal (one at a time: the partial unique index).
pub async fn schedule(conn: &mut PgConnection, change: &NewChange<'_>) -> Result<(), AppError> {
    insert_change(conn, change, "scheduled", None, None).await
}

/// Withdraws the scheduled change `id` of the service; whether there was one.
pub async fn withdraw(
    conn: &mut PgConnection,
    contract_id: i64,
    id: i64,
) -> Result<bool, AppError> {
    Ok(sqlx::query(
        "UPDATE hosting_changes SET status = 'withdrawn'
          WHERE id = $1 AND contract_id = $2 AND status = 'scheduled'",
    )
    .bind(id)
    .bind(contract_id)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1)
}

/// A service whose term ended before the run's day, locked.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EndedTerm {
    pub contract_id: i64,
    pub customer_id: i64,
    pub term_end: NaiveDate,
    pub auto_renew: bool,
}

/// Up to `limit` active services whose term ended before `day`, after contract `after`,
/// locked (another run skips them).
pub async fn lock_ended_terms(
    conn: &mut PgConnection,
    day: NaiveDate,
    after: i64,
    limit: i64,
) -> Result<Vec<EndedTerm>, AppError> {
    Ok(sqlx::query_as(
        "SELECT h.contract_id, c.customer_id, h.term_end, h.auto_renew
           FROM hosting_services h JOIN contracts c ON c.id = h.contract_id
          WHERE h.term_end < $1 AND c.status = 'active' AND h.contract_id > $2
          ORDER BY h.contract_id LIMIT $3
            FOR UPDATE OF h SKIP LOCKED",
    )
    .bind(day)
    .bind(after)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?)
}

/// A service not renewed ends with its term: the contract is cancelled as of its last day.
pub async fn end_with_term(
    conn: &mut PgConnection,
    contract_id: i64,
    term_end: NaiveDate,
) -> Result<(), AppError> {
    sqlx::query("UPDATE contracts SET status = 'cancelled', end_date = $2 WHERE id = $1")
        .bind(contract_id)
        .bind(term_end)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A renewal to write: the next term, its configuration (the scheduled downgrade's when
/// there is one) and price, and its invoice line's text.
pub struct Renewal<'a> {
    pub service: &'a Service,
    pub term: DateRange,
    pub config: &'a Configuration,
    pub price: Decimal,
    pub issue: NaiveDate,
    pub description: &'a str,
    pub line_text: &'a str,
}

/// Writes a renewal: the invoice of the next term, the scheduled change applied (its audit
/// record points at the invoice), the configuration and the term moved on. Returns the
/// invoice's id and number.
pub async fn renew(conn: &mut PgConnection, r: &Renewal<'_>) -> Result<(i64, String), AppError> {
    let s = r.service;
    let lines = [NewLine {
        kind: "recurring",
        description: r.description.to_string(),
        text: Some(r.line_text.to_string()),
        amount: r.price,
        vat_rate: s.vat_rate,
    }];
    let (invoice_id, number) = billing::write(
        conn,
        &NewInvoice {
            provider_id: s.provider_id,
            customer_id: s.customer_id,
            contract_id: s.contract_id,
            currency: s.currency.code(),
            issue: r.issue,
            period: r.term,
            due: r.issue,
            total: r.price,
            subscription: None,
            lines: &lines,
        },
    )
    .await?
    .ok_or_else(|| AppError::internal("a renewal invoice refused by the writer"))?;
    if let Some(scheduled) = &s.scheduled {
        set_config(conn, s, r.config).await?;
        sqlx::query(
            "UPDATE hosting_changes SET status = 'applied', invoice_id = $2
              WHERE id = $1 AND status = 'scheduled'",
        )
        .bind(scheduled.id)
        .bind(invoice_id)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(
        "UPDATE hosting_services SET term_start = $2, term_end = $3, version = version + 1
          WHERE contract_id = $1",
    )
    .bind(s.contract_id)
    .bind(r.term.start())
    .bind(r.term.end())
    .execute(&mut *conn)
    .await?;
    Ok((invoice_id, number))
}

/// Whether the provider renews the service of `contract_id` (`None`: no hosting service).
pub async fn set_auto_renew(
    conn: &mut PgConnection,
    contract_id: i64,
    auto_renew: bool,
) -> Result<Option<bool>, AppError> {
    let changed: Option<bool> = sqlx::query_scalar(
        "UPDATE hosting_services h SET auto_renew = $2
           FROM hosting_services old
          WHERE h.contract_id = $1 AND old.contract_id = h.contract_id
         RETURNING old.auto_renew IS DISTINCT FROM $2",
    )
    .bind(contract_id)
    .bind(auto_renew)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(changed)
}
