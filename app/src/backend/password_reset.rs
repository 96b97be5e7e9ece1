//! Forgotten passwords (issue 27): a request is recorded and answered at once, the same way
//! for every address; the mail worker then makes a single-use token for a known address and
//! queues the mail with its link. Only the token's SHA-256 is stored; it lasts 30 minutes.

use sqlx::{PgConnection, PgPool};

use super::{
    mail::{self, Mail, MailContext},
    repo, session,
};
use crate::{domain::lang::Lang, error::AppError, paths};

/// Minutes a reset link works (the mails and pages say 30).
pub const TOKEN_TTL_MINUTES: i32 = 30;
/// The throttle's window.
pub const WINDOW_MINUTES: i32 = 15;
/// Requests per address typed in a window (known or not, so that it tells nothing).
pub const MAX_PER_ADDRESS: i64 = 3;
/// Requests per client address in a window.
pub const MAX_PER_CLIENT: i64 = 10;
/// Links made for one login in a window.
pub const MAX_PER_ACCOUNT: i64 = 3;

/// Refuses a request for a mail when the address typed or the client has made `max` of them
/// within the window: "too many attempts", which tells nothing about the address either.
pub async fn refuse_if_busy(
    state: &super::state::AppState,
    kind: repo::password_resets::Requests,
    email: &str,
    client_ip: Option<&str>,
    (max_per_address, max_per_client): (i64, i64),
) -> Result<(), AppError> {
    let now = state.clock.unix_seconds() as i64;
    let (by_address, by_client) = repo::password_resets::recent_requests(
        &state.pool,
        kind,
        email,
        client_ip,
        now,
        WINDOW_MINUTES,
    )
    .await?;
    if by_address >= max_per_address || by_client >= max_per_client {
        tracing::info!(?kind, "mail request throttled");
        return Err(AppError::TooManyAttempts);
    }
    Ok(())
}

/// Makes the tokens and mails of up to `batch` recorded requests; returns how many mails were
/// queued. Each request is handled in its own transaction.
pub async fn process_requests(
    pool: &PgPool,
    ctx: &MailContext,
    batch: usize,
) -> Result<usize, AppError> {
    let mut queued = 0;
    let mut brand: Option<String> = None;
    for _ in 0..batch {
        let mut tx = pool.begin().await?;
        let Some(request) = repo::password_resets::claim_request(&mut tx, ctx.provider_id).await?
        else {
            break;
        };
        let login =
            repo::password_resets::login_by_email(&mut tx, ctx.provider_id, &request.email).await?;
        if let Some(login) = login {
            let now = ctx.clock.unix_seconds() as i64;
            let recent =
                repo::password_resets::recent_tokens(&mut tx, login.id, now, WINDOW_MINUTES)
                    .await?;
            if recent < MAX_PER_ACCOUNT {
                let (token, hash) = session::new_token()?;
                repo::password_resets::create_token(
                    &mut tx,
                    login.id,
                    &hash,
                    now,
                    TOKEN_TTL_MINUTES,
                )
                .await?;
                let lang = Lang::parse(&login.language).unwrap_or(paths::DEFAULT_LANG);
                let link = format!("{}?token={token}", ctx.link(lang, paths::RESET_PASSWORD));
                if brand.is_none() {
                    brand = Some(repo::providers::brand(pool, ctx.provider_id).await?.name);
                }
                let rendered =
                    Mail::PasswordReset { link }.render(lang, brand.as_deref().unwrap_or_default());
                mail::enqueue(&mut tx, Some(login.id), &login.email, lang, &rendered, None).await?;
                queued += 1;
                tracing::info!(login_id = login.id, "password reset link queued");
            } else {
                tracing::info!(
                    login_id = login.id,
                    "password reset throttled for the login"
                );
            }
        }
        repo::password_resets::mark_handled(&mut tx, request.id).await?;
        tx.commit().await?;
    }
    Ok(queued)
}

/// Queues "your password was changed" for a login, in its transaction.
pub async fn queue_changed_notice(
    conn: &mut PgConnection,
    pool: &PgPool,
    ctx: &MailContext,
    login_id: i64,
) -> Result<(), AppError> {
    let (email, language): (String, String) =
        sqlx::query_as("SELECT email, language FROM logins WHERE id = $1")
            .bind(login_id)
            .fetch_one(&mut *conn)
            .await?;
    let lang = Lang::parse(&language).unwrap_or(paths::DEFAULT_LANG);
    let brand = repo::providers::brand(pool, ctx.provider_id).await?.name;
    let rendered = Mail::PasswordChanged {
        sign_in: ctx.link(lang, paths::SIGN_IN),
    }
    .render(lang, &brand);
    mail::enqueue(conn, Some(login_id), &email, lang, &rendered, None).await
}
