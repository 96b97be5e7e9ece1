//! Two-factor sign-in (issue 6, beyond the seeds): enrol an authenticator app with a QR code,
//! confirm with a first code and receive single-use recovery codes; sign in with password and
//! code; turn it off with the password. Wrong codes count towards the S3 lockout.

use chrono::NaiveDateTime;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::backend::entry;

/// Whether two-factor sign-in is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorState {
    /// Since when (UTC); `None` when it is off.
    pub enabled_at: Option<NaiveDateTime>,
    pub recovery_codes_left: i64,
}

/// What the app needs to enrol: the QR code and the secret to type in by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorSetup {
    /// Base32, in groups of four.
    pub secret: String,
    /// An SVG document rendered on the server.
    pub qr_svg: String,
}

/// The two-factor state of the signed-in login.
#[server(endpoint = "two_factor")]
pub async fn get_two_factor() -> Result<TwoFactorState, AppError> {
    use crate::backend::repo;
    entry::login(|state, login| async move {
        let (enabled_at, recovery_codes_left) =
            repo::two_factor::state(&state.pool, login.login_id).await?;
        Ok(TwoFactorState {
            enabled_at,
            recovery_codes_left,
        })
    })
    .await
}

/// Starts enrolment: a new secret, kept pending until a code from the app confirms it. The
/// current password is required, as for turning it off (ASVS V3.7.1, issue 24): a borrowed
/// session must not enrol its own authenticator and lock the owner out.
#[server(endpoint = "start_two_factor")]
pub async fn start_two_factor(current_password: String) -> Result<TwoFactorSetup, AppError> {
    use crate::backend::{repo, totp};
    entry::login(|state, login| async move {
        crate::api::security::prove_current_password(&state, &login, current_password).await?;
        if repo::two_factor::secret_of(&state.pool, login.login_id, &state.keys)
            .await?
            .is_some()
        {
            return Err(AppError::Stale);
        }
        let secret = totp::new_secret()?;
        repo::two_factor::set_pending(&state.pool, login.login_id, &secret, &state.keys).await?;
        let provider = repo::providers::brand(&state.pool, state.provider_id)
            .await?
            .name;
        let uri = totp::otpauth_uri(&provider, &login.email, &secret);
        let plain = totp::base32(&secret);
        let grouped = plain
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ");
        Ok(TwoFactorSetup {
            secret: grouped,
            qr_svg: totp::qr_svg(&uri)?,
        })
    })
    .await
}

/// Confirms enrolment with a code from the app; answers the recovery codes, shown once.
#[server(endpoint = "confirm_two_factor")]
pub async fn confirm_two_factor(code: String) -> Result<Vec<String>, AppError> {
    use crate::{
        backend::{repo, totp},
        domain::validation::{FieldProblem, normalize_code},
    };
    entry::login(|state, login| async move {
        let code = normalize_code(&code).map_err(|p| AppError::field("code", p))?;
        let mut tx = state.pool.begin().await?;
        let secret = repo::two_factor::lock_pending(&mut tx, login.login_id, &state.keys)
            .await?
            .ok_or(AppError::Stale)?;
        let Some(step) =
            totp::matching_step(&secret, &code, totp::current_step(&state.clock), None)
        else {
            return Err(AppError::field("code", FieldProblem::CodeWrong));
        };
        let codes = totp::recovery_codes()?;
        let hashes: Vec<Vec<u8>> = codes.iter().map(|(_, hash)| hash.clone()).collect();
        repo::two_factor::enable(&mut tx, login.login_id, step, &hashes).await?;
        tx.commit().await?;
        tracing::info!(login_id = login.login_id, "two-factor sign-in on");
        Ok(codes.into_iter().map(|(code, _)| code).collect())
    })
    .await
}

/// Turns two-factor sign-in off; the current password is required.
#[server(endpoint = "disable_two_factor")]
pub async fn disable_two_factor(current_password: String) -> Result<(), AppError> {
    use crate::backend::repo;
    entry::login(|state, login| async move {
        crate::api::security::prove_current_password(&state, &login, current_password).await?;
        let mut tx = state.pool.begin().await?;
        repo::two_factor::disable(&mut tx, login.login_id).await?;
        tx.commit().await?;
        tracing::info!(login_id = login.login_id, "two-factor sign-in off");
        Ok(())
    })
    .await
}

/// The second step of a sign-in: a code from the app or a recovery code. Five wrong ones end
/// the step (sign in again); each counts towards the S3 lockout of the email.
#[server(endpoint = "verify_sign_in")]
pub async fn verify_sign_in(code: String, lang: String) -> Result<(), AppError> {
    use crate::{
        backend::{
            repo::{self, security::FailureKind},
            session, totp,
        },
        domain::{lang::Lang, validation::FieldProblem},
        paths,
    };
    entry::anyone(|state| async move {
        let lang = Lang::parse(&lang).unwrap_or(paths::DEFAULT_LANG);
        let token = session::challenge_hash(&state).ok_or(AppError::Unauthenticated)?;
        let Some(login_id) = repo::two_factor::challenge_login(&state.pool, &token).await? else {
            session::clear_challenge(&state);
            return Err(AppError::Unauthenticated);
        };
        AppError::require_filled(&[("code", code.trim())])?;
        let (secret, last) = repo::two_factor::secret_of(&state.pool, login_id, &state.keys)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let digits: String = code.chars().filter(char::is_ascii_digit).collect();
        let proved = if digits.len() == 6 && code.trim().len() <= 7 {
            match totp::matching_step(&secret, &digits, totp::current_step(&state.clock), last) {
                Some(step) => repo::two_factor::use_step(&state.pool, login_id, step).await?,
                None => false,
            }
        } else {
            let hash = totp::recovery_hash(&code);
            repo::two_factor::use_recovery(&state.pool, login_id, &hash).await?
        };
        if !proved {
            let email = repo::logins::email_of(&state.pool, login_id).await?;
            let ip = session::client_ip(&state);
            repo::security::record_failure(
                &state.pool,
                FailureKind::SecondFactor,
                &email,
                ip.as_deref(),
            )
            .await?;
            if repo::two_factor::fail_challenge(&state.pool, &token).await?
                >= session::CHALLENGE_TRIES
            {
                repo::two_factor::end_challenge(&state.pool, &token).await?;
                session::clear_challenge(&state);
                return Err(AppError::TooManyAttempts);
            }
            return Err(AppError::field("code", FieldProblem::CodeWrong));
        }
        repo::two_factor::end_challenge(&state.pool, &token).await?;
        session::start(&state, login_id).await?;
        session::clear_challenge(&state);
        tracing::info!(login_id, "signed in with a second factor");
        leptos_axum::redirect(&paths::localized(lang, paths::HOME));
        Ok(())
    })
    .await
}
