//! Idempotency keys of confirming actions (issue 9, QUALITY "Idempotency"): twenty identical
//! concurrent confirmations give one effect and twenty identical answers; a key cannot be
//! reused for another request; a confirmation that waits too long for the first one answers
//! "in progress"; a refused first attempt leaves the key free; keys are pruned after a day.
//! (Upgrades and payments have the same twenty-at-once tests in hosting.rs and billing.rs.)

use crate::common;

use std::collections::BTreeSet;

use app::api::appointments::Appointments;
use common::{app, count, post, sign_in};

const CLAIRE: (&str, &str) = ("claire.dubois@example.be", "Trio-demo-2024");
const KEY: &str = "3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c";

/// Sends `body` to `path` twenty times at once; the distinct (status, body) answers.
async fn twenty_at_once(
    app: &axum::Router,
    path: &'static str,
    body: &str,
    cookie: &str,
) -> BTreeSet<(u16, String)> {
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (app, body, cookie) = (app.clone(), body.to_string(), cookie.to_string());
        tasks.spawn(async move { post(&app, path, &body, Some(&cookie)).await });
    }
    tasks
        .join_all()
        .await
        .into_iter()
        .map(|(status, body, _)| (status, body))
        .collect()
}

#[tokio::test]
async fn twenty_identical_option_changes_and_bookings_do_it_once() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let claire = sign_in(&app, CLAIRE.0, CLAIRE.1).await;

    let option = format!(
        "contract_number=100001-01&option_code=TV-DECODER&change=activate&shown_amount=2.17\
&idempotency_key={KEY}"
    );
    let answers = twenty_at_once(&app, "/api/change_option", &option, &claire).await;
    assert_eq!(answers.len(), 1, "twenty identical answers: {answers:?}");
    let (status, body) = answers.first().expect("answer");
    assert_eq!(*status, 200, "{body}");
    assert!(body.contains("\"amount\":\"2.17\""), "{body}");
    assert_eq!(
        count(&pool, "SELECT count(*) FROM pending_charges").await,
        1,
        "one effect"
    );

    let (_, page, _) = post(&app, "/api/appointments", "", Some(&claire)).await;
    let page: Appointments = serde_json::from_str(&page).expect("appointments");
    let before = count(&pool, "SELECT count(*) FROM appointments").await;
    let booking = format!(
        "kind=repair&slot_id={}&street=Rue+Haute+5&postal_code=4000&city=Li%C3%A8ge&note=&move_request=\
&idempotency_key={}",
        page.slots[0].id, page.booking_key
    );
    let answers = twenty_at_once(&app, "/api/book_appointment", &booking, &claire).await;
    assert_eq!(
        answers,
        BTreeSet::from([(200, "null".to_string())]),
        "twenty identical answers"
    );
    assert_eq!(
        count(&pool, "SELECT count(*) FROM appointments").await,
        before + 1,
        "one booking"
    );
    // The page's next form has a new key.
    let (_, again, _) = post(&app, "/api/appointments", "", Some(&claire)).await;
    let again: Appointments = serde_json::from_str(&again).expect("appointments");
    assert_ne!(again.booking_key, page.booking_key);
}

#[tokio::test]
async fn a_key_serves_one_request_and_a_refused_attempt_frees_it() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let claire = sign_in(&app, CLAIRE.0, CLAIRE.1).await;
    let body = |amount: &str| {
        format!(
            "contract_number=100001-01&option_code=TV-DECODER&change=activate&shown_amount={amount}\
&idempotency_key={KEY}"
        )
    };
    // An old page's amount is refused and rolls back: the key stays free.
    let (status, _, _) = post(&app, "/api/change_option", &body("2.50"), Some(&claire)).await;
    assert_eq!(status, 409);
    assert_eq!(
        count(&pool, "SELECT count(*) FROM idempotency_keys").await,
        0
    );
    let (status, first, _) = post(&app, "/api/change_option", &body("2.17"), Some(&claire)).await;
    assert_eq!(status, 200, "{first}");
    // The same key with another request: refused, nothing done.
    let other = format!(
        "contract_number=100001-03&option_code=FIX-BARRING&change=activate&shown_amount=0\
&idempotency_key={KEY}"
    );
    let (status, text, _) = post(&app, "/api/change_option", &other, Some(&claire)).await;
    assert_eq!((status, text.as_str()), (422, "\"KeyReused\""));
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM contract_options a JOIN contracts c ON c.id = a.contract_id
              WHERE c.contract_number = '100001-03' AND a.activated_on = DATE '2026-11-22'"
        )
        .await,
        0
    );
    // Another login's key space is its own: the same key string is a new key there.
    let max = sign_in(&app, "jonas.becker@example.de", "Mobil-demo-2024").await;
    let (status, text, _) = post(&app, "/api/change_option", &other, Some(&max)).await;
    assert_eq!(status, 404, "{text}");
    // A malformed key is refused before anything happens.
    let bad = body("2.17").replace(KEY, "short");
    let (status, _, _) = post(&app, "/api/change_option", &bad, Some(&claire)).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn a_confirmation_waiting_too_long_for_the_first_is_in_progress() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let claire = sign_in(&app, CLAIRE.0, CLAIRE.1).await;
    // The first confirmation holds the key in a transaction that does not end in time.
    let mut first = pool.begin().await.expect("tx");
    sqlx::query(
        "INSERT INTO idempotency_keys (login_id, key, action, request_hash, answer)
         SELECT id, $1, 'change_option', '\\x00', '' FROM logins WHERE email = $2",
    )
    .bind(KEY)
    .bind(CLAIRE.0)
    .execute(&mut *first)
    .await
    .expect("held key");
    let body = format!(
        "contract_number=100001-01&option_code=TV-DECODER&change=activate&shown_amount=2.17\
&idempotency_key={KEY}"
    );
    let (status, text, _) = post(&app, "/api/change_option", &body, Some(&claire)).await;
    assert_eq!((status, text.as_str()), (409, "\"InProgress\""));
    first.rollback().await.expect("rollback");
    // The first gave up: the key does the work now.
    let (status, text, _) = post(&app, "/api/change_option", &body, Some(&claire)).await;
    assert_eq!(status, 200, "{text}");
}

#[tokio::test]
async fn keys_are_pruned_after_a_day() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let claire = sign_in(&app, CLAIRE.0, CLAIRE.1).await;
    for (key, shown) in [
        (KEY, "2.17"),
        ("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "-2.17"),
    ] {
        let change = if shown.starts_with('-') {
            "deactivate"
        } else {
            "activate"
        };
        let body = format!(
            "contract_number=100001-01&option_code=TV-DECODER&change={change}&shown_amount={shown}\
&idempotency_key={key}"
        );
        let (status, text, _) = post(&app, "/api/change_option", &body, Some(&claire)).await;
        assert_eq!(status, 200, "{text}");
    }
    sqlx::query(
        "UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1",
    )
    .bind(KEY)
    .execute(&pool)
    .await
    .expect("age one key");
    let purged = app::backend::idempotency::purge(&pool)
        .await
        .expect("purge");
    assert_eq!(purged, 1);
    let left: Vec<String> = sqlx::query_scalar("SELECT key FROM idempotency_keys")
        .fetch_all(&pool)
        .await
        .expect("keys");
    assert_eq!(left, ["0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"]);
}
