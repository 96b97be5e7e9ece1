//! Registration, sign-in and sign-out (S1).

use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{
    backend::{password, password_reset, registration, repo, session},
    domain::{
        lang::Lang,
        validation::{FieldProblem, check_email, normalize_email},
    },
    error::FieldError,
    paths,
};

#[cfg(feature = "ssr")]
use crate::backend::entry;

/// The language a form posted, or the default.
#[cfg(feature = "ssr")]
fn posted_lang(lang: &str) -> Lang {
    Lang::parse(lang).unwrap_or(paths::DEFAULT_LANG)
}

/// Signs in with email and password. A wrong password and an unknown email get the same
/// answer in the same time (S3). On success the session id is new (rotation) and the browser
/// goes to Home in `lang`.
#[server(endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String, lang: String) -> Result<(), AppError> {
    entry::anyone(|state| async move {
        let email = normalize_email(&email);
        AppError::require_filled(&[("email", &email), ("password", &password)])?;
        // S3: the throttle is keyed by the typed email, known or not, so that it reveals
        // nothing about which accounts exist; it slows guesses per account and address
        // without locking the owner out (domain::security::throttled, issue 24).
        let ip = session::client_ip(&state);
        if repo::security::locked_out(&state.pool, &email, ip.as_deref()).await? {
            tracing::info!("sign-in locked");
            return Err(AppError::TooManyAttempts);
        }
        let login = repo::logins::find_by_email(&state.pool, state.provider_id, &email).await?;
        let stored = login.as_ref().map(|l| l.password_hash.clone());
        let matches = password::verify(password, stored).await?;
        let Some(login) = login.filter(|_| matches) else {
            repo::security::record_failure(
                &state.pool,
                repo::security::FailureKind::SignIn,
                &email,
                ip.as_deref(),
            )
            .await?;
            tracing::info!("sign-in refused");
            return Err(AppError::InvalidCredentials);
        };
        repo::security::clear_failures_from(&state.pool, &email, ip.as_deref()).await?;
        repo::logins::choose_language(&state.pool, login.id, posted_lang(&lang).code()).await?;
        if login.two_factor {
            // The password was right; the session starts after the code (verify_sign_in).
            session::start_challenge(&state, login.id).await?;
            tracing::info!(login_id = login.id, "second factor asked");
            leptos_axum::redirect(&paths::localized(posted_lang(&lang), paths::SIGN_IN_CODE));
            return Ok(());
        }
        session::start(&state, login.id).await?;
        tracing::info!(login_id = login.id, "signed in");
        leptos_axum::redirect(&paths::localized(posted_lang(&lang), paths::HOME));
        Ok(())
    })
    .await
}

/// Registers a login (email + password) by a verified address (issue 27, S3): the answer is
/// "check your inbox" for every address, known or not, in the same time (the password is hashed
/// either way; the mail worker sends a new address its link and a known one a notice). The
/// login exists once the link is confirmed (`verify_email`). Contracts are linked afterwards.
#[server(endpoint = "register")]
pub async fn register(
    email: String,
    password: String,
    password_confirm: String,
    lang: String,
) -> Result<(), AppError> {
    entry::anyone(|state| async move {
        let email = normalize_email(&email);
        let lang = posted_lang(&lang);
        let mut errors = Vec::new();
        if let Err(problem) = check_email(&email) {
            errors.push(FieldError {
                field: "email".into(),
                problem,
            });
        }
        errors.extend(password::problem_with_choice(&password, &password_confirm, &email).await?);
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let ip = session::client_ip(&state);
        password_reset::refuse_if_busy(
            &state,
            repo::password_resets::Requests::Registration,
            &email,
            ip.as_deref(),
            (registration::MAX_PER_ADDRESS, registration::MAX_PER_CLIENT),
        )
        .await?;
        let now = state.clock.unix_seconds() as i64;
        let hash = password::hash(password).await?;
        let request = repo::registrations::Registration {
            id: 0,
            email,
            password_hash: hash,
            language: lang.code().to_string(),
        };
        repo::registrations::record_request(
            &state.pool,
            state.provider_id,
            &request,
            ip.as_deref(),
            now,
        )
        .await?;
        state.mail_outbox.notify_one();
        tracing::info!("registration recorded");
        leptos_axum::redirect(&format!(
            "{}?sent=1",
            paths::localized(lang, paths::REGISTER)
        ));
        Ok(())
    })
    .await
}

/// Whether a verification link can still be used (its page offers the confirmation, or says it
/// expired). Reading it does not use it.
#[server(endpoint = "verification_valid")]
pub async fn verification_valid(token: String) -> Result<bool, AppError> {
    entry::anyone(|state| async move {
        let Some(hash) = session::link_token_hash(&token) else {
            return Ok(false);
        };
        let now = state.clock.unix_seconds() as i64;
        repo::registrations::verification_usable(&state.pool, state.provider_id, &hash, now).await
    })
    .await
}

/// Confirms a registration's address with its link: the login is made with the password chosen
/// at registration, and signed in. A button, not the link itself, confirms: mail scanners that
/// open links do not activate logins.
#[server(endpoint = "verify_email")]
pub async fn verify_email(token: String, lang: String) -> Result<(), AppError> {
    entry::anyone(|state| async move {
        let lang = posted_lang(&lang);
        let invalid = || AppError::field("token", FieldProblem::VerifyLinkInvalid);
        let Some(hash) = session::link_token_hash(&token) else {
            return Err(invalid());
        };
        let now = state.clock.unix_seconds() as i64;
        let mut tx = state.pool.begin().await?;
        let Some(login_id) =
            repo::registrations::verify(&mut tx, state.provider_id, &hash, now).await?
        else {
            tracing::info!("verification with an unusable link");
            return Err(invalid());
        };
        tx.commit().await?;
        session::start(&state, login_id).await?;
        tracing::info!(login_id, "registered and verified");
        leptos_axum::redirect(&paths::localized(lang, paths::HOME));
        Ok(())
    })
    .await
}

/// Signs out: the session ends on the server, the cookie is cleared.
#[server(endpoint = "sign_out")]
pub async fn sign_out(lang: String) -> Result<(), AppError> {
    entry::anyone(|state| async move {
        session::end(&state).await?;
        leptos_axum::redirect(&paths::localized(posted_lang(&lang), paths::SIGN_IN));
        Ok(())
    })
    .await
}
