//! Notices after plain form posts (JavaScript off, P6; `domain::flash`). A server function
//! that changed something calls [`notice`]; when the request was a plain form post, the
//! notice is stored with the session and the page the browser is redirected to shows it once
//! (`api::shell::get_shell_data` takes it). Calls from the hydrated page store nothing: that
//! page announces the change itself.

use super::{respond, session, state::AppState};
use crate::{
    domain::{flash::Flash, lang::Lang},
    error::AppError,
    paths,
};

/// Stores `flash` for the next page of a plain form post. The change it reports is already
/// committed, so a failure to store it is logged and the request still succeeds.
pub async fn notice(state: &AppState, flash: Flash) {
    if !respond::is_plain_form_post() {
        return;
    }
    let stored = match serde_json::to_string(&flash) {
        Ok(json) => session::set_flash(state, &json).await,
        Err(err) => {
            tracing::warn!(error = %err, "flash not encoded");
            return;
        }
    };
    if let Err(err) = stored {
        tracing::warn!(error = %err, "flash not stored");
    }
}

/// After a refused plain form post: stores `flash`, what the form needs to show its state again
/// (never a secret), for the page the browser goes back to. A success stores nothing here.
pub async fn notice_on_error<T>(result: &Result<T, AppError>, flash: Flash) {
    if result.is_err()
        && let Ok(state) = super::state::app_state()
    {
        notice(&state, flash).await;
    }
}

/// Takes the session's stored notice for the page being rendered: decoded, and cleared so that
/// it shows once.
pub async fn take(state: &AppState, stored: Option<String>) -> Result<Option<Flash>, AppError> {
    let Some(json) = stored else {
        return Ok(None);
    };
    session::clear_flash(state).await?;
    Ok(serde_json::from_str(&json)
        .inspect_err(|err| tracing::info!(error = %err, "stale flash dropped"))
        .ok())
}

/// The language of the page a plain form was posted from (its `Referer`, where the browser is
/// sent back to), for the names a notice carries.
pub fn posted_from_lang() -> Lang {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| {
            let referer = parts.headers.get(http::header::REFERER)?.to_str().ok()?;
            let uri: http::Uri = referer.parse().ok()?;
            Some(paths::split_locale(uri.path()).0)
        })
        .unwrap_or(paths::DEFAULT_LANG)
}
