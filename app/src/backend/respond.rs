//! Maps a server function's outcome to its HTTP status.

use http::request::Parts;
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use crate::error::AppError;

pub use crate::response::{accepts_html, is_plain_form_post, set_status};

/// Whether this request is a call of a server function (and not a page rendering that calls
/// one directly, whose status belongs to the page).
fn is_server_fn_call() -> bool {
    use_context::<Parts>().is_some_and(|parts| parts.uri.path().starts_with("/api/"))
}

/// Runs a server function's work, sets the response status for an error (404 for "not
/// yours", 401 for "sign in", …) and passes the result through. An `Unavailable` answer has
/// the database's health checked, so that the next request answers 503 at once while it is
/// down (issue 24 item 8).
pub async fn finish<T>(work: impl Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    let result = work.await;
    if let Err(err) = &result {
        if matches!(err, AppError::Unavailable)
            && let Some(state) = use_context::<crate::backend::state::AppState>()
        {
            state.db.confirm_outage().await;
        }
        if is_server_fn_call() {
            set_status(err.status_code());
        }
    }
    result
}

/// The Content-Security-Policy of a page whose scripts carry `nonce`: no inline script without
/// it, WebAssembly allowed to compile, nothing framed, forms only to the portal (issue 9).
/// No inline style either (issue 24 item 15): the provider's colours come from `/brand.css`,
/// usage meters are drawn with SVG attributes.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
         frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )
}

/// Gives the page being rendered its policy, with the nonce of this response, which the
/// hydration script carries (`app::HydrationAfterPaint`).
pub fn set_page_csp() {
    if let (Some(nonce), Some(options)) =
        (leptos::nonce::use_nonce(), use_context::<ResponseOptions>())
        && let Ok(value) = http::HeaderValue::from_str(&page_csp(&nonce))
    {
        options.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

/// The plain-text answer to a failed download (a PDF, a CSV) or a refused request, in `lang`:
/// these are not pages, so they cannot show the translated error view.
pub fn error_text(error: &AppError, lang: crate::domain::lang::Lang) -> &'static str {
    use crate::i18n::*;
    let locale = locale_of(lang);
    match error {
        AppError::Unavailable => td_string!(locale, errors.unavailable),
        AppError::Internal => td_string!(locale, errors.internal),
        AppError::BadRequest => td_string!(locale, errors.bad_request),
        AppError::TooManyAttempts => td_string!(locale, errors.too_many_attempts),
        AppError::InProgress => td_string!(locale, errors.in_progress),
        AppError::Invalid(_) => td_string!(locale, errors.invalid),
        _ => td_string!(locale, errors.not_found),
    }
}
