//! Direct debit (I4): activation with IBAN checks, the masked mandate, cancellation and the
//! autopay rule, with L2 rights.

use crate::common;

use app::api::payments::PaymentMethods;
use common::{app, post, sign_in};

async fn methods(app: &axum::Router, cookie: &str) -> PaymentMethods {
    let (status, body, _) = post(app, "/api/payment_methods", "", Some(cookie)).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).expect("methods")
}

#[tokio::test]
async fn a_holder_activates_and_cancels_direct_debit() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let claire = sign_in(&app, "claire.dubois@example.be", "Trio-demo-2024").await;
    assert!(methods(&app, &claire).await.mandate.is_none());

    let cases = [
        (
            "account_holder=Claire+Dubois&iban=BE68+5390+0754+7035&consent=on",
            "iban_checksum",
        ),
        ("account_holder=Claire+Dubois&iban=BE68", "iban_invalid"),
        (
            "account_holder=Claire+Dubois&iban=BE68+5390+0754+7034",
            "consent_missing",
        ),
        ("account_holder=&iban=&consent=on", "required"),
    ];
    for (body, problem) in cases {
        let (status, text, _) = post(&app, "/api/activate_sepa", body, Some(&claire)).await;
        assert_eq!(status, 422, "{body}: {text}");
        assert!(text.contains(problem), "{body}: want {problem}, got {text}");
    }
    let none: i64 = sqlx::query_scalar("SELECT count(*) FROM sepa_mandates m JOIN customers c ON c.id = m.customer_id WHERE c.customer_number = '100001'")
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(none, 0, "nothing stored for refused input");

    // Step-up (issue 9, ASVS V7.5): valid fields without the password, or with a wrong one,
    // store nothing.
    for (password, problem) in [("", "required"), ("not-my-password", "password_wrong")] {
        let body = format!(
            "account_holder=Claire+Dubois&iban=BE68+5390+0754+7034&consent=on&current_password={password}"
        );
        let (status, text, _) = post(&app, "/api/activate_sepa", &body, Some(&claire)).await;
        assert_eq!(status, 422, "{text}");
        assert!(
            text.contains("current_password") && text.contains(problem),
            "{text}"
        );
    }
    assert!(methods(&app, &claire).await.mandate.is_none());

    let (status, text, _) = post(
        &app,
        "/api/activate_sepa",
        "account_holder=Claire+Dubois&iban=be68+5390+0754+7034&consent=on&current_password=Trio-demo-2024",
        Some(&claire),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let active = methods(&app, &claire).await;
    let mandate = active.mandate.expect("mandate");
    assert_eq!(mandate.masked_iban, "BE68 •••• •••• 7034");
    assert_eq!(mandate.reference, "LUMEN-100001-001");
    assert_eq!(mandate.signed_on.to_string(), "2026-11-22");
    assert_eq!(Some(mandate.creditor_id), active.creditor_id);
    // The IBAN is kept in full for the bank, in its electronic form, sealed at rest (issue
    // 24 item 15): no clear text in the row, and only the data key opens it.
    let (clear, sealed, customer_id): (Option<String>, Vec<u8>, i64) = sqlx::query_as(
        "SELECT iban, iban_sealed, customer_id FROM sepa_mandates
          WHERE revoked_on IS NULL AND reference = 'LUMEN-100001-001'",
    )
    .fetch_one(&pool)
    .await
    .expect("stored");
    assert_eq!(clear, None);
    assert!(!String::from_utf8_lossy(&sealed).contains("7034"));
    let purpose = app::backend::sealed::Purpose::Iban { customer_id };
    let opened = common::keys().open_text(purpose, &sealed).expect("opens");
    assert_eq!(opened, "BE68539007547034");
    assert!(
        app::backend::sealed::DataKeys::demo()
            .open(purpose, &sealed)
            .is_err()
    );

    let (status, _, _) = post(&app, "/api/revoke_sepa", "", Some(&claire)).await;
    assert_eq!(status, 200);
    assert!(methods(&app, &claire).await.mandate.is_none());
    let (status, _, _) = post(&app, "/api/revoke_sepa", "", Some(&claire)).await;
    assert_eq!(status, 404, "nothing left to cancel");
    let (status, _, _) = post(
        &app,
        "/api/activate_sepa",
        "account_holder=Claire+Dubois&iban=BE68539007547034&consent=on&current_password=Trio-demo-2024",
        Some(&claire),
    )
    .await;
    assert_eq!(status, 200);
    let again = methods(&app, &claire).await.mandate.expect("mandate");
    assert_eq!(
        again.reference, "LUMEN-100001-002",
        "a new mandate, a new reference"
    );
}

#[tokio::test]
async fn autopay_cannot_be_dropped_without_another_method() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let jonas = sign_in(&app, "jonas.becker@example.de", "Mobil-demo-2024").await;
    let before = methods(&app, &jonas).await;
    assert!(before.requires_autopay);
    let (status, text, _) = post(&app, "/api/revoke_sepa", "", Some(&jonas)).await;
    assert_eq!((status, text.as_str()), (409, "\"AutopayRequired\""));
    assert!(
        methods(&app, &jonas).await.mandate.is_some(),
        "still active"
    );
    // With a card on file, direct debit may go.
    sqlx::query("UPDATE customers SET card_last4 = '4242' WHERE customer_number = '200001'")
        .execute(&pool)
        .await
        .expect("card");
    let (status, _, _) = post(&app, "/api/revoke_sepa", "", Some(&jonas)).await;
    assert_eq!(status, 200);
    // The user of a line of 200001 sees no payment data.
    let max = sign_in(&app, "max.becker@example.de", "Mobil-demo-2024").await;
    let (status, _, _) = post(&app, "/api/payment_methods", "", Some(&max)).await;
    assert_eq!(status, 404);
}
