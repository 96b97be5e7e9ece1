//! Events for the provider (issue 28 item 4): what customers do is written with the change,
//! read with a cursor (`GET /provider/v1/events`), and delivered as signed webhooks, retried
//! until answered.

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use crate::common;

use app::backend::{
    events::{self, EventKind, Subject},
    provider_keys::{self, Scope},
    repo,
};
use axum::{
    Router,
    body::{Body, Bytes, to_bytes},
    http::{HeaderMap, Request, StatusCode, header},
    routing::post,
};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use sqlx::PgPool;
use tower::ServiceExt;

const HOLDER: &str = "jonas.becker@example.de"; // holds 200001 (server/src/demo/mobile_de.rs)
const PASSWORD: &str = "Mobil-demo-2024";

async fn lumen(pool: &PgPool) -> i64 {
    repo::providers::id_by_slug(pool, "lumen")
        .await
        .expect("provider")
        .expect("lumen")
}

async fn events_page(app: &Router, key: &str, query: &str) -> (u16, Value) {
    let response = app
        .clone()
        .oneshot(
            Request::get(format!("/provider/v1/events{query}"))
                .header(header::AUTHORIZATION, format!("Bearer {key}"))
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    let status = response.status().as_u16();
    let bytes = to_bytes(response.into_body(), 1 << 20).await.expect("body");
    (status, serde_json::from_slice(&bytes).expect("JSON"))
}

async fn ok(app: &Router, path: &str, body: &str, cookie: &str) {
    let (status, text, _) = common::post(app, path, body, Some(cookie)).await;
    assert_eq!(status, 200, "{path}: {text}");
}

#[tokio::test]
async fn what_customers_do_reaches_the_provider_in_order() {
    let pool = common::db().await;
    let app = common::app(pool.clone()).await;
    let jonas = common::sign_in(&app, HOLDER, PASSWORD).await;
    ok(
        &app,
        "/api/activate_sepa",
        "account_holder=Jonas+Becker&iban=BE68+5390+0754+7034&consent=on&current_password=Mobil-demo-2024",
        &jonas,
    )
    .await;
    // Claire's fixed line can move (a mobile line cannot).
    let claire = common::sign_in(&app, "claire.dubois@example.be", "Trio-demo-2024").await;
    ok(
        &app,
        "/api/request_move",
        "contract_number=100001-01&street=Rue+Haute+5&postal_code=1000&city=Bruxelles&wished_date=2026-12-20",
        &claire,
    )
    .await;
    let (move_id, slot): (i64, i64) = sqlx::query_as(
        "SELECT m.id, (SELECT s.id FROM appointment_slots s
                        WHERE s.day > DATE '2026-11-23'
                          AND NOT EXISTS (SELECT 1 FROM appointments a WHERE a.slot_id = s.id)
                        ORDER BY s.day, s.starts_at LIMIT 1)
           FROM move_requests m JOIN contracts c ON c.id = m.contract_id
          WHERE c.contract_number = '100001-01'",
    )
    .fetch_one(&pool)
    .await
    .expect("move and slot");
    ok(
        &app,
        "/api/book_appointment",
        &format!(
            "kind=installation&slot_id={slot}&street=&postal_code=&city=&note=&move_request={move_id}\
&idempotency_key=0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5"
        ),
        &claire,
    )
    .await;
    let appointment: i64 = sqlx::query_scalar("SELECT id FROM appointments WHERE slot_id = $1")
        .bind(slot)
        .fetch_one(&pool)
        .await
        .expect("appointment");
    ok(
        &app,
        "/api/cancel_appointment",
        &format!("appointment_id={appointment}"),
        &claire,
    )
    .await;
    let legacy: i64 = sqlx::query_scalar(
        "SELECT k.id FROM links k JOIN logins l ON l.id = k.login_id
           JOIN contracts c ON c.id = k.contract_id
          WHERE l.email = $1 AND c.contract_number = '200004-02'",
    )
    .bind(HOLDER)
    .fetch_one(&pool)
    .await
    .expect("legacy link");
    ok(
        &app,
        "/api/delete_link",
        &format!("link_id={legacy}"),
        &jonas,
    )
    .await;

    let (_, read) = provider_keys::create(&pool, lumen(&pool).await, "reader", &[Scope::Read])
        .await
        .expect("key");
    // Read two at a time, following `next`, until a page is empty.
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let (status, page) = events_page(&app, &read, &format!("?limit=2&after={cursor}")).await;
        assert_eq!(status, 200, "{page}");
        let events = page["events"].as_array().expect("events").clone();
        let next = page["next"].as_str().expect("next").to_owned();
        if events.is_empty() {
            assert_eq!(next, cursor, "an empty page keeps its place");
            break;
        }
        assert!(events.len() <= 2);
        seen.extend(events);
        cursor = next;
    }
    let kinds: Vec<(&str, &str)> = seen
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap_or(""),
                e["customer"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("mandate.created", "200001"),
            ("move.requested", "100001"),
            ("appointment.booked", "100001"),
            ("appointment.cancelled", "100001"),
            ("link.deleted", "200004"),
        ]
    );
    assert!(
        seen[0]["data"]["reference"]
            .as_str()
            .is_some_and(|r| !r.is_empty())
    );
    assert_eq!(seen[1]["data"]["city"], "Bruxelles");
    assert_eq!(seen[1]["data"]["contract"], "100001-01");
    assert_eq!(seen[2]["data"]["move_request"], move_id);
    assert_eq!(seen[2]["data"]["kind"], "installation");
    assert!(
        seen[2]["data"]["starts_at"]
            .as_str()
            .is_some_and(|t| t.len() == 5)
    );
    assert_eq!(seen[3]["data"]["appointment"], appointment);
    assert_eq!(seen[4]["data"]["role"], "user");
    assert_eq!(seen[4]["data"]["contract"], "200004-02");
    let ids: std::collections::BTreeSet<&str> =
        seen.iter().filter_map(|e| e["id"].as_str()).collect();
    assert_eq!(ids.len(), seen.len(), "every event has its own id");

    // A refused change writes no event: a second activation with a wrong password.
    let (status, _, _) = common::post(
        &app,
        "/api/activate_sepa",
        "account_holder=Jonas+Becker&iban=BE68+5390+0754+7034&consent=on&current_password=wrong-password",
        Some(&jonas),
    )
    .await;
    assert_ne!(status, 200);
    let (_, page) = events_page(&app, &read, &format!("?after={cursor}")).await;
    assert_eq!(page["events"].as_array().map(Vec::len), Some(0));

    let (_, usage) = provider_keys::create(&pool, lumen(&pool).await, "usage", &[Scope::Usage])
        .await
        .expect("key");
    assert_eq!(events_page(&app, &usage, "").await.0, 403);
    assert_eq!(events_page(&app, &read, "?after=abc").await.0, 400);
    assert_eq!(events_page(&app, &read, "?limit=501").await.0, 400);
}

/// A webhook receiver that answers 500 to its first `fail` requests, then 200.
async fn receiver(fail: usize) -> (SocketAddr, Arc<Mutex<Vec<(HeaderMap, Bytes)>>>) {
    let received = Arc::new(Mutex::new(Vec::new()));
    let log = received.clone();
    let app = Router::new().route(
        "/hooks",
        post(move |headers: HeaderMap, body: Bytes| {
            let log = log.clone();
            async move {
                let mut log = log.lock().expect("log");
                log.push((headers, body));
                if log.len() <= fail {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, received)
}

fn verify(secret: &str, headers: &HeaderMap, body: &[u8]) -> bool {
    let Some(signature) = headers
        .get("selfcare-signature")
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Some((t, v1)) = signature
        .strip_prefix("t=")
        .and_then(|rest| rest.split_once(",v1="))
    else {
        return false;
    };
    let fresh = t
        .parse::<i64>()
        .is_ok_and(|t| (chrono::Utc::now().timestamp() - t).abs() < 300);
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    fresh && expected == v1
}

#[tokio::test]
async fn webhooks_are_signed_and_retried_until_answered() {
    let pool = common::db().await;
    // The demo data (its provider and customers).
    let _app = common::app(pool.clone()).await;
    let provider = lumen(&pool).await;
    let (addr, received) = receiver(3).await;
    let secret = "whsec-test-0123456789abcdef0123456789abcdef";
    let webhook = server::webhooks::Webhook {
        url: format!("http://{addr}/hooks"),
        secret: secret.into(),
    };
    let client = server::webhooks::client().expect("client");
    let customer: i64 =
        sqlx::query_scalar("SELECT id FROM customers WHERE customer_number = '200001'")
            .fetch_one(&pool)
            .await
            .expect("customer");
    let mut tx = pool.begin().await.expect("tx");
    events::record(
        &mut tx,
        Subject::Customer(customer),
        EventKind::MandateRevoked,
        serde_json::json!({ "revoked_on": "2026-11-22" }),
    )
    .await
    .expect("event");
    tx.commit().await.expect("commit");

    for attempt in 1..=4 {
        let tried = server::webhooks::deliver_due(&pool, provider, &webhook, &client)
            .await
            .expect("pass");
        assert_eq!(tried, 1, "attempt {attempt}");
        // Not due again before its pause (10 s, 20 s, 40 s): nothing to try at once.
        let again = server::webhooks::deliver_due(&pool, provider, &webhook, &client)
            .await
            .expect("pass");
        assert_eq!(again, 0);
        sqlx::query("UPDATE provider_events SET next_attempt_at = now()")
            .execute(&pool)
            .await
            .expect("due now");
    }
    let (attempts, delivered, error): (i32, bool, Option<String>) = sqlx::query_as(
        "SELECT attempts, delivered_at IS NOT NULL, last_error FROM provider_events",
    )
    .fetch_one(&pool)
    .await
    .expect("event row");
    assert_eq!((attempts, delivered, error), (4, true, None));
    let log = received.lock().expect("log").clone();
    assert_eq!(log.len(), 4);
    let ids: std::collections::BTreeSet<_> = log
        .iter()
        .map(|(h, _)| h.get("selfcare-event-id").cloned())
        .collect();
    assert_eq!(ids.len(), 1, "every delivery carries the same event id");
    for (headers, body) in &log {
        assert!(verify(secret, headers, body), "signature of {body:?}");
        assert!(!verify(
            "another-secret-of-the-same-length-0123456789",
            headers,
            body
        ));
        let event: Value = serde_json::from_slice(body).expect("JSON");
        assert_eq!(event["type"], "mandate.revoked");
        assert_eq!(event["customer"], "200001");
        assert_eq!(
            event["id"].as_str(),
            headers
                .get("selfcare-event-id")
                .and_then(|v| v.to_str().ok())
        );
    }
    // Delivered: never sent again.
    sqlx::query("UPDATE provider_events SET next_attempt_at = now()")
        .execute(&pool)
        .await
        .expect("due now");
    assert_eq!(
        server::webhooks::deliver_due(&pool, provider, &webhook, &client)
            .await
            .expect("pass"),
        0
    );

    // An endpoint that never answers: given up once the event is a day old.
    let mut tx = pool.begin().await.expect("tx");
    events::record(
        &mut tx,
        Subject::Customer(customer),
        EventKind::MandateCreated,
        serde_json::json!({}),
    )
    .await
    .expect("event");
    tx.commit().await.expect("commit");
    sqlx::query("UPDATE provider_events SET occurred_at = now() - interval '25 hours' WHERE delivered_at IS NULL")
        .execute(&pool)
        .await
        .expect("age");
    let gone = server::webhooks::Webhook {
        url: "http://127.0.0.1:9/hooks".into(),
        secret: secret.into(),
    };
    server::webhooks::deliver_due(&pool, provider, &gone, &client)
        .await
        .expect("pass");
    let given_up: bool = sqlx::query_scalar(
        "SELECT given_up_at IS NOT NULL FROM provider_events WHERE delivered_at IS NULL",
    )
    .fetch_one(&pool)
    .await
    .expect("row");
    assert!(given_up);
}
