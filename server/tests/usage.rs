//! Usage (U1–U2) and the consumption behind an invoice (I3) on the demo data, with L2 rights.

mod common;

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
