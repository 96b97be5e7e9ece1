//! Helpers shared by the HTTP-level tests: the real router on a database with demo data,
//! form posts as the server-function client sends them, and sign-in.
#![allow(dead_code)]

use axum::{
    Router,
    body::{Body, to_bytes},
    http::{Request, header},
};
use chrono::NaiveDate;
use server::{Config, demo};
use sqlx::PgPool;
use tower::ServiceExt;

/// A fresh database for one test: a copy of a migrated template (made once per set of
/// migrations), on the PostgreSQL of `DATABASE_URL`, with a pool that lives in the test's own
/// runtime. (`#[sqlx::test]` shares one process-wide master pool between the runtimes of all
/// tests, and migrates every test database from scratch; cloning a template is faster.)
pub async fn db() -> PgPool {
    use sha2::Digest;
    use sqlx::{Connection, Executor, PgConnection, postgres::PgPoolOptions};
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    static CLEANED: AtomicBool = AtomicBool::new(false);
    static NEXT: AtomicU64 = AtomicU64::new(0);

    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL for the database tests");
    let base = url.rsplit_once('/').map_or(url.as_str(), |(base, _)| base);
    let mut admin = PgConnection::connect(&url).await.expect("admin connection");
    // One template per set of migrations, made under a lock (threads and processes).
    let mut hasher = sha2::Sha256::new();
    for migration in server::MIGRATOR.iter() {
        hasher.update(&migration.checksum);
    }
    let digest = hasher.finalize();
    let template = format!(
        "selfcare_tmpl_{}",
        digest[..6]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    admin
        .execute("SELECT pg_advisory_lock(72057)")
        .await
        .expect("lock");
    if !CLEANED.swap(true, Ordering::SeqCst) {
        // Databases of test processes that have ended, and templates of older migrations.
        let names: Vec<String> = sqlx::query_scalar(
            "SELECT datname FROM pg_database
              WHERE datname LIKE 'selfcare\\_t\\_%' OR datname LIKE 'selfcare\\_tmpl\\_%'",
        )
        .fetch_all(&mut admin)
        .await
        .expect("test databases");
        for name in names {
            let stale = match name.strip_prefix("selfcare_t_") {
                Some(rest) => rest
                    .split('_')
                    .next()
                    .and_then(|pid| pid.parse::<u32>().ok())
                    .is_none_or(|pid| {
                        pid != std::process::id()
                            && !std::path::Path::new(&format!("/proc/{pid}")).exists()
                    }),
                None => name != template,
            };
            if stale {
                let _ = admin
                    .execute(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str())
                    .await;
            }
        }
    }
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(&template)
            .fetch_one(&mut admin)
            .await
            .expect("template lookup");
    if !exists {
        let building = format!("{template}_building");
        admin
            .execute(format!("DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)").as_str())
            .await
            .expect("drop half-built template");
        admin
            .execute(format!("CREATE DATABASE \"{building}\"").as_str())
            .await
            .expect("create template");
        let mut conn = PgConnection::connect(&format!("{base}/{building}"))
            .await
            .expect("template connection");
        server::MIGRATOR.run(&mut conn).await.expect("migrations");
        conn.close().await.expect("close template connection");
        admin
            .execute(format!("ALTER DATABASE \"{building}\" RENAME TO \"{template}\"").as_str())
            .await
            .expect("publish template");
    }
    admin
        .execute("SELECT pg_advisory_unlock(72057)")
        .await
        .expect("unlock");
    let name = format!(
        "selfcare_t_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    );
    admin
        .execute(format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"").as_str())
        .await
        .expect("test database");
    admin.close().await.expect("close admin connection");
    PgPoolOptions::new()
        .max_connections(24)
        .acquire_timeout(std::time::Duration::from_secs(20))
        .connect(&format!("{base}/{name}"))
        .await
        .expect("test pool")
}

/// The pinned "today" of the tests.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).expect("date")
}

/// The data key of the tests (a real one, not the demo key: the tests run without
/// `SELFCARE_DEMO_DATA`, as a deployment does).
pub const TEST_DATA_KEY: &str =
    "7:5e1fca4e000000000000000000000000000000000000000000000000000000ff";

/// The keys of [`TEST_DATA_KEY`].
pub fn keys() -> app::backend::sealed::DataKeys {
    app::backend::sealed::DataKeys::parse(TEST_DATA_KEY).expect("test data key")
}

/// The router of the real server, on `pool` with the demo data loaded.
pub async fn app(pool: PgPool) -> Router {
    server::routes::router(state(pool).await)
}

/// The application state of the real server, on `pool` with the demo data loaded.
pub async fn state(pool: PgPool) -> app::backend::state::AppState {
    demo::load(&pool, today(), &keys())
        .await
        .expect("demo data");
    server::state(&config(), pool).await.expect("state")
}

/// The server's configuration in the tests.
fn config() -> Config {
    Config::from_lookup(|name| match name {
        "DATABASE_URL" => Some("postgres://unused@127.0.0.1/unused".into()),
        "SELFCARE_TODAY" => Some("2026-11-22".into()),
        "SELFCARE_DATA_KEY" => Some(TEST_DATA_KEY.into()),
        "SELFCARE_SITE_ROOT" => Some(std::env::temp_dir().to_string_lossy().into_owned()),
        _ => None,
    })
    .expect("config")
}

/// A server-function style form post: (status, body, session cookie pair if one was set).
pub async fn post(
    app: &Router,
    path: &str,
    body: &str,
    cookie: Option<&str>,
) -> (u16, String, Option<String>) {
    let mut request = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::from(body.to_string())).expect("request"))
        .await
        .expect("response");
    let status = response.status().as_u16();
    let set_cookie = response
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_owned);
    let bytes = to_bytes(response.into_body(), 1 << 22).await.expect("body");
    (
        status,
        String::from_utf8_lossy(&bytes).into_owned(),
        set_cookie,
    )
}

/// A form post to a confirming server function with a fresh idempotency key appended.
pub async fn post_keyed(
    app: &Router,
    path: &str,
    body: &str,
    cookie: Option<&str>,
) -> (u16, String, Option<String>) {
    let body = format!("{body}&idempotency_key={}", uuid::Uuid::new_v4());
    post(app, path, &body, cookie).await
}

/// Signs in and returns the session cookie pair.
pub async fn sign_in(app: &Router, email: &str, password: &str) -> String {
    let body = format!(
        "email={}&password={password}&lang=en",
        email.replace('@', "%40")
    );
    let (status, text, cookie) = post(app, "/api/sign_in", &body, None).await;
    assert_eq!(status, 200, "{email} signs in: {text}");
    cookie.expect("session cookie")
}

/// What the mail worker of the server under test would use to write its mails.
pub async fn mail_context(pool: &PgPool) -> app::backend::mail::MailContext {
    app::backend::mail::MailContext {
        public_url: "http://127.0.0.1:3000".into(),
        provider_id: server::state(&config(), pool.clone())
            .await
            .expect("state")
            .provider_id,
        clock: app::backend::clock::Clock::pinned(today()),
    }
}

/// The token of the newest link in a mail of `kind` to `email` (`?token=`).
pub async fn token_in_mail(pool: &PgPool, email: &str, kind: &str) -> String {
    let text: String = sqlx::query_scalar(
        "SELECT body_text FROM email_outbox WHERE recipient = $1 AND kind = $2
          ORDER BY id DESC LIMIT 1",
    )
    .bind(email)
    .bind(kind)
    .fetch_one(pool)
    .await
    .expect("a mail with a link");
    let start = text.find("?token=").expect("a link with a token") + "?token=".len();
    text[start..]
        .split_whitespace()
        .next()
        .expect("token")
        .to_string()
}

/// Registers a new login (German) as a customer does: the form, the mail worker's link, its
/// confirmation; returns the session cookie pair.
pub async fn register(app: &Router, pool: &PgPool, email: &str) -> String {
    let body = format!(
        "email={}&password=a+long+enough+passphrase&password_confirm=a+long+enough+passphrase&lang=de",
        email.replace('@', "%40")
    );
    let (status, text, cookie) = post(app, "/api/register", &body, None).await;
    assert_eq!(status, 200, "{text}");
    assert!(
        cookie.is_none(),
        "no session before the address is confirmed"
    );
    app::backend::registration::process_requests(pool, &mail_context(pool).await, 10)
        .await
        .expect("registrations");
    let token = token_in_mail(pool, email, "verify_address").await;
    let (status, text, cookie) = post(
        app,
        "/api/verify_email",
        &format!("token={token}&lang=de"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{text}");
    cookie.expect("cookie")
}

/// A GET as a browser sends it: (status, body bytes, content type).
pub async fn get(app: &Router, path: &str, cookie: Option<&str>) -> (u16, Vec<u8>, String) {
    let mut request = Request::get(path).header(header::ACCEPT, "text/html");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let bytes = to_bytes(response.into_body(), 1 << 24).await.expect("body");
    (status, bytes.to_vec(), kind)
}

/// A page request as a browser sends it: (status, body).
pub async fn get_page(app: &Router, path: &str, cookie: Option<&str>) -> (u16, String) {
    let (status, bytes, _) = get(app, path, cookie).await;
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// The single number `sql` selects.
pub async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(pool)
        .await
        .expect("count")
}

/// The id of `email`'s holder link to `customer_number`.
pub async fn holder_link_id(pool: &PgPool, email: &str, customer_number: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT k.id FROM links k JOIN logins l ON l.id = k.login_id
           JOIN customers c ON c.id = k.customer_id
          WHERE l.email = $1 AND c.customer_number = $2",
    )
    .bind(email)
    .bind(customer_number)
    .fetch_one(pool)
    .await
    .expect("holder link id")
}
