//! Notices (issue 27 item 5): what lands in a household's inbox (M2) also goes by mail to its
//! holder logins, in the household's language, unless a login turned that kind off. Run by the
//! mail worker: new invoices get their inbox message here (whoever wrote the invoice), then
//! unmailed messages get their mails. Each step claims its rows with `FOR UPDATE SKIP LOCKED`
//! and marks them in the transaction that writes what follows, so several instances never
//! announce one thing twice.

use chrono::{Days, NaiveDate, NaiveTime};
use rust_decimal::Decimal;
use sqlx::{PgConnection, PgPool};

use super::{
    mail::{self, Mail, MailContext},
    repo::{self, messages::HOUSEHOLD_LANGUAGE},
};
use crate::{
    domain::{
        format,
        lang::Lang,
        notices::{MailPolicy, NoticeKind, mail_policy},
    },
    error::AppError,
    i18n::*,
    paths,
};

/// Invoices issued longer ago than this when first seen (a provider's backlog) are marked
/// without a message.
const ANNOUNCE_DAYS: u64 = 7;
/// Messages older than this when first seen are not mailed (mail is for news).
const MAIL_WITHIN_HOURS: i32 = 48;

#[derive(Debug, sqlx::FromRow)]
struct NewInvoice {
    id: i64,
    customer_id: i64,
    kind: String,
    number: String,
    issue_date: NaiveDate,
    due_date: NaiveDate,
    total: Decimal,
    currency: String,
    language: String,
}

/// The inbox message of a new invoice or credit note, in `lang`.
pub fn invoice_message(
    lang: Lang,
    credit_note: bool,
    number: &str,
    total: Decimal,
    currency: &str,
    due: NaiveDate,
) -> (String, String) {
    let locale = locale_of(lang);
    let subject = if credit_note {
        td_string!(locale, notices.credit_note_subject)
    } else {
        td_string!(locale, notices.invoice_subject)
    };
    let body = format!(
        "{} {} · {} {}. {}",
        td_string!(locale, notices.amount),
        format::money(total, currency, lang),
        td_string!(locale, notices.due),
        format::date(due, lang),
        td_string!(locale, notices.invoice_where)
    );
    (format!("{subject} {number}"), body)
}

/// Writes the inbox message of up to `batch` invoices nobody announced yet; returns how many.
pub async fn announce_invoices(
    pool: &PgPool,
    ctx: &MailContext,
    batch: i64,
) -> Result<usize, AppError> {
    let mut tx = pool.begin().await?;
    let invoices: Vec<NewInvoice> = sqlx::query_as(&format!(
        "SELECT i.id, i.customer_id, i.kind, i.number, i.issue_date, i.due_date, i.total,
                i.currency, {HOUSEHOLD_LANGUAGE} AS language
           FROM invoices i JOIN customers cu ON cu.id = i.customer_id
          WHERE i.notified_at IS NULL
          ORDER BY i.id LIMIT $1
            FOR UPDATE OF i SKIP LOCKED"
    ))
    .bind(batch)
    .fetch_all(&mut *tx)
    .await?;
    if invoices.is_empty() {
        return Ok(0);
    }
    let oldest = ctx
        .clock
        .today()
        .checked_sub_days(Days::new(ANNOUNCE_DAYS))
        .unwrap_or(NaiveDate::MIN);
    let mut announced = 0;
    for invoice in invoices.iter().filter(|i| i.issue_date >= oldest) {
        let lang = Lang::parse(&invoice.language).unwrap_or(paths::DEFAULT_LANG);
        let (subject, body) = invoice_message(
            lang,
            invoice.kind == "credit_note",
            &invoice.number,
            invoice.total,
            &invoice.currency,
            invoice.due_date,
        );
        repo::messages::insert(&mut tx, invoice.customer_id, "invoice", &subject, &body).await?;
        announced += 1;
    }
    let ids: Vec<i64> = invoices.iter().map(|i| i.id).collect();
    sqlx::query("UPDATE invoices SET notified_at = now() WHERE id = ANY($1)")
        .bind(&ids)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    if announced > 0 {
        tracing::info!(announced, "new invoices announced in the inbox");
    }
    Ok(announced)
}

/// What happened to a technician appointment (A2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppointmentEvent {
    Booked,
    Moved,
    Cancelled,
}

/// Puts the inbox message of an appointment event in the caller's transaction: what happened,
/// the day and the window of `slot_id`.
pub async fn appointment_message(
    conn: &mut PgConnection,
    customer_id: i64,
    event: AppointmentEvent,
    slot_id: i64,
) -> Result<(), AppError> {
    let (day, starts, ends): (NaiveDate, NaiveTime, NaiveTime) =
        sqlx::query_as("SELECT day, starts_at, ends_at FROM appointment_slots WHERE id = $1")
            .bind(slot_id)
            .fetch_one(&mut *conn)
            .await?;
    let lang = repo::messages::language_of(&mut *conn, customer_id).await?;
    let locale = locale_of(lang);
    let subject = match event {
        AppointmentEvent::Booked => td_string!(locale, appointment.booked),
        AppointmentEvent::Moved => td_string!(locale, appointment.rescheduled),
        AppointmentEvent::Cancelled => td_string!(locale, appointment.cancelled),
    };
    let body = format!(
        "{}, {}–{}. {}",
        format::date(day, lang),
        starts.format("%H:%M"),
        ends.format("%H:%M"),
        td_string!(locale, notices.appointment_where)
    );
    repo::messages::insert(&mut *conn, customer_id, "appointment", subject, &body).await
}

#[derive(Debug, sqlx::FromRow)]
struct Unmailed {
    id: i64,
    customer_id: i64,
    kind: String,
    subject: String,
    body: String,
    recent: bool,
}

/// Queues the mails of up to `batch` inbox messages not mailed yet; returns how many mails.
pub async fn mail_messages(
    pool: &PgPool,
    ctx: &MailContext,
    batch: i64,
) -> Result<usize, AppError> {
    let mut tx = pool.begin().await?;
    let messages: Vec<Unmailed> = sqlx::query_as(
        "SELECT id, customer_id, kind, subject, body,
                created_at > now() - make_interval(hours => $2) AS recent
           FROM messages WHERE mailed_at IS NULL
          ORDER BY id LIMIT $1
            FOR UPDATE SKIP LOCKED",
    )
    .bind(batch)
    .bind(MAIL_WITHIN_HOURS)
    .fetch_all(&mut *tx)
    .await?;
    if messages.is_empty() {
        return Ok(0);
    }
    let mut queued = 0;
    let mut brand: Option<String> = None;
    for message in messages.iter().filter(|m| m.recent) {
        let optional = match mail_policy(&message.kind) {
            MailPolicy::Never => continue,
            MailPolicy::Always => None,
            MailPolicy::Optional(kind) => Some(kind),
        };
        let recipients = repo::notices::recipients(&mut tx, message.customer_id, optional).await?;
        if recipients.is_empty() {
            continue;
        }
        if brand.is_none() {
            brand = Some(repo::providers::brand(pool, ctx.provider_id).await?.name);
        }
        let lang = repo::messages::language_of(&mut tx, message.customer_id).await?;
        let rendered = Mail::Notice {
            subject: message.subject.clone(),
            body: message.body.clone(),
            link: ctx.link(lang, paths::MESSAGES),
            preferences: ctx.link(lang, paths::NOTIFICATIONS),
        }
        .render(lang, brand.as_deref().unwrap_or_default());
        for (login_id, email) in &recipients {
            let key = format!("message:{}:{login_id}", message.id);
            mail::enqueue(&mut tx, Some(*login_id), email, lang, &rendered, Some(&key)).await?;
            queued += 1;
        }
    }
    let ids: Vec<i64> = messages.iter().map(|m| m.id).collect();
    sqlx::query("UPDATE messages SET mailed_at = now() WHERE id = ANY($1)")
        .bind(&ids)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(queued)
}

/// The preference page's state: each optional kind and whether it goes by mail.
pub async fn preferences(
    pool: &PgPool,
    login_id: i64,
) -> Result<Vec<(NoticeKind, bool)>, AppError> {
    let off = repo::notices::turned_off(pool, login_id).await?;
    Ok(NoticeKind::ALL
        .into_iter()
        .map(|kind| (kind, !off.contains(&kind)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invoice_notice_names_number_amount_and_due_date_in_the_language() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).expect("day");
        let (subject, body) = invoice_message(
            Lang::De,
            false,
            "R-2026-000042",
            Decimal::new(4999, 2),
            "EUR",
            day,
        );
        assert!(subject.ends_with(" R-2026-000042"), "{subject}");
        assert!(body.contains("49,99"), "{body}");
        assert!(body.contains("01.12.2026"), "{body}");
        let (credit, _) =
            invoice_message(Lang::De, true, "G-2026-000001", Decimal::ONE, "EUR", day);
        assert_ne!(credit, subject.replace("R-2026-000042", "G-2026-000001"));
    }
}
