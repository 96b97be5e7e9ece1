//! Home products (H2–H4): meters against the allowance, option changes with exactly one
//! proration line, consumption alerts fired once per cycle by ingestion, move requests; with
//! the L2 rights of a user link.

use crate::common;

use app::{
    api::products::{Product, Products},
    backend::repo::usage::{NewUsage, ingest},
    domain::{
        account::{AlertMetric, MoveStatus, UsageKind},
        billing::proration::prorate,
        calendar::DateRange,
        money::Currency,
    },
};
use common::{app, post, post_keyed, sign_in, today};
use rust_decimal::{Decimal, dec};
use sqlx::PgPool;

const CLAIRE: (&str, &str) = ("claire.dubois@example.be", "Trio-demo-2024");

async fn products(app: &axum::Router, cookie: &str) -> Products {
    let (status, body, _) = post(app, "/api/products", "lang=en", Some(cookie)).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).expect("products")
}

fn line<'a>(products: &'a Products, number: &str) -> &'a Product {
    products
        .products
        .iter()
        .find(|p| p.contract_number == number)
        .expect("line")
}

/// Trio's cycle on the test day: anchored on the 5th, 2026-11-05..2026-12-04.
fn trio_cycle() -> DateRange {
    DateRange::new(
        chrono::NaiveDate::from_ymd_opt(2026, 11, 5).expect("date"),
        chrono::NaiveDate::from_ymd_opt(2026, 12, 4).expect("date"),
    )
    .expect("cycle")
}

async fn pending(pool: &PgPool, contract: &str) -> Vec<(String, Decimal)> {
    sqlx::query_as(
        "SELECT pc.change, pc.amount FROM pending_charges pc
           JOIN contracts c ON c.id = pc.contract_id
          WHERE c.contract_number = $1 ORDER BY pc.id",
    )
    .bind(contract)
    .fetch_all(pool)
    .await
    .expect("pending charges")
}

#[tokio::test]
async fn a_holder_sees_meters_options_alerts_and_the_move() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let claire = sign_in(&app, CLAIRE.0, CLAIRE.1).await;
    let all = products(&app, &claire).await;
    assert!(all.editable);
    let numbers: Vec<_> = all
        .products
        .iter()
        .map(|p| p.contract_number.as_str())
        .collect();
    assert_eq!(
        numbers,
        ["100001-01", "100001-02", "100001-03", "100001-04"]
    );

    let mobile = line(&all, "100001-04");
    let start = trio_cycle().start();
    assert_eq!(mobile.cycle, Some((start, trio_cycle().end())));
    // 10 GB of the tariff plus 5 GB of the active data option; 200 minutes.
    let data = mobile
        .meters
        .iter()
        .find(|m| m.metric == AlertMetric::Data)
        .expect("data");
    assert_eq!(data.included, Some(dec!(15)));
    let used_mb: Decimal = sqlx::query_scalar(
        "SELECT sum(quantity) FROM usage_records u JOIN contracts c ON c.id = u.contract_id
          WHERE c.contract_number = '100001-04' AND kind = 'data' AND usage_date >= $1",
    )
    .bind(start)
    .fetch_one(&pool)
    .await
    .expect("usage");
    assert_eq!(data.used, used_mb / dec!(1000));
    let minutes = mobile
        .meters
        .iter()
        .find(|m| m.metric == AlertMetric::Minutes)
        .expect("min");
    assert_eq!(minutes.included, Some(dec!(200)));
    assert!(
        line(&all, "100001-01").meters.is_empty(),
        "TV has nothing to measure"
    );

    // Options of the line's service, with today's prorated amount: 13 of 30 days.
    let tv = line(&all, "100001-01");
    let decoder = tv
        .options
        .iter()
        .find(|o| o.code == "TV-DECODER")
        .expect("decoder");
    assert!(!decoder.active);
    assert_eq!(decoder.change_amount, Some(dec!(2.17)));
    assert_eq!((decoder.days_left, decoder.cycle_days), (13, 30));
    let sport = tv
        .options
        .iter()
        .find(|o| o.code == "TV-SPORT")
        .expect("sport");
    assert!(sport.active);
    assert_eq!(
        sport.change_amount,
        Some(dec!(-4.33)),
        "a credit when deactivating"
    );
    assert!(tv.options.iter().all(|o| !o.code.starts_with("MOB")));

    // The demo's alerts and its confirmed move.
    assert_eq!(mobile.alerts.len(), 1);
    assert!(mobile.alerts[0].fired, "5 GB is crossed in this cycle");
    let fixed = line(&all, "100001-03");
    assert_eq!(fixed.alerts[0].metric, AlertMetric::Spend);
    assert!(!fixed.alerts[0].fired);
    let internet = line(&all, "100001-02");
    let open = internet.open_move.as_ref().expect("move");
    assert_eq!(open.status, MoveStatus::Confirmed);
    assert!(!mobile.movable, "a mobile line does not move");
}

#[tokio::test]
async fn activating_writes_the_change_and_one_proration_line() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let claire = sign_in(&app, CLAIRE.0, CLAIRE.1).await;
    let expected = prorate(trio_cycle(), today(), dec!(0), dec!(5.00), Currency::EUR)
        .expect("in cycle")
        .amount();
    assert_eq!(expected, dec!(2.17));
    let activate = "contract_number=100001-01&option_code=TV-DECODER&change=activate";

    // An amount that is not today's (an old page) writes nothing.
    let (status, body, _) = post_keyed(
        &app,
        "/api/change_option",
        &format!("{activate}&shown_amount=2.50"),
        Some(&claire),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert!(pending(&pool, "100001-01").await.is_empty());

    let confirm = format!("{activate}&shown_amount=2.17");
    let (status, body, _) = post_keyed(&app, "/api/change_option", &confirm, Some(&claire)).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("\"active\":true") && body.contains("\"amount\":\"2.17\""),
        "{body}"
    );
    // The same confirmation again (double click, second window): refused, still one line.
    let (status, _, _) = post_keyed(&app, "/api/change_option", &confirm, Some(&claire)).await;
    assert_eq!(status, 409);
    assert_eq!(
        pending(&pool, "100001-01").await,
        [("activate".to_string(), dec!(2.17))]
    );
    let tv = products(&app, &claire).await;
    let decoder = line(&tv, "100001-01")
        .options
        .iter()
        .find(|o| o.code == "TV-DECODER")
        .cloned()
        .expect("decoder");
    assert!(decoder.active);
    assert_eq!(decoder.since, Some(today()));
    assert_eq!(decoder.change_amount, Some(dec!(-2.17)));
    let description: String =
        sqlx::query_scalar("SELECT description FROM pending_charges ORDER BY id DESC LIMIT 1")
            .fetch_one(&pool)
            .await
            .expect("description");
    assert!(
        description.starts_with("Décodeur supplémentaire"),
        "{description}"
    );

    // Deactivating the same day credits it back; activating again is a new activation.
    let (status, _, _) = post_keyed(
        &app,
        "/api/change_option",
        "contract_number=100001-01&option_code=TV-DECODER&change=deactivate&shown_amount=-2.17",
        Some(&claire),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _, _) = post_keyed(&app, "/api/change_option", &confirm, Some(&claire)).await;
    assert_eq!(status, 200);
    let lines = pending(&pool, "100001-01").await;
    assert_eq!(lines.len(), 3);
    assert_eq!(lines.iter().map(|(_, a)| *a).sum::<Decimal>(), dec!(2.17));

    // A free option changes without a line; an option of another service does not exist here.
    let (status, _, _) = post_keyed(
        &app,
        "/api/change_option",
        "contract_number=100001-03&option_code=FIX-BARRING&change=activate&shown_amount=0",
        Some(&claire),
    )
    .await;
    assert_eq!(status, 200);
    assert!(pending(&pool, "100001-03").await.is_empty());
    let (status, _, _) = post_keyed(
        &app,
        "/api/change_option",
        "contract_number=100001-01&option_code=MOB-UNLIMITED&change=activate&shown_amount=4.33",
        Some(&claire),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_user_link_reads_its_line_and_changes_nothing() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let max = sign_in(&app, "max.becker@example.de", "Mobil-demo-2024").await;
    let seen = products(&app, &max).await;
    assert!(!seen.editable);
    assert_eq!(seen.products.len(), 1);
    let own = &seen.products[0];
    assert_eq!(own.contract_number, "200001-02");
    assert!(!own.options.is_empty(), "the line's options, read only");
    assert!(own.alerts.is_empty() && own.alert_metrics.is_empty() && !own.movable);
    for (path, body) in [
        (
            "/api/change_option",
            "contract_number=200001-02&option_code=MOB-UNLIMITED&change=activate&shown_amount=0\
&idempotency_key=0e4f6a2b-1c3d-4e5f-8a9b-0c1d2e3f4a5b",
        ),
        (
            "/api/save_alert",
            "contract_number=200001-02&metric=data&threshold=5",
        ),
        (
            "/api/request_move",
            "contract_number=200001-02&street=A+1&postal_code=10115&city=Berlin&wished_date=2026-12-10",
        ),
    ] {
        let (status, text, _) = post(&app, path, body, Some(&max)).await;
        assert_eq!(status, 404, "{path}: {text}");
    }
    // And the holder of another number gets "not found" for Trio's lines.
    let lena = sign_in(&app, "lena.schmidt@example.de", "Mobil-demo-2024").await;
    let (status, _, _) = post(
        &app,
        "/api/save_alert",
        "contract_number=100001-04&metric=data&threshold=5",
        Some(&lena),
    )
    .await;
    assert_eq!(status, 404);
}

fn data_usage(contract_id: i64, day: chrono::NaiveDate, mb: i64) -> NewUsage {
    NewUsage {
        contract_id,
        kind: UsageKind::Data,
        started_at: day.and_hms_opt(9, 0, 0).expect("time"),
        quantity: Decimal::from(mb),
        charge: Decimal::ZERO,
        destination: None,
        invoice_id: None,
        record_id: None,
    }
}

#[tokio::test]
async fn an_alert_fires_once_per_cycle() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let claire = sign_in(&app, CLAIRE.0, CLAIRE.1).await;
    for (threshold, problem) in [
        ("0", "threshold_invalid"),
        ("", "required"),
        ("2.55", "threshold_invalid"),
    ] {
        let (status, body, _) = post(
            &app,
            "/api/save_alert",
            &format!("contract_number=100001-02&metric=data&threshold={threshold}"),
            Some(&claire),
        )
        .await;
        assert_eq!(status, 422, "{threshold}: {body}");
        assert!(body.contains(problem), "{threshold}: {body}");
    }
    let (status, body, _) = post(
        &app,
        "/api/save_alert",
        "contract_number=100001-02&metric=minutes&threshold=10",
        Some(&claire),
    )
    .await;
    assert_eq!(status, 422, "an internet line has no minutes: {body}");

    // The internet line has used far more than 1 GB this cycle; the alert fires at the next
    // usage that arrives.
    let (status, body, _) = post(
        &app,
        "/api/save_alert",
        "contract_number=100001-02&metric=data&threshold=1000",
        Some(&claire),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let internet: i64 =
        sqlx::query_scalar("SELECT id FROM contracts WHERE contract_number = '100001-02'")
            .fetch_one(&pool)
            .await
            .expect("line");
    let alerts = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM messages m JOIN customers c ON c.id = m.customer_id
              WHERE c.customer_number = '100001' AND m.kind = 'alert' AND m.subject LIKE '%100001-02'",
        )
        .fetch_one(&pool)
        .await
        .expect("messages")
    };
    assert_eq!(alerts().await, 0);
    let mut tx = pool.begin().await.expect("tx");
    ingest(&mut tx, &[data_usage(internet, today(), 10)])
        .await
        .expect("ingest");
    tx.commit().await.expect("commit");
    assert_eq!(alerts().await, 0, "1000 GB is not reached");

    let (status, _, _) = post(
        &app,
        "/api/save_alert",
        "contract_number=100001-02&metric=data&threshold=1,5",
        Some(&claire),
    )
    .await;
    assert_eq!(status, 200);
    for _ in 0..2 {
        let mut tx = pool.begin().await.expect("tx");
        ingest(&mut tx, &[data_usage(internet, today(), 10)])
            .await
            .expect("ingest");
        tx.commit().await.expect("commit");
    }
    assert_eq!(alerts().await, 1, "once in this cycle");
    let body: String = sqlx::query_scalar(
        "SELECT body FROM messages WHERE kind = 'alert' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .expect("body");
    assert!(
        body.contains("alert at 1.5 GB"),
        "in the language the holder login chose last (English): {body}"
    );

    // Usage of the next cycle crosses it again: a second message.
    let next = trio_cycle().end().succ_opt().expect("next day");
    let mut tx = pool.begin().await.expect("tx");
    ingest(&mut tx, &[data_usage(internet, next, 1600)])
        .await
        .expect("ingest");
    tx.commit().await.expect("commit");
    assert_eq!(alerts().await, 2);

    let (status, _, _) = post(
        &app,
        "/api/delete_alert",
        "contract_number=100001-02&metric=data",
        Some(&claire),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _, _) = post(
        &app,
        "/api/delete_alert",
        "contract_number=100001-02&metric=data",
        Some(&claire),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_move_is_validated_requested_and_withdrawn() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let claire = sign_in(&app, CLAIRE.0, CLAIRE.1).await;
    let (status, body, _) = post(
        &app,
        "/api/request_move",
        "contract_number=100001-01&street=x&postal_code=400&city=&wished_date=2026-11-25",
        Some(&claire),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    for problem in [
        "address_invalid",
        "postal_code_invalid",
        "required",
        "move_too_soon",
    ] {
        assert!(body.contains(problem), "{problem}: {body}");
    }
    let count = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM move_requests m JOIN contracts c ON c.id = m.contract_id
              WHERE c.contract_number = '100001-01'",
        )
        .fetch_one(&pool)
        .await
        .expect("count")
    };
    assert_eq!(count().await, 0, "nothing stored for refused input");

    let valid = "contract_number=100001-01&street=Rue+Haute+5&postal_code=1000&city=Bruxelles&wished_date=2026-12-20";
    let (status, body, _) = post(&app, "/api/request_move", valid, Some(&claire)).await;
    assert_eq!(status, 200, "{body}");
    let (status, _, _) = post(&app, "/api/request_move", valid, Some(&claire)).await;
    assert_eq!(status, 409, "one open request per line");
    // Its status is in the inbox, once, in the language Claire chose last (she signed in on the
    // English page; her household's stored language is French).
    let (_, inbox, _) = post(&app, "/api/messages", "", Some(&claire)).await;
    assert_eq!(
        inbox
            .matches("Move request received for line 100001-01")
            .count(),
        1,
        "{inbox}"
    );
    let tv = products(&app, &claire).await;
    let open = line(&tv, "100001-01").open_move.clone().expect("open");
    assert_eq!(open.status, MoveStatus::Requested);
    assert_eq!(open.requested_on, today());

    let (status, _, _) = post(
        &app,
        "/api/cancel_move",
        "contract_number=100001-01",
        Some(&claire),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _, _) = post(
        &app,
        "/api/cancel_move",
        "contract_number=100001-01",
        Some(&claire),
    )
    .await;
    assert_eq!(status, 409);
    // A move the provider confirmed is not withdrawn online.
    let (status, _, _) = post(
        &app,
        "/api/cancel_move",
        "contract_number=100001-02",
        Some(&claire),
    )
    .await;
    assert_eq!(status, 409);
    let (status, _, _) = post(
        &app,
        "/api/request_move",
        "contract_number=100001-04&street=Rue+Haute+5&postal_code=1000&city=Bruxelles&wished_date=2026-12-20",
        Some(&claire),
    )
    .await;
    assert_eq!(status, 404, "a mobile line does not move");
}

#[tokio::test]
async fn a_login_without_links_has_no_products() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let cookie = common::register(&app, &pool, "new.person@example.be").await;
    let none = products(&app, &cookie).await;
    assert!(none.products.is_empty());
}

/// Issue 23: inbox texts are in the language the household's holder login chose last (its
/// sign-in page, then the language switch), not in the customer's stored language.
#[tokio::test]
async fn the_inbox_follows_the_language_the_holder_chose_last() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let claire = sign_in(&app, CLAIRE.0, CLAIRE.1).await;
    let chosen = || async {
        sqlx::query_scalar::<_, String>("SELECT language FROM logins WHERE email = $1")
            .bind(CLAIRE.0)
            .fetch_one(&pool)
            .await
            .expect("language")
    };
    assert_eq!(chosen().await, "en", "the sign-in page's language");
    let (status, _, _) = common::get(&app, "/locale/de?next=/", Some(&claire)).await;
    assert_eq!(status, 303);
    assert_eq!(chosen().await, "de", "the language switch");
    let valid = "contract_number=100001-01&street=Rue+Haute+5&postal_code=1000&city=Bruxelles&wished_date=2026-12-20";
    let (status, body, _) = post(&app, "/api/request_move", valid, Some(&claire)).await;
    assert_eq!(status, 200, "{body}");
    let subject: String = sqlx::query_scalar(
        "SELECT subject FROM messages WHERE kind = 'move_status' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .expect("subject");
    assert!(subject.starts_with("Umzugsantrag"), "{subject}");
}
