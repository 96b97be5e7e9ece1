//! The Security tab (S2) and brute-force protection (S3): changing the password ends every
//! other session and rotates this one; the security answer is stored hashed and compares
//! without case and spaces; repeated failures lock an email (known or not, alike) and a
//! client address for a while.

mod common;

use app::{
    api::security::SecurityView,
    backend::password,
    domain::security::{SecurityQuestion, normalize_answer},
};
use axum::{
    body::Body,
    extract::ConnectInfo,
    http::{Request, header},
};
use common::{app, post, register, sign_in};
use tower::ServiceExt;

const OLD: &str = "a long enough passphrase";
const NEW: &str = "Velo-Rouge-Sur-Meuse-42";

async fn signed_in(app: &axum::Router, cookie: &str) -> bool {
    let (status, _, _) = post(app, "/api/security", "", Some(cookie)).await;
    status == 200
}

fn change(current: &str, new: &str, confirm: &str) -> String {
    let enc = |s: &str| s.replace(' ', "+");
    format!(
        "current_password={}&new_password={}&new_password_confirm={}",
        enc(current),
        enc(new),
        enc(confirm)
    )
}

#[tokio::test]
async fn changing_the_password_ends_every_other_session() {
    let pool = common::db().await;
    let app = app(pool).await;
    let first = register(&app, "sam@example.be").await;
    let second = sign_in(&app, "sam@example.be", OLD).await;
    assert!(signed_in(&app, &first).await && signed_in(&app, &second).await);

    let refusals = [
        (change("wrong password!", NEW, NEW), "password_wrong"),
        (change(OLD, "password1234", "password1234"), "password_weak"),
        (change(OLD, NEW, "Velo-Rouge"), "passwords_differ"),
        (change(OLD, OLD, OLD), "password_unchanged"),
        (change(OLD, "short", "short"), "password_too_short"),
    ];
    for (body, want) in refusals {
        let (status, text, _) = post(&app, "/api/change_password", &body, Some(&first)).await;
        assert_eq!((status, text.contains(want)), (422, true), "{want}: {text}");
    }
    assert!(signed_in(&app, &second).await, "refusals change nothing");

    let (status, text, rotated) = post(
        &app,
        "/api/change_password",
        &change(OLD, NEW, NEW),
        Some(&first),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let rotated = rotated.expect("a new session cookie");
    assert_ne!(rotated, first, "the session id is rotated");
    assert!(signed_in(&app, &rotated).await);
    assert!(!signed_in(&app, &first).await, "the old id is gone");
    assert!(
        !signed_in(&app, &second).await,
        "the other browser is signed out"
    );
    let view: SecurityView = {
        let (_, body, _) = post(&app, "/api/security", "", Some(&rotated)).await;
        serde_json::from_str(&body).expect("security")
    };
    assert!(view.password_changed_at.is_some());

    let old = format!(
        "email=sam%40example.be&password={}&lang=en",
        OLD.replace(' ', "+")
    );
    let (status, _, _) = post(&app, "/api/sign_in", &old, None).await;
    assert_eq!(status, 401);
    sign_in(&app, "sam@example.be", NEW).await;
}

#[tokio::test]
async fn the_security_answer_is_hashed_and_forgiving() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let cookie = register(&app, "ines@example.be").await;
    let (status, text, _) = post(
        &app,
        "/api/set_security_question",
        "question=&answer=x&current_password=a+long+enough+passphrase",
        Some(&cookie),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        text.contains("\"question\"") && text.contains("answer_invalid"),
        "{text}"
    );
    let (status, text, _) = post(
        &app,
        "/api/set_security_question",
        "question=first_pet&answer=Rex&current_password=wrong",
        Some(&cookie),
    )
    .await;
    assert_eq!(
        (status, text.contains("password_wrong")),
        (422, true),
        "{text}"
    );
    let (status, text, _) = post(
        &app,
        "/api/set_security_question",
        "question=first_pet&answer=++Rex+le+Chien+&current_password=a+long+enough+passphrase",
        Some(&cookie),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let (_, body, _) = post(&app, "/api/security", "", Some(&cookie)).await;
    let view: SecurityView = serde_json::from_str(&body).expect("security");
    assert_eq!(view.question, Some(SecurityQuestion::FirstPet));

    let hash: String = sqlx::query_scalar(
        "SELECT security_answer_hash FROM logins WHERE email = 'ines@example.be'",
    )
    .fetch_one(&pool)
    .await
    .expect("hash");
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.to_lowercase().contains("rex"));
    let typed = normalize_answer("REX LE chien").expect("answer");
    assert!(
        password::verify(typed, Some(hash.clone()))
            .await
            .expect("verify")
    );
    let wrong = normalize_answer("Rox le chien").expect("answer");
    assert!(!password::verify(wrong, Some(hash)).await.expect("verify"));
}

/// A sign-in from a given client address.
async fn sign_in_from(app: &axum::Router, ip: [u8; 4], email: &str, password: &str) -> u16 {
    let body = format!(
        "email={}&password={password}&lang=en",
        email.replace('@', "%40")
    );
    let request = Request::post("/api/sign_in")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .extension(ConnectInfo(std::net::SocketAddr::from((ip, 40000))))
        .body(Body::from(body))
        .expect("request");
    app.clone()
        .oneshot(request)
        .await
        .expect("response")
        .status()
        .as_u16()
}

#[tokio::test]
async fn repeated_failures_lock_an_email_known_or_not_and_an_address() {
    let pool = common::db().await;
    let app = app(pool).await;
    let known = "claire.dubois@example.be";
    let unknown = "nobody.here@example.be";
    for email in [known, unknown] {
        let statuses: Vec<u16> = {
            let mut all = Vec::new();
            for _ in 0..6 {
                all.push(sign_in_from(&app, [10, 0, 0, 1], email, "wrong-password").await);
            }
            all
        };
        // Five refusals, then the lockout: the same for both, so it reveals nothing.
        assert_eq!(statuses, [401, 401, 401, 401, 401, 429], "{email}");
    }
    // Locked even with the right password, from anywhere.
    assert_eq!(
        sign_in_from(&app, [10, 0, 0, 2], known, "Trio-demo-2024").await,
        429
    );

    // One address trying many emails is locked after 20 failures.
    for i in 0..10 {
        let status = sign_in_from(&app, [10, 0, 0, 1], &format!("guess{i}@example.be"), "x").await;
        assert_eq!(status, 401, "failure {} from this address", 10 + i + 1);
    }
    let jonas = "jonas.becker@example.de";
    assert_eq!(
        sign_in_from(&app, [10, 0, 0, 1], jonas, "Mobil-demo-2024").await,
        429
    );
    // Another address is not affected.
    assert_eq!(
        sign_in_from(&app, [10, 0, 0, 3], jonas, "Mobil-demo-2024").await,
        200
    );
}
