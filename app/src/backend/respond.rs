//! Maps a server function's outcome to its HTTP status.

use http::request::Parts;
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use crate::error::AppError;

/// Whether the request is a plain HTML form post (JavaScript off): such requests are answered
/// with a redirect back to the form, which carries the error, so their status must stay 302.
pub fn is_plain_form_post() -> bool {
    use_context::<Parts>()
        .and_then(|parts| {
            parts
                .headers
                .get(http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.contains("text/html"))
        })
        .unwrap_or(false)
}

/// Whether this request is a call of a server function (and not a page rendering that calls
/// one directly, whose status belongs to the page).
fn is_server_fn_call() -> bool {
    use_context::<Parts>().is_some_and(|parts| parts.uri.path().starts_with("/api/"))
}

/// Sets the response status for an error (404 for "not yours", 401 for "sign in", …) and
/// passes the result through.
pub fn finish<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(err) = &result
        && is_server_fn_call()
        && !is_plain_form_post()
        && let (Some(options), Ok(status)) = (
            use_context::<ResponseOptions>(),
            http::StatusCode::from_u16(err.status_code()),
        )
    {
        options.set_status(status);
    }
    result
}

/// The plain-text answer to a failed download (a PDF, a CSV), in `lang`: downloads are not
/// pages, so they cannot show the translated error view.
pub fn download_error_text(error: &AppError, lang: crate::domain::lang::Lang) -> &'static str {
    use crate::{components::locale::locale_of, i18n::*};
    let locale = locale_of(lang);
    match error {
        AppError::Unavailable => td_string!(locale, errors.unavailable),
        AppError::Internal => td_string!(locale, errors.internal),
        _ => td_string!(locale, errors.not_found),
    }
}
