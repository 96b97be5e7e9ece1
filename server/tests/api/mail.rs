//! Email and forgotten passwords (issue 27): the same answer for every address, single-use
//! tokens that expire, the throttle, the outbox's delivery and retries, the development
//! mailbox; through the real router on a real PostgreSQL.

use std::time::{Duration, Instant};

use app::backend::{
    mail::{self, DevMailDelivery, MailDelivery, OutboxMail},
    password_reset,
};
use sqlx::PgPool;

use crate::common::{self, count, post};

const PASSWORD: &str = "a+long+enough+passphrase";
const NEW_PASSWORD: &str = "Fjord-lantern-quietly-7";

async fn setup() -> (PgPool, app::backend::state::AppState, axum::Router) {
    let pool = common::db().await;
    let state = common::state(pool.clone()).await;
    let app = server::routes::router(state.clone());
    (pool, state, app)
}

async fn ask_reset(app: &axum::Router, email: &str) -> (u16, String) {
    let body = format!("email={}&lang=en", email.replace('@', "%40"));
    let (status, text, _) = post(app, "/api/request_password_reset", &body, None).await;
    (status, text)
}

/// The token of the newest reset mail to `email`, from its link.
async fn token_for(pool: &PgPool, email: &str) -> String {
    common::token_in_mail(pool, email, "password_reset").await
}

async fn reset(app: &axum::Router, token: &str, password: &str) -> (u16, String) {
    let body = format!("token={token}&password={password}&password_confirm={password}&lang=en");
    let (status, text, _) = post(app, "/api/reset_password", &body, None).await;
    (status, text)
}

#[tokio::test]
async fn a_reset_link_changes_the_password_once_and_ends_every_session() {
    let (pool, state, app) = setup().await;
    let email = "reset.me@example.org";
    let session = common::register(&app, &pool, email).await;
    let (status, answer) = ask_reset(&app, email).await;
    assert_eq!(status, 200, "{answer}");
    // The answer is given before any token exists: the mail worker makes it.
    assert_eq!(
        count(&pool, "SELECT count(*) FROM password_resets").await,
        0
    );
    let queued = password_reset::process_requests(&pool, &state.mail_context(), 10)
        .await
        .expect("requests");
    assert_eq!(queued, 1);
    let (language, secret): (String, bool) =
        sqlx::query_as("SELECT language, secret FROM email_outbox WHERE recipient = $1")
            .bind(email)
            .fetch_one(&pool)
            .await
            .expect("mail");
    assert_eq!(language, "de", "in the login's language");
    assert!(secret);
    let token = token_for(&pool, email).await;

    // A weak password is refused and the link still works.
    let (status, text) = reset(&app, &token, "password").await;
    assert_eq!(status, 422, "{text}");
    let (status, text) = reset(&app, &token, NEW_PASSWORD).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM sessions s JOIN logins l ON l.id = s.login_id
              WHERE l.email = 'reset.me@example.org'"
        )
        .await,
        0,
        "every session ended"
    );
    let (status, _) = common::get_page(&app, "/de/account", Some(&session)).await;
    assert_ne!(status, 200, "the old session is gone");
    // Used once: the same link again is refused, and so is a made-up one.
    let (status, text) = reset(&app, &token, "Another-fine-passphrase-9").await;
    assert_eq!(status, 422);
    assert!(text.contains("reset_link_invalid"), "{text}");
    let (status, _) = reset(&app, "not-a-token", NEW_PASSWORD).await;
    assert_eq!(status, 422);
    // The new password signs in, the old one does not.
    common::sign_in(&app, email, NEW_PASSWORD).await;
    let old = format!("email=reset.me%40example.org&password={PASSWORD}&lang=en");
    let (status, _, _) = post(&app, "/api/sign_in", &old, None).await;
    assert_eq!(status, 401);
    // A notice went to the address.
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM email_outbox
              WHERE recipient = 'reset.me@example.org' AND kind = 'password_changed'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn an_expired_link_is_refused() {
    let (pool, state, app) = setup().await;
    let email = "late@example.org";
    common::register(&app, &pool, email).await;
    ask_reset(&app, email).await;
    password_reset::process_requests(&pool, &state.mail_context(), 10)
        .await
        .expect("requests");
    let token = token_for(&pool, email).await;
    sqlx::query("UPDATE password_resets SET expires_at = now() - interval '1 second'")
        .execute(&pool)
        .await
        .expect("age the token");
    let (status, text) = reset(&app, &token, NEW_PASSWORD).await;
    assert_eq!(status, 422);
    assert!(text.contains("reset_link_invalid"), "{text}");
    let (status, page) =
        common::get_page(&app, &format!("/reset-password?token={token}"), None).await;
    assert_eq!(status, 200);
    assert!(page.contains("data-testid=\"reset-link-invalid\""));
    assert!(!page.contains("name=\"password\""));
}

#[tokio::test]
async fn every_address_gets_the_same_answer_in_the_same_time() {
    let (pool, state, app) = setup().await;
    // Known addresses (inserted directly: registering hashes a password) and unknown ones,
    // asked in turn, each once.
    for i in 0..12 {
        sqlx::query(
            "INSERT INTO logins (provider_id, email, password_hash, language)
             VALUES ($1, $2, 'x', 'en')",
        )
        .bind(state.provider_id)
        .bind(format!("known{i}@example.org"))
        .execute(&pool)
        .await
        .expect("login");
    }
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    let mut answers = std::collections::BTreeSet::new();
    for i in 0..12 {
        for (email, times) in [
            (format!("known{i}@example.org"), &mut known),
            (format!("nobody{i}@example.org"), &mut unknown),
        ] {
            let started = Instant::now();
            let answer = ask_reset(&app, &email).await;
            times.push(started.elapsed());
            answers.insert(answer);
        }
    }
    assert_eq!(answers.len(), 1, "one answer for all: {answers:?}");
    let median = |times: &mut Vec<Duration>| {
        times.sort();
        times[times.len() / 2]
    };
    let (known, unknown) = (median(&mut known), median(&mut unknown));
    // The same work for both (one insert); a lookup or a hash for known addresses only would
    // show as milliseconds.
    let gap = known.abs_diff(unknown);
    assert!(
        gap < Duration::from_millis(5),
        "known {known:?} against unknown {unknown:?}"
    );
    let queued = password_reset::process_requests(&pool, &state.mail_context(), 50)
        .await
        .expect("requests");
    assert_eq!(queued, 12, "mails for the known addresses only");
}

#[tokio::test]
async fn requests_are_throttled_per_address_whether_it_is_known_or_not() {
    let (pool, state, app) = setup().await;
    let email = "busy@example.org";
    common::register(&app, &pool, email).await;
    for address in [email, "ghost@example.org"] {
        for _ in 0..password_reset::MAX_PER_ADDRESS {
            assert_eq!(ask_reset(&app, address).await.0, 200);
        }
        assert_eq!(ask_reset(&app, address).await.0, 429, "{address}");
    }
    assert_eq!(ask_reset(&app, "Someone.Else@example.org").await.0, 200);
    let queued = password_reset::process_requests(&pool, &state.mail_context(), 50)
        .await
        .expect("requests");
    assert_eq!(queued, 3);
    // A bad address is a field error, not a throttle or a 500.
    assert_eq!(ask_reset(&app, "not an address").await.0, 422);
}

struct Failing;

impl MailDelivery for Failing {
    async fn send(&self, _mail: &OutboxMail) -> Result<(), String> {
        Err("relay refused".into())
    }
}

#[tokio::test]
async fn the_outbox_sends_once_retries_later_and_keeps_one_mail_per_event() {
    let (pool, _state, _app) = setup().await;
    let rendered = mail::Mail::PasswordChanged {
        sign_in: "http://portal.example/sign-in".into(),
    }
    .render(app::domain::lang::Lang::Fr, "Lumen");
    let mut conn = pool.acquire().await.expect("connection");
    for _ in 0..2 {
        mail::enqueue(
            &mut conn,
            None,
            "someone@example.org",
            app::domain::lang::Lang::Fr,
            &rendered,
            Some("event-1"),
        )
        .await
        .expect("queued");
    }
    drop(conn);
    assert_eq!(count(&pool, "SELECT count(*) FROM email_outbox").await, 1);
    // A failure counts and waits: the next run does not pick it again at once.
    assert_eq!(
        mail::deliver_pending(&pool, &Failing, 10)
            .await
            .expect("run"),
        0
    );
    assert_eq!(
        mail::deliver_pending(&pool, &Failing, 10)
            .await
            .expect("run"),
        0
    );
    let (attempts, error, waits): (i32, Option<String>, bool) =
        sqlx::query_as("SELECT attempts, last_error, next_attempt_at > now() FROM email_outbox")
            .fetch_one(&pool)
            .await
            .expect("row");
    assert_eq!(
        (attempts, error.as_deref(), waits),
        (1, Some("relay refused"), true)
    );
    sqlx::query("UPDATE email_outbox SET next_attempt_at = now()")
        .execute(&pool)
        .await
        .expect("due");
    assert_eq!(
        mail::deliver_pending(&pool, &DevMailDelivery, 10)
            .await
            .expect("run"),
        1
    );
    assert_eq!(
        mail::deliver_pending(&pool, &DevMailDelivery, 10)
            .await
            .expect("run"),
        0,
        "sent once"
    );
}

#[tokio::test]
async fn the_development_mailbox_lists_the_mails_escaped() {
    let (pool, state, app) = setup().await;
    let email = "demo.reader@example.org";
    common::register(&app, &pool, email).await;
    ask_reset(&app, email).await;
    password_reset::process_requests(&pool, &state.mail_context(), 10)
        .await
        .expect("requests");
    mail::deliver_pending(&pool, &DevMailDelivery, 10)
        .await
        .expect("run");
    let mailbox = server::mailbox::router(pool.clone());
    let (status, page) = common::get_page(&mailbox, "/dev/mailbox", None).await;
    assert_eq!(status, 200);
    assert!(page.contains(email));
    assert!(
        page.contains("<a href=\"http://127.0.0.1:3000/de/reset-password?token="),
        "{page}"
    );
    // The development delivery keeps the bodies (an SMTP delivery clears a secret's).
    let token = token_for(&pool, email).await;
    assert!(!token.is_empty());
    // Not part of the portal's own router.
    let (status, _) = common::get_page(&app, "/dev/mailbox", None).await;
    assert_eq!(status, 404);
}

async fn ask_registration(app: &axum::Router, email: &str, password: &str) -> (u16, String) {
    let body = format!(
        "email={}&password={password}&password_confirm={password}&lang=fr",
        email.replace('@', "%40")
    );
    let (status, text, cookie) = post(app, "/api/register", &body, None).await;
    assert!(
        cookie.is_none(),
        "no session before the address is confirmed"
    );
    (status, text)
}

#[tokio::test]
async fn registration_answers_alike_and_makes_the_login_only_when_confirmed() {
    let (pool, state, app) = setup().await;
    let new = "new.comer@example.org";
    // A known address and a new one: the same answer.
    let known = ask_registration(&app, "claire.dubois@example.be", "Other-passphrase-41").await;
    let fresh = ask_registration(&app, new, "First-passphrase-17").await;
    assert_eq!(known, fresh);
    assert_eq!(fresh.0, 200);
    // Someone else registers the same new address before it is confirmed.
    ask_registration(&app, new, "Intruder-passphrase-99").await;
    let body = "email=new.comer%40example.org&password=First-passphrase-17&lang=en";
    assert_eq!(
        post(&app, "/api/sign_in", body, None).await.0,
        401,
        "not usable yet"
    );
    let queued = app::backend::registration::process_requests(&pool, &state.mail_context(), 10)
        .await
        .expect("registrations");
    assert_eq!(queued, 3);
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM email_outbox
              WHERE recipient = 'claire.dubois@example.be' AND kind = 'already_registered'"
        )
        .await,
        1
    );
    // The first link, confirmed: the login has the password of its own registration.
    let first: String = sqlx::query_scalar(
        "SELECT body_text FROM email_outbox WHERE recipient = $1 ORDER BY id LIMIT 1",
    )
    .bind(new)
    .fetch_one(&pool)
    .await
    .expect("mail");
    let start = first.find("?token=").expect("link") + "?token=".len();
    let first = first[start..]
        .split_whitespace()
        .next()
        .expect("token")
        .to_string();
    let second = common::token_in_mail(&pool, new, "verify_address").await;
    assert_ne!(first, second);
    let (status, page) =
        common::get_page(&app, &format!("/fr/verify-email?token={first}"), None).await;
    assert_eq!(status, 200);
    assert!(page.contains("data-testid=\"verify-submit\""));
    let (status, text, cookie) = post(
        &app,
        "/api/verify_email",
        &format!("token={first}&lang=fr"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{text}");
    assert!(cookie.is_some(), "signed in");
    common::sign_in(&app, new, "First-passphrase-17").await;
    // The other link and the used one are spent.
    for token in [&first, &second] {
        let (status, text, _) = post(
            &app,
            "/api/verify_email",
            &format!("token={token}&lang=fr"),
            None,
        )
        .await;
        assert_eq!(status, 422);
        assert!(text.contains("verify_link_invalid"), "{text}");
    }
    let body = "email=new.comer%40example.org&password=Intruder-passphrase-99&lang=en";
    assert_eq!(post(&app, "/api/sign_in", body, None).await.0, 401);
}

fn email_change_body(new_email: &str, password: &str) -> String {
    format!(
        "new_email={}&current_password={password}",
        new_email.replace('@', "%40")
    )
}

#[tokio::test]
async fn a_new_address_counts_once_its_link_is_confirmed_and_the_old_one_hears_of_it() {
    let (pool, _state, app) = setup().await;
    let old = "change.me@example.org";
    let new = "changed.now@example.org";
    let session = common::register(&app, &pool, old).await;
    let cookie = Some(session.as_str());
    for (body, problem) in [
        (email_change_body(new, "wrong+password"), "password_wrong"),
        (email_change_body(old, PASSWORD), "email_unchanged"),
        (
            email_change_body("not-an-address", PASSWORD),
            "email_invalid",
        ),
    ] {
        let (status, text, _) = post(&app, "/api/request_email_change", &body, cookie).await;
        assert_eq!(status, 422, "{text}");
        assert!(text.contains(problem), "{problem}: {text}");
    }
    assert_eq!(count(&pool, "SELECT count(*) FROM email_changes").await, 0);
    let (status, text, _) = post(
        &app,
        "/api/request_email_change",
        &email_change_body(new, PASSWORD),
        cookie,
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let token = common::token_in_mail(&pool, new, "confirm_email_change").await;
    let (_, page) = common::get_page(&app, "/de/security", cookie).await;
    assert!(page.contains("data-testid=\"email-pending\""), "{page}");
    assert!(page.contains(new));
    // Nothing changed yet.
    let sign_in_new = format!(
        "email={}&password={PASSWORD}&lang=en",
        new.replace('@', "%40")
    );
    assert_eq!(post(&app, "/api/sign_in", &sign_in_new, None).await.0, 401);

    // The link, opened on another device (no session): the page names the new address.
    let (status, page) =
        common::get_page(&app, &format!("/en/confirm-email?token={token}"), None).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("data-testid=\"confirm-email-submit\""),
        "{page}"
    );
    assert!(page.contains(new));
    let confirm = format!("token={token}&lang=en");
    let (status, text, _) = post(&app, "/api/confirm_email_change", &confirm, None).await;
    assert_eq!(status, 200, "{text}");
    common::sign_in(&app, new, PASSWORD).await;
    let sign_in_old = format!(
        "email={}&password={PASSWORD}&lang=en",
        old.replace('@', "%40")
    );
    assert_eq!(post(&app, "/api/sign_in", &sign_in_old, None).await.0, 401);
    let notice: String = sqlx::query_scalar(
        "SELECT body_text FROM email_outbox WHERE recipient = $1 AND kind = 'email_changed'",
    )
    .bind(old)
    .fetch_one(&pool)
    .await
    .expect("a notice to the old address");
    assert!(notice.contains("ch…@example.org"), "{notice}");
    assert!(!notice.contains(new), "masked: {notice}");
    // The session that asked goes on, with the new address.
    let (_, page) = common::get_page(&app, "/de/security", cookie).await;
    assert!(page.contains(new) && !page.contains("data-testid=\"email-pending\""));

    // Used once.
    let (status, text, _) = post(&app, "/api/confirm_email_change", &confirm, None).await;
    assert_eq!(status, 422);
    assert!(text.contains("change_link_invalid"), "{text}");
    let (_, page) = common::get_page(&app, &format!("/en/confirm-email?token={token}"), None).await;
    assert!(page.contains("data-testid=\"confirm-link-invalid\""));
}

#[tokio::test]
async fn a_change_to_an_address_with_a_login_looks_alike_and_is_never_made() {
    let (pool, _state, app) = setup().await;
    let mover = "mover@example.org";
    let taken = "claire.dubois@example.be";
    let session = common::register(&app, &pool, mover).await;
    let cookie = Some(session.as_str());
    let ask = |email: &str| email_change_body(email, PASSWORD);
    let to_taken = post(&app, "/api/request_email_change", &ask(taken), cookie).await;
    let to_free = post(
        &app,
        "/api/request_email_change",
        &ask("mover.two@example.org"),
        cookie,
    )
    .await;
    assert_eq!(
        (to_taken.0, &to_taken.1),
        (to_free.0, &to_free.1),
        "the same answer"
    );
    // The owner of the taken address hears of it; no link goes there.
    let to_owner: Vec<String> =
        sqlx::query_scalar("SELECT kind FROM email_outbox WHERE recipient = $1 ORDER BY id")
            .bind(taken)
            .fetch_all(&pool)
            .await
            .expect("mails");
    assert_eq!(to_owner, ["email_in_use"]);
    // The free address's link, confirmed after another login took that address in the
    // meantime: nothing changes.
    let token = common::token_in_mail(&pool, "mover.two@example.org", "confirm_email_change").await;
    common::register(&app, &pool, "mover.two@example.org").await;
    let (status, text, _) = post(
        &app,
        "/api/confirm_email_change",
        &format!("token={token}&lang=en"),
        None,
    )
    .await;
    assert_eq!(status, 422);
    assert!(text.contains("email_taken"), "{text}");
    common::sign_in(&app, mover, PASSWORD).await;
    // Three requests in the window, then a wait.
    let third = post(
        &app,
        "/api/request_email_change",
        &ask("mover.3@example.org"),
        cookie,
    )
    .await;
    assert_eq!(third.0, 200, "{}", third.1);
    let fourth = post(
        &app,
        "/api/request_email_change",
        &ask("mover.4@example.org"),
        cookie,
    )
    .await;
    assert_eq!(fourth.0, 429, "{}", fourth.1);
}

#[tokio::test]
async fn the_outbox_keeps_sent_mails_a_month_and_given_up_ones_three_months() {
    let (pool, _state, _app) = setup().await;
    sqlx::query(
        "INSERT INTO email_outbox (recipient, language, kind, subject, body_text, body_html,
                                   created_at, attempts, sent_at)
         VALUES ('old.sent@example.org', 'en', 'notice', 's', 't', 'h',
                 now() - interval '40 days', 1, now() - interval '40 days'),
                ('new.sent@example.org', 'en', 'notice', 's', 't', 'h',
                 now() - interval '5 days', 1, now() - interval '5 days'),
                ('old.failed@example.org', 'en', 'notice', 's', 't', 'h',
                 now() - interval '100 days', $1, NULL),
                ('young.failed@example.org', 'en', 'notice', 's', 't', 'h',
                 now() - interval '40 days', $1, NULL),
                ('old.waiting@example.org', 'en', 'notice', 's', 't', 'h',
                 now() - interval '100 days', 2, NULL)",
    )
    .bind(mail::MAX_DELIVERY_ATTEMPTS)
    .execute(&pool)
    .await
    .expect("mails");
    assert_eq!(mail::purge(&pool).await.expect("purge"), 2);
    let left: Vec<String> =
        sqlx::query_scalar("SELECT recipient FROM email_outbox ORDER BY recipient")
            .fetch_all(&pool)
            .await
            .expect("left");
    assert_eq!(
        left,
        [
            "new.sent@example.org",
            "old.waiting@example.org",
            "young.failed@example.org"
        ]
    );
}
