//! Usage (U1–U2) and the consumption behind an invoice (I3) on the demo data, with L2 rights.

use crate::common;

use app::{
    api::{
        invoices::InvoiceRow,
        usage::{InvoiceUsage, UsageView},
    },
    domain::account::{InvoiceKind, UsageKind},
};
use common::{app, get, post, sign_in};
use rust_decimal::{Decimal, dec};

async fn usage(app: &axum::Router, cookie: &str, query: &str) -> (u16, String) {
    let body = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| format!("query[{}", p.replacen('=', "]=", 1)))
        .collect::<Vec<_>>()
        .join("&");
    let (status, text, _) = post(app, "/api/usage", &body, Some(cookie)).await;
    (status, text)
}

async fn claire(app: &axum::Router) -> String {
    sign_in(app, "claire.dubois@example.be", "Trio-demo-2024").await
}

#[tokio::test]
async fn filters_narrow_rows_and_totals() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let cookie = claire(&app).await;
    let (status, body) = usage(&app, &cookie, "period=this").await;
    assert_eq!(status, 200, "{body}");
    let all: UsageView = serde_json::from_str(&body).expect("view");
    let kinds: Vec<UsageKind> = all.totals.iter().map(|t| t.kind).collect();
    assert_eq!(
        kinds,
        [
            UsageKind::Data,
            UsageKind::Call,
            UsageKind::Sms,
            UsageKind::Mms
        ]
    );
    assert_eq!(all.rows.len(), 25);
    assert!(all.pages > 1);
    assert_eq!(
        all.total_rows,
        all.totals.iter().map(|t| t.records).sum::<i64>()
    );
    assert_eq!(all.daily.len() as i64, all.range.days());
    // This cycle of the Trio household starts on the 5th.
    assert_eq!(all.range.start().to_string(), "2026-11-05");

    let (_, body) = usage(
        &app,
        &cookie,
        "kind=sms&contract=100001-04&period=this&page=2",
    )
    .await;
    let sms: UsageView = serde_json::from_str(&body).expect("view");
    assert_eq!(sms.page, 2);
    assert!(sms.total_rows < all.total_rows);
    assert!(
        sms.rows
            .iter()
            .all(|r| r.kind == UsageKind::Sms && r.contract_number == "100001-04")
    );
    assert_eq!(sms.totals.len(), 1);
    assert_eq!(sms.chart_kind, UsageKind::Sms);
    let charted: Decimal = sms.daily.iter().map(|(_, q)| *q).sum();
    assert_eq!(charted, sms.totals[0].quantity);

    // The last cycle holds the charged premium call.
    let (_, body) = usage(&app, &cookie, "period=last&kind=premium").await;
    let premium: UsageView = serde_json::from_str(&body).expect("view");
    assert_eq!(premium.totals[0].charge, dec!(4.92));
}

#[tokio::test]
async fn custom_periods_are_validated() {
    let pool = common::db().await;
    let app = app(pool).await;
    let cookie = claire(&app).await;
    let (status, body) = usage(&app, &cookie, "period=custom&from=2026-11-10&to=2026-11-01").await;
    assert_eq!(status, 422);
    assert!(
        body.contains("\"to\"") && body.contains("date_order"),
        "{body}"
    );
    let (status, body) = usage(&app, &cookie, "period=custom&from=10.11.2026&to=").await;
    assert_eq!(status, 422);
    assert!(
        body.contains("\"from\"") && body.contains("date_invalid"),
        "{body}"
    );
    let (status, body) = usage(&app, &cookie, "period=custom&from=2026-11-10&to=2026-11-12").await;
    assert_eq!(status, 200, "{body}");
    let view: UsageView = serde_json::from_str(&body).expect("view");
    assert_eq!(view.range.days(), 3);
}

#[tokio::test]
async fn csv_export_has_every_row_of_the_filter() {
    let pool = common::db().await;
    let app = app(pool).await;
    let cookie = claire(&app).await;
    let (_, body) = usage(&app, &cookie, "kind=call&period=last").await;
    let view: UsageView = serde_json::from_str(&body).expect("view");
    let (status, bytes, kind) = get(&app, "/usage.csv?kind=call&period=last", Some(&cookie)).await;
    assert_eq!((status, kind.as_str()), (200, "text/csv; charset=utf-8"));
    let csv = String::from_utf8(bytes).expect("utf-8");
    let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
    assert_eq!(
        lines.len() as i64,
        view.total_rows + 1,
        "header + every row"
    );
    assert!(lines[1..].iter().all(|l| l.contains(",call,")));
    // The first rows are the first page, in the same order.
    let first = &view.rows[0];
    assert!(
        lines[1].starts_with(&first.started_at.format("%Y-%m-%dT%H:%M:%S").to_string()),
        "{}",
        lines[1]
    );
    // Anonymous: to sign-in; a stranger's contract: not found.
    assert_eq!(get(&app, "/usage.csv", None).await.0, 303);
    let lena = sign_in(&app, "lena.schmidt@example.de", "Mobil-demo-2024").await;
    assert_eq!(
        get(&app, "/usage.csv?contract=100001-04", Some(&lena))
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn the_consumption_behind_an_invoice_matches_its_usage_line() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let cookie = claire(&app).await;
    let (_, body, _) = post(&app, "/api/invoices", "", Some(&cookie)).await;
    let rows: Vec<InvoiceRow> = serde_json::from_str(&body).expect("rows");
    let latest = rows
        .iter()
        .find(|r| r.kind == InvoiceKind::Invoice)
        .expect("invoice");
    let (status, body, _) = post(
        &app,
        "/api/invoice_usage",
        &format!("invoice_id={}", latest.id),
        Some(&cookie),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let usage: InvoiceUsage = serde_json::from_str(&body).expect("usage");
    assert_eq!(usage.number, latest.number);
    let charged: Decimal = usage.totals.iter().map(|t| t.charge).sum();
    let line: Decimal = sqlx::query_scalar(
        "SELECT sum(amount) FROM invoice_lines WHERE invoice_id = $1 AND kind = 'usage'",
    )
    .bind(latest.id)
    .fetch_one(&pool)
    .await
    .expect("usage line");
    assert_eq!(
        charged, line,
        "the charged usage is the invoice's usage line"
    );
    assert_eq!(
        usage.rows.len() as i64,
        usage.totals.iter().map(|t| t.records).sum::<i64>()
    );
}

#[tokio::test]
async fn a_user_link_sees_its_line_only() {
    let pool = common::db().await;
    let app = app(pool).await;
    let max = sign_in(&app, "max.becker@example.de", "Mobil-demo-2024").await;
    let (status, body) = usage(&app, &max, "period=this").await;
    assert_eq!(status, 200, "{body}");
    let view: UsageView = serde_json::from_str(&body).expect("view");
    assert_eq!(view.contracts.len(), 1);
    assert!(view.total_rows > 0);
    assert!(view.rows.iter().all(|r| r.contract_number == "200001-02"));
    let (status, _) = usage(&app, &max, "contract=200001-01").await;
    assert_eq!(status, 404);
    let (_, bytes, _) = get(&app, "/usage.csv", Some(&max)).await;
    let csv = String::from_utf8(bytes).expect("utf-8");
    assert!(
        csv.lines().skip(1).all(|l| l.contains("200001-02")),
        "{csv}"
    );
}

/// Rows where the per-day rollups and the records summed per contract, day and kind differ.
async fn rollup_mismatches(pool: &sqlx::PgPool) -> i64 {
    common::count(
        pool,
        "SELECT count(*) FROM (
           (SELECT contract_id, usage_date, kind, count(*) AS records, sum(quantity) AS quantity,
                   sum(charge) AS charge
              FROM usage_records GROUP BY contract_id, usage_date, kind
            EXCEPT
            SELECT contract_id, usage_date, kind, records, quantity, charge FROM usage_daily)
           UNION ALL
           (SELECT contract_id, usage_date, kind, records, quantity, charge FROM usage_daily
            EXCEPT
            SELECT contract_id, usage_date, kind, count(*), sum(quantity), sum(charge)
              FROM usage_records GROUP BY contract_id, usage_date, kind)) AS differing",
    )
    .await
}

/// Issue 10: the rollups follow ingestion, updates and deletes; a month gets its partition on
/// ingestion, and rows a plain INSERT sent to the default partition move to theirs.
#[tokio::test]
async fn rollups_and_partitions_follow_every_change() {
    use app::backend::repo::usage::{NewUsage, adopt_default_rows, ingest};
    let pool = common::db().await;
    server::demo::load(&pool, common::today(), &common::keys())
        .await
        .expect("demo data");
    assert!(common::count(&pool, "SELECT count(*) FROM usage_daily").await > 100);
    assert_eq!(rollup_mismatches(&pool).await, 0, "demo data");
    assert_eq!(
        common::count(&pool, "SELECT count(*) FROM usage_records_default").await,
        0,
        "the demo's records are in monthly partitions"
    );
    let contract: i64 = sqlx::query_scalar("SELECT min(id) FROM contracts")
        .fetch_one(&pool)
        .await
        .expect("a contract");
    let at = |day: u32, hour: u32| {
        chrono::NaiveDate::from_ymd_opt(2031, 3, day)
            .and_then(|d| d.and_hms_opt(hour, 0, 0))
            .expect("time")
    };
    let records: Vec<NewUsage> = (1..=6)
        .map(|i| NewUsage {
            contract_id: contract,
            kind: if i % 2 == 0 {
                UsageKind::Call
            } else {
                UsageKind::Data
            },
            started_at: at(1 + i % 2, i),
            quantity: Decimal::from(i) + dec!(0.125),
            charge: if i == 6 { dec!(1.99) } else { Decimal::ZERO },
            destination: None,
            invoice_id: None,
            record_id: None,
        })
        .collect();
    let mut tx = pool.begin().await.expect("tx");
    assert_eq!(ingest(&mut tx, &records).await.expect("ingest"), 6);
    tx.commit().await.expect("commit");
    assert_eq!(
        common::count(
            &pool,
            "SELECT count(*) FROM usage_records_2031_03 WHERE usage_date >= '2031-03-01'"
        )
        .await,
        6,
        "ingestion made the month's partition"
    );
    assert_eq!(
        common::count(
            &pool,
            "SELECT records FROM usage_daily WHERE usage_date = '2031-03-01' AND kind = 'call'"
        )
        .await,
        3
    );
    assert_eq!(rollup_mismatches(&pool).await, 0, "after ingestion");

    sqlx::query("UPDATE usage_records SET quantity = quantity * 2 WHERE usage_date = '2031-03-02'")
        .execute(&pool)
        .await
        .expect("update");
    sqlx::query(
        "UPDATE usage_records SET invoice_id = (SELECT min(id) FROM invoices)
          WHERE usage_date = '2031-03-01'",
    )
    .execute(&pool)
    .await
    .expect("update invoice");
    assert_eq!(rollup_mismatches(&pool).await, 0, "after updates");
    sqlx::query("DELETE FROM usage_records WHERE usage_date = '2031-03-01' AND kind = 'call'")
        .execute(&pool)
        .await
        .expect("delete");
    assert_eq!(rollup_mismatches(&pool).await, 0, "after a delete");
    assert_eq!(
        common::count(&pool, "SELECT count(*) FROM usage_daily WHERE records = 0").await,
        0,
        "a day without records has no rollup row"
    );

    let total = common::count(&pool, "SELECT count(*) FROM usage_records").await;
    sqlx::query(
        "INSERT INTO usage_records (contract_id, kind, usage_date, started_at, quantity)
         VALUES ($1, 'sms', '2032-01-15', '2032-01-15 10:00', 1),
                ($1, 'sms', '2032-01-16', '2032-01-16 10:00', 1)",
    )
    .bind(contract)
    .execute(&pool)
    .await
    .expect("plain insert");
    assert_eq!(
        common::count(&pool, "SELECT count(*) FROM usage_records_default").await,
        2
    );
    let mut conn = pool.acquire().await.expect("conn");
    assert_eq!(adopt_default_rows(&mut conn).await.expect("adopt"), 1);
    assert_eq!(
        common::count(&pool, "SELECT count(*) FROM usage_records_default").await,
        0
    );
    assert_eq!(
        common::count(&pool, "SELECT count(*) FROM usage_records_2032_01").await,
        2
    );
    assert_eq!(
        common::count(&pool, "SELECT count(*) FROM usage_records").await,
        total + 2
    );
    assert_eq!(rollup_mismatches(&pool).await, 0, "after moving partitions");
}

/// Issue 28: two batches of a month without its partition, at once (two usage feeds): the
/// second waits for the first to make the partition, then stores its rows there (it failed
/// with "relation already exists").
#[tokio::test]
async fn concurrent_batches_of_a_new_month_both_store() {
    use app::backend::repo::usage::{NewUsage, ingest};
    let pool = common::db().await;
    let _app = app(pool.clone()).await;
    let contract: i64 = sqlx::query_scalar("SELECT id FROM contracts ORDER BY id LIMIT 1")
        .fetch_one(&pool)
        .await
        .expect("contract");
    let record = move |i: u32| NewUsage {
        contract_id: contract,
        kind: UsageKind::Sms,
        started_at: chrono::NaiveDate::from_ymd_opt(2032, 5, 1 + i)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .expect("time"),
        quantity: Decimal::ONE,
        charge: Decimal::ZERO,
        destination: None,
        invoice_id: None,
        record_id: Some(format!("race-{i}")),
    };
    let mut first = pool.begin().await.expect("tx");
    assert_eq!(ingest(&mut first, &[record(0)]).await.expect("first"), 1);
    // The second starts while the first holds the new partition, uncommitted.
    let second = tokio::spawn({
        let pool = pool.clone();
        async move {
            let mut tx = pool.begin().await.expect("tx");
            let stored = ingest(&mut tx, &[record(1)]).await?;
            tx.commit().await.expect("commit");
            Ok::<u64, app::error::AppError>(stored)
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    first.commit().await.expect("commit");
    assert_eq!(second.await.expect("task"), Ok(1));
    let stored: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM usage_records_2032_05 WHERE record_id LIKE 'race-%'",
    )
    .fetch_one(&pool)
    .await
    .expect("count");
    assert_eq!(stored, 2);
}
