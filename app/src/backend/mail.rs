//! Email (issue 27): what a mail says in each language, the outbox it waits in, and its
//! delivery by SMTP or, in development, to the log and the `/dev/mailbox` page.
//!
//! A mail is written to `email_outbox` in the same transaction as what it announces (a reset
//! token, a changed password), so it exists exactly when that happened. `deliver_pending`
//! claims due rows with `FOR UPDATE SKIP LOCKED` (several server instances never send one mail
//! twice), hands each to a [`MailDelivery`] and marks it sent, or counts the failure and
//! retries later with a growing pause. A notice queued twice under one `dedupe_key` is one
//! mail.

use std::future::Future;

use sqlx::{PgConnection, PgPool};

use crate::{domain::lang::Lang, error::AppError, i18n::*, paths};

/// Delivery attempts before a mail is given up (kept, with its last error, for support).
pub const MAX_DELIVERY_ATTEMPTS: i32 = 8;
/// The longest pause between two attempts, in minutes.
const MAX_RETRY_MINUTES: i32 = 60;

/// What a mail is about; each renders in the recipient's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mail {
    /// A link to choose a new password (valid for 30 minutes, used once).
    PasswordReset { link: String },
    /// The password was changed and every session ended.
    PasswordChanged { sign_in: String },
    /// A registration's link that confirms the address and makes the login (24 hours, once).
    VerifyAddress { link: String },
    /// Someone registered with an address that has a login: sign in, or reset the password.
    AlreadyRegistered { sign_in: String, reset: String },
    /// A link that confirms a login's new address (24 hours, once), sent to that address.
    ConfirmEmailChange { link: String },
    /// To the old address: the login's address is now `new_email` (masked).
    EmailChanged { new_email: String, sign_in: String },
    /// To an address with a login: another login asked to move to it; nothing changed.
    EmailInUse { sign_in: String, reset: String },
    /// An inbox message (M2) by mail: its subject and text, a link to the inbox and one to the
    /// notice preferences.
    Notice {
        subject: String,
        body: String,
        link: String,
        preferences: String,
    },
}

/// A mail in words: subject, plain text and HTML bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub kind: &'static str,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Whether the bodies carry a secret (a reset link), cleared once delivered by SMTP.
    pub secret: bool,
}

/// Escapes text for HTML element content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The bodies of a mail made of paragraphs and one link (a button in HTML).
fn bodies(
    lang: Lang,
    brand: &str,
    paragraphs: &[String],
    action: (&str, &str),
) -> (String, String) {
    let locale = locale_of(lang);
    let greeting = td_string!(locale, mail.greeting).to_string();
    let footer = td_string!(locale, mail.footer).to_string();
    let (label, href) = action;
    let mut text = format!("{greeting}\n\n");
    let mut html = format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title></head>\
         <body style=\"font-family:sans-serif;line-height:1.5;color:#1a1a1a\"><p>{}</p>",
        lang.code(),
        escape(brand),
        escape(&greeting)
    );
    for paragraph in paragraphs {
        text.push_str(paragraph);
        text.push_str("\n\n");
        html.push_str(&format!("<p>{}</p>", escape(paragraph)));
    }
    text.push_str(&format!("{label}: {href}\n\n-- \n{brand}\n{footer}\n"));
    html.push_str(&format!(
        "<p><a href=\"{0}\" style=\"display:inline-block;padding:10px 16px;background:#0b5cad;\
         color:#ffffff;text-decoration:none;border-radius:4px\">{1}</a></p>\
         <p style=\"font-size:90%\">{0}</p><hr><p style=\"font-size:90%\">{2}<br>{3}</p>\
         </body></html>",
        escape(href),
        escape(label),
        escape(brand),
        escape(&footer)
    ));
    (text, html)
}

impl Mail {
    /// The mail in `lang`, signed by `brand` (the provider's name).
    pub fn render(&self, lang: Lang, brand: &str) -> Rendered {
        let locale = locale_of(lang);
        match self {
            Mail::PasswordReset { link } => {
                let paragraphs = [
                    td_string!(locale, mail.reset_intro).to_string(),
                    td_string!(locale, mail.reset_expiry).to_string(),
                    td_string!(locale, mail.reset_ignore).to_string(),
                ];
                let action = td_string!(locale, mail.reset_action).to_string();
                let (text, html) = bodies(lang, brand, &paragraphs, (&action, link));
                Rendered {
                    kind: "password_reset",
                    subject: format!("{brand}: {}", td_string!(locale, mail.reset_subject)),
                    text,
                    html,
                    secret: true,
                }
            }
            Mail::PasswordChanged { sign_in } => {
                let paragraphs = [
                    td_string!(locale, mail.changed_body).to_string(),
                    td_string!(locale, mail.changed_not_you).to_string(),
                ];
                let action = td_string!(locale, mail.changed_action).to_string();
                let (text, html) = bodies(lang, brand, &paragraphs, (&action, sign_in));
                Rendered {
                    kind: "password_changed",
                    subject: format!("{brand}: {}", td_string!(locale, mail.changed_subject)),
                    text,
                    html,
                    secret: false,
                }
            }
            Mail::VerifyAddress { link } => {
                let paragraphs = [
                    td_string!(locale, mail.verify_intro).to_string(),
                    td_string!(locale, mail.verify_expiry).to_string(),
                    td_string!(locale, mail.verify_ignore).to_string(),
                ];
                let action = td_string!(locale, mail.verify_action).to_string();
                let (text, html) = bodies(lang, brand, &paragraphs, (&action, link));
                Rendered {
                    kind: "verify_address",
                    subject: format!("{brand}: {}", td_string!(locale, mail.verify_subject)),
                    text,
                    html,
                    secret: true,
                }
            }
            Mail::AlreadyRegistered { sign_in, reset } => {
                let paragraphs = [
                    td_string!(locale, mail.again_body).to_string(),
                    format!("{} {sign_in}", td_string!(locale, mail.again_sign_in)),
                    td_string!(locale, mail.again_not_you).to_string(),
                ];
                let action = td_string!(locale, mail.again_action).to_string();
                let (text, html) = bodies(lang, brand, &paragraphs, (&action, reset));
                Rendered {
                    kind: "already_registered",
                    subject: format!("{brand}: {}", td_string!(locale, mail.again_subject)),
                    text,
                    html,
                    secret: false,
                }
            }
            Mail::ConfirmEmailChange { link } => {
                let paragraphs = [
                    td_string!(locale, mail.change_intro).to_string(),
                    td_string!(locale, mail.verify_expiry).to_string(),
                    td_string!(locale, mail.change_ignore).to_string(),
                ];
                let action = td_string!(locale, mail.change_action).to_string();
                let (text, html) = bodies(lang, brand, &paragraphs, (&action, link));
                Rendered {
                    kind: "confirm_email_change",
                    subject: format!("{brand}: {}", td_string!(locale, mail.change_subject)),
                    text,
                    html,
                    secret: true,
                }
            }
            Mail::EmailChanged { new_email, sign_in } => {
                let paragraphs = [
                    format!(
                        "{} {new_email}",
                        td_string!(locale, mail.email_changed_body)
                    ),
                    td_string!(locale, mail.email_changed_not_you).to_string(),
                ];
                let action = td_string!(locale, mail.changed_action).to_string();
                let (text, html) = bodies(lang, brand, &paragraphs, (&action, sign_in));
                Rendered {
                    kind: "email_changed",
                    subject: format!(
                        "{brand}: {}",
                        td_string!(locale, mail.email_changed_subject)
                    ),
                    text,
                    html,
                    secret: false,
                }
            }
            Mail::Notice {
                subject,
                body,
                link,
                preferences,
            } => {
                let paragraphs = [
                    body.clone(),
                    format!("{} {preferences}", td_string!(locale, mail.notice_choices)),
                ];
                let action = td_string!(locale, mail.notice_action).to_string();
                let (text, html) = bodies(lang, brand, &paragraphs, (&action, link));
                Rendered {
                    kind: "notice",
                    subject: format!("{brand}: {subject}"),
                    text,
                    html,
                    secret: false,
                }
            }
            Mail::EmailInUse { sign_in, reset } => {
                let paragraphs = [
                    td_string!(locale, mail.in_use_body).to_string(),
                    format!("{} {sign_in}", td_string!(locale, mail.again_sign_in)),
                    td_string!(locale, mail.again_not_you).to_string(),
                ];
                let action = td_string!(locale, mail.again_action).to_string();
                let (text, html) = bodies(lang, brand, &paragraphs, (&action, reset));
                Rendered {
                    kind: "email_in_use",
                    subject: format!("{brand}: {}", td_string!(locale, mail.in_use_subject)),
                    text,
                    html,
                    secret: false,
                }
            }
        }
    }
}

/// What the worker needs to write a mail: where the portal is, whose it is, the time.
#[derive(Debug, Clone)]
pub struct MailContext {
    /// The portal's address as customers reach it (`SELFCARE_PUBLIC_URL`), without a final `/`.
    pub public_url: String,
    pub provider_id: i64,
    pub clock: super::clock::Clock,
}

impl MailContext {
    /// The absolute address of `path` in `lang`.
    pub fn link(&self, lang: Lang, path: &str) -> String {
        format!("{}{}", self.public_url, paths::localized(lang, path))
    }
}

/// Queues `mail` for `recipient` in the caller's transaction. With a `dedupe_key` already
/// queued, nothing is added (the same event announced twice is one mail).
pub async fn enqueue(
    conn: &mut PgConnection,
    login_id: Option<i64>,
    recipient: &str,
    lang: Lang,
    mail: &Rendered,
    dedupe_key: Option<&str>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO email_outbox
            (login_id, recipient, language, kind, subject, body_text, body_html, secret, dedupe_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(login_id)
    .bind(recipient)
    .bind(lang.code())
    .bind(mail.kind)
    .bind(&mail.subject)
    .bind(&mail.text)
    .bind(&mail.html)
    .bind(mail.secret)
    .bind(dedupe_key)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// One mail waiting in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OutboxMail {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub secret: bool,
}

/// Something that sends a mail: SMTP in production, the log in development.
pub trait MailDelivery: Send + Sync {
    /// Sends one mail; an `Err` leaves it in the outbox for a later attempt.
    fn send(&self, mail: &OutboxMail) -> impl Future<Output = Result<(), String>> + Send;
    /// Whether a delivered mail's bodies are cleared when they carry a secret. The development
    /// delivery keeps them for `/dev/mailbox`.
    fn clears_secrets(&self) -> bool {
        true
    }
}

/// The development delivery: the mail goes to the server log; `/dev/mailbox` shows the outbox.
#[derive(Clone, Debug, Default)]
pub struct DevMailDelivery;

impl MailDelivery for DevMailDelivery {
    async fn send(&self, mail: &OutboxMail) -> Result<(), String> {
        tracing::info!(
            to = %mail.recipient,
            subject = %mail.subject,
            body = %mail.body_text,
            "mail (development delivery, see /dev/mailbox)"
        );
        Ok(())
    }

    fn clears_secrets(&self) -> bool {
        false
    }
}

/// Delivery through an SMTP server (`SELFCARE_SMTP_URL`: `smtps://user:pass@host:465`,
/// `smtp://user:pass@host:587?tls=required`, or plain `smtp://host:port` for a local relay).
#[derive(Clone)]
pub struct SmtpDelivery {
    transport: lettre::AsyncSmtpTransport<lettre::Tokio1Executor>,
    from: lettre::message::Mailbox,
}

impl std::fmt::Debug for SmtpDelivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpDelivery")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl SmtpDelivery {
    /// A delivery through the server at `url`, sending as `from` (`Name <address>`). The
    /// error names what is wrong, never the URL's password.
    pub fn new(url: &str, from: &str) -> Result<SmtpDelivery, String> {
        let transport = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(url)
            .map_err(|err| format!("SELFCARE_SMTP_URL cannot be used: {err}"))?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        let from = from
            .parse()
            .map_err(|err| format!("SELFCARE_MAIL_FROM is not an address: {err}"))?;
        Ok(SmtpDelivery { transport, from })
    }
}

impl MailDelivery for SmtpDelivery {
    async fn send(&self, mail: &OutboxMail) -> Result<(), String> {
        use lettre::{AsyncTransport, Message, message::MultiPart};
        let to = mail
            .recipient
            .parse()
            .map_err(|err| format!("recipient: {err}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .multipart(MultiPart::alternative_plain_html(
                mail.body_text.clone(),
                mail.body_html.clone(),
            ))
            .map_err(|err| err.to_string())?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|err| err.to_string())
    }
}

/// Delivers up to `batch` due mails; returns how many went out. Each row is claimed, sent and
/// marked in its own transaction, so a crash resends at most the one in flight.
pub async fn deliver_pending<D: MailDelivery>(
    pool: &PgPool,
    delivery: &D,
    batch: usize,
) -> Result<usize, AppError> {
    let mut sent = 0;
    for _ in 0..batch {
        let mut tx = pool.begin().await?;
        let Some(mail) = sqlx::query_as::<_, OutboxMail>(
            "SELECT id, recipient, subject, body_text, body_html, secret FROM email_outbox
              WHERE sent_at IS NULL AND attempts < $1 AND next_attempt_at <= now()
              ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
        )
        .bind(MAX_DELIVERY_ATTEMPTS)
        .fetch_optional(&mut *tx)
        .await?
        else {
            break;
        };
        match delivery.send(&mail).await {
            Ok(()) => {
                let clear = mail.secret && delivery.clears_secrets();
                sqlx::query(
                    "UPDATE email_outbox
                        SET sent_at = now(), attempts = attempts + 1, last_error = NULL,
                            body_text = CASE WHEN $2 THEN '' ELSE body_text END,
                            body_html = CASE WHEN $2 THEN '' ELSE body_html END
                      WHERE id = $1",
                )
                .bind(mail.id)
                .bind(clear)
                .execute(&mut *tx)
                .await?;
                sent += 1;
            }
            Err(error) => {
                tracing::warn!(mail_id = mail.id, %error, "mail delivery failed");
                // 1, 2, 4 … minutes, at most an hour.
                sqlx::query(
                    "UPDATE email_outbox
                        SET attempts = attempts + 1, last_error = $2,
                            next_attempt_at = now() + make_interval(
                                mins => LEAST(power(2, attempts)::int, $3))
                      WHERE id = $1",
                )
                .bind(mail.id)
                .bind(error)
                .bind(MAX_RETRY_MINUTES)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
    }
    Ok(sent)
}

/// A mail as `/dev/mailbox` lists it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MailboxEntry {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub sent: bool,
}

/// Days a sent mail is kept (for support: what went out, when).
pub const KEEP_SENT_DAYS: i32 = 30;
/// Days a mail given up after its last attempt is kept, with its error.
pub const KEEP_FAILED_DAYS: i32 = 90;

/// Deletes sent mails older than [`KEEP_SENT_DAYS`] and given-up ones older than
/// [`KEEP_FAILED_DAYS`]; mails still waiting stay. Returns how many were deleted.
pub async fn purge(pool: &PgPool) -> Result<u64, AppError> {
    Ok(sqlx::query(
        "DELETE FROM email_outbox
          WHERE (sent_at IS NOT NULL AND sent_at < now() - make_interval(days => $1))
             OR (sent_at IS NULL AND attempts >= $3
                 AND created_at < now() - make_interval(days => $2))",
    )
    .bind(KEEP_SENT_DAYS)
    .bind(KEEP_FAILED_DAYS)
    .bind(MAX_DELIVERY_ATTEMPTS)
    .execute(pool)
    .await?
    .rows_affected())
}

/// The newest `limit` mails of the outbox, for the development mailbox.
pub async fn newest(pool: &PgPool, limit: i64) -> Result<Vec<MailboxEntry>, AppError> {
    Ok(sqlx::query_as::<_, MailboxEntry>(
        "SELECT id, recipient, subject, body_text, body_html, created_at,
                sent_at IS NOT NULL AS sent
           FROM email_outbox ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reset_mail_carries_its_link_in_both_bodies_in_the_language() {
        let mail = Mail::PasswordReset {
            link: "https://portal.example/de/reset-password?token=abc&x=1".into(),
        }
        .render(Lang::De, "Lumen <Net>");
        assert!(mail.secret);
        assert!(
            mail.subject.starts_with("Lumen <Net>: "),
            "{}",
            mail.subject
        );
        assert!(
            mail.text
                .contains("https://portal.example/de/reset-password?token=abc&x=1")
        );
        assert!(mail.text.contains("30"), "{}", mail.text);
        assert!(mail.html.contains("token=abc&amp;x=1"), "{}", mail.html);
        assert!(mail.html.contains("Lumen &lt;Net&gt;"));
        assert!(mail.html.starts_with("<!doctype html><html lang=\"de\">"));
        let fr = Mail::PasswordReset { link: "l".into() }.render(Lang::Fr, "b");
        assert_ne!(fr.text, mail.text);
    }

    #[test]
    fn a_change_notice_has_no_secret() {
        let mail = Mail::PasswordChanged {
            sign_in: "https://portal.example/sign-in".into(),
        }
        .render(Lang::En, "Lumen");
        assert!(!mail.secret);
        assert_eq!(mail.kind, "password_changed");
        assert!(mail.text.contains("https://portal.example/sign-in"));
    }

    #[test]
    fn an_email_change_mails_a_secret_link_to_the_new_address_and_a_plain_notice_to_the_old() {
        let confirm = Mail::ConfirmEmailChange {
            link: "https://portal.example/nl/confirm-email?token=t1".into(),
        }
        .render(Lang::Nl, "Lumen");
        assert!(confirm.secret);
        assert_eq!(confirm.kind, "confirm_email_change");
        assert!(confirm.text.contains("confirm-email?token=t1"));
        assert!(confirm.text.contains("24"), "{}", confirm.text);
        let notice = Mail::EmailChanged {
            new_email: "an…@example.de".into(),
            sign_in: "https://portal.example/sign-in".into(),
        }
        .render(Lang::De, "Lumen");
        assert!(!notice.secret);
        assert!(notice.text.contains("an…@example.de"), "{}", notice.text);
        assert!(notice.html.contains("an…@example.de"));
        let in_use = Mail::EmailInUse {
            sign_in: "s".into(),
            reset: "r".into(),
        }
        .render(Lang::Fr, "Lumen");
        assert!(!in_use.secret);
        assert_ne!(in_use.subject, notice.subject);
    }
}
