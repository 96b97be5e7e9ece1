//! Usage records (U1–U2, I3): ingestion and the filter queries of the Usage tab.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use sqlx::{FromRow, PgConnection, PgPool};

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
    /// The provider's id of the record (its usage feed): stored once per contract and day.
    pub record_id: Option<String>,
}

/// Stores usage records in the caller's transaction and checks the consumption alerts of
/// the lines they belong to (H4); returns how many records were stored: a record whose
/// `record_id` is stored already for its contract and day is left out.
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
    let mut record_ids = Vec::with_capacity(records.len());
    for r in records {
        contract_ids.push(r.contract_id);
        kinds.push(r.kind.as_str());
        started.push(r.started_at);
        quantities.push(r.quantity);
        charges.push(r.charge);
        destinations.push(r.destination.clone());
        invoices.push(r.invoice_id);
        record_ids.push(r.record_id.as_deref());
    }
    // Every month of the batch has its partition before the rows arrive.
    let months: Vec<NaiveDate> = records
        .iter()
        .filter_map(|r| r.started_at.date().with_day(1))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    sqlx::query("SELECT usage_records_ensure_month(m) FROM unnest($1::date[]) AS m")
        .bind(&months)
        .execute(&mut *conn)
        .await?;
    let done = sqlx::query(
        "INSERT INTO usage_records (contract_id, kind, usage_date, started_at, quantity, charge,
                                    destination, invoice_id, record_id)
         SELECT c, k, s::date, s, q, ch, d, i, r
           FROM unnest($1::bigint[], $2::text[], $3::timestamp[], $4::numeric[], $5::numeric[],
                       $6::text[], $7::bigint[], $8::text[]) AS t(c, k, s, q, ch, d, i, r)
         ON CONFLICT (contract_id, record_id, usage_date) WHERE record_id IS NOT NULL DO NOTHING",
    )
    .bind(&contract_ids)
    .bind(&kinds)
    .bind(&started)
    .bind(&quantities)
    .bind(&charges)
    .bind(&destinations)
    .bind(&invoices)
    .bind(&record_ids)
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
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
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
    Ok(sqlx::query_as(
        "SELECT id, contract_number, phone_number, start_date FROM contracts
          WHERE customer_id = $1 OR id = ANY($2)
          ORDER BY contract_number",
    )
    .bind(rights.holder_customer())
    .bind(rights.user_contracts())
    .fetch_all(pool)
    .await?)
}

/// Which records a query covers: contracts, days, and optionally one kind or one invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageScope {
    pub contract_ids: Vec<i64>,
    pub range: Option<DateRange>,
    pub kind: Option<UsageKind>,
    pub invoice_id: Option<i64>,
}

/// The conditions on the records (`u`) besides their line: days, kind, invoice (`$2`–`$5`).
/// The time bounds repeat the day bounds so the newest-first page reads the (line, time)
/// index from its end.
const SCOPE_REST: &str = "($2::date IS NULL OR u.usage_date >= $2)
    AND ($3::date IS NULL OR u.usage_date <= $3)
    AND ($2::date IS NULL OR u.started_at >= $2::timestamp)
    AND ($3::date IS NULL OR u.started_at < $3::timestamp + interval '1 day')
    AND ($4::text IS NULL OR u.kind = $4) AND ($5::bigint IS NULL OR u.invoice_id = $5)";

/// The scope on the per-day rollups (`d`), which know no invoice.
const DAILY_SCOPE: &str = "d.contract_id = ANY($1)
    AND ($2::date IS NULL OR d.usage_date >= $2) AND ($3::date IS NULL OR d.usage_date <= $3)
    AND ($4::text IS NULL OR d.kind = $4) AND $5::bigint IS NULL";

fn bind_scope<'q>(
    query: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    scope: &'q UsageScope,
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    bind_scope_rest(query.bind(&scope.contract_ids), scope)
}

/// Binds `$2`–`$5` of [`SCOPE_REST`] (the caller has bound the line or lines as `$1`).
fn bind_scope_rest<'q>(
    query: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    scope: &'q UsageScope,
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    query
        .bind(scope.range.map(|r| r.start()))
        .bind(scope.range.map(|r| r.end()))
        .bind(scope.kind.map(UsageKind::as_str))
        .bind(scope.invoice_id)
}

/// A record as [`records_sql`] returns it, with its id (the order's tie-break).
#[derive(sqlx::FromRow)]
struct RecordColumns {
    id: i64,
    started_at: NaiveDateTime,
    contract_number: String,
    phone_number: Option<String>,
    #[sqlx(try_from = "String")]
    kind: UsageKind,
    quantity: Decimal,
    charge: Decimal,
    destination: Option<String>,
}

impl RecordColumns {
    /// The record's place in the newest-first order, and the record.
    fn into_keyed(self) -> ((NaiveDateTime, i64), UsageRow) {
        (
            (self.started_at, self.id),
            UsageRow {
                started_at: self.started_at,
                contract_number: self.contract_number,
                phone_number: self.phone_number,
                kind: self.kind,
                quantity: self.quantity,
                charge: self.charge,
                destination: self.destination,
            },
        )
    }
}

/// The totals of one kind as [`totals_sql`] returns them.
#[derive(sqlx::FromRow)]
struct TotalColumns {
    #[sqlx(try_from = "String")]
    kind: UsageKind,
    records: i64,
    quantity: Decimal,
    charge: Decimal,
}

/// The query of [`records`] for one line (`$1`): `$2`–`$5` the scope, the newest `$6`.
pub fn records_sql() -> String {
    format!(
        "SELECT u.id, u.started_at, c.contract_number, c.phone_number, u.kind, u.quantity,
                u.charge, u.destination
           FROM usage_records u JOIN contracts c ON c.id = u.contract_id
          WHERE u.contract_id = $1 AND {SCOPE_REST}
          ORDER BY u.started_at DESC, u.id DESC
          LIMIT $6"
    )
}

/// The records of a scope, newest first: `limit` of them from `offset` (all when `None`).
/// Each line gives its newest `limit + offset` in a query of its own, sent unprepared so that
/// it is planned for that line: the planner then knows a line with 100 000 records from one
/// with 1 000 and reads the index's end instead of sorting them all (issue 10). A page costs
/// the same in a table of any size.
pub async fn records(
    pool: &PgPool,
    scope: &UsageScope,
    limit: Option<i64>,
    offset: i64,
) -> Result<Vec<UsageRow>, AppError> {
    let sql = records_sql();
    let wanted = limit.map(|limit| limit + offset);
    let mut rows = Vec::new();
    for contract in &scope.contract_ids {
        let found = bind_scope_rest(sqlx::query(&sql).persistent(false).bind(contract), scope)
            .bind(wanted)
            .fetch_all(pool)
            .await?;
        for row in &found {
            rows.push(RecordColumns::from_row(row)?.into_keyed());
        }
    }
    rows.sort_by_key(|(key, _)| std::cmp::Reverse(*key));
    Ok(rows
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(0))
        .take(limit.map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(0)))
        .map(|(_, row)| row)
        .collect())
}

/// The query of [`totals`]: `$1`–`$5` the scope; from the records for one invoice's
/// consumption, else from the per-day rollups.
pub fn totals_sql(by_invoice: bool) -> String {
    if by_invoice {
        format!(
            "SELECT u.kind, count(*) AS records, sum(u.quantity) AS quantity,
                    sum(u.charge) AS charge
               FROM usage_records u WHERE u.contract_id = ANY($1) AND {SCOPE_REST}
              GROUP BY u.kind
              ORDER BY array_position(ARRAY['data','call','sms','mms','premium'], u.kind)"
        )
    } else {
        format!(
            "SELECT d.kind, sum(d.records)::bigint AS records, sum(d.quantity) AS quantity,
                    sum(d.charge) AS charge
               FROM usage_daily d WHERE {DAILY_SCOPE}
              GROUP BY d.kind
              ORDER BY array_position(ARRAY['data','call','sms','mms','premium'], d.kind)"
        )
    }
}

/// Count, quantity and charge per kind over the whole scope: from the per-day rollups, or
/// from the records for one invoice's consumption.
pub async fn totals(pool: &PgPool, scope: &UsageScope) -> Result<Vec<KindTotal>, AppError> {
    let sql = totals_sql(scope.invoice_id.is_some());
    bind_scope(sqlx::query(&sql), scope)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|row| {
            let t = TotalColumns::from_row(row)?;
            Ok(KindTotal {
                kind: t.kind,
                records: t.records,
                quantity: t.quantity,
                charge: t.charge,
            })
        })
        .collect()
}

/// The query of [`daily`]: `$1`–`$5` the scope, `$6` and `$7` the first and last day.
pub fn daily_sql() -> String {
    format!(
        "SELECT day::date AS day, COALESCE(sum(d.quantity), 0) AS quantity
           FROM generate_series($6::date, $7::date, interval '1 day') AS day
           LEFT JOIN usage_daily d ON d.usage_date = day::date AND {DAILY_SCOPE}
          GROUP BY day ORDER BY day"
    )
}

/// The quantity per day of the scope's range (every day, zero included), from the rollups.
/// A scope of one invoice is not summed per day (the chart shows periods).
pub async fn daily(
    pool: &PgPool,
    scope: &UsageScope,
    range: DateRange,
) -> Result<Vec<(NaiveDate, Decimal)>, AppError> {
    if scope.invoice_id.is_some() {
        return Err(AppError::internal("daily usage asked for an invoice scope"));
    }
    let sql = daily_sql();
    Ok(bind_scope(sqlx::query(&sql), scope)
        .bind(range.start())
        .bind(range.end())
        .fetch_all(pool)
        .await?
        .iter()
        .map(<(NaiveDate, Decimal)>::from_row)
        .collect::<Result<_, _>>()?)
}

/// Gives the rows that went to the default partition (a direct INSERT for a month without its
/// partition) the partition of their month. Run after loading data with plain SQL, and by the
/// periodic maintenance; returns how many months were created.
pub async fn adopt_default_rows(conn: &mut PgConnection) -> Result<u64, AppError> {
    let done = sqlx::query(
        "SELECT usage_records_ensure_month(m)
           FROM (SELECT DISTINCT date_trunc('month', usage_date)::date AS m
                   FROM usage_records_default) AS months",
    )
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}
