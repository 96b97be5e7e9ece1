//! The provider API's upserts (issue 28 item 2): a household pushed through `PUT`s is linked
//! and seen by its holder; sent again it is "unchanged"; what contradicts the stored records
//! is refused with the fields or the conflict named, and nothing is half-written.

use crate::{
    common::{self, post, register},
    provider::{Answer, call, key},
};

use app::backend::provider_keys::Scope;
use axum::Router;
use serde_json::{Value, json};
use sqlx::PgPool;

async fn put(app: &Router, key: &str, path: &str, body: Value) -> Answer {
    call(
        app,
        "PUT",
        path,
        Some(key),
        &[("content-type", "application/json")],
        body.to_string(),
    )
    .await
}

/// The result of an upsert that must have worked: (status, "created" | "updated" | "unchanged").
fn done(answer: &Answer) -> (u16, String) {
    assert!(
        answer.status == 200 || answer.status == 201,
        "{}: {}",
        answer.status,
        answer.body
    );
    (
        answer.status,
        answer.json()["result"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

/// The fields a 422 names.
fn fields(answer: &Answer) -> Vec<String> {
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert_eq!(answer.content_type, "application/problem+json");
    answer.json()["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn customer() -> Value {
    json!({
        "segment": "private", "country": "BE", "language": "nl",
        "first_name": "Pieter", "last_name": "Janssens", "email": "pieter@example.be",
        "phone": "+32 470 99 88 77", "street": "Kerkstraat 5", "postal_code": "9000",
        "city": "Gent", "contract_password": "Janssens-900001"
    })
}

fn contract(options: &[&str]) -> Value {
    json!({
        "customer": "900001", "service": "mobile", "phone_number": "+32 470 99 88 77",
        "tariff": "API-MOB-5", "status": "active", "start_date": "2026-10-01",
        "options": options
    })
}

fn invoice() -> Value {
    json!({
        "customer": "900001", "issue_date": "2026-11-01", "due_date": "2026-11-15",
        "period_start": "2026-11-01", "period_end": "2026-11-30",
        "lines": [
            {"kind": "recurring", "description": "Mobile 5 GB", "contract": "900001-01",
             "amount": "12.50", "vat_rate": "21"},
            {"kind": "option", "description": "Roaming", "contract": "900001-01",
             "amount": "4.99", "vat_rate": "21.00"}
        ]
    })
}

/// The catalogue, customer 900001 and its contract 900001-01 with the roaming option.
async fn household(app: &Router, write: &str) {
    let tariff = json!({
        "service": "mobile", "name": "Mobile 5 GB", "monthly_price": "12.50",
        "data_allowance_mb": 5000, "minutes_allowance": 100
    });
    let option = |name: &str| {
        json!({
            "service": "mobile",
            "names": {"de": name, "fr": name, "nl": name, "en": name},
            "monthly_price": "4.99", "extra_data_mb": 1000
        })
    };
    for (path, body) in [
        ("/provider/v1/tariffs/API-MOB-5", tariff),
        ("/provider/v1/options/API-ROAM", option("Roaming")),
        ("/provider/v1/options/API-DATA", option("Data+")),
        ("/provider/v1/customers/900001", customer()),
        ("/provider/v1/contracts/900001-01", contract(&["API-ROAM"])),
    ] {
        let answer = put(app, write, path, body).await;
        assert_eq!(done(&answer), (201, "created".to_owned()), "{path}");
    }
}

/// A document Claire's household uploaded (the `document.uploaded` event names its id).
pub(crate) async fn uploaded_document(pool: &PgPool) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO documents (customer_id, kind, file_name, mime_type, size_bytes, sha256,
                                content)
         SELECT id, 'id_copy', 'id.pdf', 'application/pdf', 4, sha256('%PDF'::bytea), '%PDF'
           FROM customers WHERE customer_number = '100001'
         RETURNING id",
    )
    .fetch_one(pool)
    .await
    .expect("document")
}

async fn invoice_status(pool: &PgPool, number: &str) -> (String, String) {
    sqlx::query_as("SELECT status, total::text FROM invoices WHERE number = $1")
        .bind(number)
        .fetch_one(pool)
        .await
        .expect("invoice")
}

#[tokio::test]
async fn a_household_pushed_through_the_api_is_linked_and_seen_by_its_holder() {
    let pool = common::db().await;
    let app = common::app(pool.clone()).await;
    let write = key(&pool, &[Scope::Write]).await;
    household(&app, &write).await;
    let answer = put(
        &app,
        &write,
        "/provider/v1/invoices/API-2026-0001",
        invoice(),
    )
    .await;
    assert_eq!(done(&answer), (201, "created".to_owned()));
    assert_eq!(
        invoice_status(&pool, "API-2026-0001").await,
        ("open".to_owned(), "17.49".to_owned())
    );
    // The holder registers and links the number with the contract password the API set.
    let cookie = register(&app, &pool, "pieter@example.be").await;
    let (status, body, _) = post(
        &app,
        "/api/link_holder",
        "customer_number=900001&contract_password=Janssens-900001",
        Some(&cookie),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, products, _) = post(&app, "/api/products", "lang=en", Some(&cookie)).await;
    assert!(
        products.contains("900001-01") && products.contains("Mobile 5 GB"),
        "{products}"
    );
    assert!(products.contains("API-ROAM"), "{products}");
    let (_, invoices, _) = post(&app, "/api/invoices", "", Some(&cookie)).await;
    assert!(
        invoices.contains("API-2026-0001") && invoices.contains("17.49"),
        "{invoices}"
    );
    // Paid in two parts by the provider's systems: open after the first, paid after the second.
    let payment =
        |amount: &str| json!({"amount": amount, "paid_on": "2026-11-10", "method": "transfer"});
    let first = put(
        &app,
        &write,
        "/provider/v1/invoices/API-2026-0001/payments/pay-1",
        payment("10.00"),
    )
    .await;
    assert_eq!(done(&first).0, 201);
    assert_eq!(invoice_status(&pool, "API-2026-0001").await.0, "open");
    let second = put(
        &app,
        &write,
        "/provider/v1/invoices/API-2026-0001/payments/pay-2",
        payment("7.49"),
    )
    .await;
    assert_eq!(done(&second).0, 201);
    assert_eq!(invoice_status(&pool, "API-2026-0001").await.0, "paid");
    // A refund uncovers it again.
    let refund = put(
        &app,
        &write,
        "/provider/v1/invoices/API-2026-0001/payments/refund-1",
        payment("-7.49"),
    )
    .await;
    assert_eq!(done(&refund).0, 201);
    assert_eq!(invoice_status(&pool, "API-2026-0001").await.0, "open");
    // Everything sent again is unchanged, and stored once.
    for (path, body) in [
        ("/provider/v1/customers/900001", {
            let mut c = customer();
            c.as_object_mut()
                .expect("object")
                .remove("contract_password");
            c
        }),
        ("/provider/v1/contracts/900001-01", contract(&["API-ROAM"])),
        ("/provider/v1/invoices/API-2026-0001", invoice()),
        (
            "/provider/v1/invoices/API-2026-0001/payments/pay-1",
            payment("10.00"),
        ),
    ] {
        let answer = put(&app, &write, path, body).await;
        assert_eq!(done(&answer), (200, "unchanged".to_owned()), "{path}");
    }
    assert_eq!(
        common::count(
            &pool,
            "SELECT count(*) FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
              WHERE i.number = 'API-2026-0001'"
        )
        .await,
        2
    );
    // A changed address is an update the holder sees.
    let mut moved = customer();
    moved["city"] = json!("Brugge");
    moved["postal_code"] = json!("8000");
    let answer = put(&app, &write, "/provider/v1/customers/900001", moved).await;
    assert_eq!(done(&answer), (200, "updated".to_owned()));
    assert_eq!(
        common::count(
            &pool,
            "SELECT count(*) FROM customers WHERE customer_number = '900001' AND city = 'Brugge'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn options_sent_as_a_set_start_and_end_today() {
    let pool = common::db().await;
    let app = common::app(pool.clone()).await;
    let write = key(&pool, &[Scope::Write]).await;
    household(&app, &write).await;
    let answer = put(
        &app,
        &write,
        "/provider/v1/contracts/900001-01",
        contract(&["API-DATA"]),
    )
    .await;
    assert_eq!(done(&answer), (200, "updated".to_owned()));
    let rows: Vec<(String, chrono::NaiveDate, Option<chrono::NaiveDate>)> = sqlx::query_as(
        "SELECT o.code, co.activated_on, co.deactivated_on
           FROM contract_options co JOIN options o ON o.id = co.option_id
           JOIN contracts c ON c.id = co.contract_id
          WHERE c.contract_number = '900001-01' ORDER BY o.code",
    )
    .fetch_all(&pool)
    .await
    .expect("options");
    let today = common::today();
    let start = chrono::NaiveDate::from_ymd_opt(2026, 10, 1).expect("date");
    assert_eq!(
        rows,
        vec![
            ("API-DATA".to_owned(), today, None),
            ("API-ROAM".to_owned(), start, Some(today)),
        ]
    );
    // Without `options`, they stay as they are; cancelled, the contract says until when.
    let mut cancelled = contract(&[]);
    cancelled.as_object_mut().expect("object").remove("options");
    cancelled["status"] = json!("cancelled");
    cancelled["end_date"] = json!("2026-12-31");
    let answer = put(&app, &write, "/provider/v1/contracts/900001-01", cancelled).await;
    assert_eq!(done(&answer), (200, "updated".to_owned()));
    assert_eq!(
        common::count(
            &pool,
            "SELECT count(*) FROM contract_options co JOIN contracts c ON c.id = co.contract_id
              WHERE c.contract_number = '900001-01' AND co.deactivated_on IS NULL
                AND c.status = 'cancelled' AND c.end_date = '2026-12-31'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn refusals_name_the_fields_or_the_conflict_and_write_nothing() {
    let pool = common::db().await;
    let app = common::app(pool.clone()).await;
    let write = key(&pool, &[Scope::Write]).await;
    household(&app, &write).await;
    let invoices_before = common::count(&pool, "SELECT count(*) FROM invoices").await;

    // Shape: every field at fault at once.
    let mut bad = customer();
    bad["segment"] = json!("corporate");
    bad["email"] = json!("not-an-address");
    bad["country"] = json!("Belgium");
    bad["first_name"] = json!("  ");
    bad["contract_password"] = json!("short");
    let mut got = fields(&put(&app, &write, "/provider/v1/customers/900002", bad).await);
    got.sort();
    assert_eq!(
        got,
        [
            "contract_password",
            "country",
            "email",
            "first_name",
            "segment"
        ]
    );
    // What only the database knows.
    let mut unknown_country = customer();
    unknown_country["country"] = json!("ZZ");
    assert_eq!(
        fields(
            &put(
                &app,
                &write,
                "/provider/v1/customers/900002",
                unknown_country
            )
            .await
        ),
        ["country"]
    );
    let mut wrong = contract(&["NOPE", "API-ROAM", "API-ROAM"]);
    wrong["tariff"] = json!("API-MOB-5");
    assert_eq!(
        fields(&put(&app, &write, "/provider/v1/contracts/900001-02", wrong).await),
        ["options[2]"]
    );
    assert_eq!(
        fields(
            &put(
                &app,
                &write,
                "/provider/v1/contracts/900001-02",
                contract(&["NOPE"])
            )
            .await
        ),
        ["options[0]"]
    );
    let mut orphan = contract(&[]);
    orphan["customer"] = json!("999999");
    assert_eq!(
        fields(&put(&app, &write, "/provider/v1/contracts/900001-02", orphan).await),
        ["customer"]
    );
    let mut tv = contract(&[]);
    tv["service"] = json!("tv");
    assert_eq!(
        fields(&put(&app, &write, "/provider/v1/contracts/900001-03", tv).await),
        ["tariff"]
    );
    // A contract keeps its customer and its service; a taken number stays taken.
    let mut elsewhere = contract(&[]);
    elsewhere["customer"] = json!("100001");
    elsewhere.as_object_mut().expect("object").remove("tariff");
    let answer = put(&app, &write, "/provider/v1/contracts/900001-01", elsewhere).await;
    assert_eq!(answer.status, 409, "{}", answer.body);
    assert_eq!(answer.json()["type"], "/provider/v1/problems/conflict");

    // Invoices: money as strings, lines of the customer's contracts, never rewritten.
    let mut float = invoice();
    float["lines"][0]["amount"] = json!(12.5);
    let answer = put(&app, &write, "/provider/v1/invoices/API-X", float).await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert_eq!(answer.json()["type"], "/provider/v1/problems/invalid-body");
    let mut lines = invoice();
    lines["lines"][0]["contract"] = json!("100001-04");
    lines["lines"][1]["amount"] = json!("-40.00");
    lines["lines"][1]["kind"] = json!("gift");
    lines["lines"][1]["vat_rate"] = json!("121");
    let mut got = fields(&put(&app, &write, "/provider/v1/invoices/API-X", lines).await);
    got.sort();
    assert_eq!(got, ["lines", "lines[1].kind", "lines[1].vat_rate"]);
    let mut foreign = invoice();
    foreign["lines"][0]["contract"] = json!("100001-04");
    assert_eq!(
        fields(&put(&app, &write, "/provider/v1/invoices/API-X", foreign).await),
        ["lines[0].contract"]
    );
    assert_eq!(
        common::count(&pool, "SELECT count(*) FROM invoices").await,
        invoices_before
    );
    let answer = put(&app, &write, "/provider/v1/invoices/API-1", invoice()).await;
    assert_eq!(done(&answer).0, 201);
    let mut rewritten = invoice();
    rewritten["lines"][1]["amount"] = json!("5.99");
    let answer = put(&app, &write, "/provider/v1/invoices/API-1", rewritten).await;
    assert_eq!(answer.status, 409, "{}", answer.body);
    // Spacing and key order do not make another invoice.
    let reordered = serde_json::to_string_pretty(&invoice()).expect("json");
    let answer = call(
        &app,
        "PUT",
        "/provider/v1/invoices/API-1",
        Some(&write),
        &[("content-type", "application/json")],
        reordered,
    )
    .await;
    assert_eq!(done(&answer), (200, "unchanged".to_owned()));

    // Payments: a known invoice, never more refunded than paid, never rewritten.
    let pay = |amount: &str| json!({"amount": amount, "paid_on": "2026-11-10", "method": "sepa"});
    let answer = put(
        &app,
        &write,
        "/provider/v1/invoices/NOPE/payments/p-1",
        pay("1.00"),
    )
    .await;
    assert_eq!(answer.status, 404, "{}", answer.body);
    assert_eq!(
        fields(
            &put(
                &app,
                &write,
                "/provider/v1/invoices/API-1/payments/r-1",
                pay("-1.00")
            )
            .await
        ),
        ["amount"]
    );
    assert_eq!(
        fields(
            &put(
                &app,
                &write,
                "/provider/v1/invoices/API-1/payments/z-1",
                pay("0")
            )
            .await
        ),
        ["amount"]
    );
    let answer = put(
        &app,
        &write,
        "/provider/v1/invoices/API-1/payments/p-1",
        pay("1.00"),
    )
    .await;
    assert_eq!(done(&answer).0, 201);
    let answer = put(
        &app,
        &write,
        "/provider/v1/invoices/API-1/payments/p-1",
        pay("2.00"),
    )
    .await;
    assert_eq!(answer.status, 409, "{}", answer.body);

    // The wire: not JSON, another media type, an id too long for the path.
    let answer = call(
        &app,
        "PUT",
        "/provider/v1/customers/900003",
        Some(&write),
        &[("content-type", "application/json")],
        "{\"segment\":".to_owned(),
    )
    .await;
    assert_eq!(
        (answer.status, answer.json()["type"].as_str()),
        (400, Some("/provider/v1/problems/bad-json"))
    );
    let answer = call(
        &app,
        "PUT",
        "/provider/v1/customers/900003",
        Some(&write),
        &[("content-type", "text/plain")],
        customer().to_string(),
    )
    .await;
    assert_eq!(answer.status, 415);
    let long = format!("/provider/v1/customers/{}", "9".repeat(101));
    let answer = put(&app, &write, &long, customer()).await;
    assert_eq!(answer.status, 400, "{}", answer.body);
    let mut extra = customer();
    extra["vip"] = json!(true);
    let answer = put(&app, &write, "/provider/v1/customers/900003", extra).await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(
        answer.json()["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("vip")
    );
    assert_eq!(
        common::count(
            &pool,
            "SELECT count(*) FROM customers WHERE customer_number IN ('900002', '900003')"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn the_provider_moves_a_move_request_and_the_household_reads_it() {
    let pool = common::db().await;
    let app = common::app(pool.clone()).await;
    let write = key(&pool, &[Scope::Write]).await;
    let path = "/provider/v1/contracts/100001-01/move";
    let status = |s: &str| json!({ "status": s });
    let answer = put(&app, &write, path, status("confirmed")).await;
    assert_eq!(answer.status, 404, "no move requested yet: {}", answer.body);
    sqlx::query(
        "INSERT INTO move_requests (contract_id, street, postal_code, city, country, wished_date,
                                    status, requested_on)
         SELECT id, 'Rue Neuve 1', '4020', 'Liège', 'BE', $1, 'requested', $2
           FROM contracts WHERE contract_number = '100001-01'",
    )
    .bind(common::today() + chrono::Days::new(20))
    .bind(common::today())
    .execute(&pool)
    .await
    .expect("move");
    let answer = put(&app, &write, path, status("confirmed")).await;
    assert_eq!(done(&answer), (200, "updated".to_owned()));
    let answer = put(&app, &write, path, status("confirmed")).await;
    assert_eq!(done(&answer), (200, "unchanged".to_owned()));
    // Claire's household reads French.
    assert_eq!(
        common::count(
            &pool,
            "SELECT count(*) FROM messages m JOIN customers c ON c.id = m.customer_id
              WHERE c.customer_number = '100001' AND m.kind = 'move_status'
                AND m.subject = 'Déménagement confirmé pour la ligne 100001-01'
                AND m.body LIKE '%Rue Neuve 1, 4020 Liège%'"
        )
        .await,
        1
    );
    let answer = put(&app, &write, path, status("completed")).await;
    assert_eq!(done(&answer), (200, "updated".to_owned()));
    let answer = put(&app, &write, path, status("cancelled")).await;
    assert_eq!(
        answer.status, 409,
        "a completed move stays completed: {}",
        answer.body
    );
    assert_eq!(
        fields(&put(&app, &write, path, status("lost")).await),
        ["status"]
    );
    // The demo's confirmed move of the internet line, cancelled by the provider.
    let answer = put(
        &app,
        &write,
        "/provider/v1/contracts/100001-02/move",
        status("cancelled"),
    )
    .await;
    assert_eq!(done(&answer), (200, "updated".to_owned()));
    assert_eq!(
        common::count(
            &pool,
            "SELECT count(*) FROM messages
              WHERE subject = 'Demande de déménagement annulée pour la ligne 100001-02'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn messages_and_document_decisions_reach_the_household() {
    let pool = common::db().await;
    let app = common::app(pool.clone()).await;
    let write = key(&pool, &[Scope::Write]).await;
    let path = "/provider/v1/customers/100001/messages/maint-12";
    let message = |body: &str| json!({"subject": "Travaux le 12 décembre", "body": body});
    let answer = put(
        &app,
        &write,
        path,
        message("Coupure possible\nentre 2 h et 4 h."),
    )
    .await;
    assert_eq!(done(&answer), (201, "created".to_owned()));
    let answer = put(
        &app,
        &write,
        path,
        message("Coupure possible\nentre 2 h et 4 h."),
    )
    .await;
    assert_eq!(done(&answer), (200, "unchanged".to_owned()));
    let answer = put(
        &app,
        &write,
        path,
        message("Coupure possible entre 1 h et 3 h."),
    )
    .await;
    assert_eq!(done(&answer), (200, "updated".to_owned()));
    let claire = common::sign_in(&app, "claire.dubois@example.be", "Trio-demo-2024").await;
    let (_, inbox, _) = post(&app, "/api/messages", "", Some(&claire)).await;
    assert!(inbox.contains("entre 1 h et 3 h"), "{inbox}");
    assert_eq!(
        common::count(
            &pool,
            "SELECT count(*) FROM messages WHERE provider_message_id = 'maint-12'"
        )
        .await,
        1
    );
    let answer = put(
        &app,
        &write,
        "/provider/v1/customers/999999/messages/x",
        message("?"),
    )
    .await;
    assert_eq!(answer.status, 404, "{}", answer.body);

    let document = uploaded_document(&pool).await;
    let path = format!("/provider/v1/documents/{document}");
    let answer = put(&app, &write, &path, json!({"status": "accepted"})).await;
    assert_eq!(done(&answer), (200, "updated".to_owned()));
    assert_eq!(
        common::count(
            &pool,
            &format!(
                "SELECT count(*) FROM documents WHERE id = {document} AND status = 'accepted'"
            )
        )
        .await,
        1
    );
    let answer = put(
        &app,
        &write,
        "/provider/v1/documents/999999",
        json!({"status": "accepted"}),
    )
    .await;
    assert_eq!(answer.status, 404, "{}", answer.body);
    let answer = put(
        &app,
        &write,
        "/provider/v1/documents/abc",
        json!({"status": "accepted"}),
    )
    .await;
    assert_eq!(answer.status, 400, "{}", answer.body);
}

#[tokio::test]
async fn the_provider_sets_a_days_windows_and_a_booked_one_stays() {
    let pool = common::db().await;
    let app = common::app(pool.clone()).await;
    let write = key(&pool, &[Scope::Write]).await;
    let provider = crate::provider::lumen(&pool).await;
    // A Sunday ahead: the demo offers no window on Sundays.
    let day = (10..17)
        .map(|n| common::today() + chrono::Days::new(n))
        .find(|d| chrono::Datelike::weekday(d) == chrono::Weekday::Sun)
        .expect("a Sunday");
    let path = format!("/provider/v1/appointment-windows/{day}");
    let window = |from: &str, to: &str| json!({"starts_at": from, "ends_at": to});
    let free = async || -> Vec<String> {
        app::backend::repo::appointments::free_slots(&pool, provider, (day, day))
            .await
            .expect("slots")
            .into_iter()
            .map(|s| {
                format!(
                    "{}-{}",
                    s.starts_at.format("%H:%M"),
                    s.ends_at.format("%H:%M")
                )
            })
            .collect()
    };
    let both = json!({"windows": [window("08:00", "12:00"), window("13:00", "17:00")]});
    let answer = put(&app, &write, &path, both.clone()).await;
    assert_eq!(done(&answer), (201, "created".to_owned()));
    assert_eq!(free().await, ["08:00-12:00", "13:00-17:00"]);
    let answer = put(&app, &write, &path, both).await;
    assert_eq!(done(&answer), (200, "unchanged".to_owned()));
    // Claire books the morning window.
    sqlx::query(
        "INSERT INTO appointments (customer_id, slot_id, kind, status, street, postal_code, city)
         SELECT c.id, s.id, 'repair', 'booked', c.street, c.postal_code, c.city
           FROM customers c, appointment_slots s
          WHERE c.customer_number = '100001' AND s.provider_id = $1 AND s.day = $2
            AND s.starts_at = time '08:00'",
    )
    .bind(provider)
    .bind(day)
    .execute(&pool)
    .await
    .expect("booking");
    let afternoon = json!({"windows": [window("13:00", "17:00")]});
    let answer = put(&app, &write, &path, afternoon).await;
    assert_eq!(
        answer.status, 409,
        "the booked window stays: {}",
        answer.body
    );
    let longer = json!({"windows": [window("08:00", "13:00")]});
    let answer = put(&app, &write, &path, longer).await;
    assert_eq!(answer.status, 409, "and keeps its times: {}", answer.body);
    // Withdrawn: not offered, not bookable; offered again, it is back.
    let morning = json!({"windows": [window("08:00", "12:00")]});
    let answer = put(&app, &write, &path, morning).await;
    assert_eq!(done(&answer), (200, "updated".to_owned()));
    assert!(free().await.is_empty(), "{:?}", free().await);
    let withdrawn: i64 = sqlx::query_scalar(
        "SELECT id FROM appointment_slots WHERE provider_id = $1 AND day = $2
            AND starts_at = time '13:00' AND withdrawn",
    )
    .bind(provider)
    .bind(day)
    .fetch_one(&pool)
    .await
    .expect("withdrawn window");
    let mut conn = pool.acquire().await.expect("connection");
    let bookable = app::backend::repo::appointments::slot_day(&mut conn, provider, withdrawn)
        .await
        .expect("slot day");
    assert_eq!(bookable, None);
    let again = json!({"windows": [window("08:00", "12:00"), window("14:00", "18:00")]});
    let answer = put(&app, &write, &path, again).await;
    assert_eq!(done(&answer), (200, "updated".to_owned()));
    assert_eq!(free().await, ["14:00-18:00"]);
    // Refused: overlapping, backwards, in the past, not a day.
    let overlapping = json!({"windows": [window("08:00", "12:00"), window("11:00", "15:00")]});
    assert_eq!(
        fields(&put(&app, &write, &path, overlapping).await),
        ["windows"]
    );
    let backwards = json!({"windows": [window("12:00", "08:00")]});
    assert_eq!(
        fields(&put(&app, &write, &path, backwards).await),
        ["windows[0].ends_at"]
    );
    let past = format!(
        "/provider/v1/appointment-windows/{}",
        common::today() - chrono::Days::new(1)
    );
    assert_eq!(
        fields(&put(&app, &write, &past, json!({"windows": []})).await),
        ["day"]
    );
    let answer = put(
        &app,
        &write,
        "/provider/v1/appointment-windows/2026-13-01",
        json!({"windows": []}),
    )
    .await;
    assert_eq!(answer.status, 400, "{}", answer.body);
}

#[tokio::test]
async fn the_customer_downloads_the_pdf_the_provider_sent() {
    let pool = common::db().await;
    let app = common::app(pool.clone()).await;
    let write = key(&pool, &[Scope::Write]).await;
    let mut for_claire = invoice();
    for_claire["customer"] = json!("100001");
    for_claire["lines"][0]["contract"] = json!("100001-04");
    for_claire["lines"][1]["contract"] = json!("100001-04");
    let answer = put(&app, &write, "/provider/v1/invoices/API-PDF-1", for_claire).await;
    assert_eq!(done(&answer).0, 201);
    let pdf = "%PDF-1.4\n% the provider's own rendering\n%%EOF\n";
    let send = async |path: &str, media_type: &str, body: &str| {
        call(
            &app,
            "PUT",
            path,
            Some(&write),
            &[("content-type", media_type)],
            body.to_owned(),
        )
        .await
    };
    let path = "/provider/v1/invoices/API-PDF-1/pdf";
    let answer = send(path, "application/pdf", pdf).await;
    assert_eq!(done(&answer), (201, "created".to_owned()));
    let answer = send(path, "application/pdf", pdf).await;
    assert_eq!(done(&answer), (200, "unchanged".to_owned()));
    let answer = send(path, "application/pdf", "%PDF-1.4\nanother\n").await;
    assert_eq!(answer.status, 409, "{}", answer.body);
    assert_eq!(
        fields(&send(path, "application/pdf", "<html>not a pdf</html>").await),
        ["body"]
    );
    let answer = send(path, "application/json", pdf).await;
    assert_eq!(answer.status, 415, "{}", answer.body);
    let answer = send("/provider/v1/invoices/NOPE/pdf", "application/pdf", pdf).await;
    assert_eq!(answer.status, 404, "{}", answer.body);
    // Claire downloads the provider's file, not the portal's rendering.
    let id: i64 = sqlx::query_scalar("SELECT id FROM invoices WHERE number = 'API-PDF-1'")
        .fetch_one(&pool)
        .await
        .expect("invoice");
    let claire = common::sign_in(&app, "claire.dubois@example.be", "Trio-demo-2024").await;
    let (status, bytes, kind) =
        common::get(&app, &format!("/invoices/{id}/pdf"), Some(&claire)).await;
    assert_eq!((status, kind.as_str()), (200, "application/pdf"));
    assert_eq!(bytes, pdf.as_bytes());
}
