//! The HTTP answer being built for this request, as server functions and the error type see
//! it: whether the caller is a plain form post, and its status. Below both `backend` and
//! `error`, so that neither depends on the other for it (issue 25).

use http::request::Parts;
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

/// Whether the request is a plain HTML form post (JavaScript off): such requests are answered
/// with a redirect back to the form, which carries the error, so their status must stay 302.
pub fn is_plain_form_post() -> bool {
    use_context::<Parts>().is_some_and(|parts| accepts_html(&parts.headers))
}

/// Whether the caller reads HTML (a browser navigating or posting a plain form) rather than
/// server-function answers (JavaScript).
pub fn accepts_html(headers: &http::HeaderMap) -> bool {
    headers
        .get(http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// Sets the status of a server function's error answer, if one is being built (a plain form
/// post keeps the redirect back to its form).
pub fn set_status(code: u16) {
    if is_plain_form_post() {
        return;
    }
    if let (Some(options), Ok(status)) = (
        use_context::<ResponseOptions>(),
        http::StatusCode::from_u16(code),
    ) {
        options.set_status(status);
    }
}
