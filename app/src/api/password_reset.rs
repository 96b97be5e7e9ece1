//! Forgotten passwords (issue 27): asking for a link, and choosing a new password with it.

use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{
    backend::{entry, password, password_reset, repo, session},
    domain::{
        lang::Lang,
        validation::{FieldProblem, check_email, normalize_email},
    },
    paths,
};

/// Asks for a link to choose a new password. The answer is the same for every address, known
/// or not, and takes the same time: the request is recorded here and the mail worker makes
/// the link for a known address (S3). Throttled per address typed and per client address.
#[server(endpoint = "request_password_reset")]
pub async fn request_password_reset(email: String, lang: String) -> Result<(), AppError> {
    entry::anyone(|state| async move {
        let lang = Lang::parse(&lang).unwrap_or(paths::DEFAULT_LANG);
        let email = normalize_email(&email);
        check_email(&email).map_err(|problem| AppError::field("email", problem))?;
        let ip = session::client_ip(&state);
        password_reset::refuse_if_busy(
            &state,
            repo::password_resets::Requests::PasswordReset,
            &email,
            ip.as_deref(),
            (
                password_reset::MAX_PER_ADDRESS,
                password_reset::MAX_PER_CLIENT,
            ),
        )
        .await?;
        let now = state.clock.unix_seconds() as i64;
        repo::password_resets::record_request(
            &state.pool,
            state.provider_id,
            &email,
            ip.as_deref(),
            now,
        )
        .await?;
        state.mail_outbox.notify_one();
        tracing::info!("password reset requested");
        leptos_axum::redirect(&format!(
            "{}?sent=1",
            paths::localized(lang, paths::FORGOT_PASSWORD)
        ));
        Ok(())
    })
    .await
}

/// Whether a reset link's token can still be used (the page shows the form, or says it
/// expired). Reading it does not use it.
#[server(endpoint = "reset_link_valid")]
pub async fn reset_link_valid(token: String) -> Result<bool, AppError> {
    entry::anyone(|state| async move {
        let Some(hash) = session::link_token_hash(&token) else {
            return Ok(false);
        };
        let now = state.clock.unix_seconds() as i64;
        let login = repo::password_resets::valid_token_login(&state.pool, &hash, now).await?;
        Ok(login.is_some())
    })
    .await
}

/// Sets a new password with a reset link's token: the token is used once, every session of
/// the login ends, a notice goes to its address. The customer then signs in (two-factor sign-in
/// asks its code as before).
#[server(endpoint = "reset_password")]
pub async fn reset_password(
    token: String,
    password: String,
    password_confirm: String,
    lang: String,
) -> Result<(), AppError> {
    entry::anyone(|state| async move {
        let lang = Lang::parse(&lang).unwrap_or(paths::DEFAULT_LANG);
        let invalid_link = || AppError::field("token", FieldProblem::ResetLinkInvalid);
        let Some(hash) = session::link_token_hash(&token) else {
            return Err(invalid_link());
        };
        let now = state.clock.unix_seconds() as i64;
        let Some(login) = repo::password_resets::valid_token_login(&state.pool, &hash, now).await?
        else {
            tracing::info!("password reset with an unusable link");
            return Err(invalid_link());
        };
        if let Some(problem) =
            password::problem_with_choice(&password, &password_confirm, &login.email).await?
        {
            return Err(AppError::Invalid(vec![problem]));
        }
        let new_hash = password::hash(password).await?;
        let mut tx = state.pool.begin().await?;
        // Used here, in the transaction that changes the password: of two requests with one
        // link, the second finds it spent.
        let Some(login_id) = repo::password_resets::consume_token(&mut tx, &hash, now).await?
        else {
            return Err(invalid_link());
        };
        repo::security::set_password(&mut tx, login_id, &new_hash).await?;
        password_reset::queue_changed_notice(&mut tx, &state.pool, &state.mail_context(), login_id)
            .await?;
        tx.commit().await?;
        repo::security::clear_failures(&state.pool, &login.email).await?;
        state.mail_outbox.notify_one();
        tracing::info!(login_id, "password reset, every session ended");
        leptos_axum::redirect(&format!(
            "{}?reset=done",
            paths::localized(lang, paths::SIGN_IN)
        ));
        Ok(())
    })
    .await
}
