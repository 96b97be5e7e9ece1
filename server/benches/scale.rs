//! Data-scale and billing benchmarks (issue 10, QUALITY.md "Data scale" and "Billing run").
//!
//! `scripts/bench` runs it against a private PostgreSQL (`DATABASE_URL` without a database
//! name); by hand: `DATABASE_URL=postgres://… cargo bench -p server --bench scale -- [quick]
//! [usage|billing]`.
//! Each size gets a fresh database with the migrations and the demo data, then:
//! - usage: N contracts × 1 000 usage records written with COPY (1 M and 10 M rows), and
//!   100 000 records in the current cycle of the demo's satellite subscriber (Camille);
//!   the Usage tab's queries (contract, 90 days, type, page of 50, totals, daily chart) for
//!   random contracts, and the invoice preview of the 100 000-record customer, 200 times each;
//! - billing: 10 000 and 100 000 satellite subscriptions due on one day, one billing run.
//!
//! It prints a table (p50/p95 in ms) and writes `EXPLAIN (ANALYZE, BUFFERS)` of each query to
//! the report file (`SELFCARE_BENCH_REPORT`, default `.build/bench/scale-explain.txt`).

use std::{fmt::Write as _, time::Instant};

use app::{
    backend::{
        billing,
        payment_gateway::Sandbox,
        repo::{self, usage::UsageScope},
        sealed::DataKeys,
    },
    domain::{account::UsageKind, calendar::DateRange},
};
use chrono::{Days, NaiveDate};
use sqlx::{PgPool, postgres::PgPoolOptions};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

const TODAY: (i32, u32, u32) = (2026, 11, 22);
const PER_CONTRACT: u64 = 1_000;
const PREVIEW_RECORDS: u64 = 100_000;
const SAMPLES: usize = 200;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(TODAY.0, TODAY.1, TODAY.2).expect("a date")
}

/// Milliseconds at the given percentile of sorted samples.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

struct Row {
    what: String,
    size: String,
    p50: f64,
    p95: f64,
    note: String,
}

/// A fresh database `name` on the server of `base`, migrated, with the demo data.
async fn fresh(base: &str, name: &str) -> Result<PgPool, BoxError> {
    let admin = PgPoolOptions::new()
        .max_connections(1)
        .connect(&format!("{base}/postgres"))
        .await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&admin)
        .await?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&admin)
        .await?;
    admin.close().await;
    let pool = PgPoolOptions::new()
        .max_connections(4)
        .connect(&format!("{base}/{name}"))
        .await?;
    server::MIGRATOR.run(&pool).await?;
    server::demo::load(&pool, today(), &DataKeys::demo()).await?;
    Ok(pool)
}

/// `count` private customers with one mobile line each; returns the first contract id.
async fn lines(pool: &PgPool, count: u64) -> Result<(i64, i64), BoxError> {
    let provider: i64 = sqlx::query_scalar("SELECT id FROM providers ORDER BY id LIMIT 1")
        .fetch_one(pool)
        .await?;
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO customers (provider_id, customer_number, segment, country, language,
                                first_name, last_name, email, street, postal_code, city)
         SELECT $1, 'S' || g, 'private', 'BE', 'fr', 'Scale', 'Customer ' || g,
                'scale' || g || '@example.test', 'Rue du Test 1', '1000', 'Bruxelles'
           FROM generate_series(1, $2::bigint) AS g",
    )
    .bind(provider)
    .bind(count as i64)
    .execute(&mut *tx)
    .await?;
    let (first, last): (i64, i64) = sqlx::query_as(
        "WITH made AS (
           INSERT INTO contracts (customer_id, contract_number, service, segment, phone_number,
                                  status, start_date)
           SELECT id, customer_number || '-01', 'mobile', 'private',
                  '+32 470 ' || lpad(substr(customer_number, 2), 6, '0'), 'active', '2024-01-01'
             FROM customers WHERE customer_number LIKE 'S%'
           RETURNING id)
         SELECT min(id), max(id) FROM made",
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok((first, last))
}

/// Writes `per` usage records for each contract in `ids` over the 365 days up to today, with
/// COPY, `chunk` contracts per statement; returns the seconds it took.
async fn copy_usage(pool: &PgPool, ids: &[i64], per: u64, chunk: usize) -> Result<f64, BoxError> {
    let start = Instant::now();
    let mut conn = pool.acquire().await?;
    let first = today() - Days::new(366);
    let months: Vec<NaiveDate> = (0..15)
        .filter_map(|m| first.checked_add_months(chrono::Months::new(m)))
        .collect();
    sqlx::query("SELECT usage_records_ensure_month(m) FROM unnest($1::date[]) AS m")
        .bind(&months)
        .execute(&mut *conn)
        .await?;
    for group in ids.chunks(chunk) {
        let mut copy = conn
            .copy_in_raw(
                "COPY usage_records (contract_id, kind, usage_date, started_at, quantity, charge,
                                     destination) FROM STDIN",
            )
            .await?;
        let mut buf = String::with_capacity(4 << 20);
        for &id in group {
            for j in 0..per {
                let day = today() - Days::new(j * 365 / per);
                let secs = (j * 7919 + id as u64 * 31) % 86_400;
                let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
                let (kind, quantity, charge, destination) = match j % 20 {
                    0..=11 => (
                        "data",
                        format!("{}.500", (j * 37 + id as u64) % 900),
                        "0",
                        None,
                    ),
                    12..=15 => (
                        "call",
                        format!("{}", j % 45 + 1),
                        "0",
                        Some("+32 2 555 01 01"),
                    ),
                    16..=17 => ("sms", "1".to_string(), "0", Some("+32 470 00 00 01")),
                    18 => ("mms", "1".to_string(), "0.30", Some("+32 470 00 00 02")),
                    _ => ("premium", "3".to_string(), "1.99", Some("+32 905 00 000")),
                };
                let _ = writeln!(
                    buf,
                    "{id}\t{kind}\t{day}\t{day} {h:02}:{m:02}:{s:02}\t{quantity}\t{charge}\t{}",
                    destination.unwrap_or("\\N")
                );
            }
            if buf.len() > (4 << 20) - 4096 {
                copy.send(buf.as_bytes()).await?;
                buf.clear();
            }
        }
        copy.send(buf.as_bytes()).await?;
        copy.finish().await?;
    }
    Ok(start.elapsed().as_secs_f64())
}

/// The demo satellite subscriber with a preview (Camille): her subscription and contract.
async fn camille(pool: &PgPool) -> Result<(i64, i64), BoxError> {
    Ok(sqlx::query_as(
        "SELECT s.id, s.contract_id FROM subscriptions s
           JOIN contracts c ON c.id = s.contract_id
           JOIN links l ON l.customer_id = c.customer_id AND l.role = 'holder'
           JOIN logins g ON g.id = l.login_id
          WHERE g.email = $1",
    )
    .bind(server::demo::satellite::CAMILLE)
    .fetch_one(pool)
    .await?)
}

/// `count` data records spread over the current cycle of `contract` up to today.
async fn copy_cycle_usage(
    pool: &PgPool,
    contract: i64,
    cycle_start: NaiveDate,
    count: u64,
) -> Result<(), BoxError> {
    let mut conn = pool.acquire().await?;
    let days = (today() - cycle_start).num_days().max(0) as u64 + 1;
    let mut copy = conn
        .copy_in_raw(
            "COPY usage_records (contract_id, kind, usage_date, started_at, quantity) FROM STDIN",
        )
        .await?;
    let mut buf = String::new();
    for j in 0..count {
        let day = cycle_start + Days::new(j % days);
        let secs = (j * 13) % 86_400;
        let _ = writeln!(
            buf,
            "{contract}\tdata\t{day}\t{day} {:02}:{:02}:{:02}\t0.250",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        );
    }
    copy.send(buf.as_bytes()).await?;
    copy.finish().await?;
    Ok(())
}

/// Times `f` `SAMPLES` times; returns (p50, p95) in milliseconds.
async fn time<F, Fut>(mut f: F) -> Result<(f64, f64), BoxError>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = Result<(), BoxError>>,
{
    for i in 0..10 {
        f(i).await?;
    }
    let mut samples = Vec::with_capacity(SAMPLES);
    for i in 0..SAMPLES {
        let start = Instant::now();
        f(i).await?;
        samples.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    samples.sort_by(f64::total_cmp);
    Ok((percentile(&samples, 50.0), percentile(&samples, 95.0)))
}

/// The Usage tab's three queries for a scope, as `api::usage::get_usage` runs them.
async fn usage_tab(pool: &PgPool, scope: &UsageScope, range: DateRange) -> Result<(), BoxError> {
    let totals = repo::usage::totals(pool, scope).await?;
    let rows = repo::usage::records(pool, scope, Some(50), 0).await?;
    let chart = UsageScope {
        kind: Some(scope.kind.unwrap_or(UsageKind::Data)),
        ..scope.clone()
    };
    let daily = repo::usage::daily(pool, &chart, range).await?;
    if totals.is_empty() || rows.is_empty() || daily.is_empty() {
        return Err("the usage tab found nothing".into());
    }
    Ok(())
}

/// What follows the scope's parameters in a query under `EXPLAIN`.
enum Extra {
    None,
    /// The page query: one line (`$1` the first of the scope), the newest `limit`.
    Page(i64),
    /// The daily chart: first and last day.
    Days(NaiveDate, NaiveDate),
}

/// `EXPLAIN (ANALYZE, BUFFERS)` of `sql` with the scope's parameters, sent unprepared as the
/// page query is (planned for its values).
async fn explain(
    pool: &PgPool,
    report: &mut String,
    title: &str,
    sql: &str,
    scope: &UsageScope,
    extra: Extra,
) -> Result<(), BoxError> {
    let sql = format!("EXPLAIN (ANALYZE, BUFFERS) {sql}");
    let query = sqlx::query_scalar::<_, String>(&sql).persistent(false);
    let query = match extra {
        Extra::Page(_) => query.bind(scope.contract_ids.first().copied()),
        _ => query.bind(&scope.contract_ids),
    };
    let mut query = query
        .bind(scope.range.map(|r| r.start()))
        .bind(scope.range.map(|r| r.end()))
        .bind(scope.kind.map(UsageKind::as_str))
        .bind(scope.invoice_id);
    match extra {
        Extra::None => {}
        Extra::Page(limit) => query = query.bind(limit),
        Extra::Days(from, to) => query = query.bind(from).bind(to),
    }
    let lines = query.fetch_all(pool).await?;
    let _ = writeln!(report, "--- {title}\n{}\n", lines.join("\n"));
    Ok(())
}

async fn usage_size(
    base: &str,
    contracts: u64,
    rows: &mut Vec<Row>,
    report: &mut String,
) -> Result<(), BoxError> {
    let total = contracts * PER_CONTRACT;
    let size = format!("{} M rows", total as f64 / 1e6);
    let pool = fresh(base, &format!("selfcare_scale_{contracts}")).await?;
    let (first, last) = lines(&pool, contracts).await?;
    let ids: Vec<i64> = (first..=last).collect();
    let seconds = copy_usage(&pool, &ids, PER_CONTRACT, 1_000).await?;
    let (sub_id, contract) = camille(&pool).await?;
    let mut conn = pool.acquire().await?;
    let sub = repo::billing::subscription_by_id(&mut conn, sub_id)
        .await?
        .ok_or("no subscription")?;
    let cycle = match billing::next_invoice(&mut conn, &sub, today()).await? {
        billing::NextInvoice::Preview { cycle, .. } => cycle,
        _ => return Err("Camille has no preview".into()),
    };
    copy_cycle_usage(&pool, contract, cycle.start(), PREVIEW_RECORDS).await?;
    sqlx::query("ANALYZE").execute(&mut *conn).await?;
    let partitions: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_inherits WHERE inhparent = 'usage_records'::regclass",
    )
    .fetch_one(&mut *conn)
    .await?;
    rows.push(Row {
        what: "load usage (COPY, rollups by trigger)".into(),
        size: size.clone(),
        p50: seconds * 1000.0,
        p95: seconds * 1000.0,
        note: format!(
            "{:.0} rows/s, {partitions} partitions",
            total as f64 / seconds
        ),
    });

    let range = DateRange::new(today() - Days::new(89), today()).ok_or("range")?;
    let scope_of = |i: usize| UsageScope {
        contract_ids: vec![first + ((i as i64 * 7_919) % contracts as i64)],
        range: Some(range),
        kind: Some(UsageKind::Call),
        invoice_id: None,
    };
    let (p50, p95) = time(|i| {
        let pool = pool.clone();
        let scope = scope_of(i);
        async move { usage_tab(&pool, &scope, range).await }
    })
    .await?;
    rows.push(Row {
        what: "Usage tab: 1 line, 90 days, calls, page 1 + totals + chart".into(),
        size: size.clone(),
        p50,
        p95,
        note: "random line of 1 000 records".into(),
    });
    let big = UsageScope {
        contract_ids: vec![contract],
        range: Some(cycle),
        kind: None,
        invoice_id: None,
    };
    let (p50, p95) = time(|_| {
        let pool = pool.clone();
        let scope = big.clone();
        async move { usage_tab(&pool, &scope, cycle).await }
    })
    .await?;
    rows.push(Row {
        what: "Usage tab: the 100 000-record line, its cycle, all types".into(),
        size: size.clone(),
        p50,
        p95,
        note: String::new(),
    });
    let (p50, p95) = time(|_| {
        let pool = pool.clone();
        let sub = sub.clone();
        async move {
            let mut conn = pool.acquire().await?;
            match billing::next_invoice(&mut conn, &sub, today()).await? {
                billing::NextInvoice::Preview { .. } => Ok(()),
                _ => Err("no preview".into()),
            }
        }
    })
    .await?;
    rows.push(Row {
        what: "invoice preview, 100 000 records in the cycle".into(),
        size: size.clone(),
        p50,
        p95,
        note: String::new(),
    });

    let _ = writeln!(report, "===== usage, {size}\n");
    let one = scope_of(1);
    explain(
        &pool,
        report,
        "page of 50 (1 line, 90 days, calls)",
        &repo::usage::records_sql(),
        &one,
        Extra::Page(50),
    )
    .await?;
    explain(
        &pool,
        report,
        "totals per kind (1 line, 90 days, calls)",
        &repo::usage::totals_sql(false),
        &one,
        Extra::None,
    )
    .await?;
    explain(
        &pool,
        report,
        "daily chart (1 line, 90 days, calls)",
        &repo::usage::daily_sql(),
        &one,
        Extra::Days(range.start(), range.end()),
    )
    .await?;
    explain(
        &pool,
        report,
        "page of 50 (the 100 000-record line, its cycle)",
        &repo::usage::records_sql(),
        &big,
        Extra::Page(50),
    )
    .await?;
    let lines = sqlx::query_scalar::<_, String>(
        "EXPLAIN (ANALYZE, BUFFERS) SELECT usage_date, quantity AS mb FROM usage_daily
          WHERE contract_id = $1 AND kind = 'data' AND usage_date BETWEEN $2 AND $3
          ORDER BY usage_date",
    )
    .bind(contract)
    .bind(cycle.start())
    .bind(cycle.end())
    .fetch_all(&pool)
    .await?;
    let _ = writeln!(
        report,
        "--- invoice preview: data per day of the cycle (repo::billing::daily_data)\n{}\n",
        lines.join("\n")
    );
    drop(conn);
    pool.close().await;
    Ok(())
}

async fn billing_size(base: &str, count: u64, rows: &mut Vec<Row>) -> Result<(), BoxError> {
    let pool = fresh(base, &format!("selfcare_billing_{count}")).await?;
    let day = today() + Days::new(1);
    let activated = day
        .checked_sub_months(chrono::Months::new(1))
        .ok_or("date")?;
    let provider: i64 = sqlx::query_scalar("SELECT id FROM providers ORDER BY id LIMIT 1")
        .fetch_one(&pool)
        .await?;
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO customers (provider_id, customer_number, segment, country, language,
                                first_name, last_name, email, street, postal_code, city,
                                card_last4)
         SELECT $1, 'B' || g, 'private', 'FR', 'fr', 'Bench', 'Customer ' || g,
                'bench' || g || '@example.test', '1 rue du Test', '75001', 'Paris', '4242'
           FROM generate_series(1, $2::bigint) AS g",
    )
    .bind(provider)
    .bind(count as i64)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO contracts (customer_id, contract_number, service, segment, tariff_id,
                                status, start_date)
         SELECT c.id, c.customer_number || '-01', 'satellite', 'private',
                (SELECT id FROM tariffs WHERE code = 'SAT-100'), 'active', $1
           FROM customers c WHERE c.customer_number LIKE 'B%'",
    )
    .bind(activated)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO subscriptions (contract_id, shipped_on, first_connected_on, activated_on,
                                    next_cycle_start, payment_method)
         SELECT id, $1::date - 3, $1, $1, $2, 'card' FROM contracts
          WHERE contract_number LIKE 'B%'",
    )
    .bind(activated)
    .bind(day)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    sqlx::query("ANALYZE").execute(&pool).await?;
    let before: i64 = sqlx::query_scalar("SELECT COALESCE(max(id), 0) FROM invoices")
        .fetch_one(&pool)
        .await?;
    // Card payments are taken a week after the invoice (a provider's autopay policy), so the
    // run on `day` invoices and the run a week later charges: each is timed on its own.
    sqlx::query("INSERT INTO autopay_policies (effective_from, offset_days) VALUES ($1, 7)")
        .bind(activated - Days::new(1))
        .execute(&pool)
        .await?;
    let gateway = Sandbox::beside(&pool);
    let start = Instant::now();
    let report = billing::run(&pool, &gateway, &DataKeys::demo(), day).await?;
    let seconds = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let charging = billing::run(&pool, &gateway, &DataKeys::demo(), day + Days::new(7)).await?;
    let charge_seconds = start.elapsed().as_secs_f64();
    // Every invoice of the run, with its number's value: unique and consecutive.
    let (issued, gapless): (i64, bool) = sqlx::query_as(
        "SELECT count(*),
                count(DISTINCT number) = count(*)
                AND count(*) = max(split_part(number, '-', 2)::bigint)
                               - min(split_part(number, '-', 2)::bigint) + 1
           FROM invoices WHERE id > $1 AND number NOT LIKE 'CN-%'",
    )
    .bind(before)
    .fetch_one(&pool)
    .await?;
    let due: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM invoices i JOIN subscriptions s ON s.id = i.subscription_id
           JOIN contracts c ON c.id = s.contract_id
          WHERE c.contract_number LIKE 'B%' AND i.period_start = $1",
    )
    .bind(day)
    .fetch_one(&pool)
    .await?;
    rows.push(Row {
        what: "billing run: subscriptions due on one day, invoiced".into(),
        size: format!("{count} subs"),
        p50: seconds * 1000.0,
        p95: seconds * 1000.0,
        note: format!(
            "{due} of {count} due invoiced ({issued} invoices in the run), numbers gapless: \
             {gapless}; {report}; {:.0} subs/s",
            count as f64 / seconds
        ),
    });
    rows.push(Row {
        what: "billing run a week later: card charges".into(),
        size: format!("{count} subs"),
        p50: charge_seconds * 1000.0,
        p95: charge_seconds * 1000.0,
        note: format!("{charging}; {:.0} charges/s", count as f64 / charge_seconds),
    });
    pool.close().await;
    Ok(())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), BoxError> {
    let base = std::env::var("DATABASE_URL")
        .map_err(|_| "DATABASE_URL (a server URL without database name) is required")?;
    let base = base.trim_end_matches('/').to_string();
    let quick = std::env::args().any(|a| a == "quick");
    let (usage_sizes, billing_sizes): (&[u64], &[u64]) = if quick {
        (&[100, 1_000], &[1_000, 10_000])
    } else {
        (&[1_000, 10_000], &[10_000, 100_000])
    };
    let report_path = std::env::var("SELFCARE_BENCH_REPORT").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../.build/bench/scale-explain.txt"
        )
        .to_string()
    });
    let mut rows = Vec::new();
    let mut report = String::new();
    // `usage` or `billing` runs that part only.
    let only_billing = std::env::args().any(|a| a == "billing");
    let only_usage = std::env::args().any(|a| a == "usage");
    let usage_sizes = if only_billing { &[][..] } else { usage_sizes };
    let billing_sizes = if only_usage { &[][..] } else { billing_sizes };
    for &contracts in usage_sizes {
        eprintln!("usage: {contracts} contracts × {PER_CONTRACT} records …");
        usage_size(&base, contracts, &mut rows, &mut report).await?;
    }
    for &count in billing_sizes {
        eprintln!("billing: {count} subscriptions …");
        billing_size(&base, count, &mut rows).await?;
    }
    if let Some(dir) = std::path::Path::new(&report_path).parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&report_path, &report)?;
    println!("\n| data-scale benchmark | size | p50 ms | p95 ms | note |\n|---|---|---:|---:|---|");
    for r in &rows {
        println!(
            "| {} | {} | {:.2} | {:.2} | {} |",
            r.what, r.size, r.p50, r.p95, r.note
        );
    }
    println!("\nEXPLAIN (ANALYZE, BUFFERS) of each query: {report_path}");
    Ok(())
}
