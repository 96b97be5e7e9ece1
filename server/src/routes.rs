//! The HTTP surface: health probes, the language switch, Leptos pages and server functions,
//! static files; with request ids, tracing and compression around them.

use std::time::Duration;

use app::{App, COMPILE_WORKER_SUFFIX, backend::state::AppState, domain::lang::Lang, paths, shell};
use axum::{
    Router,
    extract::DefaultBodyLimit,
    extract::{Path, Query, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, file_and_error_handler, generate_route_list};
use serde::Deserialize;
use tower_http::{
    CompressionLevel,
    compression::CompressionLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    services::ServeDir,
    trace::TraceLayer,
};

/// The name of the cookie leptos_i18n reads for the preferred locale.
pub const LOCALE_COOKIE: &str = "i18n_pref_locale";

/// Room for the multipart envelope and the small fields around an upload's file.
const UPLOAD_OVERHEAD: usize = 64 * 1024;

/// Calls of the limited endpoints (`guard::limited_path`) one client address may make at once
/// before it gets one every `PER_ADDRESS_EVERY`, unless `SELFCARE_PER_ADDRESS_BURST` says
/// otherwise.
pub const DEFAULT_PER_ADDRESS_BURST: u32 = 30;
/// How often a client address's allowance of limited calls grows by one.
pub const PER_ADDRESS_EVERY: Duration = Duration::from_secs(2);

/// Builds the whole application router.
pub fn router(state: AppState) -> Router {
    router_with_limiter(
        state,
        crate::guard::IpLimiter::new(DEFAULT_PER_ADDRESS_BURST, PER_ADDRESS_EVERY),
    )
}

/// The router with a given per-address limiter (tests use a small one).
pub fn router_with_limiter(state: AppState, limiter: crate::guard::IpLimiter) -> Router {
    let routes = route_list();
    let leptos_options = state.leptos_options.clone();
    // What the guards need, made once: not the whole state cloned for every request.
    let hsts = state
        .hsts_max_age
        .and_then(|age| HeaderValue::from_str(&format!("max-age={age}")).ok());
    let scheme = if state.secure_cookies {
        "https"
    } else {
        "http"
    };
    let trusted = state.trusted_proxies.clone();
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/brand.css", get(brand_css))
        .route("/locale/{code}", get(switch_locale))
        .route("/invoices/{id}/pdf", get(invoice_pdf))
        .route("/usage.csv", get(usage_csv))
        .route(
            "/documents",
            post(crate::documents::upload).layer(DefaultBodyLimit::max(
                app::domain::document::MAX_BYTES + UPLOAD_OVERHEAD,
            )),
        )
        .route("/documents/{id}", get(document_download))
        .nest("/provider/v1", crate::provider::router())
        .nest_service("/pkg", bundle(&leptos_options))
        .leptos_routes_with_context(
            &state,
            routes,
            || provide_context(app::backend::session::RequestMemo::default()),
            {
                let options = leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .fallback(file_and_error_handler::<AppState, _>(shell))
        .with_state(state)
        .layer(axum::middleware::from_fn_with_state(
            scheme,
            crate::guard::form_posts,
        ))
        .layer(DefaultBodyLimit::max(crate::guard::SERVER_FN_BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            limiter.trusting(trusted),
            crate::guard::per_ip_limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            scheme,
            crate::guard::same_origin,
        ))
        .layer(axum::middleware::from_fn(canonical_path))
        .layer(axum::middleware::from_fn(crate::guard::path_limits))
        // Pages are compressed per request at the fastest level (brotli 0, gzip 1): the signed-in
        // Home (33 KB of HTML) comes to 7.0 KB instead of 5.7 KB at tower-http's default
        // (brotli 4), which cost a fifth of the server's CPU time under load (issue 10).
        .layer(CompressionLayer::new().quality(CompressionLevel::Fastest))
        .layer(axum::middleware::from_fn_with_state(
            hsts,
            crate::guard::security_headers,
        ))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                let request_id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!(
                    "request",
                    id = %request_id,
                    method = %req.method(),
                    path = %req.uri().path(),
                )
            }),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

/// `/de/` and `/fr/sign-in/` are the pages without their final slash: a permanent redirect to
/// the canonical path, so that no page renders under a 404 status (issue 23).
async fn canonical_path(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let method = request.method();
    if (method == axum::http::Method::GET || method == axum::http::Method::HEAD)
        && let Some(location) = canonical_location(request.uri().path(), request.uri().query())
        && let Ok(value) = HeaderValue::from_str(&location)
    {
        return (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, value)]).into_response();
    }
    next.run(request).await
}

/// The canonical address of a path that ends in `/` (not the root), with its query; `None`
/// when the path is canonical or would leave the site once trimmed (`//host/`, `/\host/`).
fn canonical_location(path: &str, query: Option<&str>) -> Option<String> {
    if path.len() <= 1 || !path.ends_with('/') {
        return None;
    }
    let trimmed = path.trim_end_matches('/');
    if !is_local_path(trimmed) {
        return None;
    }
    Some(match query {
        Some(query) => format!("{trimmed}?{query}"),
        None => trimmed.to_string(),
    })
}

/// The browser bundle in `<site>/pkg`: its names carry a hash of the content, so browsers may
/// keep the files a year; the brotli and gzip copies made by the build go to browsers that
/// accept them, so nothing is compressed per request.
fn bundle(options: &leptos::config::LeptosOptions) -> Router {
    let dir = std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    Router::new()
        .fallback_service(ServeDir::new(dir).precompressed_br().precompressed_gzip())
        .layer(axum::middleware::map_response(long_cache))
        .layer(axum::middleware::from_fn(worker_policy))
}

/// The policy of the worker that compiles the WASM (`<bundle>_compile.js`): a worker runs
/// under its own script's policy, and the closed default for static files would forbid its
/// one fetch (the WASM, same origin) and the compilation.
const COMPILE_WORKER_CSP: &str =
    "default-src 'none'; connect-src 'self'; script-src 'wasm-unsafe-eval'";

async fn worker_policy(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let worker = request.uri().path().ends_with(COMPILE_WORKER_SUFFIX);
    let mut response = next.run(request).await;
    if worker && response.status().is_success() {
        response.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(COMPILE_WORKER_CSP),
        );
    }
    response
}

async fn long_cache(mut response: Response) -> Response {
    if response.status().is_success() {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
    }
    response
}

/// `/bench/bare`: a static Leptos page rendered by the same SSR stream as the portal's pages,
/// without data, session or layout. The server benchmark (`scripts/bench`) measures the
/// portal's pages against it; it exists only with `SELFCARE_BENCH_ROUTE=true`.
pub fn bench_router() -> Router {
    Router::new().route(
        "/bench/bare",
        get(leptos_axum::render_app_to_stream(|| {
            use leptos::prelude::*;
            view! {
                <!DOCTYPE html>
                <html lang="en">
                    <head>
                        <meta charset="utf-8" />
                        <title>"Selfcare"</title>
                    </head>
                    <body>
                        <main>
                            <h1>"Selfcare"</h1>
                            <p>"A static page for the server benchmark."</p>
                        </main>
                    </body>
                </html>
            }
        })),
    )
}

/// The app's routes, generated once per process. Generating them runs the app with resource
/// loading suppressed through a process-wide flag (leptos_server's `SuppressResourceLoad`): a
/// page rendered by another thread at that moment waits for its data forever
/// (leptos-rs/leptos#4773). The server builds one router; the tests build one per test, in
/// parallel, and hung about once in twenty runs before this.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The process is up.
async fn healthz() -> &'static str {
    "ok"
}

/// The provider's colours (P3) as a stylesheet of their own, so that pages need no inline
/// style and the page policy allows styles from the portal only (issue 24 item 15). The
/// colours are checked hex values (`providers` table). Without the database the browser keeps
/// the defaults of the main stylesheet.
async fn brand_css(State(state): State<AppState>) -> Response {
    if state.db.is_down() {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    match app::backend::repo::providers::brand(&state.pool, state.provider_id).await {
        Ok(brand) => (
            [
                (header::CONTENT_TYPE, "text/css; charset=utf-8"),
                // A provider's new colours reach every page within five minutes.
                (header::CACHE_CONTROL, "public, max-age=300"),
            ],
            format!(
                ":root{{--brand:{};--accent:{}}}\n",
                brand.color_primary, brand.color_accent
            ),
        )
            .into_response(),
        Err(err) => {
            tracing::info!(error = %err, "brand stylesheet without the database");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

/// The database answers within two seconds.
async fn readyz(State(state): State<AppState>) -> Response {
    let probe = sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&state.pool);
    match tokio::time::timeout(Duration::from_secs(2), probe).await {
        Ok(Ok(_)) => (StatusCode::OK, "ready").into_response(),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response(),
    }
}

#[derive(Debug, Deserialize)]
struct SwitchQuery {
    next: Option<String>,
}

/// Only same-site absolute paths are followed; anything else (`//evil`, `https://…`,
/// backslashes) goes Home, so the switch is no open redirect.
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(path) if is_local_path(path) => path,
        _ => "/",
    }
}

/// A path on this site: starts with one `/`, and holds nothing a browser reads as the start of
/// another host (a second slash, a backslash, which browsers take for one, or a control
/// character, which they drop: `/\t/evil` is `//evil`).
fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(char::is_control)
}

/// Where the language switch sends the browser: `next` in `lang`. The check runs again once
/// the locale prefix is gone: `/fr//evil.example` is a local path, but without its prefix it is
/// not (ASVS V5.1.5, issue 24).
fn switch_target(lang: Lang, next: Option<&str>) -> String {
    let (_, bare) = paths::split_locale(safe_next(next));
    if is_local_path(&bare) {
        paths::localized(lang, &bare)
    } else {
        paths::localized(lang, paths::HOME)
    }
}

/// Remembers the chosen language in the cookie leptos_i18n reads (and, signed in, as the
/// login's language: its SMS and inbox are written in it, P4), then shows the same page in that
/// language.
async fn switch_locale(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(query): Query<SwitchQuery>,
    headers: header::HeaderMap,
) -> Response {
    let Some(lang) = Lang::parse(&code).filter(|l| l.code() == code) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if let Ok(Some(session)) = app::backend::session::from_headers(&state, &headers).await
        && let Err(err) =
            app::backend::repo::logins::choose_language(&state.pool, session.login_id, lang.code())
                .await
    {
        tracing::warn!(error = %err, "language choice not stored");
    }
    let target = switch_target(lang, query.next.as_deref());
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    let cookie = format!(
        "{LOCALE_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{secure}",
        lang.code()
    );
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let (Ok(location), Ok(cookie)) = (
        HeaderValue::from_str(&target),
        HeaderValue::from_str(&cookie),
    ) {
        response.headers_mut().insert(header::LOCATION, location);
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

#[derive(Debug, Deserialize)]
struct PdfQuery {
    lang: Option<String>,
}

/// A private download: attachment, never cached by shared caches.
fn attachment(body: impl IntoResponse, content_type: &'static str, file_name: &str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Ok(value) = HeaderValue::from_str(&content_disposition(file_name)) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// `attachment` with the file's name (RFC 6266): an ASCII `filename` for old clients (other
/// characters, quotes and backslashes as `_`) and, when the name is not plain ASCII, the exact
/// name as UTF-8 in `filename*` (RFC 8187 percent-encoding), issue 24.
fn content_disposition(file_name: &str) -> String {
    let fallback: String = file_name
        .chars()
        .map(|c| match c {
            '"' | '\\' => '_',
            c if c == ' ' || c.is_ascii_graphic() => c,
            _ => '_',
        })
        .collect();
    if fallback == file_name {
        return format!("attachment; filename=\"{fallback}\"");
    }
    let encoded: String = file_name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
            b'!' | b'#' | b'$' | b'&' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// A refused download: to sign-in (in `lang`) without a session, else the error's status with
/// a short text in `lang`.
fn download_refused(err: &app::error::AppError, lang: Lang) -> Response {
    if *err == app::error::AppError::Unauthenticated {
        let mut response = StatusCode::SEE_OTHER.into_response();
        if let Ok(location) = HeaderValue::from_str(&paths::localized(lang, paths::SIGN_IN)) {
            response.headers_mut().insert(header::LOCATION, location);
        }
        return response;
    }
    let status =
        StatusCode::from_u16(err.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, app::backend::respond::error_text(err, lang)).into_response()
}

/// The PDF of an invoice or credit note (I2), for the holder of its customer number only.
async fn invoice_pdf(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(query): Query<PdfQuery>,
    headers: header::HeaderMap,
) -> Response {
    let lang = query
        .lang
        .as_deref()
        .and_then(Lang::parse)
        .unwrap_or(paths::DEFAULT_LANG);
    match app::api::invoices::pdf_download(&state, &headers, id, lang).await {
        Ok((file_name, bytes)) => attachment(bytes, "application/pdf", &file_name),
        Err(err) => download_refused(&err, lang),
    }
}

/// An uploaded document (M3), for the holders of its customer number only; always as an
/// attachment, never shown inline.
async fn document_download(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: header::HeaderMap,
) -> Response {
    match app::api::documents::download(&state, &headers, id).await {
        Ok((file_name, mime, bytes)) => attachment(bytes, mime, &file_name),
        Err(err) => download_refused(&err, paths::DEFAULT_LANG),
    }
}

/// The CSV export of the Usage tab's filter (U2), with the same rights as the tab.
async fn usage_csv(
    State(state): State<AppState>,
    Query(query): Query<app::api::usage::UsageQuery>,
    headers: header::HeaderMap,
) -> Response {
    match app::api::usage::csv_download(&state, &headers, &query).await {
        Ok(csv) => attachment(csv, "text/csv; charset=utf-8", "usage.csv"),
        Err(err) => download_refused(&err, paths::DEFAULT_LANG),
    }
}

#[cfg(test)]
mod tests {
    use super::{Lang, canonical_location, content_disposition, safe_next, switch_target};

    #[test]
    fn file_names_go_out_as_rfc_6266_says() {
        assert_eq!(
            content_disposition("2026-000123.pdf"),
            "attachment; filename=\"2026-000123.pdf\""
        );
        assert_eq!(
            content_disposition("Résumé final.pdf"),
            "attachment; filename=\"R_sum_ final.pdf\"; filename*=UTF-8''R%C3%A9sum%C3%A9%20final.pdf"
        );
        assert_eq!(
            content_disposition("a\"b\\c.png"),
            "attachment; filename=\"a_b_c.png\"; filename*=UTF-8''a%22b%5Cc.png"
        );
    }

    #[test]
    fn the_language_switch_never_leaves_the_site() {
        for next in [
            "/fr//evil.example",
            "/de//evil.example/x",
            "/fr/\\evil.example",
            "/fr/\t/evil.example",
            "//evil.example",
            "/\\evil.example",
            "https://evil.example/",
            "http:evil.example",
            "/nl///evil.example",
        ] {
            assert_eq!(switch_target(Lang::En, Some(next)), "/", "{next}");
        }
        assert_eq!(switch_target(Lang::En, Some("/fr//evil.example")), "/");
        assert_eq!(switch_target(Lang::De, Some("/fr//evil.example")), "/de");
        assert_eq!(switch_target(Lang::De, Some("/fr/sign-in")), "/de/sign-in");
        assert_eq!(switch_target(Lang::Fr, Some("/invoices")), "/fr/invoices");
        assert_eq!(switch_target(Lang::En, None), "/");
    }

    #[test]
    fn a_final_slash_goes_to_the_canonical_path() {
        assert_eq!(canonical_location("/de/", None).as_deref(), Some("/de"));
        assert_eq!(
            canonical_location("/fr/sign-in/", Some("a=1")).as_deref(),
            Some("/fr/sign-in?a=1")
        );
        assert_eq!(canonical_location("/de//", None).as_deref(), Some("/de"));
        assert_eq!(canonical_location("/", None), None);
        assert_eq!(canonical_location("/de", None), None);
        assert_eq!(canonical_location("//evil.example/", None), None);
        assert_eq!(canonical_location("///", None), None);
        assert_eq!(canonical_location("/\\evil.example/", None), None);
    }

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next(Some("/sign-in")), "/sign-in");
        assert_eq!(safe_next(Some("/")), "/");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
