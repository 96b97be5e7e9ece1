//! The Security tab (S2) and brute-force protection (S3): changing the password ends every
//! other session and rotates this one; the security answer is stored hashed and compares
//! without case and spaces; repeated failures lock an email (known or not, alike) and a
//! client address for a while.

use crate::common;

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
    let app = app(pool.clone()).await;
    let first = register(&app, &pool, "sam@example.be").await;
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
    let cookie = register(&app, &pool, "ines@example.be").await;
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

/// S3 as redesigned in issue 24: failures slow the attacker down without locking the owner
/// out. Three free failures per account and address, then a wait that doubles; twenty per
/// address over any accounts; past 50 failures of an account from anywhere, only an address
/// without failures for it may try.
#[tokio::test]
async fn failures_slow_guessing_down_without_locking_the_owner_out() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let known = "claire.dubois@example.be";
    let unknown = "nobody.here@example.be";
    let attacker = [10, 0, 0, 1];
    for email in [known, unknown] {
        let mut statuses = Vec::new();
        for _ in 0..4 {
            statuses.push(sign_in_from(&app, attacker, email, "wrong-password").await);
        }
        // Three refusals, then a wait: the same for both, so it reveals nothing.
        assert_eq!(statuses, [401, 401, 401, 429], "{email}");
    }
    // The owner, from her own address, is not held back by the attacker (five wrong passwords
    // from anywhere used to lock her out for 15 minutes).
    assert_eq!(
        sign_in_from(&app, [10, 0, 0, 2], known, "Trio-demo-2024").await,
        200
    );
    // Once the wait is over the attacker may guess again, and waits twice as long after it.
    let age = |seconds: i32| {
        let pool = pool.clone();
        async move {
            sqlx::query(
                "UPDATE auth_failures SET created_at = created_at - make_interval(secs => $1)",
            )
            .bind(f64::from(seconds))
            .execute(&pool)
            .await
            .expect("age failures");
        }
    };
    age(2).await;
    assert_eq!(
        sign_in_from(&app, attacker, unknown, "wrong-password").await,
        401
    );
    assert_eq!(
        sign_in_from(&app, attacker, unknown, "wrong-password").await,
        429
    );

    // One address trying many accounts: twenty failures, then that address waits (others not).
    age(600).await;
    let already = 7;
    for i in already..20 {
        let status = sign_in_from(&app, attacker, &format!("guess{i}@example.be"), "x").await;
        assert_eq!(status, 401, "failure {} from this address", i + 1);
    }
    let jonas = "jonas.becker@example.de";
    assert_eq!(
        sign_in_from(&app, attacker, jonas, "Mobil-demo-2024").await,
        429
    );
    assert_eq!(
        sign_in_from(&app, [10, 0, 0, 3], jonas, "Mobil-demo-2024").await,
        200
    );

    // Guesses spread over 50 addresses cap the account: an address that failed may no longer
    // try, even with the right password; a clean one still gets in with it.
    sqlx::query(
        "INSERT INTO auth_failures (kind, account_key, ip)
         SELECT 'sign_in', 'anna.becker@example.de', '10.1.0.' || g FROM generate_series(1, 50) g",
    )
    .execute(&pool)
    .await
    .expect("spread failures");
    let anna = "anna.becker@example.de";
    assert_eq!(
        sign_in_from(&app, [10, 1, 0, 7], anna, "Mobil-demo-2024").await,
        429
    );
    assert_eq!(
        sign_in_from(&app, [10, 2, 0, 1], anna, "wrong-password").await,
        401
    );
    assert_eq!(
        sign_in_from(&app, [10, 2, 0, 2], anna, "Mobil-demo-2024").await,
        200
    );
}
