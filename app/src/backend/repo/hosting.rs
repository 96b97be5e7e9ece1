//! Hosting services and their configurable options (X1–X4): the SQL.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::{PgConnection, Row};

use super::billing::next_number;
use crate::{
    domain::{
        billing::{
            numbering::Series,
            upgrade::{Configuration, Offer, OptionPrices},
        },
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
#[derive(Debug, Clone)]
pub struct ServiceRow {
    pub contract_id: i64,
    pub contract_number: String,
    pub hostname: String,
    pub tariff_name: String,
    pub status: String,
    pub term_start: NaiveDate,
    pub term_end: NaiveDate,
}

/// The hosting services of a customer.
pub async fn services_of(
    conn: &mut PgConnection,
    customer_id: i64,
) -> Result<Vec<ServiceRow>, AppError> {
    let rows = sqlx::query(
        "SELECT c.id, c.contract_number, h.hostname, t.name, c.status, h.term_start, h.term_end
           FROM hosting_services h
           JOIN contracts c ON c.id = h.contract_id
           JOIN tariffs t ON t.id = c.tariff_id
          WHERE c.customer_id = $1
          ORDER BY c.contract_number",
    )
    .bind(customer_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .iter()
        .map(|r| ServiceRow {
            contract_id: r.get("id"),
            contract_number: r.get("contract_number"),
            hostname: r.get("hostname"),
            tariff_name: r.get("name"),
            status: r.get("status"),
            term_start: r.get("term_start"),
            term_end: r.get("term_end"),
        })
        .collect())
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

/// A downgrade waiting for the renewal.
#[derive(Debug, Clone)]
pub struct Scheduled {
    pub id: i64,
    pub effective_on: NaiveDate,
    pub new_config: Configuration,
    pub new_price: Decimal,
}

/// One service with everything its pages and changes need.
#[derive(Debug, Clone)]
pub struct Service {
    pub contract_id: i64,
    pub contract_number: String,
    pub customer_id: i64,
    pub provider_id: i64,
    pub hostname: String,
    pub tariff_name: String,
    pub upgradable: bool,
    pub base_price: Decimal,
    pub currency: String,
    pub vat_rate: Decimal,
    /// The customer's language: invoice lines are written in it.
    pub language: Lang,
    pub status: String,
    pub term_start: NaiveDate,
    pub term_end: NaiveDate,
    pub version: i32,
    pub options: Vec<OptionRow>,
    pub scheduled: Option<Scheduled>,
}

impl Service {
    /// The service's offer (X1–X3): its prices, current configuration, term and currency,
    /// checked (an unknown currency or a term ending before it starts is an error, never a
    /// refusal the customer would read).
    pub fn offer(&self) -> Result<Offer, AppError> {
        Ok(Offer {
            base_price: self.base_price,
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
            currency: Currency::parse(&self.currency)
                .ok_or_else(|| AppError::internal("hosting tariff currency unknown"))?,
            upgradable: self.upgradable && self.status == "active",
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
        "SELECT c.id, c.contract_number, c.customer_id, cu.provider_id, h.hostname, t.id AS tariff_id,
                t.name, t.upgradable, COALESCE(t.term_price, 0) AS base_price, t.currency,
                co.vat_rate, cu.language, c.status, h.term_start, h.term_end, h.version
           FROM hosting_services h
           JOIN contracts c ON c.id = h.contract_id
           JOIN customers cu ON cu.id = c.customer_id
           JOIN countries co ON co.code = cu.country
           JOIN tariffs t ON t.id = c.tariff_id
          WHERE c.id = $1 AND c.customer_id = $2 {}",
        if lock { "FOR UPDATE OF h" } else { "" }
    );
    let Some(row) = sqlx::query(&sql)
        .bind(contract_id)
        .bind(customer_id)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let tariff_id: i64 = row.get("tariff_id");
    let option_rows = sqlx::query(
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
    .bind(tariff_id)
    .bind(contract_id)
    .bind(lang.code())
    .fetch_all(&mut *conn)
    .await?;
    let options = option_rows
        .iter()
        .map(|r| {
            let values: Vec<i32> = r.get("vals");
            let prices: Vec<Decimal> = r.get("prices");
            OptionRow {
                id: r.get("id"),
                code: r.get("code"),
                name: r.get("name"),
                unit: r.get("unit"),
                current: i64::from(r.get::<i32, _>("current")),
                values: values.into_iter().map(i64::from).zip(prices).collect(),
            }
        })
        .collect();
    let scheduled = sqlx::query(
        "SELECT id, effective_on, new_config::text AS new_config, new_price FROM hosting_changes
          WHERE contract_id = $1 AND status = 'scheduled'",
    )
    .bind(contract_id)
    .fetch_optional(&mut *conn)
    .await?
    .map(|r| -> Result<Scheduled, AppError> {
        Ok(Scheduled {
            id: r.get("id"),
            effective_on: r.get("effective_on"),
            new_config: serde_json::from_str(r.get::<&str, _>("new_config"))
                .map_err(|_| AppError::internal("stored hosting configuration unreadable"))?,
            new_price: r.get("new_price"),
        })
    })
    .transpose()?;
    Ok(Some(Service {
        contract_id,
        contract_number: row.get("contract_number"),
        customer_id: row.get("customer_id"),
        provider_id: row.get("provider_id"),
        hostname: row.get("hostname"),
        tariff_name: row.get("name"),
        upgradable: row.get("upgradable"),
        base_price: row.get("base_price"),
        currency: row.get::<String, _>("currency").trim().to_string(),
        vat_rate: row.get("vat_rate"),
        language: Lang::parse(row.get::<&str, _>("language")).unwrap_or(Lang::En),
        status: row.get("status"),
        term_start: row.get("term_start"),
        term_end: row.get("term_end"),
        version: row.get("version"),
        options,
        scheduled,
    }))
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

/// X2: applies an upgrade: the new configuration, an invoice dated today with the charge and
/// the credit line, the audit record; the term end stays. Returns the invoice number.
pub async fn apply_upgrade(
    conn: &mut PgConnection,
    change: &NewChange<'_>,
    applied: &Applied<'_>,
) -> Result<String, AppError> {
    let s = change.service;
    for option in &s.options {
        let value = change
            .new_config
            .get(&option.code)
            .copied()
            .ok_or_else(|| {
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
    sqlx::query("UPDATE hosting_services SET version = version + 1 WHERE contract_id = $1")
        .bind(s.contract_id)
        .execute(&mut *conn)
        .await?;
    let year = chrono::Datelike::year(&change.effective_on);
    let number = next_number(conn, s.provider_id, Series::Invoice, year).await?;
    let invoice_id: i64 = sqlx::query_scalar(
        "INSERT INTO invoices (provider_id, customer_id, kind, number, issue_date, period_start,
                               period_end, due_date, status, currency, total)
         VALUES ($1, $2, 'invoice', $3, $4, $4, $5, $4, 'open', $6, $7) RETURNING id",
    )
    .bind(s.provider_id)
    .bind(s.customer_id)
    .bind(&number)
    .bind(change.effective_on)
    .bind(s.term_end)
    .bind(&s.currency)
    .bind(applied.charge - applied.credit)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO invoice_lines (invoice_id, position, kind, description, contract_id, amount,
                                    vat_rate, line_text)
         VALUES ($1, 1, 'one_off', $2, $3, $4, $6, $8), ($1, 2, 'correction', $5, $3, $7, $6, $9)",
    )
    .bind(invoice_id)
    .bind(applied.charge_text)
    .bind(s.contract_id)
    .bind(applied.charge)
    .bind(applied.credit_text)
    .bind(s.vat_rate)
    .bind(-applied.credit)
    .bind(applied.charge_line_text)
    .bind(applied.credit_line_text)
    .execute(&mut *conn)
    .await?;
    insert_change(conn, change, "applied", Some(applied), Some(invoice_id)).await?;
    Ok(number)
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
