//! The guards of issue 9 through the real router: security headers on every kind of
//! response, a page policy whose nonce is the one on the hydration scripts, cross-origin posts
//! refused before they change anything, and the per-address limit on secret-checking endpoints.

use crate::common;

use std::{net::SocketAddr, time::Duration};

use axum::{
    Router,
    body::{Body, to_bytes},
    extract::ConnectInfo,
    http::{Request, header},
};
use common::{app, post, sign_in};
use server::guard::IpLimiter;
use tower::ServiceExt;

async fn send(app: &Router, request: Request<Body>) -> (u16, header::HeaderMap, String) {
    let response = app.clone().oneshot(request).await.expect("response");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = to_bytes(response.into_body(), 1 << 22).await.expect("body");
    (
        status,
        headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

fn header_of<'a>(headers: &'a header::HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let claire = sign_in(&app, "claire.dubois@example.be", "Trio-demo-2024").await;
    let invoice: i64 = sqlx::query_scalar(
        "SELECT i.id FROM invoices i JOIN customers c ON c.id = i.customer_id
          WHERE c.customer_number = '100001' ORDER BY i.id LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .expect("invoice");
    let get = |path: String, cookie: Option<&str>| {
        let mut request = Request::get(path).header(header::ACCEPT, "text/html");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie.to_string());
        }
        request.body(Body::empty()).expect("request")
    };
    let kinds = [
        ("signed-in page", get("/fr/invoices".into(), Some(&claire))),
        ("home with meters", get("/fr".into(), Some(&claire))),
        ("public page", get("/de/sign-in".into(), None)),
        ("not found page", get("/en/no-such-page".into(), None)),
        ("redirect", get("/".into(), None)),
        ("probe", get("/healthz".into(), None)),
        (
            "invoice PDF",
            get(format!("/invoices/{invoice}/pdf"), Some(&claire)),
        ),
        ("CSV export", get("/usage.csv".into(), Some(&claire))),
        ("locale switch", get("/locale/nl?next=/".into(), None)),
        (
            "server function",
            Request::post("/api/sign_in")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("email=a%40b.c&password=x&lang=en"))
                .expect("request"),
        ),
    ];
    for (kind, request) in kinds {
        let (status, headers, body) = send(&app, request).await;
        assert!(status < 500, "{kind}: {status}");
        assert_eq!(
            header_of(&headers, "x-content-type-options"),
            "nosniff",
            "{kind}"
        );
        assert_eq!(
            header_of(&headers, "referrer-policy"),
            "same-origin",
            "{kind}"
        );
        assert_eq!(header_of(&headers, "x-frame-options"), "DENY", "{kind}");
        // Personal pages and server-function answers are never cached (issue 24, V8.2.1).
        if matches!(
            kind,
            "signed-in page"
                | "home with meters"
                | "public page"
                | "not found page"
                | "server function"
                | "invoice PDF"
        ) {
            let cache = header_of(&headers, "cache-control");
            assert!(cache.contains("no-store"), "{kind}: {cache:?}");
        }
        // Not behind TLS: no HSTS.
        assert_eq!(
            header_of(&headers, "strict-transport-security"),
            "",
            "{kind}"
        );
        let csp = header_of(&headers, "content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'"), "{kind}: {csp}");
        assert!(!csp.contains("script-src 'unsafe-inline'"), "{kind}: {csp}");
        if body.starts_with("<!DOCTYPE html>") {
            // A page: its scripts run only with this response's nonce, and each carries it.
            let nonce = csp
                .split("'nonce-")
                .nth(1)
                .and_then(|rest| rest.split('\'').next())
                .unwrap_or_else(|| panic!("{kind}: no nonce in {csp}"));
            assert!(nonce.len() >= 16, "{kind}: {nonce}");
            // No inline style at all (issue 24 item 15): the policy allows the portal's
            // stylesheets only, and the page needs nothing else.
            assert!(csp.contains("style-src 'self';"), "{kind}: {csp}");
            assert!(!csp.contains("unsafe-inline"), "{kind}: {csp}");
            assert!(
                !body.contains(" style=") && !body.contains("<style"),
                "{kind}"
            );
            // leptos_i18n leaves an empty `<script></script>` (nothing runs: the browser skips
            // an empty inline script before it asks the policy).
            let scripts =
                body.matches("<script").count() - body.matches("<script></script>").count();
            let with_nonce = body.matches(&format!("nonce=\"{nonce}\"")).count();
            assert!(scripts >= 1, "{kind}: a page hydrates");
            assert!(
                with_nonce >= scripts,
                "{kind}: {scripts} scripts, {with_nonce} with the nonce"
            );
        } else {
            assert!(csp.starts_with("default-src 'none'"), "{kind}: {csp}");
        }
    }
    // Each page gets a nonce of its own.
    let (_, first, _) = send(&app, get("/de/sign-in".into(), None)).await;
    let (_, second, _) = send(&app, get("/de/sign-in".into(), None)).await;
    assert_ne!(
        header_of(&first, "content-security-policy"),
        header_of(&second, "content-security-policy")
    );
}

#[tokio::test]
async fn cross_origin_posts_change_nothing() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let claire = sign_in(&app, "claire.dubois@example.be", "Trio-demo-2024").await;
    let city = || async {
        sqlx::query_scalar::<_, String>(
            "SELECT city FROM customers WHERE customer_number = '100001'",
        )
        .fetch_one(&pool)
        .await
        .expect("city")
    };
    let body = "first_name=Claire&last_name=Dubois&email=claire.dubois%40example.be\
&phone=%2B32+470+12+34+56&street=Rue+des+Tilleuls+12&postal_code=4000&city=Attacker";
    let forged = |site: Option<&str>, origin: Option<&str>, accept: &str| {
        let mut request = Request::post("/api/save_contact")
            .header(header::HOST, "127.0.0.1:3000")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, accept)
            .header(header::COOKIE, claire.clone());
        if let Some(site) = site {
            request = request.header("sec-fetch-site", site);
        }
        if let Some(origin) = origin {
            request = request.header(header::ORIGIN, origin);
        }
        request.body(Body::from(body)).expect("request")
    };
    let attacks = [
        (
            Some("same-site"),
            Some("http://127.0.0.1:4000"),
            "text/html",
        ),
        (
            Some("cross-site"),
            Some("https://evil.example"),
            "text/html",
        ),
        (None, Some("http://127.0.0.1:4000"), "application/json"),
        (None, Some("null"), "text/html"),
        // Same host and port, other scheme: another origin (issue 24).
        (None, Some("https://127.0.0.1:3000"), "application/json"),
    ];
    for (site, origin, accept) in attacks {
        let (status, _, text) = send(&app, forged(site, origin, accept)).await;
        assert_eq!(status, 403, "{site:?} {origin:?}: {text}");
        assert!(!text.is_empty(), "the refusal says why");
    }
    assert_eq!(city().await, "Liège");
    // The portal's own form posts pass.
    let (status, _, text) = send(
        &app,
        forged(
            Some("same-origin"),
            Some("http://127.0.0.1:3000"),
            "application/json",
        ),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(city().await, "Attacker");
}

#[tokio::test]
async fn sign_in_attempts_are_limited_per_address() {
    let pool = common::db().await;
    let state = common::state(pool).await;
    let limited = |ip: [u8; 4]| {
        server::routes::router_with_limiter(
            state.clone(),
            IpLimiter::new(3, Duration::from_secs(3600)),
        )
        // What `into_make_service_with_connect_info` puts on every request of the server.
        .layer(axum::Extension(ConnectInfo(SocketAddr::from((ip, 40000)))))
    };
    let app = limited([192, 0, 2, 10]);
    let attempt = "email=nobody%40example.org&password=wrong-password&lang=fr";
    for _ in 0..3 {
        let (status, _, _) = post(&app, "/api/sign_in", attempt, None).await;
        assert_eq!(status, 401);
    }
    let (status, text, _) = post(&app, "/api/sign_in", attempt, None).await;
    assert_eq!((status, text.as_str()), (429, "\"TooManyAttempts\""));
    // Pages and other server functions stay open to that address.
    let (status, _, _) = post(&app, "/api/shell_data", "", None).await;
    assert_eq!(status, 200);
}

/// Sessions end after 30 idle minutes and 12 hours in any case; the purge job deletes them.
#[tokio::test]
async fn sessions_end_on_idle_and_absolute_timeouts_and_are_purged() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let overview = |cookie: String| {
        let app = app.clone();
        async move { post(&app, "/api/home_overview", "", Some(&cookie)).await.0 }
    };
    let idle = sign_in(&app, "claire.dubois@example.be", "Trio-demo-2024").await;
    let old = sign_in(&app, "jonas.becker@example.de", "Mobil-demo-2024").await;
    assert_eq!(overview(idle.clone()).await, 200);
    assert_eq!(overview(old.clone()).await, 200);
    let hash =
        |cookie: &str| app::backend::session::token_hash(cookie.split_once('=').expect("pair").1);
    sqlx::query(
        "UPDATE sessions SET last_seen_at = now() - interval '31 minutes' WHERE token_hash = $1",
    )
    .bind(hash(&idle))
    .execute(&pool)
    .await
    .expect("idle");
    sqlx::query(
        "UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_hash = $1",
    )
    .bind(hash(&old))
    .execute(&pool)
    .await
    .expect("old");
    assert_eq!(overview(idle).await, 401, "30 minutes without a request");
    assert_eq!(
        overview(old).await,
        401,
        "past the absolute timeout, though active"
    );
    let purged = app::backend::repo::sessions::purge_expired(
        &pool,
        app::backend::session::IDLE_TIMEOUT_MINUTES,
    )
    .await
    .expect("purge");
    assert_eq!(purged, 2);
}

/// Behind TLS (`SELFCARE_SECURE_COOKIES=true`) every answer carries `Strict-Transport-Security`
/// with the configured max-age (issue 24).
#[tokio::test]
async fn hsts_behind_tls() {
    let pool = common::db().await;
    let mut state = common::state(pool).await;
    state.secure_cookies = true;
    state.hsts_max_age = Some(600);
    let app = server::routes::router(state);
    for path in ["/de/sign-in", "/healthz", "/no-such-page"] {
        let request = Request::get(path)
            .header(header::ACCEPT, "text/html")
            .body(Body::empty())
            .expect("request");
        let (_, headers, _) = send(&app, request).await;
        assert_eq!(
            header_of(&headers, "strict-transport-security"),
            "max-age=600",
            "{path}"
        );
    }
}

/// Behind a trusted reverse proxy (`SELFCARE_TRUSTED_PROXIES`) each forwarded client has its
/// own bucket; without the setting the forwarding headers are ignored and the proxy's address
/// is the one that counts (issue 24).
#[tokio::test]
async fn per_address_limits_see_through_trusted_proxies_only() {
    let pool = common::db().await;
    let state = common::state(pool).await;
    let through_proxy = |trusted: &str| {
        let mut state = state.clone();
        state.trusted_proxies = std::sync::Arc::new(
            app::backend::client_addr::TrustedProxies::parse(trusted).expect("list"),
        );
        server::routes::router_with_limiter(state, IpLimiter::new(2, Duration::from_secs(3600)))
            .layer(axum::Extension(ConnectInfo(SocketAddr::from((
                [10, 0, 0, 2],
                40000,
            )))))
    };
    let attempt = |app: Router, client: &'static str| async move {
        let request = Request::post("/api/sign_in")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .header("x-forwarded-for", client)
            .body(Body::from(
                "email=nobody%40example.org&password=wrong-password&lang=fr",
            ))
            .expect("request");
        send(&app, request).await.0
    };
    // Trusted: two clients behind the proxy, two buckets.
    let app = through_proxy("10.0.0.0/8");
    for _ in 0..2 {
        assert_eq!(attempt(app.clone(), "198.51.100.1").await, 401);
    }
    assert_eq!(attempt(app.clone(), "198.51.100.1").await, 429);
    assert_eq!(attempt(app.clone(), "198.51.100.2").await, 401);
    // Not trusted: the header is the client's own words; one bucket for the proxy's address.
    let app = through_proxy("");
    for client in ["198.51.100.1", "198.51.100.2"] {
        assert_eq!(attempt(app.clone(), client).await, 401);
    }
    assert_eq!(attempt(app.clone(), "198.51.100.3").await, 429);
}

/// Issue 24 item 15: the provider's colours come as a stylesheet of the portal's own (the page
/// policy allows no inline style), and Home's usage meters still show what they measure.
#[tokio::test]
async fn brand_colours_and_meters_need_no_inline_style() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let (status, headers, body) = send(
        &app,
        Request::get("/brand.css")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(header_of(&headers, "content-type").starts_with("text/css"));
    let (primary, accent): (String, String) =
        sqlx::query_as("SELECT color_primary, color_accent FROM providers WHERE slug = 'lumen'")
            .fetch_one(&pool)
            .await
            .expect("brand");
    assert_eq!(
        body,
        format!(":root{{--brand:{primary};--accent:{accent}}}\n")
    );
    let claire = sign_in(&app, "claire.dubois@example.be", "Trio-demo-2024").await;
    let home = Request::get("/fr")
        .header(header::ACCEPT, "text/html")
        .header(header::COOKIE, claire)
        .body(Body::empty())
        .expect("request");
    let (status, _, page) = send(&app, home).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("href=\"/brand.css\""),
        "the page links the colours"
    );
    assert!(
        page.contains("<rect width=\"11%\" height=\"100%\" class=\"meter-fill\">"),
        "a meter drawn with an SVG attribute (54.3 of 500 GB: 11 %)"
    );
}
