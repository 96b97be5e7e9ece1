//! The Security tab (S2) of any signed-in login: change the password (current one required,
//! strength checked, every other session ended, the session id rotated) and the security
//! question (answer hashed with argon2id, compared without case and spaces; it identifies a
//! caller to support staff and never unlocks an account). Wrong current passwords count
//! towards the lockout of S3. The email address is changed in `api::email_change`.

use chrono::NaiveDateTime;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{api::email_change::PendingEmail, domain::security::SecurityQuestion, error::AppError};

#[cfg(feature = "ssr")]
use crate::backend::entry;

/// What the Security tab shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityView {
    pub question: Option<SecurityQuestion>,
    /// UTC.
    pub password_changed_at: Option<NaiveDateTime>,
    /// The address the login signs in with, and a new one waiting for confirmation (issue 27).
    pub email: String,
    pub pending_email: Option<PendingEmail>,
}

/// The security settings of the signed-in login.
#[server(endpoint = "security")]
pub async fn get_security() -> Result<SecurityView, AppError> {
    use crate::backend::repo;
    entry::login(|state, login| async move {
        let security = repo::security::of_login(&state.pool, login.login_id).await?;
        let now = state.clock.unix_seconds() as i64;
        let pending = repo::email_changes::pending(&state.pool, login.login_id, now).await?;
        Ok(SecurityView {
            question: security.question,
            password_changed_at: security.password_changed_at,
            email: login.email,
            pending_email: pending.map(|p| PendingEmail {
                email: p.new_email,
                expires_at: p.expires_at,
            }),
        })
    })
    .await
}

/// Checks the current password of the signed-in login under the S3 lockout: a wrong one is
/// counted and named on the field; too many wrong ones lock the form for a while.
#[cfg(feature = "ssr")]
pub(crate) async fn prove_current_password(
    state: &crate::backend::state::AppState,
    login: &crate::backend::session::SessionCtx,
    current_password: String,
) -> Result<crate::backend::repo::security::LoginSecurity, AppError> {
    use crate::{
        backend::{
            password,
            repo::security::{self as repo, FailureKind},
            session,
        },
        domain::validation::FieldProblem,
    };
    AppError::require_filled(&[("current_password", &current_password)])?;
    let ip = session::client_ip(state);
    if repo::locked_out(&state.pool, &login.email, ip.as_deref()).await? {
        return Err(AppError::TooManyAttempts);
    }
    let security = repo::of_login(&state.pool, login.login_id).await?;
    if !password::verify(current_password, Some(security.password_hash.clone())).await? {
        repo::record_failure(
            &state.pool,
            FailureKind::CurrentPassword,
            &login.email,
            ip.as_deref(),
        )
        .await?;
        tracing::info!(login_id = login.login_id, "wrong current password");
        return Err(AppError::field(
            "current_password",
            FieldProblem::PasswordWrong,
        ));
    }
    Ok(security)
}

/// Changes the password. On success this browser keeps a new session (new id); every other
/// session of the login has ended.
#[server(endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    new_password_confirm: String,
) -> Result<(), AppError> {
    use crate::{
        backend::{password, repo, session},
        domain::validation::{FieldProblem, check_new_password},
    };
    entry::login(|state, login| async move {
        let security = prove_current_password(&state, &login, current_password).await?;
        check_new_password(&new_password, &login.email)
            .map_err(|problem| AppError::field("new_password", problem))?;
        if new_password != new_password_confirm {
            return Err(AppError::field(
                "new_password_confirm",
                FieldProblem::PasswordsDiffer,
            ));
        }
        if password::verify(new_password.clone(), Some(security.password_hash)).await? {
            return Err(AppError::field(
                "new_password",
                FieldProblem::PasswordUnchanged,
            ));
        }
        if !password::strong_enough(new_password.clone(), &login.email).await? {
            return Err(AppError::field("new_password", FieldProblem::PasswordWeak));
        }
        let hash = password::hash(new_password).await?;
        let mut tx = state.pool.begin().await?;
        repo::security::set_password(&mut tx, login.login_id, &hash).await?;
        crate::backend::password_reset::queue_changed_notice(
            &mut tx,
            &state.pool,
            &state.mail_context(),
            login.login_id,
        )
        .await?;
        tx.commit().await?;
        state.mail_outbox.notify_one();
        repo::security::clear_failures(&state.pool, &login.email).await?;
        session::start(&state, login.login_id).await?;
        tracing::info!(
            login_id = login.login_id,
            "password changed, other sessions ended"
        );
        Ok(())
    })
    .await
}

/// Sets (or replaces) the security question and its answer; the current password is required.
#[server(endpoint = "set_security_question")]
pub async fn set_security_question(
    question: String,
    answer: String,
    current_password: String,
) -> Result<(), AppError> {
    use crate::{
        backend::{password, repo},
        domain::{security::normalize_answer, validation::FieldProblem},
    };
    entry::login(|state, login| async move {
        let question = SecurityQuestion::parse(question.trim()).ok_or(FieldProblem::Required);
        let answer = normalize_answer(&answer);
        AppError::check_fields([
            ("question", question.err()),
            ("answer", answer.as_ref().err().copied()),
        ])?;
        let (Ok(question), Ok(answer)) = (question, answer) else {
            return Err(AppError::internal(
                "a field check_fields passed did not parse",
            ));
        };
        prove_current_password(&state, &login, current_password).await?;
        let hash = password::hash(answer).await?;
        repo::security::set_question(&state.pool, login.login_id, question, &hash).await?;
        tracing::info!(login_id = login.login_id, "security question changed");
        Ok(())
    })
    .await
}
