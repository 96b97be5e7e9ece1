//! The authorization matrix (L2, QUALITY.md "Authorization"): every registered server function
//! is called as anonymous, as the holder of another customer number, as a user link of the
//! customer and as its holder, and exactly the allowed calls succeed. A strange customer's data
//! never comes back, and "not yours" looks like "does not exist" (404).
//!
//! Every new server function must be added to `matrix()`: `every_server_function_is_in_the_matrix`
//! fails when one is registered but missing.

use std::collections::BTreeSet;

use crate::common;

use axum::Router;
use sqlx::PgPool;

/// The German household (server/src/demo/mobile_de.rs): customer 200001 is the target.
const STRANGER: &str = "lena.schmidt@example.de"; // holds 200009 only
const USER: &str = "max.becker@example.de"; // uses one line of 200001
const HOLDER: &str = "jonas.becker@example.de"; // holds 200001
const PASSWORD: &str = "Mobil-demo-2024";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Persona {
    Anonymous,
    Stranger,
    User,
    Holder,
}

const PERSONAS: [Persona; 4] = [
    Persona::Anonymous,
    Persona::Stranger,
    Persona::User,
    Persona::Holder,
];

/// What a persona must get: a status, and for 200 a check of the body.
#[derive(Clone, Copy)]
struct Expect {
    status: u16,
    body: Option<fn(&str) -> bool>,
}

const fn status(status: u16) -> Expect {
    Expect { status, body: None }
}

const fn ok(check: fn(&str) -> bool) -> Expect {
    Expect {
        status: 200,
        body: Some(check),
    }
}

/// Ids the calls need, read from the demo data.
struct Ids {
    max_user_link: i64,
    jonas_legacy_link: i64,
    jonas_holder_link: i64,
    invoice_200001: i64,
    message_200001: i64,
    appointment_200001: i64,
    move_200001: i64,
    free_slots: [i64; 2],
    subscription_300001: i64,
    invoice_300003: i64,
    service_400001: i64,
}

struct Call {
    path: &'static str,
    body: fn(&Ids) -> String,
    /// Anonymous, stranger, user, holder.
    expect: [Expect; 4],
}

fn no_200001(body: &str) -> bool {
    !body.contains("200001")
}

/// The matrix, in the order the calls run (state-changing successes last where they matter).
fn matrix() -> Vec<Call> {
    vec![
        Call {
            path: "/api/shell_data",
            body: |_| String::new(),
            expect: [ok(|b| b.contains("Lumen Telecom")); 4],
        },
        Call {
            path: "/api/sign_in",
            // Not a persona's email: its failures would make that persona wait before its
            // next sign-in from the same address (S3, issue 24).
            body: |_| "email=nobody.matrix%40example.de&password=wrong-password&lang=en".into(),
            // The same wrong password four times from one address: three refusals, then a wait.
            expect: [status(401), status(401), status(401), status(429)],
        },
        Call {
            path: "/api/register",
            body: |_| "email=not-an-email&password=short&password_confirm=short&lang=en".into(),
            expect: [status(422); 4],
        },
        Call {
            path: "/api/verification_valid",
            body: |_| "token=made-up".into(),
            expect: [ok(|b| b == "false"); 4],
        },
        Call {
            path: "/api/verify_email",
            body: |_| "token=made-up&lang=en".into(),
            expect: [status(422); 4],
        },
        Call {
            path: "/api/request_password_reset",
            // Anyone may ask (issue 27); the same answer for every address.
            body: |_| "email=nobody.matrix%40example.de&lang=en".into(),
            expect: [status(200), status(200), status(200), status(429)],
        },
        Call {
            path: "/api/reset_link_valid",
            body: |_| "token=made-up".into(),
            expect: [ok(|b| b == "false"); 4],
        },
        Call {
            path: "/api/reset_password",
            body: |_| {
                "token=made-up&password=Fjord-lantern-7&password_confirm=Fjord-lantern-7&lang=en"
                    .into()
            },
            expect: [status(422); 4],
        },
        Call {
            path: "/api/home_overview",
            body: |_| String::new(),
            expect: [
                status(401),
                ok(no_200001),
                // The user never sees the account of 200001 (the line is in the products).
                ok(|b| {
                    b.contains("UserOnly") && !b.contains("balance") && !b.contains("Lindenweg")
                }),
                ok(|b| b.contains("\"customer_number\":\"200001\"") && b.contains("balance")),
            ],
        },
        Call {
            path: "/api/invoices",
            body: |_| String::new(),
            // Invoices are the holder's only (L2): the user link gets "not found".
            expect: [
                status(401),
                ok(|b| b == "[]"),
                status(404),
                ok(|b| b.matches("\"number\"").count() == 3 && b.contains("\"issue_date\"")),
            ],
        },
        Call {
            path: "/api/usage",
            body: |_| "query[contract]=200001-02&query[period]=this".into(),
            // Max's line: its user and the holder see its usage; a stranger does not.
            expect: [
                status(401),
                status(404),
                ok(|b| b.contains("200001-02") && b.contains("\"total_rows\"")),
                ok(|b| b.contains("200001-02") && b.contains("\"total_rows\"")),
            ],
        },
        Call {
            path: "/api/invoice_usage",
            body: |ids| format!("invoice_id={}", ids.invoice_200001),
            expect: [
                status(401),
                status(404),
                status(404),
                ok(|b| b.contains("\"number\"")),
            ],
        },
        Call {
            path: "/api/payment_methods",
            body: |_| String::new(),
            expect: [
                status(401),
                ok(no_200001),
                status(404),
                ok(|b| b.contains("LUMEN-200001-001") && !b.contains("DE89370400440532013000")),
            ],
        },
        Call {
            path: "/api/activate_sepa",
            body: |_| {
                "account_holder=Test+Holder&iban=BE68+5390+0754+7034&consent=on\
&current_password=Mobil-demo-2024"
                    .into()
            },
            // Each holder signs for their own number; a user link has no payments (L2).
            expect: [status(401), ok(|_| true), status(404), ok(|_| true)],
        },
        Call {
            path: "/api/revoke_sepa",
            body: |_| String::new(),
            // 200001 has a line that requires automatic payment and no card: refused (I4).
            expect: [status(401), ok(|_| true), status(404), status(409)],
        },
        Call {
            path: "/api/products",
            body: |_| "lang=en".into(),
            // The user sees the one line read-only; the holder every line of 200001.
            expect: [
                status(401),
                ok(no_200001),
                ok(|b| {
                    b.contains("\"editable\":false")
                        && b.contains("200001-02")
                        && !b.contains("200001-01")
                }),
                ok(|b| b.contains("\"editable\":true") && b.contains("200001-01")),
            ],
        },
        Call {
            path: "/api/change_option",
            body: |_| {
                "contract_number=200001-02&option_code=MOB-UNLIMITED&change=activate&shown_amount=0.01\
&idempotency_key=5b0c7f0e-8d1a-4a5e-9a51-0c1d2e3f4a5b"
                    .into()
            },
            // Only the holder gets as far as the amount check (not today's amount: 409).
            expect: [status(401), status(404), status(404), status(409)],
        },
        Call {
            path: "/api/save_alert",
            body: |_| "contract_number=200001-02&metric=data&threshold=5".into(),
            expect: [status(401), status(404), status(404), ok(|_| true)],
        },
        Call {
            path: "/api/delete_alert",
            body: |_| "contract_number=200001-02&metric=data".into(),
            expect: [status(401), status(404), status(404), ok(|_| true)],
        },
        Call {
            path: "/api/request_move",
            body: |_| {
                "contract_number=200001-02&street=Lindenweg+9&postal_code=10115&city=Berlin&wished_date=2026-12-20"
                    .into()
            },
            // 200001-02 is a mobile line: it cannot move, even for its holder.
            expect: [status(401), status(404), status(404), status(404)],
        },
        Call {
            path: "/api/cancel_move",
            body: |_| "contract_number=200001-02".into(),
            expect: [status(401), status(404), status(404), status(409)],
        },
        Call {
            path: "/api/messages",
            body: |_| String::new(),
            // The inbox is the holder's (L2).
            expect: [
                status(401),
                ok(no_200001),
                status(404),
                ok(|b| b.contains("Wartungsarbeiten")),
            ],
        },
        Call {
            path: "/api/security",
            body: |_| String::new(),
            // Every login has its own security settings.
            expect: [
                status(401),
                ok(|b| b.contains("question")),
                ok(|b| b.contains("question")),
                ok(|b| b.contains("question")),
            ],
        },
        Call {
            path: "/api/change_password",
            body: |_| {
                "current_password=not-the-password&new_password=Velo-Rouge-Sur-Meuse-42\
&new_password_confirm=Velo-Rouge-Sur-Meuse-42"
                    .into()
            },
            expect: [status(401), status(422), status(422), status(422)],
        },
        Call {
            path: "/api/notice_preferences",
            body: |_| String::new(),
            expect: [
                status(401),
                ok(|b| b.contains("\"invoice\"")),
                ok(|b| b.contains("\"invoice\"")),
                ok(|b| b.contains("\"invoice\"")),
            ],
        },
        Call {
            path: "/api/save_notice_preferences",
            // Any login chooses for itself (the same choices the personas start with).
            body: |_| "invoice=on&alert=on&appointment=on&move_status=on&provider=on".into(),
            expect: [status(401), status(200), status(200), status(200)],
        },
        Call {
            path: "/api/request_email_change",
            // Refused before the password is checked (no failure counted for the personas).
            body: |_| "new_email=not-an-address&current_password=not-the-password".into(),
            expect: [status(401), status(422), status(422), status(422)],
        },
        Call {
            path: "/api/email_change_valid",
            body: |_| "token=made-up".into(),
            expect: [ok(|b| b == "null"); 4],
        },
        Call {
            path: "/api/confirm_email_change",
            body: |_| "token=made-up&lang=en".into(),
            expect: [status(422); 4],
        },
        Call {
            path: "/api/set_security_question",
            body: |_| "question=first_pet&answer=Rex&current_password=not-the-password".into(),
            expect: [status(401), status(422), status(422), status(422)],
        },
        Call {
            path: "/api/documents",
            body: |_| String::new(),
            // Documents are the holder's (L2); the stranger sees only its own (none).
            expect: [
                status(401),
                ok(|b| b == "[]"),
                status(404),
                ok(|b| b.starts_with('[')),
            ],
        },
        Call {
            path: "/api/two_factor",
            body: |_| String::new(),
            expect: [
                status(401),
                ok(|b| b.contains("\"enabled_at\":null")),
                ok(|b| b.contains("\"enabled_at\":null")),
                ok(|b| b.contains("\"enabled_at\":null")),
            ],
        },
        Call {
            path: "/api/start_two_factor",
            body: |_| "current_password=not-the-password".into(),
            // Every login may set it up for itself, with its current password (issue 24).
            expect: [status(401), status(422), status(422), status(422)],
        },
        Call {
            path: "/api/confirm_two_factor",
            body: |_| "code=12345".into(),
            expect: [status(401), status(422), status(422), status(422)],
        },
        Call {
            path: "/api/disable_two_factor",
            body: |_| "current_password=not-the-password".into(),
            expect: [status(401), status(422), status(422), status(422)],
        },
        Call {
            path: "/api/verify_sign_in",
            body: |_| "code=123456&lang=en".into(),
            // Only the second step of a sign-in (its own cookie) may verify a code.
            expect: [status(401); 4],
        },
        Call {
            path: "/api/contact",
            body: |_| String::new(),
            // Personal data is the holder's (L2).
            expect: [
                status(401),
                ok(|b| !b.contains("Jonas")),
                status(404),
                ok(|b| b.contains("Jonas")),
            ],
        },
        Call {
            path: "/api/save_contact",
            body: |_| {
                "first_name=Jonas&last_name=Becker&email=jonas.becker%40example.de&phone=\
&street=Lindenweg+9&postal_code=10115&city=Berlin&current_password=Mobil-demo-2024"
                    .into()
            },
            // The stranger saves its own data with these values (its holder right), never 200001's.
            expect: [
                status(401),
                ok(|b| b.starts_with('[')),
                status(404),
                ok(|b| b.starts_with('[')),
            ],
        },
        Call {
            path: "/api/appointments",
            body: |_| String::new(),
            // Appointments are the holder's (L2); the stranger sees only its own.
            expect: [
                status(401),
                ok(|b| !b.contains("Klingel")),
                status(404),
                ok(|b| b.contains("Klingel")),
            ],
        },
        Call {
            path: "/api/book_appointment",
            body: |ids| {
                format!(
                    "kind=installation&slot_id={}&street=&postal_code=&city=&note=&move_request={}\
&idempotency_key=7e1d2c3b-4a59-4f68-8e7d-6c5b4a392817",
                    ids.free_slots[0], ids.move_200001
                )
            },
            // The installation of 200001's move: nobody else can book it.
            expect: [status(401), status(404), status(404), ok(|b| b == "null")],
        },
        Call {
            path: "/api/reschedule_appointment",
            body: |ids| {
                format!(
                    "appointment_id={}&slot_id={}",
                    ids.appointment_200001, ids.free_slots[1]
                )
            },
            expect: [status(401), status(404), status(404), ok(|b| b == "null")],
        },
        Call {
            path: "/api/cancel_appointment",
            body: |ids| format!("appointment_id={}", ids.appointment_200001),
            expect: [status(401), status(404), status(404), ok(|b| b == "null")],
        },
        Call {
            path: "/api/read_message",
            body: |ids| format!("message_id={}", ids.message_200001),
            // The unread count left: the appointment calls above put their notices in the
            // inbox (issue 27), unread.
            expect: [
                status(401),
                status(404),
                status(404),
                ok(|b| b.parse::<u32>().is_ok()),
            ],
        },
        Call {
            path: "/api/get_links",
            body: |_| String::new(),
            expect: [
                status(401),
                ok(no_200001),
                ok(|b| b.contains("\"role\":\"user\"") && !b.contains("\"role\":\"holder\"")),
                ok(|b| b.contains("\"customer_number\":\"200001\"")),
            ],
        },
        Call {
            path: "/api/request_link_code",
            body: |_| "phone_number=%2B49+151+2000+0101".into(),
            // Anybody signed in may ask for a code to the line (the SMS is the proof); the
            // holder already sees it (AlreadyLinked).
            expect: [
                status(401),
                ok(|b| b.contains("+4915120000101")),
                ok(|b| b.contains("+4915120000101")),
                status(409),
            ],
        },
        Call {
            path: "/api/confirm_link_code",
            body: |_| "phone_number=%2B4915120000101&code=12".into(),
            expect: [status(401), status(422), status(422), status(422)],
        },
        Call {
            path: "/api/next_invoices",
            body: |_| String::new(),
            expect: [
                status(401),
                ok(|b| b == "[]"),
                status(404),
                ok(|b| b == "[]"),
            ],
        },
        Call {
            path: "/api/payables",
            body: |_| String::new(),
            expect: [
                status(401),
                ok(|b| b == "[]"),
                status(404),
                ok(|b| b == "[]"),
            ],
        },
        Call {
            path: "/api/change_plan",
            body: |ids| {
                format!(
                    "subscription_id={}&tariff_id=1&quoted_on=2026-11-22",
                    ids.subscription_300001
                )
            },
            // A satellite subscription of another household: "not found" for everyone.
            expect: [status(401), status(404), status(404), status(404)],
        },
        Call {
            path: "/api/billing_date_change",
            body: |ids| format!("subscription_id={}&billing_day=5", ids.subscription_300001),
            expect: [status(401), status(404), status(404), status(404)],
        },
        Call {
            path: "/api/pay_invoice",
            body: |ids| {
                format!(
                    "invoice_id={}&method=mobile_money&idempotency_key=5b0c8f1e-2d7a-4e55-9a61-0c3f2e7d9b10",
                    ids.invoice_300003
                )
            },
            expect: [status(401), status(404), status(404), status(404)],
        },
        Call {
            path: "/api/services",
            body: |_| String::new(),
            expect: [
                status(401),
                ok(|b| b == "[]"),
                status(404),
                ok(|b| b == "[]"),
            ],
        },
        Call {
            path: "/api/service",
            body: |ids| format!("contract_id={}&lang=en", ids.service_400001),
            // Another household's server: "not found" for everyone.
            expect: [status(401), status(404), status(404), status(404)],
        },
        Call {
            path: "/api/quote_upgrade",
            body: |ids| {
                format!(
                    "contract_id={}&version=1&config%5Bram%5D=8&config%5Bcpu%5D=2&config%5Bdisk%5D=50",
                    ids.service_400001
                )
            },
            expect: [status(401), status(404), status(404), status(404)],
        },
        Call {
            path: "/api/confirm_upgrade",
            body: |ids| {
                format!(
                    "contract_id={}&version=1&config%5Bram%5D=8&config%5Bcpu%5D=2&config%5Bdisk%5D=50&idempotency_key=3c5e7a91-0b2d-4f68-8e1a-9d4c2b7f6a10",
                    ids.service_400001
                )
            },
            expect: [status(401), status(404), status(404), status(404)],
        },
        Call {
            path: "/api/schedule_downgrade",
            body: |ids| {
                format!(
                    "contract_id={}&version=1&config%5Bram%5D=2&config%5Bcpu%5D=1&config%5Bdisk%5D=50",
                    ids.service_400001
                )
            },
            expect: [status(401), status(404), status(404), status(404)],
        },
        Call {
            path: "/api/withdraw_downgrade",
            body: |ids| format!("contract_id={}&change_id=1", ids.service_400001),
            expect: [status(401), status(404), status(404), status(404)],
        },
        Call {
            path: "/api/make_me_holder",
            body: |ids| {
                format!(
                    "link_id={}&contract_password=Becker-200001",
                    ids.max_user_link
                )
            },
            // Only Max owns that user link; he may become holder with the password.
            expect: [status(401), status(404), ok(|_| true), status(404)],
        },
        Call {
            path: "/api/link_holder",
            body: |_| "customer_number=200001&contract_password=Becker-200001".into(),
            // Lena's stale link blocks (L7); Max holds 200001 now; Jonas already does.
            expect: [status(401), status(409), status(409), status(409)],
        },
        Call {
            path: "/api/sign_out",
            body: |_| "lang=en".into(),
            expect: [status(200); 4],
        },
        Call {
            path: "/api/resume_linking",
            body: |ids| format!("link_id={}", ids.jonas_holder_link),
            // Only through the login's own holder link (issue 24 item 4).
            expect: [status(401), status(404), status(404), ok(|_| true)],
        },
        Call {
            path: "/api/delete_link",
            body: |ids| format!("link_id={}", ids.jonas_legacy_link),
            expect: [status(401), status(404), status(404), ok(|_| true)],
        },
    ]
}

async fn session(app: &Router, persona: Persona) -> Option<String> {
    let email = match persona {
        Persona::Anonymous => return None,
        Persona::Stranger => STRANGER,
        Persona::User => USER,
        Persona::Holder => HOLDER,
    };
    Some(common::sign_in(app, email, PASSWORD).await)
}

async fn link_id(pool: &PgPool, email: &str, contract_number: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT k.id FROM links k JOIN logins l ON l.id = k.login_id
           JOIN contracts c ON c.id = k.contract_id
          WHERE l.email = $1 AND c.contract_number = $2",
    )
    .bind(email)
    .bind(contract_number)
    .fetch_one(pool)
    .await
    .expect("link id")
}

#[tokio::test]
async fn exactly_the_allowed_calls_succeed() {
    let pool = common::db().await;
    let app = common::app(pool.clone()).await;
    let ids = Ids {
        max_user_link: link_id(&pool, USER, "200001-02").await,
        jonas_legacy_link: link_id(&pool, HOLDER, "200004-02").await,
        jonas_holder_link: common::holder_link_id(&pool, HOLDER, "200001").await,
        invoice_200001: sqlx::query_scalar(
            "SELECT i.id FROM invoices i JOIN customers c ON c.id = i.customer_id
              WHERE c.customer_number = '200001' ORDER BY i.id LIMIT 1",
        )
        .fetch_one(&pool)
        .await
        .expect("invoice of 200001"),
        message_200001: sqlx::query_scalar(
            "INSERT INTO messages (customer_id, kind, subject, body)
             SELECT id, 'provider', 'Wartungsarbeiten', 'Nachts kurze Unterbrechungen.'
               FROM customers WHERE customer_number = '200001'
             RETURNING id",
        )
        .fetch_one(&pool)
        .await
        .expect("message of 200001"),
        appointment_200001: sqlx::query_scalar(
            "INSERT INTO appointments (customer_id, slot_id, kind, status, street, postal_code,
                                       city, note)
             SELECT c.id, s.id, 'repair', 'booked', c.street, c.postal_code, c.city,
                    'Klingel defekt'
               FROM customers c, appointment_slots s
              WHERE c.customer_number = '200001'
              ORDER BY s.day DESC, s.starts_at DESC LIMIT 1
             RETURNING id",
        )
        .fetch_one(&pool)
        .await
        .expect("appointment of 200001"),
        move_200001: sqlx::query_scalar(
            "INSERT INTO move_requests (contract_id, street, postal_code, city, country,
                                        wished_date, status, requested_on)
             SELECT id, 'Lindenweg 9', '10115', 'Berlin', 'DE', DATE '2026-12-20', 'requested',
                    DATE '2026-11-20'
               FROM contracts WHERE contract_number = '200001-01'
             RETURNING id",
        )
        .fetch_one(&pool)
        .await
        .expect("move of 200001"),
        free_slots: {
            let ids: Vec<i64> = sqlx::query_scalar(
                "SELECT s.id FROM appointment_slots s
                  WHERE s.day > DATE '2026-11-23'
                    AND NOT EXISTS (SELECT 1 FROM appointments a WHERE a.slot_id = s.id)
                  ORDER BY s.day, s.starts_at LIMIT 2",
            )
            .fetch_all(&pool)
            .await
            .expect("free slots");
            [ids[0], ids[1]]
        },
        subscription_300001: sqlx::query_scalar(
            "SELECT s.id FROM subscriptions s JOIN contracts c ON c.id = s.contract_id
              WHERE c.contract_number = '300001-01'",
        )
        .fetch_one(&pool)
        .await
        .expect("subscription of 300001"),
        service_400001: sqlx::query_scalar(
            "SELECT h.contract_id FROM hosting_services h JOIN contracts c ON c.id = h.contract_id
              WHERE c.contract_number = '400001-01'",
        )
        .fetch_one(&pool)
        .await
        .expect("service of 400001"),
        invoice_300003: sqlx::query_scalar(
            "SELECT i.id FROM invoices i JOIN customers c ON c.id = i.customer_id
              WHERE c.customer_number = '300003' LIMIT 1",
        )
        .fetch_one(&pool)
        .await
        .expect("invoice of 300003"),
    };
    let mut failures = Vec::new();
    for call in matrix() {
        for (persona, expect) in PERSONAS.iter().zip(call.expect) {
            let cookie = session(&app, *persona).await;
            let (status, body, _) =
                common::post(&app, call.path, &(call.body)(&ids), cookie.as_deref()).await;
            let body_ok = expect.body.is_none_or(|check| check(&body));
            if status != expect.status || !body_ok {
                failures.push(format!(
                    "{} as {persona:?}: got {status}, want {}{}; body: {}",
                    call.path,
                    expect.status,
                    if body_ok { "" } else { " (body check failed)" },
                    body.chars().take(300).collect::<String>()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "authorization matrix:\n{}",
        failures.join("\n")
    );
}

#[tokio::test]
async fn every_server_function_is_in_the_matrix() {
    let pool = common::db().await;
    // Building the router registers every server function of the app.
    let _app = common::app(pool).await;
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_string())
        .collect();
    let covered: BTreeSet<String> = matrix().iter().map(|c| c.path.to_string()).collect();
    let missing: Vec<_> = registered.difference(&covered).collect();
    let stale: Vec<_> = covered.difference(&registered).collect();
    assert!(
        missing.is_empty(),
        "server functions missing from the authorization matrix: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "matrix rows for server functions that do not exist: {stale:?}"
    );
}

/// The ways a body can be malformed, made from a call's valid body: empty, each field left
/// out, each field of the wrong type, each field huge, broken percent-encoding, and a body over
/// the server functions' limit.
fn malformed_bodies(valid: &str) -> Vec<(String, String)> {
    let fields: Vec<&str> = valid.split('&').filter(|f| !f.is_empty()).collect();
    let join = |fields: &[String]| fields.join("&");
    let mut bodies = vec![
        ("empty".to_string(), String::new()),
        (
            "broken encoding".to_string(),
            "%FF%00=%E2%28&&==".to_string(),
        ),
        (
            "over the limit".to_string(),
            format!("x={}", "a".repeat(server::guard::SERVER_FN_BODY_LIMIT + 1)),
        ),
    ];
    for (i, field) in fields.iter().enumerate() {
        let name = field.split('=').next().unwrap_or_default();
        let others: Vec<String> = fields
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, f)| f.to_string())
            .collect();
        bodies.push((format!("without {name}"), join(&others)));
        for (what, value) in [
            ("wrong type", "not-a-number-%E2%88%9E".to_string()),
            ("huge", "%C3%A9".repeat(6_000)),
        ] {
            let mut changed: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
            changed[i] = format!("{name}={value}");
            bodies.push((format!("{name} {what}"), join(&changed)));
        }
    }
    bodies
}

/// The app, the ids and the holder's session of the two robustness tests.
async fn holder_with_ids() -> (Router, Ids, Option<String>) {
    let pool = common::db().await;
    let app = common::app(pool.clone()).await;
    let ids = bodies_ids(&pool).await;
    let holder = session(&app, Persona::Holder).await;
    (app, ids, holder)
}

/// The ids the bodies of the two robustness tests name: real links, placeholders elsewhere
/// (what matters there is the shape of the body, not whose row it names).
async fn bodies_ids(pool: &PgPool) -> Ids {
    Ids {
        max_user_link: link_id(pool, USER, "200001-02").await,
        jonas_legacy_link: link_id(pool, HOLDER, "200004-02").await,
        jonas_holder_link: common::holder_link_id(pool, HOLDER, "200001").await,
        invoice_200001: 1,
        message_200001: 1,
        appointment_200001: 1,
        move_200001: 1,
        free_slots: [1, 2],
        subscription_300001: 1,
        invoice_300003: 1,
        service_400001: 1,
    }
}

/// Issue 9, item 13: every server function, given a malformed body by a signed-in holder,
/// answers a clean 4xx with a message the page can show (or succeeds when what is left is
/// still valid), never a 500 or a panic.
#[tokio::test]
async fn malformed_bodies_get_a_clean_4xx() {
    let (app, ids, holder) = holder_with_ids().await;
    let mut failures = Vec::new();
    let mut tried = 0;
    for call in matrix() {
        for (what, body) in malformed_bodies(&(call.body)(&ids)) {
            tried += 1;
            let (status, text, _) = common::post(&app, call.path, &body, holder.as_deref()).await;
            let clean = match status {
                200..=399 => true,
                400..=499 => serde_json::from_str::<app::error::AppError>(&text).is_ok_and(|e| {
                    !matches!(
                        e,
                        app::error::AppError::Internal | app::error::AppError::Transport(_)
                    )
                }),
                _ => false,
            };
            if !clean {
                failures.push(format!(
                    "{} ({what}): {status} {}",
                    call.path,
                    text.chars().take(200).collect::<String>()
                ));
            }
        }
    }
    println!("{tried} malformed bodies sent");
    assert!(failures.is_empty(), "not clean:\n{}", failures.join("\n"));
}

/// A status and, for 200, a check of the body.
type RouteExpect = (u16, Option<fn(&[u8]) -> bool>);

/// A plain route (not a server function) and what each persona gets.
struct RouteCall {
    method: &'static str,
    path: String,
    /// Anonymous, stranger, user, holder.
    expect: [RouteExpect; 4],
}

fn contains(body: &[u8], needle: &str) -> bool {
    String::from_utf8_lossy(body).contains(needle)
}

/// The routes of `server/src/routes.rs` through the same four personas: downloads of 200001's
/// invoice, usage and document; public probes and the language switch.
#[tokio::test]
async fn every_route_follows_the_same_rights() {
    let pool = common::db().await;
    let app = common::app(pool.clone()).await;
    let invoice: i64 = sqlx::query_scalar(
        "SELECT i.id FROM invoices i JOIN customers c ON c.id = i.customer_id
          WHERE c.customer_number = '200001' ORDER BY i.id LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .expect("invoice of 200001");
    let document: i64 = sqlx::query_scalar(
        "INSERT INTO documents (customer_id, kind, file_name, mime_type, size_bytes, sha256, content)
         SELECT id, 'id_copy', 'ausweis.pdf', 'application/pdf', 9, sha256('%PDF-1.7\n'::bytea),
                '%PDF-1.7\n'::bytea
           FROM customers WHERE customer_number = '200001'
         RETURNING id",
    )
    .fetch_one(&pool)
    .await
    .expect("document of 200001");
    let to_sign_in = (303, None);
    let not_found = (404, None);
    let routes = [
        RouteCall {
            method: "GET",
            path: format!("/invoices/{invoice}/pdf"),
            expect: [
                to_sign_in,
                not_found,
                not_found,
                (200, Some(|b: &[u8]| b.starts_with(b"%PDF"))),
            ],
        },
        RouteCall {
            method: "GET",
            path: "/usage.csv?contract=200001-01".into(),
            // The user link holds line 02 only; the holder sees every line.
            expect: [
                to_sign_in,
                not_found,
                not_found,
                (200, Some(|b: &[u8]| b.starts_with(b"started_at,"))),
            ],
        },
        RouteCall {
            method: "GET",
            path: "/usage.csv?contract=200001-02".into(),
            expect: [
                to_sign_in,
                not_found,
                (200, Some(|b: &[u8]| !contains(b, "200001-01"))),
                (200, Some(|b: &[u8]| b.starts_with(b"started_at,"))),
            ],
        },
        RouteCall {
            method: "GET",
            path: format!("/documents/{document}"),
            expect: [
                to_sign_in,
                not_found,
                not_found,
                (200, Some(|b: &[u8]| b.starts_with(b"%PDF"))),
            ],
        },
        RouteCall {
            method: "GET",
            path: "/healthz".into(),
            expect: [(200, None); 4],
        },
        RouteCall {
            method: "GET",
            // The provider's colours: the same for everyone, nothing personal.
            path: "/brand.css".into(),
            expect: [(200, Some(|b: &[u8]| b.starts_with(b":root{--brand:#"))); 4],
        },
        RouteCall {
            method: "GET",
            path: "/readyz".into(),
            expect: [(200, None); 4],
        },
        RouteCall {
            method: "GET",
            path: "/locale/de?next=/invoices".into(),
            expect: [(303, None); 4],
        },
        // Added by `serve` with SELFCARE_BENCH_ROUTE=true only (server/tests/http.rs).
        RouteCall {
            method: "GET",
            path: "/bench/bare".into(),
            expect: [not_found; 4],
        },
    ];
    let mut failures = Vec::new();
    for route in &routes {
        for (persona, (want, check)) in PERSONAS.iter().zip(route.expect) {
            let cookie = session(&app, *persona).await;
            let (status, body, _) = common::get(&app, &route.path, cookie.as_deref()).await;
            let body_ok = check.is_none_or(|check| check(&body));
            if status != want || !body_ok {
                failures.push(format!(
                    "{} {} as {persona:?}: got {status}, want {want}{}",
                    route.method,
                    route.path,
                    if body_ok { "" } else { " (body check failed)" }
                ));
            }
        }
    }
    assert!(failures.is_empty(), "routes:\n{}", failures.join("\n"));

    // Every route the router declares is in this matrix (uploads: server/tests/documents.rs,
    // which posts multipart bodies as each persona).
    let declared: BTreeSet<String> = include_str!("../../src/routes.rs")
        .split(".route(")
        .skip(1)
        .filter_map(|rest| rest.trim_start().strip_prefix('"')?.split('"').next())
        .map(|path| path.split('{').next().unwrap_or(path).to_string())
        .collect();
    for path in declared {
        let covered = path == "/documents" || routes.iter().any(|r| r.path.starts_with(&path));
        assert!(covered, "route {path} is missing from the route matrix");
    }
}

/// Issue 24, item 7: NUL and other control characters in any field of any server function
/// (PostgreSQL refuses NUL in text: ten functions answered 500) are refused at the edge with
/// 422 and a field error naming that field; line breaks and tabs, which text areas hold, pass.
#[tokio::test]
async fn control_characters_get_a_field_error_never_a_5xx() {
    let (app, ids, holder) = holder_with_ids().await;
    let mut failures = Vec::new();
    let mut tried = 0;
    for call in matrix() {
        let valid = (call.body)(&ids);
        let fields: Vec<&str> = valid.split('&').filter(|f| !f.is_empty()).collect();
        // Anonymous calls too: the sign-in and registration forms are the first to see them.
        for cookie in [None, holder.as_deref()] {
            for (i, field) in fields.iter().enumerate() {
                let name = field.split('=').next().unwrap_or_default();
                for control in ["a%00b", "%01", "x%1By", "%7F", "%C2%85"] {
                    let body: Vec<String> = fields
                        .iter()
                        .enumerate()
                        .map(|(j, f)| {
                            if i == j {
                                format!("{name}={control}")
                            } else {
                                f.to_string()
                            }
                        })
                        .collect();
                    tried += 1;
                    let (status, text, _) =
                        common::post(&app, call.path, &body.join("&"), cookie).await;
                    // The error names the field as the form does (`config[ram]`, not encoded).
                    let field = name.replace("%5B", "[").replace("%5D", "]");
                    let named =
                        serde_json::from_str::<app::error::AppError>(&text).is_ok_and(|e| {
                            e.problem_for(&field)
                                == Some(app::domain::validation::FieldProblem::ControlCharacter)
                        });
                    if status != 422 || !named {
                        failures.push(format!("{} {name}={control}: {status} {text}", call.path));
                    }
                }
            }
        }
    }
    // Line breaks and tabs are kept for the text areas (an appointment's note).
    let (status, text, _) = common::post(
        &app,
        "/api/set_security_question",
        "question=first_pet&answer=Rex%0D%0A%09&current_password=not-the-password",
        holder.as_deref(),
    )
    .await;
    assert!(
        !text.contains("control_character") && status < 500,
        "{status} {text}"
    );
    println!("{tried} bodies with control characters sent");
    assert!(
        failures.is_empty(),
        "not refused per field:\n{}",
        failures.join("\n")
    );
}
