//! Subscriptions that bill themselves (issue 7: B1–B7, I5, I6) on PostgreSQL: the billing run
//! for a day, reruns, concurrent and killed runs, the autopay policy switch, failed autopay and
//! its retries, the preview (managed accounts get none; the last day's preview is the next
//! invoice), plan changes, billing-date requests and mobile money paid once.

use crate::common;

use std::collections::BTreeSet;

use app::{
    api::next_invoice::{NextInvoiceView, SubscriptionView},
    backend::{billing, payment_gateway::Sandbox, repo},
};
use chrono::NaiveDate;
use common::{app, post, sign_in, today};
use rust_decimal::{Decimal, dec};
use server::demo::satellite::{AWA, CAMILLE, PASSWORD, PETRA, RAFAEL};
use sqlx::PgPool;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

async fn run(pool: &PgPool, day: NaiveDate) -> billing::RunReport {
    let gateway = Sandbox { pool: pool.clone() };
    billing::run(pool, &gateway, &common::keys(), day)
        .await
        .expect("billing run")
}

/// (number, issue, due, status, total) of a customer's invoices, oldest first.
async fn invoices_of(
    pool: &PgPool,
    customer_number: &str,
) -> Vec<(String, NaiveDate, NaiveDate, String, Decimal)> {
    sqlx::query_as(
        "SELECT i.number, i.issue_date, i.due_date, i.status, i.total
           FROM invoices i JOIN customers c ON c.id = i.customer_id
          WHERE c.customer_number = $1 ORDER BY i.issue_date, i.id",
    )
    .bind(customer_number)
    .fetch_all(pool)
    .await
    .expect("invoices")
}

/// Invoice numbers of the provider are 1..=n without a gap, per year.
async fn assert_gapless(pool: &PgPool) {
    let numbers: Vec<String> =
        sqlx::query_scalar("SELECT number FROM invoices WHERE kind = 'invoice'")
            .fetch_all(pool)
            .await
            .expect("numbers");
    let mut per_year: std::collections::BTreeMap<String, Vec<u64>> = Default::default();
    for n in numbers {
        let (year, value) = n.split_once('-').expect("number");
        per_year
            .entry(year.to_string())
            .or_default()
            .push(value.parse().expect("value"));
    }
    for (year, mut values) in per_year {
        values.sort_unstable();
        let expected: Vec<u64> = (1..=values.len() as u64).collect();
        assert_eq!(values, expected, "invoice numbers of {year} are gapless");
    }
}

async fn next_invoices(app: &axum::Router, cookie: &str) -> Vec<SubscriptionView> {
    let (status, body, _) = post(app, "/api/next_invoices", "", Some(cookie)).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).expect("next invoices")
}

/// `count` extra subscriptions on Camille's customer number, activated on `activation`.
async fn extra_subscriptions(pool: &PgPool, count: i64, activation: NaiveDate) {
    sqlx::query(
        "WITH c AS (
             INSERT INTO contracts (customer_id, contract_number, service, segment, tariff_id,
                                    status, start_date)
             SELECT ct.customer_id, 'X-' || g, 'satellite', 'private', ct.tariff_id, 'active', $2
               FROM contracts ct, generate_series(1, $1) AS g
              WHERE ct.contract_number = '300001-01'
             RETURNING id)
         INSERT INTO subscriptions (contract_id, shipped_on, first_connected_on, activated_on,
                                    next_cycle_start, payment_method)
         SELECT id, $2, $2, $2, $2, 'card' FROM c",
    )
    .bind(count)
    .bind(activation)
    .execute(pool)
    .await
    .expect("extra subscriptions");
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.expect(sql)
}

#[tokio::test]
async fn the_run_for_a_day_issues_the_expected_invoices_and_a_rerun_none() {
    let pool = common::db().await;
    // Loading the demo runs billing for today (2026-11-22).
    let _app = app(pool.clone()).await;
    // Camille: connected 2026-09-08 (B2), cycles from the 8th (B1), card autopay (B3).
    let camille = invoices_of(&pool, "300001").await;
    let issued: Vec<_> = camille
        .iter()
        .map(|i| (i.1, i.2, i.3.as_str(), i.4))
        .collect();
    assert_eq!(
        issued,
        [
            (d(2026, 9, 8), d(2026, 9, 8), "paid", dec!(49.00)),
            (d(2026, 10, 8), d(2026, 10, 8), "paid", dec!(49.00)),
            (d(2026, 11, 8), d(2026, 11, 8), "paid", dec!(49.00)),
        ]
    );
    // Mobile money: on its payment date the invoice waits for the customer (I6).
    let awa = invoices_of(&pool, "300003").await;
    assert_eq!(awa.len(), 1);
    assert_eq!(
        (awa[0].1, awa[0].3.as_str()),
        (d(2026, 11, 2), "action_required")
    );
    // Rafael activates tomorrow; Petra is billed by her employer.
    assert!(invoices_of(&pool, "300002").await.is_empty());
    assert!(invoices_of(&pool, "300004").await.is_empty());
    assert_gapless(&pool).await;

    let before = count(&pool, "SELECT count(*) FROM invoices").await;
    let rerun = run(&pool, today()).await;
    assert_eq!(
        rerun,
        billing::RunReport::default(),
        "a rerun changes nothing"
    );
    assert_eq!(count(&pool, "SELECT count(*) FROM invoices").await, before);

    // Tomorrow: Rafael is activated automatically (shipment + 30) and gets his first invoice,
    // payable within 7 days in Brazil (B4), charged on the due date.
    let tomorrow = run(&pool, d(2026, 11, 23)).await;
    assert_eq!((tomorrow.activated, tomorrow.invoiced), (1, 1));
    let rafael = invoices_of(&pool, "300002").await;
    assert_eq!(rafael.len(), 1);
    assert_eq!(
        (rafael[0].1, rafael[0].2, rafael[0].3.as_str(), rafael[0].4),
        (d(2026, 11, 23), d(2026, 11, 30), "open", dec!(199.00))
    );
    let due_day = run(&pool, d(2026, 11, 30)).await;
    assert_eq!(due_day.charged, 1);
    assert_eq!(invoices_of(&pool, "300002").await[0].3, "paid");
    // His second invoice follows B3: due on its date.
    run(&pool, d(2026, 12, 23)).await;
    let rafael = invoices_of(&pool, "300002").await;
    assert_eq!(
        (rafael[1].1, rafael[1].2),
        (d(2026, 12, 23), d(2026, 12, 23))
    );
    assert_gapless(&pool).await;
}

#[tokio::test]
async fn two_concurrent_runs_issue_each_invoice_once() {
    let pool = common::db().await;
    let _app = app(pool.clone()).await;
    // 450 subscriptions with three cycles each to invoice: more than two batches.
    extra_subscriptions(&pool, 450, d(2026, 9, 1)).await;
    let (a, b) = tokio::join!(run(&pool, today()), run(&pool, today()));
    assert_eq!(a.invoiced + b.invoiced, 450 * 3, "{a} / {b}");
    assert_eq!(a.charged + b.charged, 450 * 3);
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM invoices i JOIN subscriptions s ON s.id = i.subscription_id
               JOIN contracts c ON c.id = s.contract_id WHERE c.contract_number LIKE 'X-%'"
        )
        .await,
        450 * 3
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM (SELECT invoice_id FROM payments GROUP BY invoice_id
                                    HAVING count(*) > 1) AS twice"
        )
        .await,
        0,
        "no invoice paid twice"
    );
    assert_gapless(&pool).await;
}

#[tokio::test]
async fn a_run_killed_midway_and_rerun_bills_exactly_once() {
    let pool = common::db().await;
    let _app = app(pool.clone()).await;
    extra_subscriptions(&pool, 600, d(2026, 8, 1)).await;
    let killed = {
        let pool = pool.clone();
        tokio::spawn(async move { run(&pool, today()).await })
    };
    // Let it get into its batches, then kill it.
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    killed.abort();
    let _ = killed.await;
    // The killed run's backend finishes its statement and rolls back; until then its rows are
    // locked and a rerun skips them (SKIP LOCKED, as another instance's batch would be).
    for _ in 0..100 {
        let open = count(
            &pool,
            "SELECT count(*) FROM pg_stat_activity
              WHERE datname = current_database() AND pid <> pg_backend_pid()
                AND xact_start IS NOT NULL",
        )
        .await;
        if open == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let partial = count(
        &pool,
        "SELECT count(*) FROM invoices WHERE subscription_id IS NOT NULL",
    )
    .await;
    run(&pool, today()).await;
    // Four cycles each (Aug, Sep, Oct, Nov), plus the demo's four.
    let total = count(
        &pool,
        "SELECT count(*) FROM invoices WHERE subscription_id IS NOT NULL",
    )
    .await;
    assert_eq!(total, 600 * 4 + 4, "killed after {partial} invoices");
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM (SELECT subscription_id, period_start FROM invoices
                                    WHERE subscription_id IS NOT NULL
                                    GROUP BY 1, 2 HAVING count(*) > 1) AS twice"
        )
        .await,
        0
    );
    // The provider charged each invoice once and each is paid once.
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM sandbox_charges WHERE succeeded"
        )
        .await,
        count(
            &pool,
            "SELECT count(*) FROM payments WHERE idempotency_key LIKE 'autopay-%'"
        )
        .await
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM invoices WHERE subscription_id IS NOT NULL AND status = 'paid'"
        )
        .await,
        600 * 4 + 3
    );
    assert_gapless(&pool).await;
}

#[tokio::test]
async fn the_policy_switch_date_moves_the_autopay_date() {
    let pool = common::db().await;
    let _app = app(pool.clone()).await;
    // Activated 2024-05-20: cycles start 05-20 and 06-20 (before the switch: +7 days) and
    // 07-20 (after it: the same day).
    extra_subscriptions(&pool, 1, d(2024, 5, 20)).await;
    // A new policy is a row: from 2024-09-01 autopay runs 3 days after the cycle starts.
    sqlx::query(
        "INSERT INTO autopay_policies (effective_from, offset_days) VALUES ('2024-09-01', 3)",
    )
    .execute(&pool)
    .await
    .expect("policy");
    // Without a card every charge is declined: the attempts show when autopay ran.
    sqlx::query("UPDATE customers SET card_last4 = NULL WHERE customer_number = '300001'")
        .execute(&pool)
        .await
        .expect("no card");
    let mut day = d(2024, 5, 20);
    while day <= d(2024, 9, 30) {
        run(&pool, day).await;
        day = day.succ_opt().expect("day");
    }
    let first_attempts: Vec<(NaiveDate, NaiveDate)> = sqlx::query_as(
        "SELECT i.period_start, min(a.attempted_on)
           FROM invoices i JOIN subscriptions s ON s.id = i.subscription_id
           JOIN contracts c ON c.id = s.contract_id
           JOIN payment_attempts a ON a.invoice_id = i.id
          WHERE c.contract_number = 'X-1' GROUP BY i.period_start ORDER BY i.period_start",
    )
    .fetch_all(&pool)
    .await
    .expect("first attempts");
    assert_eq!(
        first_attempts,
        [
            (d(2024, 5, 20), d(2024, 5, 27)),
            (d(2024, 6, 20), d(2024, 6, 27)),
            (d(2024, 7, 20), d(2024, 7, 20)),
            (d(2024, 8, 20), d(2024, 8, 20)),
            (d(2024, 9, 20), d(2024, 9, 23)),
        ]
    );
    // Retries: 3 and 7 days after the first attempt, then the invoice stays failed.
    let retries: Vec<NaiveDate> = sqlx::query_scalar(
        "SELECT a.attempted_on FROM payment_attempts a JOIN invoices i ON i.id = a.invoice_id
           JOIN subscriptions s ON s.id = i.subscription_id
           JOIN contracts c ON c.id = s.contract_id
          WHERE c.contract_number = 'X-1' AND i.period_start = '2024-07-20' ORDER BY a.id",
    )
    .fetch_all(&pool)
    .await
    .expect("retries");
    assert_eq!(retries, [d(2024, 7, 20), d(2024, 7, 23), d(2024, 7, 27)]);
}

#[tokio::test]
async fn managed_accounts_get_no_preview_and_others_see_the_next_invoice() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let petra = sign_in(&app, PETRA, PASSWORD).await;
    let subs = next_invoices(&app, &petra).await;
    assert_eq!(subs.len(), 1);
    assert_eq!(subs[0].next, NextInvoiceView::Managed);
    assert!(subs[0].plans.is_empty());

    let rafael = sign_in(&app, RAFAEL, PASSWORD).await;
    let subs = next_invoices(&app, &rafael).await;
    assert_eq!(
        subs[0].next,
        NextInvoiceView::AwaitingActivation {
            activation: d(2026, 11, 23),
            issue: d(2026, 11, 23),
            due: d(2026, 11, 30),
        }
    );

    let camille = sign_in(&app, CAMILLE, PASSWORD).await;
    let subs = next_invoices(&app, &camille).await;
    let NextInvoiceView::Preview {
        cycle,
        issue,
        total,
        lines,
        ..
    } = &subs[0].next
    else {
        panic!("preview expected: {:?}", subs[0].next);
    };
    assert_eq!(*cycle, (d(2026, 11, 8), d(2026, 12, 7)));
    assert_eq!(*issue, d(2026, 12, 8));
    // 45 GB of 100 used: only the next month's fee.
    assert_eq!(lines.len(), 1);
    assert_eq!(total.amount(), dec!(49.00));
    // VAT is included: 20 % in France.
    let NextInvoiceView::Preview { vat, .. } = &subs[0].next else {
        unreachable!()
    };
    assert_eq!(vat[0].vat.amount(), dec!(8.17));
}

#[tokio::test]
async fn a_plan_change_is_prorated_and_the_last_days_preview_is_the_next_invoice() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let camille = sign_in(&app, CAMILLE, PASSWORD).await;
    let subs = next_invoices(&app, &camille).await;
    let sub = &subs[0];
    let sky200 = sub
        .plans
        .iter()
        .find(|p| p.name == "Sky 200")
        .expect("Sky 200");
    // The quote the page shows: 30.00 × 16 / 30 days (2026-11-22..12-07 of 11-08..12-07).
    assert_eq!(sub.quote(sky200).map(|m| m.amount()), Some(dec!(16.00)));
    // A quote of another day is stale.
    let body = |day: &str| {
        format!(
            "subscription_id={}&tariff_id={}&quoted_on={day}",
            sub.id, sky200.tariff_id
        )
    };
    let (status, _, _) = post(
        &app,
        "/api/change_plan",
        &body("2026-11-21"),
        Some(&camille),
    )
    .await;
    assert_eq!(status, 409);
    let (status, text, _) = post(
        &app,
        "/api/change_plan",
        &body("2026-11-22"),
        Some(&camille),
    )
    .await;
    assert_eq!((status, text.as_str()), (200, "\"16.00\""));
    // The same plan again is refused with a reason.
    let (status, text, _) = post(
        &app,
        "/api/change_plan",
        &body("2026-11-22"),
        Some(&camille),
    )
    .await;
    assert_eq!(status, 422);
    assert!(text.contains("plan_unchanged"), "{text}");

    // 60 GB more data this cycle: 105 GB, within Sky 200's 200 GB.
    sqlx::query(
        "INSERT INTO usage_records (contract_id, kind, usage_date, started_at, quantity)
         SELECT id, 'data', DATE '2026-11-25', TIMESTAMP '2026-11-25 10:00', 160000
           FROM contracts WHERE contract_number = '300001-01'",
    )
    .execute(&pool)
    .await
    .expect("usage");
    // The preview on the cycle's last day equals the invoice issued the next day.
    let mut conn = pool.acquire().await.expect("conn");
    let stored = repo::billing::subscription_by_id(&mut conn, sub.id)
        .await
        .expect("sub")
        .expect("exists");
    let last_day = billing::next_invoice(&mut conn, &stored, d(2026, 12, 7))
        .await
        .expect("preview");
    let billing::NextInvoice::Preview { preview, .. } = last_day else {
        panic!("preview expected");
    };
    // Sky 200 79.00 + proration 16.00 + (45 + 160 = 205 GB: 5 started GB × 2.00 = 10.00).
    assert_eq!(preview.total.amount(), dec!(105.00));
    drop(conn);
    run(&pool, d(2026, 12, 8)).await;
    let lines: Vec<(String, Decimal)> = sqlx::query_as(
        "SELECT l.kind, l.amount FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
          WHERE i.subscription_id = $1 AND i.issue_date = '2026-12-08' ORDER BY l.position",
    )
    .bind(sub.id)
    .fetch_all(&pool)
    .await
    .expect("lines");
    let expected: Vec<(String, Decimal)> = preview
        .lines
        .iter()
        .map(|l| {
            (
                serde_json::to_value(l.kind)
                    .expect("kind")
                    .as_str()
                    .expect("str")
                    .to_string(),
                l.amount.amount(),
            )
        })
        .collect();
    assert_eq!(lines, expected);
    let total: Decimal = sqlx::query_scalar(
        "SELECT total FROM invoices WHERE subscription_id = $1 AND issue_date = '2026-12-08'",
    )
    .bind(sub.id)
    .fetch_one(&pool)
    .await
    .expect("total");
    assert_eq!(total, preview.total.amount());
    // The plan change is billed: the next preview no longer carries it.
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM plan_changes WHERE invoice_id IS NULL"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn billing_date_changes_are_refused_with_the_reason() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let camille = sign_in(&app, CAMILLE, PASSWORD).await;
    let id = next_invoices(&app, &camille).await[0].id;
    let (status, text, _) = post(
        &app,
        "/api/billing_date_change",
        &format!("subscription_id={id}&billing_day=1"),
        Some(&camille),
    )
    .await;
    assert_eq!(status, 422);
    assert!(text.contains("billing_date_fixed"), "{text}");
    let (status, text, _) = post(
        &app,
        "/api/billing_date_change",
        &format!("subscription_id={id}&billing_day=40"),
        Some(&camille),
    )
    .await;
    assert_eq!(status, 422);
    assert!(text.contains("day_invalid"), "{text}");
}

#[tokio::test]
async fn a_failed_autopay_is_retried_and_can_be_paid_another_way() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    // Camille's card now declines (the sandbox declines instruments ending in 0002).
    sqlx::query("UPDATE customers SET card_last4 = '0002' WHERE customer_number = '300001'")
        .execute(&pool)
        .await
        .expect("card");
    let report = run(&pool, d(2026, 12, 8)).await;
    // Rafael's first, Awa's second and Camille's fourth invoice; only Camille's card declines.
    assert_eq!((report.invoiced, report.declined), (3, 1));
    let row: (String, Option<NaiveDate>, i32) = sqlx::query_as(
        "SELECT status, autopay_on, autopay_attempts FROM invoices
          WHERE issue_date = '2026-12-08' AND customer_id =
                (SELECT id FROM customers WHERE customer_number = '300001')",
    )
    .fetch_one(&pool)
    .await
    .expect("invoice");
    assert_eq!(row, ("failed".into(), Some(d(2026, 12, 11)), 1));

    let camille = sign_in(&app, CAMILLE, PASSWORD).await;
    let (status, body, _) = post(&app, "/api/payables", "", Some(&camille)).await;
    assert_eq!(status, 200);
    let payables: Vec<app::api::payables::PayableView> =
        serde_json::from_str(&body).expect("payables");
    assert_eq!(payables.len(), 1);
    let payable = &payables[0];
    assert_eq!(payable.reason, app::api::payables::PayReason::Declined);
    let pay = |method: &str, key: &str| {
        format!(
            "invoice_id={}&method={method}&idempotency_key={key}",
            payable.invoice_id
        )
    };
    // The card declines again; mobile money is not hers; SEPA needs a mandate first.
    let (status, text, _) = post(
        &app,
        "/api/pay_invoice",
        &pay("card", &payable.idempotency_key),
        Some(&camille),
    )
    .await;
    assert_eq!(status, 422);
    assert!(text.contains("payment_declined"), "{text}");
    let (status, text, _) = post(
        &app,
        "/api/pay_invoice",
        &pay("sepa", &payable.idempotency_key),
        Some(&camille),
    )
    .await;
    assert_eq!(status, 422);
    assert!(text.contains("payment_method_missing"), "{text}");
    let (status, text, _) = post(
        &app,
        "/api/activate_sepa",
        "account_holder=Camille+Martin&iban=FR7630006000011234567890189&consent=on&current_password=Satellite-demo-2024",
        Some(&camille),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let (status, text, _) = post(
        &app,
        "/api/pay_invoice",
        &pay("sepa", &payable.idempotency_key),
        Some(&camille),
    )
    .await;
    assert_eq!((status, text.as_str()), (200, "\"Paid\""));
    let (status, text, _) = post(
        &app,
        "/api/pay_invoice",
        &pay("sepa", &payable.idempotency_key),
        Some(&camille),
    )
    .await;
    assert_eq!(
        (status, text.as_str()),
        (200, "\"Paid\""),
        "the first answer again"
    );
    // The retry day comes: nothing left to charge.
    let retry = run(&pool, d(2026, 12, 11)).await;
    assert_eq!(retry.declined + retry.charged, 0);
    assert_eq!(
        count(&pool, "SELECT count(*) FROM payments p JOIN invoices i ON i.id = p.invoice_id WHERE i.issue_date = '2026-12-08' AND i.customer_id = (SELECT id FROM customers WHERE customer_number = '300001')").await,
        1
    );
}

#[tokio::test]
async fn mobile_money_is_recorded_once_however_often_it_is_confirmed() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let awa = sign_in(&app, AWA, PASSWORD).await;
    let (_, body, _) = post(&app, "/api/payables", "", Some(&awa)).await;
    let payables: Vec<app::api::payables::PayableView> =
        serde_json::from_str(&body).expect("payables");
    assert_eq!(payables.len(), 1);
    assert_eq!(
        payables[0].reason,
        app::api::payables::PayReason::MobileMoney
    );
    assert_eq!(
        payables[0]
            .methods
            .iter()
            .map(|m| m.method)
            .collect::<Vec<_>>(),
        [app::domain::billing::invoice_dates::PaymentMethod::MobileMoney]
    );
    let body = format!(
        "invoice_id={}&method=mobile_money&idempotency_key={}",
        payables[0].invoice_id, payables[0].idempotency_key
    );
    // Twenty confirmations at once with the same key: one payment, twenty consistent answers.
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (app, body, awa) = (app.clone(), body.clone(), awa.clone());
        tasks.spawn(async move { post(&app, "/api/pay_invoice", &body, Some(&awa)).await });
    }
    let outcomes: BTreeSet<(u16, String)> = tasks
        .join_all()
        .await
        .into_iter()
        .map(|(s, b, _)| (s, b))
        .collect();
    assert_eq!(
        outcomes,
        BTreeSet::from([(200, "\"Paid\"".to_string())]),
        "twenty identical answers"
    );
    // A second tab has its own key: the invoice is paid already, nothing is recorded.
    let (_, other, _) = post(&app, "/api/payables", "", Some(&awa)).await;
    assert_eq!(other, "[]");
    let second_tab = format!(
        "invoice_id={}&method=mobile_money&idempotency_key=0f6f2a52-9c1e-4c3e-8f43-3f7d2b8c1a99",
        payables[0].invoice_id
    );
    let (status, _, _) = post(&app, "/api/pay_invoice", &second_tab, Some(&awa)).await;
    assert_eq!(status, 409);
    assert_eq!(
        count(
            &pool,
            &format!(
                "SELECT count(*) FROM payments WHERE invoice_id = {}",
                payables[0].invoice_id
            )
        )
        .await,
        1
    );
    assert_eq!(invoices_of(&pool, "300003").await[0].3, "paid");
}

/// Graceful shutdown (issue 9, item 11): a run told to stop ends after the batch it is in,
/// with that batch whole; the next run goes on from there and everything is billed once.
#[tokio::test]
async fn a_run_told_to_stop_ends_between_batches() {
    let pool = common::db().await;
    let _app = app(pool.clone()).await;
    extra_subscriptions(&pool, 450, d(2026, 9, 1)).await;
    let gateway = Sandbox { pool: pool.clone() };
    let (_stop, stopping) = tokio::sync::watch::channel(true);
    let first = billing::run_until(&pool, &gateway, &common::keys(), today(), &stopping)
        .await
        .expect("run");
    assert!(first.stopped, "{first}");
    let billed = count(
        &pool,
        "SELECT count(*) FROM invoices i JOIN subscriptions s ON s.id = i.subscription_id
           JOIN contracts c ON c.id = s.contract_id WHERE c.contract_number LIKE 'X-%'",
    )
    .await;
    assert_eq!(
        u64::try_from(billed).expect("count"),
        first.invoiced,
        "what the stopped run reports is what is committed"
    );
    assert!(billed < 450 * 3, "it stopped before the end: {billed}");
    let rest = run(&pool, today()).await;
    assert!(!rest.stopped);
    assert_eq!(first.invoiced + rest.invoiced, 450 * 3, "{first} / {rest}");
    assert_gapless(&pool).await;
}
