//! Technician appointments (A1–A2): the holder's bookings and the free windows; booking,
//! rescheduling and cancelling with translated field problems; the installation of a move;
//! and a window given once under ten concurrent bookings (a database constraint).

use crate::common;

use app::api::{appointments::Appointments, products::Products};
use chrono::{Datelike, Days, Weekday};
use common::{app, post, post_keyed, register, sign_in, today};
use sqlx::PgPool;

const CLAIRE: (&str, &str) = ("claire.dubois@example.be", "Trio-demo-2024");

async fn appointments(app: &axum::Router, cookie: &str) -> Appointments {
    let (status, body, _) = post(app, "/api/appointments", "", Some(cookie)).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).expect("appointments")
}

async fn booked_rows(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM appointments WHERE status = 'booked'")
        .fetch_one(pool)
        .await
        .expect("count")
}

fn repair(slot: i64, note: &str) -> String {
    format!(
        "kind=repair&slot_id={slot}&street=Rue+Haute+5&postal_code=4000&city=Li%C3%A8ge&note={note}&move_request="
    )
}

#[tokio::test]
async fn holders_see_their_appointment_and_the_free_windows() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let claire = sign_in(&app, CLAIRE.0, CLAIRE.1).await;
    let page = appointments(&app, &claire).await;
    assert_eq!(page.appointments.len(), 1, "the demo repair");
    let repair = &page.appointments[0];
    assert!(repair.changeable && !repair.for_move);
    assert!(repair.slot.day >= today() + Days::new(5));
    assert!(repair.note.as_deref().unwrap_or("").contains("décodeur"));
    // Windows from tomorrow to six weeks, no Sundays, never the booked one.
    assert!(!page.slots.is_empty());
    assert!(page.slots.iter().all(|s| s.day > today()
        && s.day <= today() + Days::new(42)
        && s.day.weekday() != Weekday::Sun
        && s.id != repair.slot.id));
    // The confirmed move of the internet line still needs its installation.
    assert_eq!(page.moves.len(), 1);
    assert_eq!(page.moves[0].contract_number, "100001-02");
    assert!(page.can_book);

    // Another household has none; a login without a holder link gets "not found".
    let jonas = sign_in(&app, "jonas.becker@example.de", "Mobil-demo-2024").await;
    assert!(appointments(&app, &jonas).await.appointments.is_empty());
    let fresh = register(&app, &pool, "fresh@example.de").await;
    let (status, _, _) = post(&app, "/api/appointments", "", Some(&fresh)).await;
    assert_eq!(status, 404);
    let (status, _, _) = post(&app, "/api/appointments", "", None).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn book_reschedule_and_cancel_with_clear_refusals() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let claire = sign_in(&app, CLAIRE.0, CLAIRE.1).await;
    let page = appointments(&app, &claire).await;
    let (a, b) = (page.slots[0].id, page.slots[1].id);
    let before = booked_rows(&pool).await;

    // Refusals name their fields, and nothing is written.
    let (status, body, _) = post_keyed(
        &app,
        "/api/book_appointment",
        "kind=repair&slot_id=&street=&postal_code=ABC&city=Li%C3%A8ge&note=&move_request=",
        Some(&claire),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    for want in ["slot_required", "\"street\"", "postal_code_invalid"] {
        assert!(body.contains(want), "want {want} in {body}");
    }
    let long = "x".repeat(501);
    let (status, body, _) = post_keyed(
        &app,
        "/api/book_appointment",
        &repair(a, &long),
        Some(&claire),
    )
    .await;
    assert_eq!(
        (status, body.contains("note_too_long")),
        (422, true),
        "{body}"
    );
    let today_slot: i64 = sqlx::query_scalar(
        "INSERT INTO appointment_slots (provider_id, day, starts_at, ends_at)
         SELECT provider_id, $1, time '08:00', time '12:00' FROM appointment_slots LIMIT 1
         RETURNING id",
    )
    .bind(today())
    .fetch_one(&pool)
    .await
    .expect("a window today");
    let (status, body, _) = post_keyed(
        &app,
        "/api/book_appointment",
        &repair(today_slot, ""),
        Some(&claire),
    )
    .await;
    assert_eq!(
        (status, body.contains("slot_unavailable")),
        (422, true),
        "{body}"
    );
    assert_eq!(booked_rows(&pool).await, before);

    // Book a, move it to b: a is free again, b is taken.
    let (status, body, _) = post_keyed(
        &app,
        "/api/book_appointment",
        &repair(a, "3e+%C3%A9tage"),
        Some(&claire),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let page = appointments(&app, &claire).await;
    let mine = page
        .appointments
        .iter()
        .find(|x| x.slot.id == a)
        .expect("booked");
    assert_eq!(mine.note.as_deref(), Some("3e étage"));
    assert!(!page.slots.iter().any(|s| s.id == a));
    let body = format!("appointment_id={}&slot_id={b}", mine.id);
    let (status, text, _) = post(&app, "/api/reschedule_appointment", &body, Some(&claire)).await;
    assert_eq!(status, 200, "{text}");
    let page = appointments(&app, &claire).await;
    assert!(page.slots.iter().any(|s| s.id == a));
    assert!(!page.slots.iter().any(|s| s.id == b));
    let (status, text, _) =
        post_keyed(&app, "/api/book_appointment", &repair(b, ""), Some(&claire)).await;
    assert_eq!((status, text.contains("slot_taken")), (422, true), "{text}");

    // Another household cannot touch it.
    let jonas = sign_in(&app, "jonas.becker@example.de", "Mobil-demo-2024").await;
    let cancel = format!("appointment_id={}", mine.id);
    let (status, _, _) = post(&app, "/api/cancel_appointment", &cancel, Some(&jonas)).await;
    assert_eq!(status, 404);
    let moved = format!("appointment_id={}&slot_id={a}", mine.id);
    let (status, _, _) = post(&app, "/api/reschedule_appointment", &moved, Some(&jonas)).await;
    assert_eq!(status, 404);

    let (status, _, _) = post(&app, "/api/cancel_appointment", &cancel, Some(&claire)).await;
    assert_eq!(status, 200);
    assert_eq!(booked_rows(&pool).await, before);
    let (status, _, _) = post(&app, "/api/cancel_appointment", &cancel, Some(&claire)).await;
    assert_eq!(status, 404, "a cancelled appointment is gone");

    // At most three open appointments per customer number.
    for slot in [a, b] {
        let (status, text, _) = post_keyed(
            &app,
            "/api/book_appointment",
            &repair(slot, ""),
            Some(&claire),
        )
        .await;
        assert_eq!(status, 200, "{text}");
    }
    let third = page.slots[2].id;
    let (status, text, _) = post_keyed(
        &app,
        "/api/book_appointment",
        &repair(third, ""),
        Some(&claire),
    )
    .await;
    assert_eq!(
        (status, text.contains("appointment_limit")),
        (422, true),
        "{text}"
    );
    assert!(!appointments(&app, &claire).await.can_book);
}

#[tokio::test]
async fn a_move_gets_its_installation_at_the_new_address() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let claire = sign_in(&app, CLAIRE.0, CLAIRE.1).await;
    let page = appointments(&app, &claire).await;
    let (choice, slot) = (&page.moves[0], page.slots[3].id);
    // The address fields are ignored: the installation is at the move's new address.
    let body = format!(
        "kind=repair&slot_id={slot}&street=&postal_code=&city=&note=&move_request={}",
        choice.id
    );
    let (status, text, _) = post_keyed(&app, "/api/book_appointment", &body, Some(&claire)).await;
    assert_eq!(status, 200, "{text}");
    let page = appointments(&app, &claire).await;
    assert!(page.moves.is_empty());
    let install = page
        .appointments
        .iter()
        .find(|a| a.for_move)
        .expect("installation");
    assert_eq!(
        (install.kind.as_str(), install.street.as_str()),
        ("installation", "Quai de la Batte 8")
    );
    // Home shows the installation day with the move.
    let (_, body, _) = post(&app, "/api/products", "lang=fr", Some(&claire)).await;
    let products: Products = serde_json::from_str(&body).expect("products");
    let moving = products
        .products
        .iter()
        .find_map(|p| p.open_move.as_ref())
        .expect("the move");
    assert_eq!(moving.installation_on, Some(install.slot.day));
    // A second installation for the same move is refused.
    let again = format!(
        "kind=installation&slot_id={}&street=&postal_code=&city=&note=&move_request={}",
        page.slots[4].id, moving.id
    );
    let (status, _, _) = post_keyed(&app, "/api/book_appointment", &again, Some(&claire)).await;
    assert_eq!(status, 409);
}

#[tokio::test]
async fn one_window_ten_concurrent_bookings_one_success() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let mut cookies = Vec::new();
    for i in 0..10 {
        let email = format!("racer{i}@example.be");
        cookies.push(register(&app, &pool, &email).await);
        // Each racer holds its own customer number (a copy of the Trio customer).
        sqlx::query(
            "WITH c AS (
                 INSERT INTO customers (provider_id, customer_number, segment, country, language,
                                        first_name, last_name, email, street, postal_code, city)
                 SELECT provider_id, $1, 'private', country, language, first_name, last_name,
                        $2, street, postal_code, city
                   FROM customers WHERE customer_number = '100001'
                 RETURNING id
             )
             INSERT INTO links (login_id, role, customer_id)
             SELECT l.id, 'holder', c.id FROM logins l, c WHERE l.email = $2",
        )
        .bind(format!("9000{i:02}"))
        .bind(&email)
        .execute(&pool)
        .await
        .expect("racer customer");
    }
    let slot = appointments(&app, &cookies[0]).await.slots[0].id;
    let mut racers = tokio::task::JoinSet::new();
    for cookie in cookies {
        let app = app.clone();
        racers.spawn(async move {
            post_keyed(
                &app,
                "/api/book_appointment",
                &repair(slot, ""),
                Some(&cookie),
            )
            .await
        });
    }
    let mut won = 0;
    while let Some(result) = racers.join_next().await {
        let (status, body, _) = result.expect("racer");
        match status {
            200 => won += 1,
            422 => assert!(body.contains("slot_taken"), "{body}"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(won, 1);
    let holders: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM appointments WHERE slot_id = $1 AND status = 'booked'",
    )
    .bind(slot)
    .fetch_one(&pool)
    .await
    .expect("count");
    assert_eq!(holders, 1);
}
