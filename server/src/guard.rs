//! Guards around every request (QUALITY.md "Security", issue 9): a same-origin check on every
//! state-changing request (CSRF), security headers on every response, body limits on server
//! functions, and per-address limits on the endpoints that check a secret or take a file.

use std::{
    collections::HashMap,
    net::{IpAddr, SocketAddr},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use app::{
    backend::{
        client_addr::{TrustedProxies, client_addr},
        respond::{accepts_html, error_text},
        typed,
    },
    domain::{lang::Lang, validation::FieldProblem},
    error::{AppError, FieldError},
};
use axum::{
    body::Body,
    extract::{ConnectInfo, Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::routes::LOCALE_COOKIE;

/// The most a server function's arguments may weigh; every form of the portal fits in a
/// fraction of it (uploads go to `/documents`, with their own limit).
pub const SERVER_FN_BODY_LIMIT: usize = 64 * 1024;

/// The language of the visitor's locale cookie, for answers that are not pages.
pub fn cookie_lang(headers: &HeaderMap) -> Lang {
    app::backend::cookies::read_cookie(headers, LOCALE_COOKIE)
        .and_then(Lang::parse)
        .unwrap_or(app::paths::DEFAULT_LANG)
}

/// A refusal the caller understands: the server function's error encoding for JavaScript
/// callers, a short text in the visitor's language for a plain form post or a page.
pub fn refusal(status: StatusCode, error: &AppError, text: &str, headers: &HeaderMap) -> Response {
    if !accepts_html(headers) {
        let body = serde_json::to_string(error).unwrap_or_default();
        (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            Body::from(body),
        )
            .into_response()
    } else {
        (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            text.to_string(),
        )
            .into_response()
    }
}

/// Whether a request comes from another origin: what the browser says in `Sec-Fetch-Site`,
/// else the `Origin` it sent compared, scheme included (issue 24), with the portal's own
/// origin: `scheme` (`https` behind TLS) and the host asked for. A request with neither header
/// is not from a browser page (a command-line client carries no ambient cookie of a victim)
/// and passes.
pub fn cross_origin(headers: &HeaderMap, scheme: &str) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return site.as_bytes() != b"same-origin";
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return false;
    };
    let Ok(origin) = origin.to_str() else {
        return true;
    };
    let authority = origin
        .strip_prefix(scheme)
        .and_then(|rest| rest.strip_prefix("://"));
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    match (authority, host) {
        (Some(authority), Some(host)) => !authority.eq_ignore_ascii_case(host),
        _ => true,
    }
}

/// CSRF (QUALITY "CSRF"): every method but GET, HEAD and OPTIONS must come from the portal's
/// own pages. Plain form posts of the portal carry `Sec-Fetch-Site: same-origin` and pass.
/// `scheme` is the portal's own: `https` behind TLS, else `http`.
pub async fn same_origin(
    State(scheme): State<&'static str>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe && cross_origin(request.headers(), scheme) {
        tracing::warn!(path = %request.uri().path(), "cross-origin request refused");
        let lang = cookie_lang(request.headers());
        return refusal(
            StatusCode::FORBIDDEN,
            &AppError::BadRequest,
            error_text(&AppError::BadRequest, lang),
            request.headers(),
        );
    }
    next.run(request).await
}

/// Whether `c` is a control character no form field of the portal takes: every control
/// character but the line breaks and tabs a text area may hold. PostgreSQL refuses NUL in text,
/// and the others are never typed.
pub fn forbidden_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\n' | '\r' | '\t')
}

/// The edge of a server function's form post. Control characters in its fields are refused
/// before any function reads them (issue 24): 422 with a field error for each field that has
/// one, which the form shows at that field; a plain form post goes back to its page with the
/// error, as a server function's refusal does. A plain form post the function refused gets
/// the fields worth keeping back with its redirect (`backend::typed`), and the page that shows
/// them drops them. Other requests pass untouched. `scheme` is the portal's own (`https`
/// behind TLS).
pub async fn form_posts(
    State(scheme): State<&'static str>,
    request: Request,
    next: Next,
) -> Response {
    let secure = scheme == "https";
    if request.method() == Method::GET && typed::carries(request.headers()) {
        let mut response = next.run(request).await;
        if let Ok(drop) = HeaderValue::from_str(&typed::drop_cookie(secure)) {
            response.headers_mut().append(header::SET_COOKIE, drop);
        }
        return response;
    }
    let form = request.method() == Method::POST
        && request.uri().path().starts_with("/api/")
        && request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, SERVER_FN_BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(err) => {
            // The body stalled (the listener's body timeout) or is over the limit.
            let status = if timed_out(&err) {
                StatusCode::REQUEST_TIMEOUT
            } else {
                StatusCode::PAYLOAD_TOO_LARGE
            };
            tracing::info!(path = %parts.uri.path(), %status, "server function body not read");
            let lang = cookie_lang(&parts.headers);
            return refusal(
                status,
                &AppError::BadRequest,
                error_text(&AppError::BadRequest, lang),
                &parts.headers,
            );
        }
    };
    let mut problems: Vec<FieldError> = Vec::new();
    for (name, value) in form_urlencoded::parse(&bytes) {
        if value.chars().any(forbidden_control) && !problems.iter().any(|p| p.field == name) {
            problems.push(FieldError {
                field: name.into_owned(),
                problem: FieldProblem::ControlCharacter,
            });
        }
    }
    if problems.is_empty() {
        let plain = accepts_html(&parts.headers);
        let mut response = next
            .run(Request::from_parts(parts, Body::from(bytes.clone())))
            .await;
        // Refused: a redirect back to the form with the error in its address.
        let refused = response.status().is_redirection()
            && response
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|location| location.contains("__err="));
        if plain
            && refused
            && let Some(keep) = typed::keep_cookie(&bytes, secure)
            && let Ok(keep) = HeaderValue::from_str(&keep)
        {
            response.headers_mut().append(header::SET_COOKIE, keep);
        }
        return response;
    }
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    tracing::info!(path = %parts.uri.path(), ?fields, "control characters refused");
    let error = AppError::Invalid(problems);
    // A plain form post: back to its page, with the error where the form reads it.
    if accepts_html(&parts.headers)
        && let Some(back) = parts
            .headers
            .get(header::REFERER)
            .and_then(|v| v.to_str().ok())
            .and_then(|referer| {
                leptos::server_fn::error::ServerFnUrlError::new(parts.uri.path(), error.clone())
                    .to_url(referer)
                    .ok()
            })
        && let Ok(location) = HeaderValue::from_str(back.as_str())
    {
        return (StatusCode::FOUND, [(header::LOCATION, location)]).into_response();
    }
    let lang = cookie_lang(&parts.headers);
    refusal(
        StatusCode::UNPROCESSABLE_ENTITY,
        &error,
        error_text(&error, lang),
        &parts.headers,
    )
}

/// Whether reading a body failed because it stalled past the listener's body timeout.
fn timed_out(err: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(error) = source {
        if error.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        source = error.source();
    }
    false
}

/// The longest path segment a page or a file can have (a file name's limit on Linux) and the
/// longest path: anything longer names nothing here.
const MAX_SEGMENT_BYTES: usize = 255;
const MAX_PATH_BYTES: usize = 2048;

/// A path no page or file can have is a client's mistake: 404 at once, logged at info, before
/// the static-file lookup fails on it with an ERROR line ("File name too long", issue 24).
pub async fn path_limits(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path.len() > MAX_PATH_BYTES || path.split('/').any(|s| s.len() > MAX_SEGMENT_BYTES) {
        tracing::info!(length = path.len(), "path too long: not found");
        let lang = cookie_lang(request.headers());
        return refusal(
            StatusCode::NOT_FOUND,
            &AppError::NotFound,
            error_text(&AppError::NotFound, lang),
            request.headers(),
        );
    }
    next.run(request).await
}

/// The policy of responses that are not Leptos pages: nothing runs, nothing is framed.
const DEFAULT_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
                           frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// Security headers on every response; pages set their own nonce policy, everything else gets
/// the closed default. Pages and server-function answers are never stored by a cache
/// (`no-store`, ASVS V8.2.1): they are personal. Behind TLS, `Strict-Transport-Security`.
/// `hsts` is the `Strict-Transport-Security` value, made once at start (none without TLS).
pub async fn security_headers(
    State(hsts): State<Option<HeaderValue>>,
    request: Request,
    next: Next,
) -> Response {
    let server_fn = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let page = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if (page || server_fn) && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if let Some(value) = hsts {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, value);
    }
    let defaults = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CONTENT_SECURITY_POLICY, DEFAULT_CSP),
        (
            header::HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ];
    for (name, value) in defaults {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    response
}

/// A token bucket per client address: `burst` requests at once, then one per `every`.
#[derive(Clone)]
pub struct IpLimiter {
    buckets: Arc<Mutex<HashMap<IpAddr, (f64, Instant)>>>,
    burst: f64,
    every: Duration,
    /// Reverse proxies whose forwarding headers name the client (none unless configured).
    trusted: Arc<TrustedProxies>,
}

impl IpLimiter {
    pub fn new(burst: u32, every: Duration) -> IpLimiter {
        IpLimiter {
            buckets: Arc::new(Mutex::new(HashMap::new())),
            burst: f64::from(burst),
            every,
            trusted: Arc::new(TrustedProxies::none()),
        }
    }

    /// The same limiter, counting the clients behind `trusted` proxies apart (issue 24).
    pub fn trusting(mut self, trusted: Arc<TrustedProxies>) -> IpLimiter {
        self.trusted = trusted;
        self
    }

    /// Takes one token for `ip` at `now`; `false` when its bucket is empty.
    pub fn allow(&self, ip: IpAddr, now: Instant) -> bool {
        let Ok(mut buckets) = self.buckets.lock() else {
            return true;
        };
        let per_second = 1.0 / self.every.as_secs_f64();
        if buckets.len() > 10_000 {
            // Forget addresses whose buckets have refilled, so the map cannot grow unbounded.
            let burst = self.burst;
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * per_second < burst
            });
        }
        let (tokens, at) = buckets.entry(ip).or_insert((self.burst, now));
        let refilled =
            (*tokens + now.duration_since(*at).as_secs_f64() * per_second).min(self.burst);
        *at = now;
        if refilled >= 1.0 {
            *tokens = refilled - 1.0;
            true
        } else {
            *tokens = refilled;
            false
        }
    }
}

/// The endpoints that check a secret (password, answer, code, contract password) or take a
/// file: their calls are limited per address (QUALITY "Throttling"), on top of the per-account
/// failure counters in PostgreSQL.
pub fn limited_path(path: &str) -> bool {
    const LIMITED: [&str; 18] = [
        "/api/sign_in",
        "/api/register",
        "/api/verify_email",
        "/api/request_password_reset",
        "/api/reset_password",
        "/api/verify_sign_in",
        "/api/confirm_two_factor",
        "/api/disable_two_factor",
        "/api/change_password",
        "/api/set_security_question",
        "/api/request_email_change",
        "/api/confirm_email_change",
        "/api/link_holder",
        "/api/request_link_code",
        "/api/confirm_link_code",
        "/api/save_contact",
        "/api/activate_sepa",
        "/documents",
    ];
    LIMITED.contains(&path)
}

/// Refuses a limited endpoint's POST once the address has used its bucket (429, with the
/// "too many attempts" message the forms already show).
pub async fn per_ip_limit(
    State(limiter): State<IpLimiter>,
    request: Request,
    next: Next,
) -> Response {
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(peer)| client_addr(peer.ip(), request.headers(), &limiter.trusted));
    if request.method() == Method::POST
        && limited_path(request.uri().path())
        && let Some(client) = client
        && !limiter.allow(client, Instant::now())
    {
        tracing::warn!(ip = %client, path = %request.uri().path(), "per-address limit");
        let lang = cookie_lang(request.headers());
        let mut response = refusal(
            StatusCode::TOO_MANY_REQUESTS,
            &AppError::TooManyAttempts,
            error_text(&AppError::TooManyAttempts, lang),
            request.headers(),
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        return response;
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn same_origin_requests_pass_and_others_do_not() {
        assert!(!cross_origin(
            &headers(&[("sec-fetch-site", "same-origin")]),
            "http"
        ));
        assert!(cross_origin(
            &headers(&[("sec-fetch-site", "same-site")]),
            "http"
        ));
        assert!(cross_origin(
            &headers(&[("sec-fetch-site", "cross-site")]),
            "http"
        ));
        assert!(cross_origin(
            &headers(&[("sec-fetch-site", "none")]),
            "http"
        ));
        // Without Sec-Fetch-Site, the Origin decides.
        assert!(!cross_origin(
            &headers(&[
                ("origin", "http://127.0.0.1:3000"),
                ("host", "127.0.0.1:3000")
            ]),
            "http"
        ));
        assert!(cross_origin(
            &headers(&[
                ("origin", "http://127.0.0.1:4000"),
                ("host", "127.0.0.1:3000")
            ]),
            "http"
        ));
        assert!(cross_origin(
            &headers(&[("origin", "null"), ("host", "127.0.0.1:3000")]),
            "http"
        ));
        // Neither header: not a browser page.
        assert!(!cross_origin(
            &headers(&[("host", "127.0.0.1:3000")]),
            "http"
        ));
        // The scheme counts too (issue 24): the same host and port over the other scheme is
        // another origin.
        assert!(cross_origin(
            &headers(&[
                ("origin", "https://127.0.0.1:3000"),
                ("host", "127.0.0.1:3000")
            ]),
            "http"
        ));
        assert!(cross_origin(
            &headers(&[
                ("origin", "http://portal.example"),
                ("host", "portal.example")
            ]),
            "https"
        ));
        assert!(!cross_origin(
            &headers(&[
                ("origin", "https://portal.example"),
                ("host", "portal.example")
            ]),
            "https"
        ));
    }

    #[test]
    fn the_bucket_empties_and_refills() {
        let limiter = IpLimiter::new(3, Duration::from_secs(1));
        let ip: IpAddr = "192.0.2.1".parse().expect("ip");
        let other: IpAddr = "192.0.2.2".parse().expect("ip");
        let start = Instant::now();
        assert!((0..3).all(|_| limiter.allow(ip, start)));
        assert!(!limiter.allow(ip, start));
        assert!(
            limiter.allow(other, start),
            "addresses have their own buckets"
        );
        assert!(limiter.allow(ip, start + Duration::from_millis(1100)));
        assert!(!limiter.allow(ip, start + Duration::from_millis(1200)));
    }
}
