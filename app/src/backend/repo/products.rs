//! The products of the Home tab (H2–H4): lines with their tariff and allowance, the option
//! catalogue of their service, cycle usage, alerts and move requests; and the writes of the
//! option, alert and move forms.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::PgConnection;

use crate::{
    domain::{
        account::{AlertMetric, ContractStatus, MoveStatus, Service},
        calendar::DateRange,
        lang::Lang,
        money::Currency,
        products::CycleUsage,
    },
    error::AppError,
};

/// A line as the products list and the forms need it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Line {
    pub id: i64,
    pub customer_id: i64,
    pub contract_number: String,
    #[sqlx(try_from = "String")]
    pub service: Service,
    pub phone_number: Option<String>,
    #[sqlx(try_from = "String")]
    pub status: ContractStatus,
    pub tariff_name: Option<String>,
    pub start_date: NaiveDate,
    pub data_allowance_bytes: Option<i64>,
    pub minutes_allowance: Option<i32>,
    pub country: String,
    #[sqlx(try_from = "String")]
    pub currency: Currency,
    pub vat_rate: Decimal,
    #[sqlx(try_from = "String")]
    pub language: Lang,
}

const LINE_COLUMNS: &str = "ct.id, ct.customer_id, ct.contract_number, ct.service, ct.phone_number,
        ct.status, t.name AS tariff_name, ct.start_date, t.data_allowance_bytes,
        t.minutes_allowance, trim(cu.country) AS country, p.currency, co.vat_rate, cu.language
   FROM contracts ct
   JOIN customers cu ON cu.id = ct.customer_id
   JOIN providers p ON p.id = cu.provider_id
   JOIN countries co ON co.code = cu.country
   LEFT JOIN tariffs t ON t.id = ct.tariff_id";

/// Every line of a customer number (holder), by service then number.
pub async fn lines_of_customer(
    conn: &mut PgConnection,
    customer_id: i64,
) -> Result<Vec<Line>, AppError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {LINE_COLUMNS}
          WHERE ct.customer_id = $1
          ORDER BY array_position(ARRAY['tv','internet','fixed','mobile','satellite','hosting'],
                                  ct.service), ct.contract_number"
    ))
    .bind(customer_id)
    .fetch_all(conn)
    .await?)
}

/// The given lines (user links).
pub async fn lines_by_id(conn: &mut PgConnection, ids: &[i64]) -> Result<Vec<Line>, AppError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {LINE_COLUMNS} WHERE ct.id = ANY($1) ORDER BY ct.contract_number"
    ))
    .bind(ids)
    .fetch_all(conn)
    .await?)
}

/// The line `contract_number` of customer `customer_id`, locked for a change; `NotFound` when
/// it is not theirs (L2: not yours looks like does not exist).
pub async fn lock_line(
    conn: &mut PgConnection,
    customer_id: i64,
    contract_number: &str,
) -> Result<Line, AppError> {
    sqlx::query_as(&format!(
        "SELECT {LINE_COLUMNS}
          WHERE ct.customer_id = $1 AND ct.contract_number = $2
            FOR UPDATE OF ct"
    ))
    .bind(customer_id)
    .bind(contract_number)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)
}

/// An option of the catalogue for a line's service, and whether the line has it running.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LineOption {
    pub contract_id: i64,
    pub option_id: i64,
    pub code: String,
    pub name: String,
    pub monthly_price: Decimal,
    pub extra_data_bytes: Option<i64>,
    pub unlimited_minutes: bool,
    activation_id: Option<i64>,
    activated_on: Option<NaiveDate>,
}

impl LineOption {
    /// The running activation: its row and first day.
    pub fn active(&self) -> Option<(i64, NaiveDate)> {
        self.activation_id.zip(self.activated_on)
    }
}

const OPTION_QUERY: &str = "SELECT ct.id AS contract_id, o.id AS option_id, o.code,
        COALESCE(o.names->>$2, o.names->>'en') AS name, o.monthly_price, o.extra_data_bytes,
        o.unlimited_minutes, co.id AS activation_id, co.activated_on
   FROM contracts ct
   JOIN customers cu ON cu.id = ct.customer_id
   JOIN options o ON o.provider_id = cu.provider_id AND o.service = ct.service
   LEFT JOIN contract_options co
          ON co.contract_id = ct.id AND co.option_id = o.id AND co.deactivated_on IS NULL";

/// The option catalogue of each line's service with the line's running activations, names in
/// `lang` (de, fr, nl, en).
pub async fn options_of(
    conn: &mut PgConnection,
    contract_ids: &[i64],
    lang: &str,
) -> Result<Vec<LineOption>, AppError> {
    Ok(sqlx::query_as(&format!(
        "{OPTION_QUERY} WHERE ct.id = ANY($1) ORDER BY ct.id, o.monthly_price DESC, o.code"
    ))
    .bind(contract_ids)
    .bind(lang)
    .fetch_all(conn)
    .await?)
}

/// One option of a line (the caller holds the line's lock, which orders its changes);
/// `NotFound` for a code the line's service does not offer.
pub async fn lock_option(
    conn: &mut PgConnection,
    contract_id: i64,
    code: &str,
    lang: &str,
) -> Result<LineOption, AppError> {
    sqlx::query_as(&format!("{OPTION_QUERY} WHERE ct.id = $1 AND o.code = $3"))
        .bind(contract_id)
        .bind(lang)
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// An option's name in `lang` (English where it has none).
pub async fn option_name(
    pool: &sqlx::PgPool,
    option_id: i64,
    lang: &str,
) -> Result<String, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT COALESCE(names->>$2, names->>'en', code) FROM options WHERE id = $1",
    )
    .bind(option_id)
    .bind(lang)
    .fetch_one(pool)
    .await?)
}

/// Starts an option on `day`; returns the activation's row.
pub async fn activate_option(
    conn: &mut PgConnection,
    contract_id: i64,
    option_id: i64,
    day: NaiveDate,
) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO contract_options (contract_id, option_id, activated_on) VALUES ($1, $2, $3)
         RETURNING id",
    )
    .bind(contract_id)
    .bind(option_id)
    .bind(day)
    .fetch_one(&mut *conn)
    .await?)
}

/// Ends a running activation: `day` is the first day without the option.
pub async fn deactivate_option(
    conn: &mut PgConnection,
    activation_id: i64,
    day: NaiveDate,
) -> Result<(), AppError> {
    sqlx::query("UPDATE contract_options SET deactivated_on = $2 WHERE id = $1")
        .bind(activation_id)
        .bind(day)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A proration line for the next invoice (H3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPendingCharge<'a> {
    pub line: &'a Line,
    pub activation_id: i64,
    pub activate: bool,
    pub description: &'a str,
    pub day: NaiveDate,
    pub cycle: DateRange,
    pub old_price: Decimal,
    pub new_price: Decimal,
    pub amount: Decimal,
}

/// Writes the proration line; the unique key (activation, change) keeps it to one.
pub async fn insert_pending_charge(
    conn: &mut PgConnection,
    c: &NewPendingCharge<'_>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO pending_charges (customer_id, contract_id, contract_option_id, change,
                                      description, effective_on, cycle_start, cycle_end,
                                      old_price, new_price, amount, vat_rate, currency)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(c.line.customer_id)
    .bind(c.line.id)
    .bind(c.activation_id)
    .bind(if c.activate { "activate" } else { "deactivate" })
    .bind(c.description)
    .bind(c.day)
    .bind(c.cycle.start())
    .bind(c.cycle.end())
    .bind(c.old_price)
    .bind(c.new_price)
    .bind(c.amount)
    .bind(c.line.vat_rate)
    .bind(c.line.currency.code())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The usage of each line in its cycle: data MB, call minutes and charges summed (from the
/// per-day rollups).
pub async fn cycle_usage(
    conn: &mut PgConnection,
    cycles: &[(i64, DateRange)],
) -> Result<HashMap<(i64, NaiveDate), CycleUsage>, AppError> {
    let (ids, starts, ends) = super::range_arrays(cycles);
    let rows: Vec<(i64, NaiveDate, Decimal, Decimal, Decimal)> = sqlx::query_as(
        "SELECT c.id, c.s,
                COALESCE(sum(u.quantity) FILTER (WHERE u.kind = 'data'), 0) AS data_mb,
                COALESCE(sum(u.quantity) FILTER (WHERE u.kind = 'call'), 0) AS minutes,
                COALESCE(sum(u.charge), 0) AS spend
           FROM unnest($1::bigint[], $2::date[], $3::date[]) AS c(id, s, e)
           JOIN usage_daily u ON u.contract_id = c.id AND u.usage_date BETWEEN c.s AND c.e
          GROUP BY c.id, c.s",
    )
    .bind(&ids)
    .bind(&starts)
    .bind(&ends)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, start, data_mb, minutes, spend)| {
            (
                (id, start),
                CycleUsage::from_records(data_mb, minutes, spend),
            )
        })
        .collect())
}

/// A consumption alert and whether it fired in the given cycle.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Alert {
    pub contract_id: i64,
    #[sqlx(try_from = "String")]
    pub metric: AlertMetric,
    pub threshold: Decimal,
    pub fired: bool,
}

/// The alerts of the lines, each with "fired in this cycle" for the cycle starting on the
/// date given with its line.
pub async fn alerts_of(
    conn: &mut PgConnection,
    cycles: &[(i64, NaiveDate)],
) -> Result<Vec<Alert>, AppError> {
    let ids: Vec<i64> = cycles.iter().map(|(id, _)| *id).collect();
    let starts: Vec<NaiveDate> = cycles.iter().map(|(_, s)| *s).collect();
    Ok(sqlx::query_as(
        "SELECT a.contract_id, a.metric, a.threshold,
                EXISTS (SELECT 1 FROM alert_notices n
                         WHERE n.alert_id = a.id AND n.cycle_start = c.s) AS fired
           FROM unnest($1::bigint[], $2::date[]) AS c(id, s)
           JOIN consumption_alerts a ON a.contract_id = c.id
          ORDER BY a.contract_id,
                   array_position(ARRAY['data','minutes','spend'], a.metric)",
    )
    .bind(&ids)
    .bind(&starts)
    .fetch_all(conn)
    .await?)
}

/// Sets the threshold of a line's alert for `metric` (creating it).
pub async fn upsert_alert(
    conn: &mut PgConnection,
    contract_id: i64,
    metric: AlertMetric,
    threshold: Decimal,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO consumption_alerts (contract_id, metric, threshold) VALUES ($1, $2, $3)
         ON CONFLICT (contract_id, metric)
         DO UPDATE SET threshold = EXCLUDED.threshold, updated_at = now()",
    )
    .bind(contract_id)
    .bind(metric.as_str())
    .bind(threshold)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Removes a line's alert for `metric`; `false` when there was none.
pub async fn delete_alert(
    conn: &mut PgConnection,
    contract_id: i64,
    metric: AlertMetric,
) -> Result<bool, AppError> {
    let done = sqlx::query("DELETE FROM consumption_alerts WHERE contract_id = $1 AND metric = $2")
        .bind(contract_id)
        .bind(metric.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// An open move request of a line.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OpenMove {
    pub id: i64,
    pub contract_id: i64,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub wished_date: NaiveDate,
    #[sqlx(try_from = "String")]
    pub status: MoveStatus,
    pub requested_on: NaiveDate,
    /// The day of the installation appointment booked for it, if any.
    pub installation_on: Option<NaiveDate>,
}

/// The open move request (requested or confirmed) of each line.
pub async fn open_moves(
    conn: &mut PgConnection,
    contract_ids: &[i64],
) -> Result<Vec<OpenMove>, AppError> {
    Ok(sqlx::query_as(
        "SELECT m.id, m.contract_id, m.street, m.postal_code, m.city, m.wished_date, m.status,
                m.requested_on, s.day AS installation_on
           FROM move_requests m
           LEFT JOIN appointments a ON a.move_request_id = m.id AND a.status = 'booked'
           LEFT JOIN appointment_slots s ON s.id = a.slot_id
          WHERE m.contract_id = ANY($1) AND m.status IN ('requested', 'confirmed')",
    )
    .bind(contract_ids)
    .fetch_all(conn)
    .await?)
}

/// A new move request of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMove<'a> {
    pub contract_id: i64,
    pub street: &'a str,
    pub postal_code: &'a str,
    pub city: &'a str,
    pub country: &'a str,
    pub wished_date: NaiveDate,
    pub requested_on: NaiveDate,
}

/// Stores a move request; `false` when the line already has an open one.
pub async fn insert_move(conn: &mut PgConnection, m: &NewMove<'_>) -> Result<bool, AppError> {
    let done = sqlx::query(
        "INSERT INTO move_requests (contract_id, street, postal_code, city, country, wished_date,
                                    status, requested_on)
         VALUES ($1, $2, $3, $4, $5, $6, 'requested', $7)
         ON CONFLICT (contract_id) WHERE status IN ('requested', 'confirmed') DO NOTHING",
    )
    .bind(m.contract_id)
    .bind(m.street)
    .bind(m.postal_code)
    .bind(m.city)
    .bind(m.country)
    .bind(m.wished_date)
    .bind(m.requested_on)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Withdraws the line's move request while the provider has not confirmed it yet; `false`
/// when there is none to withdraw.
pub async fn cancel_move(conn: &mut PgConnection, contract_id: i64) -> Result<bool, AppError> {
    let done = sqlx::query(
        "UPDATE move_requests SET status = 'cancelled'
          WHERE contract_id = $1 AND status = 'requested'",
    )
    .bind(contract_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// An alert of a line that just received usage, with what its message needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WatchedAlert {
    pub id: i64,
    pub contract_id: i64,
    pub customer_id: i64,
    pub contract_number: String,
    pub phone_number: Option<String>,
    pub start_date: NaiveDate,
    #[sqlx(try_from = "String")]
    pub metric: AlertMetric,
    pub threshold: Decimal,
    /// The household's language (`messages::HOUSEHOLD_LANGUAGE`).
    #[sqlx(try_from = "String")]
    pub language: Lang,
    #[sqlx(try_from = "String")]
    pub currency: Currency,
}

/// The alerts of the lines `contract_ids`.
pub async fn watched_alerts(
    conn: &mut PgConnection,
    contract_ids: &[i64],
) -> Result<Vec<WatchedAlert>, AppError> {
    Ok(sqlx::query_as(&format!(
        "SELECT a.id, a.contract_id, ct.customer_id, ct.contract_number, ct.phone_number,
                ct.start_date, a.metric, a.threshold, {} AS language, p.currency
           FROM consumption_alerts a
           JOIN contracts ct ON ct.id = a.contract_id
           JOIN customers cu ON cu.id = ct.customer_id
           JOIN providers p ON p.id = cu.provider_id
          WHERE a.contract_id = ANY($1)",
        super::messages::HOUSEHOLD_LANGUAGE
    ))
    .bind(contract_ids)
    .fetch_all(&mut *conn)
    .await?)
}

/// Puts the message of a crossed alert in the household's inbox, once per cycle (the
/// `alert_notices` key holds under concurrent ingestion); whether it was written now.
pub async fn notify_once(
    conn: &mut PgConnection,
    alert: &WatchedAlert,
    cycle_start: NaiveDate,
    subject: &str,
    body: &str,
) -> Result<bool, AppError> {
    let done = sqlx::query(
        "WITH notice AS (
             INSERT INTO alert_notices (alert_id, cycle_start) VALUES ($1, $2)
             ON CONFLICT DO NOTHING RETURNING alert_id)
         INSERT INTO messages (customer_id, kind, subject, body)
         SELECT $3, 'alert', $4, $5 FROM notice",
    )
    .bind(alert.id)
    .bind(cycle_start)
    .bind(alert.customer_id)
    .bind(subject)
    .bind(body)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
