//! Changing a login's email address (issue 27 item 4): asked for on the Security tab with the
//! current password, confirmed by a link sent to the new address, announced to the old one.

use chrono::NaiveDateTime;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{
    backend::{email_change, entry, flash, repo, session},
    domain::{
        flash::Flash,
        lang::Lang,
        validation::{FieldProblem, check_email, normalize_email},
    },
    paths,
};

/// A new address waiting for its link to be opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingEmail {
    pub email: String,
    /// UTC.
    pub expires_at: NaiveDateTime,
}

/// Asks to change the signed-in login's address: the current password is required (S3
/// lockout), a link goes to the new address. The answer is the same whether or not the new
/// address has a login.
#[server(endpoint = "request_email_change")]
pub async fn request_email_change(
    new_email: String,
    current_password: String,
) -> Result<(), AppError> {
    entry::login(|state, login| async move {
        let new_email = normalize_email(&new_email);
        let problem = check_email(&new_email)
            .err()
            .or((new_email == login.email).then_some(FieldProblem::EmailUnchanged));
        AppError::check_fields([("new_email", problem)])?;
        crate::api::security::prove_current_password(&state, &login, current_password).await?;
        email_change::request(&state.pool, &state.mail_context(), &login, &new_email).await?;
        state.mail_outbox.notify_one();
        flash::notice(&state, Flash::EmailChangeSent).await;
        Ok(())
    })
    .await
}

/// The new address a confirmation link would set, when the link can still be used. Reading it
/// does not use it.
#[server(endpoint = "email_change_valid")]
pub async fn email_change_valid(token: String) -> Result<Option<String>, AppError> {
    entry::anyone(|state| async move {
        let Some(hash) = session::link_token_hash(&token) else {
            return Ok(None);
        };
        let now = state.clock.unix_seconds() as i64;
        repo::email_changes::usable(&state.pool, state.provider_id, &hash, now).await
    })
    .await
}

/// Confirms a new address with its link (a button on the page, not the link itself: mail
/// scanners open links). The old address gets a notice. A signed-in browser of that login goes
/// to Security, any other to the sign-in page, both saying the address changed.
#[server(endpoint = "confirm_email_change")]
pub async fn confirm_email_change(token: String, lang: String) -> Result<(), AppError> {
    use crate::backend::repo::email_changes::Confirmed;
    entry::anyone(|state| async move {
        let lang = Lang::parse(&lang).unwrap_or(paths::DEFAULT_LANG);
        let invalid = || AppError::field("token", FieldProblem::ChangeLinkInvalid);
        let Some(hash) = session::link_token_hash(&token) else {
            return Err(invalid());
        };
        let mut tx = state.pool.begin().await?;
        let confirmed =
            email_change::confirm(&mut tx, &state.pool, &state.mail_context(), &hash).await?;
        let login_id = match confirmed {
            None => {
                tracing::info!("email change with an unusable link");
                return Err(invalid());
            }
            Some(Confirmed::Taken) => {
                tx.commit().await?;
                tracing::info!("email change to an address taken meanwhile");
                return Err(AppError::field("token", FieldProblem::EmailTaken));
            }
            Some(Confirmed::Changed { login_id, .. }) => login_id,
        };
        tx.commit().await?;
        state.mail_outbox.notify_one();
        tracing::info!(login_id, "email address changed");
        let signed_in = session::current(&state)
            .await?
            .is_some_and(|session| session.login_id == login_id);
        let to = if signed_in {
            paths::SECURITY
        } else {
            paths::SIGN_IN
        };
        leptos_axum::redirect(&format!("{}?email=changed", paths::localized(lang, to)));
        Ok(())
    })
    .await
}
