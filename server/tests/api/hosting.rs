//! Hosting services (issue 8: X1–X4) on PostgreSQL: the seed's example quoted and confirmed
//! once (double submission, 20 concurrent confirmations), stale quotes, downgrades refused and
//! scheduled for the renewal, tariffs without upgrades, values the catalogue does not offer.

use std::collections::BTreeSet;

use crate::common;

use app::api::hosting::{Confirmed, QuoteAnswer, ServiceSummary, ServiceView};
use chrono::{Days, NaiveDate};
use common::{app, post, sign_in, today};
use rust_decimal::{Decimal, dec};
use server::demo::hosting::{HANNAH, PASSWORD};
use sqlx::PgPool;

async fn services(app: &axum::Router, cookie: &str) -> Vec<ServiceSummary> {
    let (status, body, _) = post(app, "/api/services", "", Some(cookie)).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).expect("services")
}

async fn service(app: &axum::Router, cookie: &str, id: i64) -> ServiceView {
    let (status, body, _) = post(
        app,
        "/api/service",
        &format!("contract_id={id}&lang=de"),
        Some(cookie),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).expect("service")
}

/// The form body of a configuration, brackets encoded as a browser sends them.
fn config(ram: i64, cpu: i64, disk: i64) -> String {
    format!("config%5Bram%5D={ram}&config%5Bcpu%5D={cpu}&config%5Bdisk%5D={disk}")
}

async fn quote(
    app: &axum::Router,
    cookie: &str,
    id: i64,
    version: i32,
    cfg: &str,
) -> (u16, String) {
    let (status, body, _) = post(
        app,
        "/api/quote_upgrade",
        &format!("contract_id={id}&version={version}&{cfg}"),
        Some(cookie),
    )
    .await;
    (status, body)
}

fn confirm_body(id: i64, version: i32, cfg: &str, key: &str) -> String {
    format!("contract_id={id}&version={version}&{cfg}&idempotency_key={key}")
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.expect(sql)
}

async fn invoice_status(pool: &PgPool, number: &str) -> String {
    sqlx::query_scalar("SELECT status FROM invoices WHERE number = $1")
        .bind(number)
        .fetch_one(pool)
        .await
        .expect("invoice")
}

async fn setup(pool: &PgPool) -> (axum::Router, String, i64, i64) {
    let app = app(pool.clone()).await;
    let cookie = sign_in(&app, HANNAH, PASSWORD).await;
    let list = services(&app, &cookie).await;
    assert_eq!(list.len(), 2);
    let vps = list
        .iter()
        .find(|s| s.hostname.starts_with("vps"))
        .expect("vps")
        .contract_id;
    let web = list
        .iter()
        .find(|s| s.hostname.starts_with("www"))
        .expect("web")
        .contract_id;
    (app, cookie, vps, web)
}

#[tokio::test]
async fn the_seed_example_is_quoted_and_confirmed_once() {
    let pool = common::db().await;
    let (app, cookie, vps, _) = setup(&pool).await;
    let view = service(&app, &cookie, vps).await;
    assert_eq!(
        view.options
            .iter()
            .map(|o| (o.code.as_str(), o.current))
            .collect::<Vec<_>>(),
        [("ram", 2), ("cpu", 2), ("disk", 50)]
    );
    assert_eq!(view.options[0].name, "Arbeitsspeicher");
    assert_eq!(view.offer.current_price(), Some(dec!(100.00)));
    let term_end = view.term.1;

    // RAM 2 → 8 GB: 100.00 → 200.00 with 183 of 366 days left.
    let (status, body) = quote(&app, &cookie, vps, view.version, &config(8, 2, 50)).await;
    assert_eq!(status, 200, "{body}");
    let QuoteAnswer::Upgrade {
        quote,
        idempotency_key,
        version,
        ..
    } = serde_json::from_str(&body).expect("quote")
    else {
        panic!("upgrade expected: {body}");
    };
    assert_eq!((quote.days_remaining, quote.days_total), (183, 366));
    assert_eq!(
        (
            quote.charge.amount(),
            quote.credit.amount(),
            quote.net.amount()
        ),
        (dec!(100.00), dec!(50.00), dec!(50.00))
    );
    // The browser computes the same figures with the same rule.
    let mut wanted = view.offer.current.clone();
    wanted.insert("ram".into(), 8);
    assert_eq!(view.offer.decide(&wanted, view.today), Ok(quote));

    let invoices_before = count(&pool, "SELECT count(*) FROM invoices").await;
    let body = confirm_body(vps, version, &config(8, 2, 50), &idempotency_key);
    let (status, first, _) = post(&app, "/api/confirm_upgrade", &body, Some(&cookie)).await;
    assert_eq!(status, 200, "{first}");
    // A double click or a network retry with the same key replays the answer, byte for byte.
    let (status, again, _) = post(&app, "/api/confirm_upgrade", &body, Some(&cookie)).await;
    assert_eq!((status, again.as_str()), (200, first.as_str()));
    let first: Confirmed = serde_json::from_str(&first).expect("confirmed");
    assert_eq!(
        count(&pool, "SELECT count(*) FROM invoices").await,
        invoices_before + 1
    );
    // Charged to the stored card at once, as the term was (issue 28 item 5).
    assert!(first.paid);
    assert_eq!(invoice_status(&pool, &first.invoice_number).await, "paid");

    let lines: Vec<(String, Decimal)> = sqlx::query_as(
        "SELECT l.kind, l.amount FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
          WHERE i.number = $1 ORDER BY l.position",
    )
    .bind(&first.invoice_number)
    .fetch_all(&pool)
    .await
    .expect("lines");
    assert_eq!(
        lines,
        [
            ("one_off".into(), dec!(100.00)),
            ("correction".into(), dec!(-50.00))
        ]
    );
    let (issue, total): (NaiveDate, Decimal) =
        sqlx::query_as("SELECT issue_date, total FROM invoices WHERE number = $1")
            .bind(&first.invoice_number)
            .fetch_one(&pool)
            .await
            .expect("invoice");
    assert_eq!((issue, total), (today(), dec!(50.00)));
    let after = service(&app, &cookie, vps).await;
    assert_eq!(after.options[0].current, 8);
    assert_eq!(after.term.1, term_end, "the term end stays");
    assert_eq!(after.version, view.version + 1);
    // The audit record: who, what, at which price.
    let audit: (String, String, Decimal, Decimal, i32, i32) = sqlx::query_as(
        "SELECT h.status, l.email, h.old_price, h.new_price, h.days_remaining, h.days_total
           FROM hosting_changes h JOIN logins l ON l.id = h.login_id WHERE h.contract_id = $1",
    )
    .bind(vps)
    .fetch_one(&pool)
    .await
    .expect("audit");
    assert_eq!(
        audit,
        (
            "applied".into(),
            HANNAH.into(),
            dec!(100.00),
            dec!(200.00),
            183,
            366
        )
    );
}

#[tokio::test]
async fn twenty_concurrent_confirmations_give_one_invoice_and_a_stale_quote_is_refused() {
    let pool = common::db().await;
    let (app, cookie, vps, _) = setup(&pool).await;
    let view = service(&app, &cookie, vps).await;
    let (_, body) = quote(&app, &cookie, vps, view.version, &config(4, 2, 100)).await;
    let QuoteAnswer::Upgrade {
        idempotency_key,
        version,
        ..
    } = serde_json::from_str(&body).expect("quote")
    else {
        panic!("upgrade expected");
    };
    // A second tab quoted the same configuration: it has its own key.
    let (_, other_tab) = quote(&app, &cookie, vps, view.version, &config(16, 2, 50)).await;
    let QuoteAnswer::Upgrade {
        idempotency_key: other_key,
        ..
    } = serde_json::from_str(&other_tab).expect("quote")
    else {
        panic!("upgrade expected");
    };
    let invoices_before = count(&pool, "SELECT count(*) FROM invoices").await;
    let body = confirm_body(vps, version, &config(4, 2, 100), &idempotency_key);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (app, body, cookie) = (app.clone(), body.clone(), cookie.clone());
        tasks.spawn(async move { post(&app, "/api/confirm_upgrade", &body, Some(&cookie)).await });
    }
    // Twenty identical answers.
    let answers: BTreeSet<(u16, String)> = tasks
        .join_all()
        .await
        .into_iter()
        .map(|(status, body, _)| (status, body))
        .collect();
    assert_eq!(answers.len(), 1, "{answers:?}");
    let (status, body) = answers.first().expect("answer");
    assert_eq!(*status, 200, "{body}");
    let _: Confirmed = serde_json::from_str(body).expect("confirmed");
    assert_eq!(
        count(&pool, "SELECT count(*) FROM invoices").await,
        invoices_before + 1
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM hosting_changes WHERE status = 'applied'"
        )
        .await,
        1
    );

    // The other tab's quote was made on the old configuration: stale, nothing written.
    let (status, _, _) = post(
        &app,
        "/api/confirm_upgrade",
        &confirm_body(vps, version, &config(16, 2, 50), &other_key),
        Some(&cookie),
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(
        count(&pool, "SELECT count(*) FROM invoices").await,
        invoices_before + 1
    );
    // Quoted again on the current configuration, it goes through.
    let current = service(&app, &cookie, vps).await;
    let (status, body) = quote(&app, &cookie, vps, current.version, &config(16, 2, 100)).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn a_downgrade_is_refused_in_term_and_can_be_scheduled_and_withdrawn() {
    let pool = common::db().await;
    let (app, cookie, vps, web) = setup(&pool).await;
    let view = service(&app, &cookie, vps).await;
    let renewal = view.term.1 + Days::new(1);
    // 2 → 1 vCPU is lower, even with more RAM.
    let (status, body) = quote(&app, &cookie, vps, view.version, &config(8, 1, 50)).await;
    assert_eq!(status, 200, "{body}");
    let answer: QuoteAnswer = serde_json::from_str(&body).expect("answer");
    assert!(
        matches!(answer, QuoteAnswer::Downgrade { renewal: r, .. } if r == renewal),
        "{answer:?}"
    );
    let (status, text, _) = post(
        &app,
        "/api/confirm_upgrade",
        &confirm_body(
            vps,
            view.version,
            &config(8, 1, 50),
            "7d1f0b9e-5c2a-4f7e-9b3d-2a6c8e4f1a05",
        ),
        Some(&cookie),
    )
    .await;
    assert_eq!(status, 422);
    assert!(text.contains("downgrade_in_term"), "{text}");

    let schedule = format!(
        "contract_id={vps}&version={}&{}",
        view.version,
        config(2, 1, 50)
    );
    let (status, text, _) = post(&app, "/api/schedule_downgrade", &schedule, Some(&cookie)).await;
    assert_eq!(
        (status, text.trim_matches('"')),
        (200, renewal.to_string().as_str())
    );
    let (status, text, _) = post(&app, "/api/schedule_downgrade", &schedule, Some(&cookie)).await;
    assert_eq!(status, 422);
    assert!(text.contains("downgrade_scheduled"), "{text}");
    let scheduled = service(&app, &cookie, vps)
        .await
        .scheduled
        .expect("scheduled");
    assert_eq!(
        (scheduled.effective_on, scheduled.new_price),
        (renewal, dec!(90.00))
    );
    // Nothing changed today, nothing was invoiced.
    assert_eq!(service(&app, &cookie, vps).await.options[1].current, 2);
    let (status, _, _) = post(
        &app,
        "/api/withdraw_downgrade",
        &format!("contract_id={vps}&change_id={}", scheduled.id),
        Some(&cookie),
    )
    .await;
    assert_eq!(status, 200);
    assert!(service(&app, &cookie, vps).await.scheduled.is_none());

    // Values the catalogue does not offer, and a tariff without upgrades.
    let (status, text) = quote(&app, &cookie, vps, view.version, &config(3, 2, 50)).await;
    assert_eq!(status, 422);
    assert!(text.contains("config_invalid"), "{text}");
    let web_view = service(&app, &cookie, web).await;
    assert!(!web_view.upgradable && web_view.options.is_empty());
    assert!(web_view.sales_url.starts_with("https://"));
    let (status, text, _) = post(
        &app,
        "/api/quote_upgrade",
        &format!("contract_id={web}&version=1&{}", config(2, 2, 50)),
        Some(&cookie),
    )
    .await;
    assert_eq!(status, 422, "{text}");
    assert!(text.contains("not_upgradable"), "{text}");
}

/// Confirms RAM 2 → 8 GB on the VPS (the seed's example) and returns what the portal answered.
async fn upgrade_ram(app: &axum::Router, cookie: &str, vps: i64) -> Confirmed {
    let view = service(app, cookie, vps).await;
    let (_, body) = quote(app, cookie, vps, view.version, &config(8, 2, 50)).await;
    let QuoteAnswer::Upgrade {
        idempotency_key,
        version,
        ..
    } = serde_json::from_str(&body).expect("quote")
    else {
        panic!("upgrade expected: {body}");
    };
    let body = confirm_body(vps, version, &config(8, 2, 50), &idempotency_key);
    let (status, text, _) = post(app, "/api/confirm_upgrade", &body, Some(cookie)).await;
    assert_eq!(status, 200, "{text}");
    serde_json::from_str(&text).expect("confirmed")
}

#[tokio::test]
async fn an_upgrade_no_card_pays_waits_for_the_customer_with_a_pay_button() {
    use app::api::payables::{PayReason, PayableView};
    let pool = common::db().await;
    let (app, cookie, vps, _) = setup(&pool).await;
    // A card the sandbox declines: the invoice is payable with another method.
    sqlx::query("UPDATE customers SET card_last4 = '0002' WHERE customer_number = '400001'")
        .execute(&pool)
        .await
        .expect("card");
    let declined = upgrade_ram(&app, &cookie, vps).await;
    assert!(!declined.paid);
    assert_eq!(
        invoice_status(&pool, &declined.invoice_number).await,
        "failed"
    );
    let (_, body, _) = post(&app, "/api/payables", "", Some(&cookie)).await;
    let payables: Vec<PayableView> = serde_json::from_str(&body).expect("payables");
    assert_eq!(
        payables
            .iter()
            .map(|p| (p.number.as_str(), p.reason, p.amount_due))
            .collect::<Vec<_>>(),
        [(
            declined.invoice_number.as_str(),
            PayReason::Declined,
            dec!(50.00)
        )]
    );
    // No card at all: it waits for the customer, said as such (not as a failed debit).
    let pool2 = common::db().await;
    let (app, cookie, vps, _) = setup(&pool2).await;
    sqlx::query("UPDATE customers SET card_last4 = NULL WHERE customer_number = '400001'")
        .execute(&pool2)
        .await
        .expect("no card");
    let unpaid = upgrade_ram(&app, &cookie, vps).await;
    assert!(!unpaid.paid);
    assert_eq!(
        invoice_status(&pool2, &unpaid.invoice_number).await,
        "action_required"
    );
    let (_, body, _) = post(&app, "/api/payables", "", Some(&cookie)).await;
    let payables: Vec<PayableView> = serde_json::from_str(&body).expect("payables");
    assert_eq!(payables.len(), 1);
    assert_eq!(payables[0].reason, PayReason::Due);
}

async fn run_billing(pool: &PgPool, day: NaiveDate) -> app::backend::billing::RunReport {
    let gateway = app::backend::payment_gateway::Sandbox { pool: pool.clone() };
    app::backend::billing::run(pool, &gateway, &common::keys(), day)
        .await
        .expect("billing run")
}

#[tokio::test]
async fn on_the_day_after_the_term_the_next_term_is_invoiced_with_the_scheduled_downgrade() {
    let pool = common::db().await;
    let (app, cookie, vps, _) = setup(&pool).await;
    let view = service(&app, &cookie, vps).await;
    let (t1, renewal) = (view.term.1, view.term.1 + Days::new(1));
    let schedule = format!(
        "contract_id={vps}&version={}&{}",
        view.version,
        config(2, 1, 50)
    );
    let (status, text, _) = post(&app, "/api/schedule_downgrade", &schedule, Some(&cookie)).await;
    assert_eq!(status, 200, "{text}");
    // On T1 nothing happens; on T1 + 1 the VPS is renewed (the web hosting's term runs on).
    assert_eq!(run_billing(&pool, t1).await.renewed, 0);
    let report = run_billing(&pool, renewal).await;
    assert_eq!(
        (report.renewed, report.ended, report.errors),
        (1, 0, 0),
        "{report}"
    );
    let next_end = NaiveDate::from_ymd_opt(2028, 5, 23).expect("date");
    let invoice: (String, NaiveDate, NaiveDate, NaiveDate, String, Decimal) = sqlx::query_as(
        "SELECT i.number, i.issue_date, i.period_start, i.period_end, i.status, i.total
           FROM invoices i JOIN invoice_lines l ON l.invoice_id = i.id
          WHERE l.contract_id = $1 AND i.period_start = $2",
    )
    .bind(vps)
    .bind(renewal)
    .fetch_one(&pool)
    .await
    .expect("renewal invoice");
    // 2 GB RAM, 1 vCPU, 50 GB: 40 + 20 + 10 + 20, charged to the card.
    assert_eq!(
        (
            &invoice.1,
            &invoice.2,
            &invoice.3,
            invoice.4.as_str(),
            invoice.5
        ),
        (&renewal, &renewal, &next_end, "paid", dec!(90.00))
    );
    let line: String = sqlx::query_scalar(
        "SELECT l.description FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
          WHERE i.number = $1",
    )
    .bind(&invoice.0)
    .fetch_one(&pool)
    .await
    .expect("line");
    assert!(
        line.starts_with("Nächste Laufzeit von vps-4711.lumen-hosting.example"),
        "{line}"
    );
    let after = service(&app, &cookie, vps).await;
    assert_eq!((after.term.0, after.term.1), (renewal, next_end));
    assert_eq!(after.options[1].current, 1, "the downgrade applied");
    assert!(after.scheduled.is_none());
    assert_eq!(
        count(
            &pool,
            &format!(
                "SELECT count(*) FROM hosting_changes h JOIN invoices i ON i.id = h.invoice_id
                  WHERE h.contract_id = {vps} AND h.status = 'applied' AND i.number = '{}'",
                invoice.0
            )
        )
        .await,
        1
    );
    // Run again: nothing more.
    let again = run_billing(&pool, renewal).await;
    assert_eq!((again.renewed, again.ended), (0, 0));
}

#[tokio::test]
async fn a_service_the_provider_does_not_renew_ends_with_its_term() {
    use app::backend::provider_keys::Scope;
    let pool = common::db().await;
    let (app, cookie, vps, _) = setup(&pool).await;
    let view = service(&app, &cookie, vps).await;
    let start: NaiveDate =
        sqlx::query_scalar("SELECT start_date FROM contracts WHERE contract_number = '400001-01'")
            .fetch_one(&pool)
            .await
            .expect("start");
    let write = crate::provider::key(&pool, &[Scope::Write]).await;
    let body = |auto_renew: bool, service: &str| {
        serde_json::json!({
            "customer": "400001", "service": service, "tariff": "VPS-12", "status": "active",
            "start_date": start, "auto_renew": auto_renew
        })
        .to_string()
    };
    let put = async |path: &str, body: String| {
        crate::provider::call(
            &app,
            "PUT",
            path,
            Some(&write),
            &[("content-type", "application/json")],
            body,
        )
        .await
    };
    let answer = put("/provider/v1/contracts/400001-01", body(false, "hosting")).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["result"], "updated");
    let answer = put("/provider/v1/contracts/400001-01", body(false, "hosting")).await;
    assert_eq!(answer.json()["result"], "unchanged");
    let answer = put("/provider/v1/contracts/100001-04", body(false, "mobile")).await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    let vps_invoices = format!(
        "SELECT count(DISTINCT i.id) FROM invoices i JOIN invoice_lines l ON l.invoice_id = i.id
          WHERE l.contract_id = {vps}"
    );
    let before = count(&pool, &vps_invoices).await;
    let report = run_billing(&pool, view.term.1 + Days::new(1)).await;
    assert_eq!((report.renewed, report.ended), (0, 1), "{report}");
    let (status, end): (String, Option<NaiveDate>) =
        sqlx::query_as("SELECT status, end_date FROM contracts WHERE id = $1")
            .bind(vps)
            .fetch_one(&pool)
            .await
            .expect("contract");
    assert_eq!((status.as_str(), end), ("cancelled", Some(view.term.1)));
    assert_eq!(
        count(&pool, &vps_invoices).await,
        before,
        "no next term invoiced"
    );
}
