//! Registration by verified address (issue 27, S3): the answer to a registration is the same
//! for every address; the mail worker sends a new address a link that makes the login, and an
//! address with a login a notice that someone tried to register with it.

use sqlx::PgPool;

use super::{
    mail::{self, Mail, MailContext},
    repo, session,
};
use crate::{domain::lang::Lang, error::AppError, paths};

/// Minutes a verification link works (the mails and pages say 24 hours).
pub const LINK_TTL_MINUTES: i32 = 24 * 60;
/// Registrations per address typed in the throttle's window (`password_reset::WINDOW_MINUTES`).
pub const MAX_PER_ADDRESS: i64 = 3;
/// Registrations per client address in the window (a shared office or household may register
/// several logins; one machine cannot mail-bomb addresses).
pub const MAX_PER_CLIENT: i64 = 30;

/// Handles up to `batch` recorded registrations; returns how many mails were queued. Each in
/// its own transaction.
pub async fn process_requests(
    pool: &PgPool,
    ctx: &MailContext,
    batch: usize,
) -> Result<usize, AppError> {
    let mut queued = 0;
    let mut brand: Option<String> = None;
    for _ in 0..batch {
        let mut tx = pool.begin().await?;
        let Some(registration) =
            repo::registrations::claim_request(&mut tx, ctx.provider_id).await?
        else {
            break;
        };
        if brand.is_none() {
            brand = Some(repo::providers::brand(pool, ctx.provider_id).await?.name);
        }
        let brand = brand.as_deref().unwrap_or_default();
        let existing =
            repo::password_resets::login_by_email(&mut tx, ctx.provider_id, &registration.email)
                .await?;
        let (login_id, lang, rendered) = match existing {
            Some(login) => {
                let lang = Lang::parse(&login.language).unwrap_or(paths::DEFAULT_LANG);
                let rendered = Mail::AlreadyRegistered {
                    sign_in: ctx.link(lang, paths::SIGN_IN),
                    reset: ctx.link(lang, paths::FORGOT_PASSWORD),
                }
                .render(lang, brand);
                tracing::info!(login_id = login.id, "registration for a known address");
                (Some(login.id), lang, rendered)
            }
            None => {
                let lang = Lang::parse(&registration.language).unwrap_or(paths::DEFAULT_LANG);
                let (token, hash) = session::new_token()?;
                let now = ctx.clock.unix_seconds() as i64;
                repo::registrations::create_verification(
                    &mut tx,
                    ctx.provider_id,
                    &registration,
                    &hash,
                    now,
                    LINK_TTL_MINUTES,
                )
                .await?;
                let link = format!("{}?token={token}", ctx.link(lang, paths::VERIFY_EMAIL));
                tracing::info!("verification link queued");
                (None, lang, Mail::VerifyAddress { link }.render(lang, brand))
            }
        };
        mail::enqueue(
            &mut tx,
            login_id,
            &registration.email,
            lang,
            &rendered,
            None,
        )
        .await?;
        queued += 1;
        repo::registrations::mark_handled(&mut tx, registration.id).await?;
        tx.commit().await?;
    }
    Ok(queued)
}
