//! Usage records (U1–U2, I3): ingestion and the filter queries of the Usage tab.

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use sqlx::{PgConnection, PgPool, Row, postgres::PgRow};

use super::parse_column;
use crate::{
    domain::{
        account::UsageKind,
        calendar::DateRange,
        rights::Rights,
        usage::{KindTotal, UsageRow},
    },
    error::AppError,
};

/// A usage record arriving from the network (or the demo loader).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUsage {
    pub contract_id: i64,
    pub kind: UsageKind,
    pub started_at: NaiveDateTime,
    pub quantity: Decimal,
    pub charge: Decimal,
    pub destination: Option<String>,
    pub invoice_id: Option<i64>,
}

/// Stores usage records in the caller's transaction and checks the consumption alerts of
/// the lines they belong to (H4); returns how many records were stored.
pub async fn ingest(conn: &mut PgConnection, records: &[NewUsage]) -> Result<u64, AppError> {
    if records.is_empty() {
        return Ok(0);
    }
    let mut contract_ids = Vec::with_capacity(records.len());
    let mut kinds = Vec::with_capacity(records.len());
    let mut started = Vec::with_capacity(records.len());
    let mut quantities = Vec::with_capacity(records.len());
    let mut charges = Vec::with_capacity(records.len());
    let mut destinations = Vec::with_capacity(records.len());
    let mut invoices = Vec::with_capacity(records.len());
    for r in records {
        contract_ids.push(r.contract_id);
        kinds.push(r.kind.as_str());
        started.push(r.started_at);
        quantities.push(r.quantity);
        charges.push(r.charge);
        destinations.push(r.destination.clone());
        invoices.push(r.invoice_id);
    }
    let done = sqlx::query(
        "INSERT INTO usage_records (contract_id, kind, usage_date, started_at, quantity, charge,
                                    destination, invoice_id)
         SELECT c, k, s::date, s, q, ch, d, i
           FROM unnest($1::bigint[], $2::text[], $3::timestamp[], $4::numeric[], $5::numeric[],
                       $6::text[], $7::bigint[]) AS t(c, k, s, q, ch, d, i)",
    )
    .bind(&contract_ids)
    .bind(&kinds)
    .bind(&started)
    .bind(&quantities)
    .bind(&charges)
    .bind(&destinations)
    .bind(&invoices)
    .execute(&mut *conn)
    .await?;
    let days: Vec<(i64, NaiveDate)> = records
        .iter()
        .map(|r| (r.contract_id, r.started_at.date()))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    crate::backend::alerts::check_after_ingest(conn, &days).await?;
    Ok(done.rows_affected())
}

/// A contract the login may see the usage of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageContract {
    pub id: i64,
    pub contract_number: String,
    pub phone_number: Option<String>,
    pub start_date: NaiveDate,
}

/// The contracts whose usage the login may see (L2: all of the held number, the used lines).
pub async fn visible_contracts(
    pool: &PgPool,
    rights: &Rights,
) -> Result<Vec<UsageContract>, AppError> {
    let rows = sqlx::query(
        "SELECT id, contract_number, phone_number, start_date FROM contracts
          WHERE customer_id = $1 OR id = ANY($2)
          ORDER BY contract_number",
    )
    .bind(rights.holder_customer())
    .bind(rights.user_contracts())
    .fetch_all(pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| UsageContract {
            id: r.get("id"),
            contract_number: r.get("contract_number"),
            phone_number: r.get("phone_number"),
            start_date: r.get("start_date"),
        })
        .collect())
}

/// Which records a query covers: contracts, days, and optionally one kind or one invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageScope {
    pub contract_ids: Vec<i64>,
    pub range: Option<DateRange>,
    pub kind: Option<UsageKind>,
    pub invoice_id: Option<i64>,
}

const SCOPE: &str = "u.contract_id = ANY($1)
    AND ($2::date IS NULL OR u.usage_date >= $2) AND ($3::date IS NULL OR u.usage_date <= $3)
    AND ($4::text IS NULL OR u.kind = $4) AND ($5::bigint IS NULL OR u.invoice_id = $5)";

fn bind_scope<'q>(
    query: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    scope: &'q UsageScope,
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    query
        .bind(&scope.contract_ids)
        .bind(scope.range.map(|r| r.start()))
        .bind(scope.range.map(|r| r.end()))
        .bind(scope.kind.map(UsageKind::as_str))
        .bind(scope.invoice_id)
}

fn usage_row(row: &PgRow) -> Result<UsageRow, AppError> {
    Ok(UsageRow {
        started_at: row.get("started_at"),
        contract_number: row.get("contract_number"),
        phone_number: row.get("phone_number"),
        kind: parse_column("usage_records.kind", row.get("kind"), UsageKind::parse)?,
        quantity: row.get("quantity"),
        charge: row.get("charge"),
        destination: row.get("destination"),
    })
}

/// The records of a scope, newest first: `limit` of them from `offset` (all when `None`).
pub async fn records(
    pool: &PgPool,
    scope: &UsageScope,
    limit: Option<i64>,
    offset: i64,
) -> Result<Vec<UsageRow>, AppError> {
    let sql = format!(
        "SELECT u.started_at, c.contract_number, c.phone_number, u.kind, u.quantity, u.charge,
                u.destination
           FROM usage_records u JOIN contracts c ON c.id = u.contract_id
          WHERE {SCOPE}
          ORDER BY u.started_at DESC, u.id DESC
          LIMIT $6 OFFSET $7"
    );
    bind_scope(sqlx::query(&sql), scope)
        .bind(limit)
        .bind(offset)
        .fetch_all(pool)
        .await?
        .iter()
        .map(usage_row)
        .collect()
}

/// Count, quantity and charge per kind over the whole scope.
pub async fn totals(pool: &PgPool, scope: &UsageScope) -> Result<Vec<KindTotal>, AppError> {
    let sql = format!(
        "SELECT u.kind, count(*) AS records, sum(u.quantity) AS quantity, sum(u.charge) AS charge
           FROM usage_records u WHERE {SCOPE}
          GROUP BY u.kind
          ORDER BY array_position(ARRAY['data','call','sms','mms','premium'], u.kind)"
    );
    bind_scope(sqlx::query(&sql), scope)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| {
            Ok(KindTotal {
                kind: parse_column("usage_records.kind", r.get("kind"), UsageKind::parse)?,
                records: r.get("records"),
                quantity: r.get("quantity"),
                charge: r.get("charge"),
            })
        })
        .collect()
}

/// The quantity per day of the scope's range (every day, zero included).
pub async fn daily(
    pool: &PgPool,
    scope: &UsageScope,
    range: DateRange,
) -> Result<Vec<(NaiveDate, Decimal)>, AppError> {
    let sql = format!(
        "SELECT day::date AS day, COALESCE(sum(u.quantity), 0) AS quantity
           FROM generate_series($6::date, $7::date, interval '1 day') AS day
           LEFT JOIN usage_records u ON u.usage_date = day::date AND {SCOPE}
          GROUP BY day ORDER BY day"
    );
    Ok(bind_scope(sqlx::query(&sql), scope)
        .bind(range.start())
        .bind(range.end())
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| (r.get("day"), r.get("quantity")))
        .collect())
}
