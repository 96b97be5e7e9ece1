//! Notices by mail (issue 27 item 5): what lands in a household's inbox also goes to its holder
//! logins by mail, once, unless a login turned that kind off; new invoices are announced with
//! amount and due date whoever wrote them; linking codes never go by mail, security notices
//! always; the demo's old messages are history.

use app::{
    api::{appointments::Appointments, notices::NoticeChoice},
    backend::notices,
    domain::notices::NoticeKind,
};
use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use sqlx::PgPool;

use crate::common::{self, count, post, post_keyed, sign_in};

const CLAIRE: (&str, &str) = ("claire.dubois@example.be", "Trio-demo-2024");

async fn setup() -> (PgPool, app::backend::state::AppState, axum::Router) {
    let pool = common::db().await;
    let state = common::state(pool.clone()).await;
    let app = server::routes::router(state.clone());
    (pool, state, app)
}

async fn notices_to(pool: &PgPool, email: &str) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT subject, body_text FROM email_outbox WHERE recipient = $1 AND kind = 'notice'
          ORDER BY id",
    )
    .bind(email)
    .fetch_all(pool)
    .await
    .expect("mails")
}

async fn appointment_messages(pool: &PgPool) -> i64 {
    count(
        pool,
        "SELECT count(*) FROM messages WHERE kind = 'appointment'",
    )
    .await
}

#[tokio::test]
async fn an_appointment_lands_in_the_inbox_and_by_mail_unless_turned_off() {
    let (pool, state, app) = setup().await;
    let ctx = state.mail_context();
    // The demo's messages are history: none goes by mail.
    assert_eq!(
        notices::mail_messages(&pool, &ctx, 500)
            .await
            .expect("mail"),
        0
    );
    let claire = sign_in(&app, CLAIRE.0, CLAIRE.1).await;
    let (_, body, _) = post(&app, "/api/appointments", "", Some(&claire)).await;
    let page: Appointments = serde_json::from_str(&body).expect("appointments");
    let (first, second) = (page.slots[0].clone(), page.slots[1].clone());
    let book = format!(
        "kind=repair&slot_id={}&street=Rue+Haute+5&postal_code=4000&city=Li%C3%A8ge&note=&move_request=",
        first.id
    );
    let (status, text, _) = post_keyed(&app, "/api/book_appointment", &book, Some(&claire)).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(
        appointment_messages(&pool).await,
        1,
        "in the inbox with the booking"
    );
    assert_eq!(
        notices::mail_messages(&pool, &ctx, 500)
            .await
            .expect("mail"),
        1
    );
    let mails = notices_to(&pool, CLAIRE.0).await;
    assert_eq!(mails.len(), 1);
    let (subject, text) = &mails[0];
    // In the language Claire signed in with (the household's, P4).
    assert!(subject.contains("Your appointment is booked"), "{subject}");
    let day = app::domain::format::date(first.day, app::domain::lang::Lang::En);
    assert!(text.contains(&day), "{text}");
    let en = app::domain::lang::Lang::En;
    assert!(text.contains(&ctx.link(en, app::paths::MESSAGES)), "{text}");
    assert!(
        text.contains(&ctx.link(en, app::paths::NOTIFICATIONS)),
        "{text}"
    );
    // Once.
    assert_eq!(
        notices::mail_messages(&pool, &ctx, 500)
            .await
            .expect("mail"),
        0
    );

    // Appointments turned off (the box left out of the form): inbox only.
    let (status, text, _) = post(
        &app,
        "/api/save_notice_preferences",
        "invoice=on&alert=on&move_status=on&provider=on",
        Some(&claire),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let (_, body, _) = post(&app, "/api/notice_preferences", "", Some(&claire)).await;
    let choices: Vec<NoticeChoice> = serde_json::from_str(&body).expect("choices");
    assert_eq!(choices.len(), NoticeKind::ALL.len());
    assert!(
        choices
            .iter()
            .all(|c| c.by_mail == (c.kind != NoticeKind::Appointment))
    );
    let appointment_id = sqlx::query_scalar::<_, i64>(
        "SELECT id FROM appointments WHERE slot_id = $1 AND status = 'booked'",
    )
    .bind(first.id)
    .fetch_one(&pool)
    .await
    .expect("booked");
    let moved = format!("appointment_id={appointment_id}&slot_id={}", second.id);
    let (status, text, _) = post(&app, "/api/reschedule_appointment", &moved, Some(&claire)).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(appointment_messages(&pool).await, 2);
    assert_eq!(
        notices::mail_messages(&pool, &ctx, 500)
            .await
            .expect("mail"),
        0
    );
    assert_eq!(notices_to(&pool, CLAIRE.0).await.len(), 1);
}

#[tokio::test]
async fn new_invoices_are_announced_once_with_amount_and_due_date() {
    let (pool, state, _app) = setup().await;
    let ctx = state.mail_context();
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM invoices WHERE notified_at IS NULL"
        )
        .await,
        0,
        "the demo's invoices are history"
    );
    // The billing run of a later day issues the next cycles' invoices.
    let gateway = app::backend::payment_gateway::Sandbox::beside(&pool);
    let day = common::today() + Days::new(35);
    let report = app::backend::billing::run(&pool, &gateway, &common::keys(), day)
        .await
        .expect("billing run");
    assert!(report.invoiced > 0, "{report}");
    let announced = notices::announce_invoices(&pool, &ctx, 10_000)
        .await
        .expect("announce");
    assert_eq!(announced as u64, report.invoiced);
    assert_eq!(
        notices::announce_invoices(&pool, &ctx, 10_000)
            .await
            .expect("again"),
        0
    );
    // A household's new invoice, by mail to its holder, in the household's language.
    let (number, total, currency, due, email, language): (
        String,
        Decimal,
        String,
        NaiveDate,
        String,
        String,
    ) = sqlx::query_as(
        "SELECT i.number, i.total, i.currency, i.due_date, l.email, l.language FROM invoices i
           JOIN links k ON k.customer_id = i.customer_id AND k.role = 'holder'
           JOIN logins l ON l.id = k.login_id
          WHERE i.issue_date > $1
          ORDER BY i.id DESC LIMIT 1",
    )
    .bind(common::today())
    .fetch_one(&pool)
    .await
    .expect("a household's new invoice");
    let lang = app::domain::lang::Lang::parse(&language).expect("language");
    let (subject, body) = notices::invoice_message(lang, false, &number, total, &currency, due);
    assert!(subject.contains(&number) && body.contains(&app::domain::format::date(due, lang)));
    notices::mail_messages(&pool, &ctx, 10_000)
        .await
        .expect("mail");
    let mails = notices_to(&pool, &email).await;
    let (mail_subject, text) = mails
        .iter()
        .find(|(mail_subject, _)| mail_subject.contains(&number))
        .expect("a mail about the new invoice");
    assert!(mail_subject.ends_with(&subject), "{mail_subject}");
    assert!(text.contains(&body), "{text}");
}

#[tokio::test]
async fn linking_codes_never_go_by_mail_security_notices_always_and_old_messages_never() {
    let (pool, state, app) = setup().await;
    let ctx = state.mail_context();
    let claire = sign_in(&app, CLAIRE.0, CLAIRE.1).await;
    // Everything optional turned off.
    let (status, _, _) = post(&app, "/api/save_notice_preferences", "", Some(&claire)).await;
    assert_eq!(status, 200);
    sqlx::query(
        "INSERT INTO messages (customer_id, kind, subject, body, created_at)
         SELECT k.customer_id, m.kind, m.kind || ' subject', 'body', now() - m.age
           FROM links k JOIN logins l ON l.id = k.login_id,
                (VALUES ('linking_code', interval '0'), ('security', interval '0'),
                        ('provider', interval '0'), ('security', interval '3 days')) AS m (kind, age)
          WHERE l.email = $1 AND k.role = 'holder'",
    )
    .bind(CLAIRE.0)
    .execute(&pool)
    .await
    .expect("messages");
    assert_eq!(
        notices::mail_messages(&pool, &ctx, 500)
            .await
            .expect("mail"),
        1
    );
    let mails = notices_to(&pool, CLAIRE.0).await;
    assert_eq!(mails.len(), 1);
    assert!(mails[0].0.contains("security subject"), "{:?}", mails[0]);
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM messages WHERE mailed_at IS NULL"
        )
        .await,
        0,
        "every message looked at once"
    );
}

/// Issue 27 item 5, "a move confirmed": the provider confirms a move through its API
/// (issue 28); the household reads it in its inbox and its holder gets it by mail, in the
/// household's language.
#[tokio::test]
async fn a_move_the_provider_confirms_lands_in_the_inbox_and_by_mail() {
    use app::backend::provider_keys::Scope;
    let (pool, state, app) = setup().await;
    let ctx = state.mail_context();
    // The demo's messages are history.
    notices::mail_messages(&pool, &ctx, 500)
        .await
        .expect("mail");
    sqlx::query(
        "INSERT INTO move_requests (contract_id, street, postal_code, city, country, wished_date,
                                    status, requested_on)
         SELECT id, 'Rue Neuve 1', '4020', 'Liège', 'BE', $1, 'requested', $2
           FROM contracts WHERE contract_number = '100001-01'",
    )
    .bind(common::today() + Days::new(20))
    .bind(common::today())
    .execute(&pool)
    .await
    .expect("move");
    let key = crate::provider::key(&pool, &[Scope::Write]).await;
    let answer = crate::provider::call(
        &app,
        "PUT",
        "/provider/v1/contracts/100001-01/move",
        Some(&key),
        &[("content-type", "application/json")],
        r#"{"status":"confirmed"}"#.to_owned(),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        notices::mail_messages(&pool, &ctx, 500)
            .await
            .expect("mail"),
        1
    );
    let mails = notices_to(&pool, CLAIRE.0).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(
        mails[0]
            .0
            .contains("Déménagement confirmé pour la ligne 100001-01"),
        "{mails:?}"
    );
    assert!(mails[0].1.contains("Rue Neuve 1, 4020 Liège"), "{mails:?}");
}
