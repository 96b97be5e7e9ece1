//! Email change (issue 27 item 4): a signed-in login asks for a new address with its current
//! password; a link goes to the new address and the change is made when it is confirmed; the
//! old address then gets a notice. Whether the new address has a login already is not told to
//! the asker: the request looks the same, and the new address's owner gets a notice instead of
//! a link.

use sqlx::{PgConnection, PgPool};

use super::{
    mail::{self, Mail, MailContext},
    password_reset::WINDOW_MINUTES,
    repo::{self, email_changes::Confirmed},
    session::{self, SessionCtx},
};
use crate::{domain::lang::Lang, error::AppError, paths};

/// Minutes a confirmation link works (the mails and pages say 24 hours).
pub const LINK_TTL_MINUTES: i32 = 24 * 60;
/// Changes a login may ask for in the throttle's window.
pub const MAX_PER_LOGIN: i64 = 3;

/// The address shown in the notice to the old one: the first two characters of the local part
/// and the domain (enough to recognise it, not enough to copy it from a leaked mail).
pub fn masked(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let shown: String = local.chars().take(2).collect();
            format!("{shown}…@{domain}")
        }
        None => "…".to_owned(),
    }
}

/// Records a change of `login`'s address to `new_email` (normalised and checked by the caller)
/// and queues its mail, in one transaction: a link for a free address, a notice for one that
/// has a login. Too many requests in the window: `TooManyAttempts`.
pub async fn request(
    pool: &PgPool,
    ctx: &MailContext,
    login: &SessionCtx,
    new_email: &str,
) -> Result<(), AppError> {
    let now = ctx.clock.unix_seconds() as i64;
    let mut tx = pool.begin().await?;
    if repo::email_changes::recent(&mut tx, login.login_id, now, WINDOW_MINUTES).await?
        >= MAX_PER_LOGIN
    {
        tracing::info!(login_id = login.login_id, "email change throttled");
        return Err(AppError::TooManyAttempts);
    }
    // A row for every request, so that the page and the throttle look alike whether or not
    // the address has a login; its token is mailed only when it can be used.
    let (token, hash) = session::new_token()?;
    repo::email_changes::create(
        &mut tx,
        login.login_id,
        new_email,
        &hash,
        now,
        LINK_TTL_MINUTES,
    )
    .await?;
    let brand = repo::providers::brand(pool, ctx.provider_id).await?.name;
    let owner = repo::password_resets::login_by_email(&mut tx, ctx.provider_id, new_email).await?;
    match owner {
        Some(owner) => {
            let lang = Lang::parse(&owner.language).unwrap_or(paths::DEFAULT_LANG);
            let rendered = Mail::EmailInUse {
                sign_in: ctx.link(lang, paths::SIGN_IN),
                reset: ctx.link(lang, paths::FORGOT_PASSWORD),
            }
            .render(lang, &brand);
            mail::enqueue(&mut tx, Some(owner.id), new_email, lang, &rendered, None).await?;
            tracing::info!(
                login_id = login.login_id,
                "email change to an address with a login"
            );
        }
        None => {
            let lang = Lang::parse(&login.language).unwrap_or(paths::DEFAULT_LANG);
            let link = format!("{}?token={token}", ctx.link(lang, paths::CONFIRM_EMAIL));
            let rendered = Mail::ConfirmEmailChange { link }.render(lang, &brand);
            mail::enqueue(
                &mut tx,
                Some(login.login_id),
                new_email,
                lang,
                &rendered,
                None,
            )
            .await?;
            tracing::info!(login_id = login.login_id, "email change link queued");
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Confirms a change with its link's token hash in the caller's transaction and queues the notice
/// to the old address. `None`: the link cannot be used; `Some(Taken)`: the address has
/// another login by now and nothing changed.
pub async fn confirm(
    conn: &mut PgConnection,
    pool: &PgPool,
    ctx: &MailContext,
    token_hash: &[u8],
) -> Result<Option<Confirmed>, AppError> {
    let now = ctx.clock.unix_seconds() as i64;
    let confirmed =
        repo::email_changes::confirm(&mut *conn, ctx.provider_id, token_hash, now).await?;
    if let Some(Confirmed::Changed {
        login_id,
        old_email,
        new_email,
        language,
    }) = &confirmed
    {
        let lang = Lang::parse(language).unwrap_or(paths::DEFAULT_LANG);
        let brand = repo::providers::brand(pool, ctx.provider_id).await?.name;
        let rendered = Mail::EmailChanged {
            new_email: masked(new_email),
            sign_in: ctx.link(lang, paths::SIGN_IN),
        }
        .render(lang, &brand);
        mail::enqueue(conn, Some(*login_id), old_email, lang, &rendered, None).await?;
    }
    Ok(confirmed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_old_address_sees_enough_of_the_new_one_to_recognise_it() {
        assert_eq!(masked("anna.schmidt@example.de"), "an…@example.de");
        assert_eq!(masked("a@b.de"), "a…@b.de");
        assert_eq!(masked("émile@exemple.fr"), "ém…@exemple.fr");
        assert_eq!(masked("no-at-sign"), "…");
    }
}
