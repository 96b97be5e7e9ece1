//! Registration, sign-in and sign-out (S1).

use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{
    backend::{password, repo, session},
    domain::{
        lang::Lang,
        validation::{FieldProblem, check_email, check_new_password, normalize_email},
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

/// Registers a login (email + password) and signs it in. Contracts are linked afterwards.
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
        if let Err(problem) = check_new_password(&password, &email) {
            errors.push(FieldError {
                field: "password".into(),
                problem,
            });
        } else if !password::strong_enough(password.clone(), &email).await? {
            errors.push(FieldError {
                field: "password".into(),
                problem: FieldProblem::PasswordWeak,
            });
        } else if password != password_confirm {
            errors.push(FieldError {
                field: "password_confirm".into(),
                problem: FieldProblem::PasswordsDiffer,
            });
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let hash = password::hash(password).await?;
        let Some(login_id) =
            repo::logins::create(&state.pool, state.provider_id, &email, &hash, lang.code())
                .await?
        else {
            return Err(AppError::field("email", FieldProblem::EmailTaken));
        };
        session::start(&state, login_id).await?;
        tracing::info!(login_id, "registered");
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
