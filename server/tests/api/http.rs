//! HTTP-level tests through the real router (no browser): probes, the language switch,
//! sign-in, sessions and the Home overview's authorisation, on a real PostgreSQL.

use crate::common;

use app::{api::home::HomeOverview, domain::balance::BalanceState};
use axum::{
    Router,
    body::{Body, to_bytes},
    http::{Request, StatusCode, header},
};
use chrono::NaiveDate;
use common::{app, today};
use server::demo;
use tower::ServiceExt;

async fn body_text(response: axum::response::Response) -> String {
    let bytes = to_bytes(response.into_body(), 1 << 22).await.expect("body");
    String::from_utf8_lossy(&bytes).into_owned()
}

fn form_post(path: &str, body: &str, cookie: Option<&str>) -> Request<Body> {
    let mut builder = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json");
    if let Some(cookie) = cookie {
        builder = builder.header(header::COOKIE, cookie);
    }
    builder.body(Body::from(body.to_string())).expect("request")
}

/// Signs the Trio customer in and returns the session cookie (`name=value`).
async fn sign_in(app: &Router) -> String {
    let response = app
        .clone()
        .oneshot(form_post(
            "/api/sign_in",
            "email=Claire.Dubois%40example.be&password=Trio-demo-2024&lang=de",
            None,
        ))
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .expect("session cookie")
        .to_string();
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
    assert_eq!(
        response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok()),
        Some("/de")
    );
    cookie.split(';').next().expect("pair").to_string()
}

#[tokio::test]
async fn probes() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let health = app
        .clone()
        .oneshot(Request::get("/healthz").body(Body::empty()).expect("req"))
        .await
        .expect("res");
    assert_eq!(health.status(), StatusCode::OK);
    assert!(health.headers().contains_key("x-request-id"));
    let ready = app
        .clone()
        .oneshot(Request::get("/readyz").body(Body::empty()).expect("req"))
        .await
        .expect("res");
    assert_eq!(ready.status(), StatusCode::OK);
    pool.close().await;
    let down = app
        .oneshot(Request::get("/readyz").body(Body::empty()).expect("req"))
        .await
        .expect("res");
    assert_eq!(down.status(), StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn language_switch_sets_the_cookie_and_never_leaves_the_site() {
    let pool = common::db().await;
    let app = app(pool).await;
    let res = app
        .clone()
        .oneshot(
            Request::get("/locale/de?next=/fr/sign-in")
                .body(Body::empty())
                .expect("req"),
        )
        .await
        .expect("res");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/de/sign-in");
    let cookie = res.headers()[header::SET_COOKIE].to_str().expect("cookie");
    assert!(cookie.starts_with("i18n_pref_locale=de;"));
    assert!(cookie.contains("Path=/"));

    let res = app
        .clone()
        .oneshot(
            Request::get("/locale/en?next=//evil.example/x")
                .body(Body::empty())
                .expect("req"),
        )
        .await
        .expect("res");
    assert_eq!(res.headers()[header::LOCATION], "/");

    // The check also holds once the locale prefix is gone (issue 24, ASVS V5.1.5): `//`,
    // `/\`, their encodings, `/fr//…` and absolute addresses all go Home.
    for next in [
        "/fr//evil.example",
        "/fr/%2F%2Fevil.example",
        "/de//evil.example/x",
        "/fr/%5Cevil.example",
        "/%5C%5Cevil.example",
        "/fr/%09/evil.example",
        "//evil.example",
        "https://evil.example/",
        "%2F%2Fevil.example",
    ] {
        let res = app
            .clone()
            .oneshot(
                Request::get(format!("/locale/en?next={next}"))
                    .body(Body::empty())
                    .expect("req"),
            )
            .await
            .expect("res");
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{next}");
        assert_eq!(res.headers()[header::LOCATION], "/", "{next}");
    }

    let res = app
        .oneshot(Request::get("/locale/xx").body(Body::empty()).expect("req"))
        .await
        .expect("res");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

/// `/de/` rendered Home under a 404 status (issue 23): a path with a final slash now goes to
/// its canonical address, and a trimmed `//host` is never a target.
#[tokio::test]
async fn a_final_slash_redirects_to_the_canonical_page() {
    let pool = common::db().await;
    let app = app(pool).await;
    for (path, location) in [
        ("/de/", "/de"),
        ("/fr/sign-in/?x=1", "/fr/sign-in?x=1"),
        ("/nl/", "/nl"),
    ] {
        let res = app
            .clone()
            .oneshot(Request::get(path).body(Body::empty()).expect("req"))
            .await
            .expect("res");
        assert_eq!(res.status(), StatusCode::MOVED_PERMANENTLY, "{path}");
        assert_eq!(res.headers()[header::LOCATION], location, "{path}");
    }
    let res = app
        .clone()
        .oneshot(
            Request::get("//evil.example/")
                .body(Body::empty())
                .expect("req"),
        )
        .await
        .expect("res");
    assert_ne!(res.status(), StatusCode::MOVED_PERMANENTLY);
    let res = app
        .oneshot(
            Request::get("/de/sign-in")
                .body(Body::empty())
                .expect("req"),
        )
        .await
        .expect("res");
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn sign_in_gives_a_session_that_sees_the_trio_overview() {
    let pool = common::db().await;
    let app = app(pool).await;
    let cookie = sign_in(&app).await;
    let res = app
        .clone()
        .oneshot(form_post("/api/home_overview", "", Some(&cookie)))
        .await
        .expect("res");
    assert_eq!(res.status(), StatusCode::OK);
    let overview: HomeOverview = serde_json::from_str(&body_text(res).await).expect("json");
    let HomeOverview::Holder(account) = overview else {
        panic!("the Trio login holds 100001");
    };
    assert_eq!(account.customer_number, "100001");
    assert_eq!(
        account.balance,
        BalanceState::Due(demo::trio_expected_balance())
    );
    let last = account.last_invoice.expect("invoice");
    assert_eq!(
        last.issue_date,
        NaiveDate::from_ymd_opt(2026, 11, 5).expect("date")
    );

    // Sign out: the same cookie no longer works (server-side invalidation).
    let res = app
        .clone()
        .oneshot(form_post("/api/sign_out", "lang=en", Some(&cookie)))
        .await
        .expect("res");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()[header::SET_COOKIE]
            .to_str()
            .expect("cookie")
            .contains("Max-Age=0")
    );
    let res = app
        .oneshot(form_post("/api/home_overview", "", Some(&cookie)))
        .await
        .expect("res");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn wrong_password_and_unknown_email_look_the_same() {
    let pool = common::db().await;
    let app = app(pool).await;
    let mut answers = Vec::new();
    for body in [
        "email=claire.dubois%40example.be&password=wrong-password&lang=en",
        "email=nobody%40example.be&password=wrong-password&lang=en",
    ] {
        let res = app
            .clone()
            .oneshot(form_post("/api/sign_in", body, None))
            .await
            .expect("res");
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert!(res.headers().get(header::SET_COOKIE).is_none());
        answers.push(body_text(res).await);
    }
    assert_eq!(answers[0], answers[1]);
}

#[tokio::test]
async fn anonymous_and_forged_sessions_are_refused() {
    let pool = common::db().await;
    let app = app(pool).await;
    for cookie in [None, Some("selfcare_session=forged-token-value")] {
        let res = app
            .clone()
            .oneshot(form_post("/api/home_overview", "", cookie))
            .await
            .expect("res");
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn pages_render_and_home_redirects_anonymous_visitors() {
    let pool = common::db().await;
    let app = app(pool).await;
    let res = app
        .clone()
        .oneshot(
            Request::get("/de/sign-in")
                .header(header::ACCEPT, "text/html")
                .body(Body::empty())
                .expect("req"),
        )
        .await
        .expect("res");
    assert_eq!(res.status(), StatusCode::OK);
    let html = body_text(res).await;
    assert!(
        html.contains("<html lang=\"de\""),
        "lang attribute: {}",
        &html[..html.len().min(300)]
    );
    assert!(html.contains("Anmelden"));
    assert!(html.contains("Lumen Telecom"));

    let res = app
        .clone()
        .oneshot(
            Request::get("/fr")
                .header(header::ACCEPT, "text/html")
                .body(Body::empty())
                .expect("req"),
        )
        .await
        .expect("res");
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(res.headers()[header::LOCATION], "/fr/sign-in");

    // A page (not a server function) keeps its own status: no 401 from the data it loads.
    let res = app
        .clone()
        .oneshot(
            Request::get("/")
                .header(header::ACCEPT, "*/*")
                .body(Body::empty())
                .expect("req"),
        )
        .await
        .expect("res");
    assert_ne!(res.status(), StatusCode::UNAUTHORIZED);

    let res = app
        .oneshot(
            Request::get("/no-such-page")
                .header(header::ACCEPT, "text/html")
                .body(Body::empty())
                .expect("req"),
        )
        .await
        .expect("res");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn demo_data_loads_once() {
    let pool = common::db().await;
    demo::load(&pool, today(), &common::keys())
        .await
        .expect("first");
    demo::load(&pool, today(), &common::keys())
        .await
        .expect("second");
    let invoices: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM invoices i JOIN customers c ON c.id = i.customer_id
          WHERE i.kind = 'invoice' AND c.customer_number = '100001'",
    )
    .fetch_one(&pool)
    .await
    .expect("count");
    assert_eq!(invoices, 14);
    // Lines add up to totals, numbers are gapless per year.
    let mismatched: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM invoices i
          WHERE i.total <> (SELECT sum(amount) FROM invoice_lines l WHERE l.invoice_id = i.id)",
    )
    .fetch_one(&pool)
    .await
    .expect("sum");
    assert_eq!(mismatched, 0);
    let gaps: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (
            SELECT split_part(number, '-', 1) AS year,
                   split_part(number, '-', 2)::int AS n,
                   row_number() OVER (PARTITION BY split_part(number, '-', 1)
                                      ORDER BY split_part(number, '-', 2)::int) AS expected
              FROM invoices WHERE kind = 'invoice') t
          WHERE n <> expected",
    )
    .fetch_one(&pool)
    .await
    .expect("gaps");
    assert_eq!(gaps, 0);
}

#[tokio::test]
async fn the_old_invoice_layout_banner_shows_for_flagged_customers_only() {
    let pool = common::db().await;
    let app = app(pool).await;
    let anna = common::sign_in(&app, "anna.becker@example.de", "Mobil-demo-2024").await;
    let (status, page) = common::get_page(&app, "/de", Some(&anna)).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("data-testid=\"old-layout-banner\""),
        "H5 banner for Anna"
    );
    assert!(
        page.contains("href=\"https://www.lumen.example/help/old-invoice-layout\""),
        "help link"
    );
    let jonas = common::sign_in(&app, "jonas.becker@example.de", "Mobil-demo-2024").await;
    let (_, page) = common::get_page(&app, "/de", Some(&jonas)).await;
    assert!(!page.contains("old-layout-banner"), "no banner for Jonas");
}

/// Issue 10: the bundle is found by its hashed name, pages link it, and `/pkg` serves the
/// build's brotli or gzip copy with a year of caching (the plain file to other clients).
#[tokio::test]
async fn the_hashed_bundle_is_served_precompressed_with_a_long_cache() {
    let pool = common::db().await;
    let site = std::env::temp_dir().join(format!("selfcare-bundle-{}", std::process::id()));
    let pkg = site.join("pkg");
    std::fs::create_dir_all(&pkg).expect("pkg dir");
    for (file, content) in [
        ("selfcare-0123abcd.js", "console.log('plain');"),
        ("selfcare-0123abcd.js.br", "brotli bytes"),
        ("selfcare-0123abcd.js.gz", "gzip bytes"),
        ("selfcare-0123abcd.css", "body{}"),
        // The compiling worker shares the hash but is not the bundle's script.
        ("selfcare-0123abcd_compile.js", "onmessage = () => {};"),
    ] {
        std::fs::write(pkg.join(file), content).expect("bundle file");
    }
    assert_eq!(server::bundle_name(&site), "selfcare-0123abcd");
    let mut state = common::state(pool).await;
    state.leptos_options = server::leptos_options(&site, "127.0.0.1:3000".parse().expect("addr"));
    let app = server::routes::router(state);

    let (status, page) = common::get_page(&app, "/sign-in", None).await;
    assert_eq!(status, 200);
    assert!(
        page.contains(r#"href="/pkg/selfcare-0123abcd.css""#),
        "{page}"
    );
    assert!(page.contains("/pkg/selfcare-0123abcd.js"), "{page}");
    assert!(page.contains("/pkg/selfcare-0123abcd_compile.js"), "{page}");

    for (accept, body, encoding) in [
        (Some("br, gzip"), "brotli bytes", Some("br")),
        (Some("gzip"), "gzip bytes", Some("gzip")),
        (None, "console.log('plain');", None),
    ] {
        let mut request = Request::get("/pkg/selfcare-0123abcd.js");
        if let Some(accept) = accept {
            request = request.header(header::ACCEPT_ENCODING, accept);
        }
        let response = app
            .clone()
            .oneshot(request.body(Body::empty()).expect("request"))
            .await
            .expect("response");
        assert_eq!(response.status(), StatusCode::OK);
        let headers = response.headers().clone();
        assert_eq!(
            headers
                .get(header::CONTENT_ENCODING)
                .and_then(|v| v.to_str().ok()),
            encoding
        );
        assert_eq!(
            headers[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(body_text(response).await, body);
    }
    let missing = app
        .clone()
        .oneshot(
            Request::get("/pkg/selfcare-ffff.js")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(missing.headers().get(header::CACHE_CONTROL).is_none());

    // A worker runs under its own script's policy: the compiling worker may fetch the WASM
    // from this origin and compile it, nothing else; the other files keep the closed default.
    let policy = |path: &'static str| {
        let app = app.clone();
        async move {
            let response = app
                .oneshot(Request::get(path).body(Body::empty()).expect("request"))
                .await
                .expect("response");
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            response.headers()[header::CONTENT_SECURITY_POLICY]
                .to_str()
                .expect("ascii")
                .to_string()
        }
    };
    assert_eq!(
        policy("/pkg/selfcare-0123abcd_compile.js").await,
        "default-src 'none'; connect-src 'self'; script-src 'wasm-unsafe-eval'"
    );
    let script_policy = policy("/pkg/selfcare-0123abcd.js").await;
    assert!(
        script_policy.starts_with("default-src 'none';") && !script_policy.contains("connect-src"),
        "{script_policy}"
    );
    std::fs::remove_dir_all(&site).expect("clean up");
}

/// The benchmark's bare page renders through Leptos' SSR stream, and only when asked for.
#[tokio::test]
async fn the_bench_route_is_a_static_page_only_when_enabled() {
    let bare = server::routes::bench_router();
    let (status, page) = common::get_page(&bare, "/bench/bare", None).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("A static page for the server benchmark."),
        "{page}"
    );
}

/// What a test run logs, for the checks that a client's mistake is no ERROR line.
#[derive(Clone, Default)]
struct CapturedLog(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for CapturedLog {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for CapturedLog {
    type Writer = CapturedLog;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Issue 24: a path too long for a file name answered 404 but logged an ERROR ("File name too
/// long") from the static-file lookup; it is a client's mistake: 404 and an info line.
#[tokio::test]
async fn a_very_long_path_is_a_404_without_an_error_line() {
    let pool = common::db().await;
    let app = app(pool).await;
    let log = CapturedLog::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(log.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    for path in [
        format!("/{}", "a".repeat(300)),
        format!("/de/{}", "b".repeat(5000)),
        format!("/pkg/{}.js", "c".repeat(400)),
    ] {
        let res = app
            .clone()
            .oneshot(
                Request::get(&path)
                    .header(header::ACCEPT, "text/html")
                    .body(Body::empty())
                    .expect("req"),
            )
            .await
            .expect("res");
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{}", path.len());
    }
    let text = String::from_utf8(log.0.lock().expect("log").clone()).expect("utf-8");
    assert!(!text.contains("ERROR"), "{text}");
    assert!(text.contains("path too long"), "{text}");
}

/// Issue 24: a plain form post (JavaScript off) with a control character goes back to its page
/// with the field error in the address, as any refused server function does.
#[tokio::test]
async fn a_plain_form_post_with_a_control_character_goes_back_with_the_error() {
    let pool = common::db().await;
    let app = app(pool).await;
    let res = app
        .oneshot(
            Request::post("/api/sign_in")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "text/html")
                .header(header::REFERER, "http://127.0.0.1:3000/fr/sign-in")
                .body(Body::from("email=a%00b%40example.org&password=x&lang=fr"))
                .expect("req"),
        )
        .await
        .expect("res");
    assert_eq!(res.status(), StatusCode::FOUND);
    let location = res.headers()[header::LOCATION].to_str().expect("ascii");
    assert!(
        location.starts_with("http://127.0.0.1:3000/fr/sign-in?__path=%2Fapi%2Fsign_in&__err="),
        "{location}"
    );
}

/// Issue 24 (slowloris): the listener drops a client that does not finish its headers, closes
/// a kept-alive connection that idles, and answers 408 to a body that stalls; a whole request
/// is served as before.
#[tokio::test]
async fn stalled_clients_are_dropped_by_the_listener() {
    use std::time::{Duration, Instant};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let pool = common::db().await;
    let app = app(pool).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("listen");
    let addr = listener.local_addr().expect("address");
    let timeouts = server::listen::Timeouts {
        header_read: Duration::from_secs(1),
        body: Duration::from_secs(1),
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server::listen::serve(listener, app, timeouts, async move {
        let _ = stopped.await;
    }));
    // Reads what the server sends until it closes the connection, for at most 5 s.
    async fn until_closed(tcp: &mut tokio::net::TcpStream) -> (String, Duration) {
        let started = Instant::now();
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match tokio::time::timeout(Duration::from_secs(5), tcp.read(&mut buf)).await {
                Ok(Ok(0)) | Ok(Err(_)) => break,
                Ok(Ok(n)) => seen.extend_from_slice(&buf[..n]),
                Err(_) => panic!("still open after 5 s: {}", String::from_utf8_lossy(&seen)),
            }
        }
        (
            String::from_utf8_lossy(&seen).into_owned(),
            started.elapsed(),
        )
    }

    // Half the headers, then nothing: dropped after the header timeout.
    let mut tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
    tcp.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .await
        .expect("write");
    let (_, after) = until_closed(&mut tcp).await;
    assert!(after < Duration::from_secs(3), "dropped after {after:?}");

    // A whole request is answered; the kept-alive connection is closed once it idles.
    let mut tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
    tcp.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .expect("write");
    let (answer, after) = until_closed(&mut tcp).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("ok"), "{answer}");
    assert!(
        after < Duration::from_secs(3),
        "idle connection closed after {after:?}"
    );

    // A body that stalls: 408.
    let mut tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
    tcp.write_all(
        b"POST /api/shell_data HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\
Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nx=1",
    )
    .await
    .expect("write");
    let (answer, after) = until_closed(&mut tcp).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(after < Duration::from_secs(3), "answered after {after:?}");

    let _ = stop.send(());
    serving.await.expect("server stopped");
}

/// Issue 24 item 8: a pool that timed out because every connection was busy is not an
/// outage. The health check opens a connection of its own, finds the database there, and
/// requests keep being served; only an unreachable database is marked down.
#[tokio::test]
async fn a_saturated_pool_is_not_an_outage() {
    use app::{backend::db_health::DbHealth, error::AppError};
    let pool = common::db().await;
    let small = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(std::time::Duration::from_millis(200))
        .connect_with((*pool.connect_options()).clone())
        .await
        .expect("small pool");
    let held = small.acquire().await.expect("the one connection");
    let timed_out = small.acquire().await.expect_err("saturated");
    assert!(matches!(AppError::from(timed_out), AppError::Unavailable));
    let health = DbHealth::of(&small);
    health.confirm_outage().await;
    assert!(!health.is_down(), "saturation taken for an outage");
    drop(held);
}

/// Every page is built once per request. Leptos's server rendering calls a `Suspense`'s
/// function child twice (a discarded first call registers its reads, the second renders); the
/// layout must not build the page in the first, or the page's data is fetched twice and the
/// browser's hydration meets resources of a page it never built (issue 26). Built once, a page
/// lists the same resources on every request: Home its three (the shell, the overview and the
/// products).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_is_built_once_per_request() {
    let pool = common::db().await;
    let app = app(pool).await;
    let cookie = sign_in(&app).await;
    for path in [
        "/de",
        "/de/invoices",
        "/de/usage",
        "/de/messages",
        "/de/appointment",
        "/de/account",
        "/de/links",
        "/de/security",
    ] {
        let mut first: Option<String> = None;
        for round in 0..12 {
            let (status, page) = common::get_page(&app, path, Some(&cookie)).await;
            assert_eq!(status, 200, "{path}");
            let pending = page
                .split("__PENDING_RESOURCES=[")
                .nth(1)
                .and_then(|rest| rest.split(']').next())
                .expect("the page lists its resources")
                .to_string();
            if path == "/de" {
                let resources = pending.split(',').filter(|id| !id.is_empty()).count();
                assert_eq!(resources, 3, "round {round}: resources [{pending}]");
            }
            let first = first.get_or_insert_with(|| pending.clone());
            assert_eq!(*first, pending, "{path}, round {round}");
        }
    }
}

/// A plain form post (JavaScript off) and the page it is sent back to: (status, location,
/// set-cookie headers) of the post.
async fn plain_post(
    app: &Router,
    path: &str,
    from: &str,
    body: &str,
) -> (u16, String, Vec<String>) {
    let response = app
        .clone()
        .oneshot(
            Request::post(path)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "text/html")
                .header(header::REFERER, format!("http://localhost{from}"))
                .header("sec-fetch-site", "same-origin")
                .body(Body::from(body.to_owned()))
                .expect("req"),
        )
        .await
        .expect("res");
    let location = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let cookies = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect();
    (response.status().as_u16(), location, cookies)
}

/// "The form keeps what was typed" without JavaScript (issue 27): a refused plain form post
/// goes back to its page, which shows the address typed (never the password), once.
#[tokio::test]
async fn a_refused_plain_form_keeps_what_was_typed_and_no_secret() {
    let pool = common::db().await;
    let app = app(pool).await;
    for (path, from, body, field, typed) in [
        (
            "/api/request_password_reset",
            "/forgot-password",
            "lang=en&email=claire.dubois%40example",
            "forgot-email",
            "claire.dubois@example",
        ),
        (
            "/api/sign_in",
            "/sign-in",
            "lang=en&email=claire.dubois%40example.be&password=not-the-password",
            "sign-in-email",
            "claire.dubois@example.be",
        ),
    ] {
        let (status, location, cookies) = plain_post(&app, path, from, body).await;
        assert!((300..400).contains(&status), "{path}: {status}");
        assert!(location.contains("__err="), "{path}: {location}");
        let kept = cookies
            .iter()
            .find(|c| c.starts_with("selfcare_typed="))
            .unwrap_or_else(|| panic!("{path}: no kept fields in {cookies:?}"));
        assert!(
            kept.contains("HttpOnly") && kept.contains("SameSite=Strict"),
            "{kept}"
        );
        assert!(!kept.contains("not-the-password"), "{kept}");
        let pair = kept.split(';').next().unwrap_or_default().to_owned();
        let response = app
            .clone()
            .oneshot(
                Request::get(location.as_str())
                    .header(header::ACCEPT, "text/html")
                    .header(header::COOKIE, &pair)
                    .body(Body::empty())
                    .expect("req"),
            )
            .await
            .expect("res");
        assert_eq!(response.status(), StatusCode::OK, "{location}");
        let dropped = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|c| c.starts_with("selfcare_typed=;") && c.contains("Max-Age=0"));
        assert!(dropped, "{path}: the kept fields are dropped once shown");
        let html = body_text(response).await;
        let input = html
            .split("<input")
            .find(|tag| tag.contains(&format!("id=\"{field}\"")))
            .unwrap_or_else(|| panic!("{field} on {location}"));
        assert!(input.contains(&format!("value=\"{typed}\"")), "{input}");
        assert!(!html.contains("not-the-password"));
    }
}
