//! The provider API (issue 28): keys and scopes, problem details, usage ingestion stored once
//! and seen by the customer, `Idempotency-Key`, the OpenAPI document.

use crate::common;

use app::{
    api::usage::UsageView,
    backend::{
        provider_keys::{self, Scope},
        repo,
    },
    domain::usage_feed::parse_feed,
};
use axum::{
    Router,
    body::{Body, to_bytes},
    http::{Request, header},
};
use serde_json::Value;
use sqlx::PgPool;
use tower::ServiceExt;

/// Claire's Trio line (server/src/demo/trio.rs).
const CONTRACT: &str = "100001-04";

pub(crate) struct Answer {
    pub status: u16,
    pub content_type: String,
    pub www_authenticate: Option<String>,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("JSON: {}", self.body))
    }
}

pub(crate) async fn call(
    app: &Router,
    method: &str,
    path: &str,
    key: Option<&str>,
    headers: &[(&str, &str)],
    body: String,
) -> Answer {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(key) = key {
        request = request.header(header::AUTHORIZATION, format!("Bearer {key}"));
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::from(body)).expect("request"))
        .await
        .expect("response");
    let header_text = |name| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let content_type = header_text(header::CONTENT_TYPE).unwrap_or_default();
    let www_authenticate = header_text(header::WWW_AUTHENTICATE);
    let status = response.status().as_u16();
    let bytes = to_bytes(response.into_body(), 64 * 1024 * 1024)
        .await
        .expect("body");
    Answer {
        status,
        content_type,
        www_authenticate,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

async fn post_usage(
    app: &Router,
    key: Option<&str>,
    idempotency: Option<&str>,
    body: &str,
) -> Answer {
    let mut headers = vec![("content-type", "application/x-ndjson")];
    if let Some(idempotency) = idempotency {
        headers.push(("idempotency-key", idempotency));
    }
    call(
        app,
        "POST",
        "/provider/v1/usage",
        key,
        &headers,
        body.to_owned(),
    )
    .await
}

pub(crate) async fn lumen(pool: &PgPool) -> i64 {
    repo::providers::id_by_slug(pool, "lumen")
        .await
        .expect("provider")
        .expect("lumen")
}

pub(crate) async fn key(pool: &PgPool, scopes: &[Scope]) -> String {
    provider_keys::create(pool, lumen(pool).await, "test", scopes)
        .await
        .expect("key")
        .1
}

fn record(id: &str, contract: &str, kind: &str, at: &str, quantity: &str) -> String {
    format!(
        r#"{{"id":"{id}","contract":"{contract}","type":"{kind}","started_at":"{at}","quantity":"{quantity}","destination":"+3225550{id_tail}"}}"#,
        id_tail = id.len()
    )
}

async fn records_with_ids(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM usage_records WHERE record_id IS NOT NULL")
        .fetch_one(pool)
        .await
        .expect("count")
}

#[tokio::test]
async fn a_feed_is_stored_once_and_the_customer_sees_it() {
    let pool = common::db().await;
    let app = common::app(pool.clone()).await;
    let key = key(&pool, &[Scope::Usage]).await;
    let body = [
        record("mms-1", CONTRACT, "mms", "2026-11-21T09:15:00", "1"),
        record("mms-2", CONTRACT, "mms", "2026-11-21T09:16:30", "2"),
        String::new(),
        record("mms-3", CONTRACT, "mms", "2026-11-20T18:00:00", "1"),
    ]
    .join("\n");
    let first = post_usage(&app, Some(&key), None, &body).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.content_type, "application/json");
    assert_eq!(
        first.json(),
        serde_json::json!({"received": 3, "stored": 3, "duplicates": 0})
    );
    // Sent again (a retry after a lost answer), with one new record: only that one is stored.
    let again = format!(
        "{body}\n{}\n",
        record("mms-4", CONTRACT, "mms", "2026-11-21T10:00:00", "1")
    );
    let second = post_usage(&app, Some(&key), None, &again).await;
    assert_eq!(
        second.json(),
        serde_json::json!({"received": 4, "stored": 1, "duplicates": 3})
    );
    assert_eq!(records_with_ids(&pool).await, 4);

    // Claire sees the four MMS of 5 units in her Usage tab, totals and chart included.
    let cookie = common::sign_in(&app, "claire.dubois@example.be", "Trio-demo-2024").await;
    let (status, view, _) = common::post(
        &app,
        "/api/usage",
        &format!("query[period]=custom&query[from]=2026-11-20&query[to]=2026-11-21&query[kind]=mms&query[contract]={CONTRACT}"),
        Some(&cookie),
    )
    .await;
    assert_eq!(status, 200, "{view}");
    let view: UsageView = serde_json::from_str(&view).expect("view");
    let fed: Vec<_> = view
        .rows
        .iter()
        .filter(|r| {
            r.destination
                .as_deref()
                .is_some_and(|d| d.starts_with("+3225550"))
        })
        .collect();
    assert_eq!(fed.len(), 4, "{:?}", view.rows);
    let charted: rust_decimal::Decimal = view.daily.iter().map(|(_, q)| *q).sum();
    assert_eq!(charted, view.totals[0].quantity);
    assert!(view.totals[0].quantity >= rust_decimal::Decimal::from(5));
}

#[tokio::test]
async fn refusals_are_problem_details_and_store_nothing() {
    let pool = common::db().await;
    let app = common::app(pool.clone()).await;
    let usage_key = key(&pool, &[Scope::Usage]).await;
    let read_key = key(&pool, &[Scope::Read]).await;
    let good = record("r-1", CONTRACT, "call", "2026-11-21T09:15:00", "3.5");

    let problem = |answer: &Answer, status: u16, kind: &str| {
        assert_eq!(answer.status, status, "{}", answer.body);
        assert_eq!(answer.content_type, "application/problem+json");
        let json = answer.json();
        assert_eq!(json["type"], format!("/provider/v1/problems/{kind}"));
        assert_eq!(json["status"], status);
        assert!(json["title"].as_str().is_some_and(|t| !t.is_empty()));
        json
    };

    let anonymous = post_usage(&app, None, None, &good).await;
    problem(&anonymous, 401, "unauthenticated");
    assert!(
        anonymous
            .www_authenticate
            .is_some_and(|w| w.starts_with("Bearer"))
    );
    problem(
        &post_usage(&app, Some("sck_not-a-key-of-ours"), None, &good).await,
        401,
        "unauthenticated",
    );
    problem(
        &post_usage(&app, Some(&read_key), None, &good).await,
        403,
        "missing-scope",
    );

    let wrong_type = call(
        &app,
        "POST",
        "/provider/v1/usage",
        Some(&usage_key),
        &[("content-type", "application/json")],
        good.clone(),
    )
    .await;
    problem(&wrong_type, 415, "unsupported-media-type");

    // One bad line refuses the whole feed, each fault named by line and field.
    let body = [
        good.clone(),
        record("r-2", CONTRACT, "fax", "2026-11-21T09:15:00", "1"),
        record("r-3", "no-such-contract", "call", "2026-11-21T09:15:00", "1"),
        r#"{"id":"r-4","contract":"100001-04","type":"data","started_at":"2026-11-21T09:15:00","quantity":0.5}"#.to_owned(),
    ]
    .join("\n");
    let refused = problem(
        &post_usage(&app, Some(&usage_key), None, &body).await,
        422,
        "invalid-records",
    );
    assert_eq!(refused["error_count"], 2);
    assert_eq!(refused["errors"][0]["line"], 2);
    assert_eq!(refused["errors"][0]["field"], "type");
    assert_eq!(refused["errors"][1]["line"], 4);

    // Lines that read well but name a contract the provider does not have: refused too.
    let unknown = problem(
        &post_usage(
            &app,
            Some(&usage_key),
            None,
            &format!(
                "{good}\n{}",
                record(
                    "r-3",
                    "no-such-contract",
                    "call",
                    "2026-11-21T09:15:00",
                    "1"
                )
            ),
        )
        .await,
        422,
        "invalid-records",
    );
    assert_eq!(unknown["errors"][0]["line"], 2);
    assert_eq!(unknown["errors"][0]["field"], "contract");
    problem(
        &post_usage(&app, Some(&usage_key), None, "\n\n").await,
        422,
        "empty",
    );
    assert_eq!(records_with_ids(&pool).await, 0);

    // Another provider's customers are not this key's, and its keys do not open this portal.
    let other: i64 = sqlx::query_scalar(
        "INSERT INTO providers (slug, name, business_portal_url, business_registration_url,
                                sales_url, support_url, old_invoice_help_url)
         VALUES ('other', 'Other', 'https://o.example', 'https://o.example', 'https://o.example',
                 'https://o.example', 'https://o.example') RETURNING id",
    )
    .fetch_one(&pool)
    .await
    .expect("provider");
    let (_, other_key) = provider_keys::create(&pool, other, "other", &[Scope::Usage])
        .await
        .expect("other key");
    problem(
        &post_usage(&app, Some(&other_key), None, &good).await,
        401,
        "unauthenticated",
    );
    sqlx::query("UPDATE customers SET provider_id = $1 WHERE id = (SELECT customer_id FROM contracts WHERE contract_number = $2)")
        .bind(other)
        .bind(CONTRACT)
        .execute(&pool)
        .await
        .expect("move customer");
    let foreign = problem(
        &post_usage(&app, Some(&usage_key), None, &good).await,
        422,
        "invalid-records",
    );
    assert_eq!(foreign["errors"][0]["field"], "contract");

    // A revoked key is refused from then on.
    let listed = provider_keys::list(&pool, lumen(&pool).await)
        .await
        .expect("keys");
    let usage_id = listed
        .iter()
        .find(|k| usage_key.starts_with(&k.hint) && k.scopes == ["usage"])
        .expect("listed")
        .id;
    assert!(listed.iter().all(|k| k.last_used_at.is_some()));
    assert!(
        provider_keys::revoke(&pool, lumen(&pool).await, usage_id)
            .await
            .expect("revoke")
    );
    problem(
        &post_usage(&app, Some(&usage_key), None, &good).await,
        401,
        "unauthenticated",
    );
    problem(
        &call(
            &app,
            "GET",
            "/provider/v1/nothing-here",
            Some(&read_key),
            &[],
            String::new(),
        )
        .await,
        404,
        "not-found",
    );
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_answer() {
    let pool = common::db().await;
    let app = common::app(pool.clone()).await;
    let key = key(&pool, &[Scope::Usage, Scope::Read]).await;
    let body = [
        record("i-1", CONTRACT, "sms", "2026-11-21T09:15:00", "1"),
        record("i-2", CONTRACT, "sms", "2026-11-21T09:16:00", "1"),
    ]
    .join("\n");
    let first = post_usage(&app, Some(&key), Some("batch-2026-11-21-0001"), &body).await;
    assert_eq!(
        first.json(),
        serde_json::json!({"received": 2, "stored": 2, "duplicates": 0})
    );
    // The retry gets the first answer, word for word (not "2 duplicates").
    let retry = post_usage(&app, Some(&key), Some("batch-2026-11-21-0001"), &body).await;
    assert_eq!(
        (retry.status, retry.body.as_str()),
        (200, first.body.as_str())
    );
    let reused = post_usage(
        &app,
        Some(&key),
        Some("batch-2026-11-21-0001"),
        &record("i-3", CONTRACT, "sms", "2026-11-21T09:17:00", "1"),
    )
    .await;
    assert_eq!(reused.status, 422, "{}", reused.body);
    assert_eq!(
        reused.json()["type"],
        "/provider/v1/problems/idempotency-key-reused"
    );
    let bad = post_usage(&app, Some(&key), Some("with space"), &body).await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert_eq!(records_with_ids(&pool).await, 2);
    // A refused request leaves its key free for the corrected one.
    let wrong = record("i-9", "no-such-contract", "sms", "2026-11-21T09:17:00", "1");
    let refused = post_usage(&app, Some(&key), Some("batch-0002"), &wrong).await;
    assert_eq!(refused.status, 422);
    let fixed = record("i-9", CONTRACT, "sms", "2026-11-21T09:17:00", "1");
    let accepted = post_usage(&app, Some(&key), Some("batch-0002"), &fixed).await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
}

#[tokio::test]
async fn the_openapi_document_describes_the_calls_and_its_example_is_accepted() {
    let pool = common::db().await;
    let app = common::app(pool.clone()).await;
    let answer = call(
        &app,
        "GET",
        "/provider/v1/openapi.json",
        None,
        &[],
        String::new(),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let doc = answer.json();
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    let usage = &doc["paths"]["/provider/v1/usage"]["post"];
    assert!(usage["requestBody"]["content"]["application/x-ndjson"].is_object());
    assert!(usage["responses"]["422"].is_object());
    assert_eq!(usage["security"][0]["api_key"][0], "usage");
    assert_eq!(
        doc["components"]["securitySchemes"]["api_key"]["scheme"],
        "bearer"
    );
    let line = &doc["components"]["schemas"]["UsageLine"];
    assert!(line["properties"]["type"].is_object(), "{line}");
    // The documented example is a line the API takes.
    let example = serde_json::to_string(&line["example"]).expect("example");
    let records = parse_feed(example.as_bytes()).expect("the example parses");
    assert_eq!(records[0].contract_number, CONTRACT);
    // Every upsert is documented with the `write` scope, and its example is stored as is.
    let write = key(&pool, &[Scope::Write]).await;
    for (schema, path) in [
        ("TariffDoc", "/provider/v1/tariffs/EX-T"),
        ("OptionDoc", "/provider/v1/options/EX-O"),
        ("CustomerDoc", "/provider/v1/customers/EX-100"),
        ("ContractDoc", "/provider/v1/contracts/100001-77"),
        ("InvoiceDoc", "/provider/v1/invoices/EX-1"),
        ("PaymentDoc", "/provider/v1/invoices/EX-1/payments/ex-1"),
        ("MessageDoc", "/provider/v1/customers/100001/messages/ex-1"),
    ] {
        let template = doc["paths"]
            .as_object()
            .and_then(|paths| {
                paths.iter().find(|(p, _)| {
                    p.split('/').count() == path.split('/').count()
                        && p.split('/')
                            .zip(path.split('/'))
                            .all(|(a, b)| a == b || a.starts_with('{'))
                })
            })
            .map(|(_, item)| item["put"].clone())
            .unwrap_or_else(|| panic!("{path} is documented"));
        assert_eq!(template["security"][0]["api_key"][0], "write", "{path}");
        assert!(template["responses"]["422"].is_object(), "{path}");
        let example = doc["components"]["schemas"][schema]["example"].to_string();
        let answer = call(
            &app,
            "PUT",
            path,
            Some(&write),
            &[("content-type", "application/json")],
            example,
        )
        .await;
        assert_eq!(answer.status, 201, "{schema}: {}", answer.body);
    }
}

/// Who calls: a name, the API key, other headers.
type Caller<'a> = (&'a str, Option<&'a str>, Vec<(&'a str, &'a str)>);

/// One route of the matrix: method, the route as `provider/mod.rs` declares it, a path that
/// fills it, the body's media type, the body, and the status for [no key, portal session,
/// read, write, usage].
type MatrixRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    String,
    [u16; 5],
);

/// The provider API's authorisation matrix: every route × no key, a portal session, and keys
/// of each scope; a portal session never opens the API. Every route of `provider/mod.rs` must
/// be here.
#[tokio::test]
async fn every_provider_route_checks_its_scope() {
    let pool = common::db().await;
    let app = common::app(pool.clone()).await;
    let session = common::sign_in(&app, "claire.dubois@example.be", "Trio-demo-2024").await;
    let read = key(&pool, &[Scope::Read]).await;
    let write = key(&pool, &[Scope::Write]).await;
    let usage = key(&pool, &[Scope::Usage]).await;
    let document = crate::provider_import::uploaded_document(&pool).await;
    let document_path: &'static str = format!("/provider/v1/documents/{document}").leak();
    let windows_path: &'static str = format!(
        "/provider/v1/appointment-windows/{}",
        common::today() + chrono::Days::new(3)
    )
    .leak();
    let json = "application/json";
    let names = r#"{"de":"X","fr":"X","nl":"X","en":"X"}"#;
    let routes: [MatrixRow; 14] = [
        (
            "GET",
            "/openapi.json",
            "/provider/v1/openapi.json",
            json,
            String::new(),
            [200; 5],
        ),
        (
            "GET",
            "/events",
            "/provider/v1/events",
            json,
            String::new(),
            [401, 401, 200, 403, 403],
        ),
        (
            "POST",
            "/usage",
            "/provider/v1/usage",
            "application/x-ndjson",
            record("m-1", CONTRACT, "sms", "2026-11-21T09:15:00", "1"),
            [401, 401, 403, 403, 200],
        ),
        (
            "PUT",
            "/customers/{number}",
            "/provider/v1/customers/900100",
            json,
            r#"{"segment":"private","country":"BE","language":"en","first_name":"A","last_name":"B","email":"a@example.be","street":"S 1","postal_code":"1000","city":"Brussels"}"#.to_owned(),
            [401, 401, 403, 201, 403],
        ),
        (
            "PUT",
            "/customers/{number}/messages/{id}",
            "/provider/v1/customers/100001/messages/m-1",
            json,
            r#"{"subject":"S","body":"B"}"#.to_owned(),
            [401, 401, 403, 201, 403],
        ),
        (
            "PUT",
            "/tariffs/{code}",
            "/provider/v1/tariffs/M-T",
            json,
            r#"{"service":"mobile","name":"T","monthly_price":"1.00"}"#.to_owned(),
            [401, 401, 403, 201, 403],
        ),
        (
            "PUT",
            "/options/{code}",
            "/provider/v1/options/M-O",
            json,
            format!(r#"{{"service":"mobile","names":{names},"monthly_price":"1.00"}}"#),
            [401, 401, 403, 201, 403],
        ),
        (
            "PUT",
            "/contracts/{number}",
            "/provider/v1/contracts/100001-90",
            json,
            r#"{"customer":"100001","service":"mobile","status":"active","start_date":"2026-11-01"}"#.to_owned(),
            [401, 401, 403, 201, 403],
        ),
        (
            "PUT",
            "/contracts/{number}/move",
            // The demo's confirmed move of Claire's internet line.
            "/provider/v1/contracts/100001-02/move",
            json,
            r#"{"status":"completed"}"#.to_owned(),
            [401, 401, 403, 200, 403],
        ),
        (
            "PUT",
            "/invoices/{number}",
            "/provider/v1/invoices/M-1",
            json,
            r#"{"customer":"100001","issue_date":"2026-11-01","due_date":"2026-11-15","lines":[{"kind":"one_off","description":"X","amount":"1.00","vat_rate":"21"}]}"#.to_owned(),
            [401, 401, 403, 201, 403],
        ),
        (
            "PUT",
            "/invoices/{number}/payments/{id}",
            "/provider/v1/invoices/M-1/payments/p-1",
            json,
            r#"{"amount":"1.00","paid_on":"2026-11-02","method":"transfer"}"#.to_owned(),
            [401, 401, 403, 201, 403],
        ),
        (
            "PUT",
            "/invoices/{number}/pdf",
            "/provider/v1/invoices/M-1/pdf",
            "application/pdf",
            "%PDF-1.4\n%%EOF\n".to_owned(),
            [401, 401, 403, 201, 403],
        ),
        (
            "PUT",
            "/appointment-windows/{day}",
            windows_path,
            json,
            r#"{"windows":[{"starts_at":"07:00","ends_at":"08:00"}]}"#.to_owned(),
            [401, 401, 403, 200, 403],
        ),
        (
            "PUT",
            "/documents/{id}",
            document_path,
            json,
            r#"{"status":"rejected"}"#.to_owned(),
            [401, 401, 403, 200, 403],
        ),
    ];
    let mut failures = Vec::new();
    for (method, _, path, media_type, body, expect) in &routes {
        let callers: [Caller; 5] = [
            ("no key", None, vec![]),
            ("portal session", None, vec![("cookie", session.as_str())]),
            ("read", Some(read.as_str()), vec![]),
            ("write", Some(write.as_str()), vec![]),
            ("usage", Some(usage.as_str()), vec![]),
        ];
        for ((who, key, mut headers), want) in callers.into_iter().zip(expect) {
            headers.push(("content-type", media_type));
            let answer = call(&app, method, path, key, &headers, body.clone()).await;
            if answer.status != *want {
                failures.push(format!(
                    "{method} {path} as {who}: got {}, want {want}: {}",
                    answer.status, answer.body
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let declared: Vec<&str> = include_str!("../../src/provider/mod.rs")
        .split(".route(")
        .skip(1)
        .filter_map(|rest| rest.trim_start().strip_prefix('"')?.split('"').next())
        .collect();
    assert!(declared.len() >= routes.len());
    for route in declared {
        assert!(
            routes.iter().any(|(_, r, _, _, _, _)| *r == route),
            "route {route} is missing from the provider matrix"
        );
    }
}
