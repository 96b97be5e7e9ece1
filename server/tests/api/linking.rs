//! Contract linking through the server functions (L1–L8), on the German demo household.

use crate::common;

use common::{app, post, register, sign_in};

const PASSWORD: &str = "Mobil-demo-2024";

#[tokio::test]
async fn a_new_login_links_200001_and_sees_both_contracts() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let cookie = register(&app, &pool, "new.holder@example.de").await;
    let (status, body, _) = post(&app, "/api/home_overview", "", Some(&cookie)).await;
    assert_eq!((status, body.as_str()), (200, "\"NoLinks\""));
    let (status, body, _) = post(
        &app,
        "/api/link_holder",
        "customer_number=+200001+&contract_password=Becker-200001",
        Some(&cookie),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, body, _) = post(&app, "/api/products", "lang=en", Some(&cookie)).await;
    assert!(
        body.contains("200001-01") && body.contains("200001-02"),
        "{body}"
    );
}

#[tokio::test]
async fn refusals_carry_their_reason() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let jonas = sign_in(&app, "jonas.becker@example.de", PASSWORD).await;
    let fresh = register(&app, &pool, "fresh@example.de").await;
    let lena = sign_in(&app, "lena.schmidt@example.de", PASSWORD).await;
    let cases = [
        (&jonas, "200002", "Becker-200002", "SecondHolder"),
        (&fresh, "200004", "Consulting-200004", "BusinessContract"),
        (&fresh, "200003", "Lehmann-200003", "BusinessHistory"),
        (&lena, "200001", "Becker-200001", "StaleHolderLink"),
        (&jonas, "200001", "Becker-200001", "AlreadyLinked"),
    ];
    for (cookie, number, password, reason) in cases {
        let body = format!("customer_number={number}&contract_password={password}");
        let (status, text, _) = post(&app, "/api/link_holder", &body, Some(cookie)).await;
        assert_eq!(status, 409, "{number}: {text}");
        assert!(text.contains(reason), "{number}: want {reason}, got {text}");
    }
    // Nothing was written by any refusal.
    let (_, links, _) = post(&app, "/api/get_links", "", Some(&fresh)).await;
    assert!(links.contains("\"links\":[]"), "{links}");
}

#[tokio::test]
async fn wrong_passwords_are_counted_and_throttled() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let cookie = register(&app, &pool, "guesser@example.de").await;
    for _ in 0..5 {
        let (status, text, _) = post(
            &app,
            "/api/link_holder",
            "customer_number=200001&contract_password=guess",
            Some(&cookie),
        )
        .await;
        assert_eq!((status, text.as_str()), (422, "\"LinkProofInvalid\""));
    }
    // Unknown numbers get the same answer as wrong passwords, until the limit.
    let (status, _, _) = post(
        &app,
        "/api/link_holder",
        "customer_number=200001&contract_password=Becker-200001",
        Some(&cookie),
    )
    .await;
    assert_eq!(status, 429);
}

#[tokio::test]
async fn make_me_holder_is_all_or_nothing() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let link_of = |email: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT k.id FROM links k JOIN logins l ON l.id = k.login_id
                  WHERE l.email = $1 AND k.role = 'user' ORDER BY k.id LIMIT 1",
            )
            .bind(email)
            .fetch_one(&pool)
            .await
            .expect("link")
        }
    };
    // Anna holds 200002: becoming holder of 200001 is refused and her user link stays.
    let anna = sign_in(&app, "anna.becker@example.de", PASSWORD).await;
    let anna_link = link_of("anna.becker@example.de").await;
    let body = format!("link_id={anna_link}&contract_password=Becker-200001");
    let (status, text, _) = post(&app, "/api/make_me_holder", &body, Some(&anna)).await;
    assert_eq!(
        (status, text.as_str()),
        (409, "{\"LinkRefused\":\"SecondHolder\"}")
    );
    let (_, links, _) = post(&app, "/api/get_links", "", Some(&anna)).await;
    assert!(links.contains("\"role\":\"user\""), "{links}");

    // Max only uses a line of 200001: with the password he becomes its holder, in one step.
    let max = sign_in(&app, "max.becker@example.de", PASSWORD).await;
    let max_link = link_of("max.becker@example.de").await;
    let wrong = format!("link_id={max_link}&contract_password=wrong");
    let (status, _, _) = post(&app, "/api/make_me_holder", &wrong, Some(&max)).await;
    assert_eq!(status, 422);
    let body = format!("link_id={max_link}&contract_password=Becker-200001");
    let (status, text, _) = post(&app, "/api/make_me_holder", &body, Some(&max)).await;
    assert_eq!(status, 200, "{text}");
    let (_, links, _) = post(&app, "/api/get_links", "", Some(&max)).await;
    assert!(
        links.contains("\"role\":\"holder\"") && !links.contains("\"role\":\"user\""),
        "{links}"
    );
}

#[tokio::test]
async fn warnings_of_stale_and_legacy_links() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let lena = sign_in(&app, "lena.schmidt@example.de", PASSWORD).await;
    let (_, body, _) = post(&app, "/api/get_links", "", Some(&lena)).await;
    assert!(body.contains("StaleHolder"), "{body}");
    let jonas = sign_in(&app, "jonas.becker@example.de", PASSWORD).await;
    let (_, body, _) = post(&app, "/api/get_links", "", Some(&jonas)).await;
    assert!(body.contains("LikelyBusinessContract"), "{body}");
    assert!(body.contains("https://business.lumen.example/"), "{body}");
}

/// Issue 24 item 4: guesses at one customer number add up over logins. Two fresh logins spend
/// their five each; the number is then paused for everyone, the right password included, and
/// its holder is told in the inbox and can allow linking again.
#[tokio::test]
async fn guesses_from_many_logins_pause_the_number_until_its_holder_allows_it() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let guess = "customer_number=200001&contract_password=guess";
    let right = "customer_number=200001&contract_password=Becker-200001";
    for login in ["first.guesser@example.de", "second.guesser@example.de"] {
        let cookie = register(&app, &pool, login).await;
        for _ in 0..5 {
            let (status, text, _) = post(&app, "/api/link_holder", guess, Some(&cookie)).await;
            assert_eq!((status, text.as_str()), (422, "\"LinkProofInvalid\""));
        }
    }
    let owner = register(&app, &pool, "real.owner@example.de").await;
    let (status, text, _) = post(&app, "/api/link_holder", right, Some(&owner)).await;
    assert_eq!((status, text.as_str()), (429, "\"LinkingPaused\""));
    // Another number is not paused.
    let (status, text, _) = post(
        &app,
        "/api/link_holder",
        "customer_number=200002&contract_password=guess",
        Some(&owner),
    )
    .await;
    assert_eq!((status, text.as_str()), (422, "\"LinkProofInvalid\""));

    // The household heard of it once, in its language.
    let notices: Vec<String> = sqlx::query_scalar(
        "SELECT m.subject FROM messages m JOIN customers c ON c.id = m.customer_id
          WHERE c.customer_number = '200001' AND m.kind = 'security'",
    )
    .fetch_all(&pool)
    .await
    .expect("notices");
    assert_eq!(notices, vec!["Verknüpfung pausiert: 200001".to_string()]);

    // The holder sees the pause on the linking page and lifts it; a user link cannot.
    let jonas = sign_in(&app, "jonas.becker@example.de", PASSWORD).await;
    let (_, links, _) = post(&app, "/api/get_links", "", Some(&jonas)).await;
    assert!(links.contains("\"paused\":true"), "{links}");
    let link_id = common::holder_link_id(&pool, "jonas.becker@example.de", "200001").await;
    let max = sign_in(&app, "max.becker@example.de", PASSWORD).await;
    let body = format!("link_id={link_id}");
    let (status, _, _) = post(&app, "/api/resume_linking", &body, Some(&max)).await;
    assert_eq!(status, 404);
    let (status, text, _) = post(&app, "/api/resume_linking", &body, Some(&jonas)).await;
    assert_eq!(status, 200, "{text}");
    let (_, links, _) = post(&app, "/api/get_links", "", Some(&jonas)).await;
    assert!(!links.contains("\"paused\":true"), "{links}");
    let (status, text, _) = post(&app, "/api/link_holder", right, Some(&owner)).await;
    assert_eq!(status, 200, "{text}");
}
