//! My account (M1): the holder's contact data, checked field by field, saved in one
//! transaction with a record of who changed what; user links and strangers see none of it.

use crate::common;

use app::api::account::ContactData;
use common::{app, post, sign_in};
use sqlx::PgPool;

const FORM: &str = "first_name=Claire&last_name=Dubois&email=claire.dubois%40example.be\
&phone=%2B32+470+12+34+56&street=Rue+des+Tilleuls+12&postal_code=4000&city=Li%C3%A8ge";

async fn contact(app: &axum::Router, cookie: &str) -> ContactData {
    let (status, body, _) = post(app, "/api/contact", "", Some(cookie)).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).expect("contact")
}

async fn records(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM contact_changes")
        .fetch_one(pool)
        .await
        .expect("count")
}

#[tokio::test]
async fn contact_data_is_checked_saved_and_recorded() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let claire = sign_in(&app, "claire.dubois@example.be", "Trio-demo-2024").await;
    let data = contact(&app, &claire).await;
    assert_eq!(
        (data.contact.first_name.as_str(), data.country.as_str()),
        ("Claire", "BE")
    );
    assert!(data.last_change.is_none());

    // The form as shown changes nothing, and nothing is recorded.
    let (status, body, _) = post(&app, "/api/save_contact", FORM, Some(&claire)).await;
    assert_eq!((status, body.as_str()), (200, "[]"));
    assert_eq!(records(&pool).await, 0);

    // Every problem at once; nothing is written.
    let bad = FORM
        .replace("postal_code=4000", "postal_code=400")
        .replace("email=claire.dubois%40example.be", "email=claire%40")
        .replace("first_name=Claire", "first_name=");
    let (status, body, _) = post(&app, "/api/save_contact", &bad, Some(&claire)).await;
    assert_eq!(status, 422, "{body}");
    for want in ["postal_code_invalid", "email_invalid", "\"first_name\""] {
        assert!(body.contains(want), "want {want} in {body}");
    }
    assert_eq!(contact(&app, &claire).await.contact.postal_code, "4000");
    assert_eq!(records(&pool).await, 0);

    // A real change: saved, normalised, recorded with old and new values and the login.
    let moved = FORM
        .replace("phone=%2B32+470+12+34+56", "phone=0032+471+99+88+77")
        .replace("city=Li%C3%A8ge", "city=Li%C3%A8ge++Centre");
    let (status, body, _) = post(&app, "/api/save_contact", &moved, Some(&claire)).await;
    assert_eq!((status, body.as_str()), (200, r#"["phone","city"]"#));
    let data = contact(&app, &claire).await;
    assert_eq!(data.contact.phone.as_deref(), Some("+32471998877"));
    assert_eq!(data.contact.city, "Liège Centre");
    let change = data.last_change.expect("recorded");
    assert_eq!(change.by.as_deref(), Some("claire.dubois@example.be"));
    assert_eq!(change.fields.len(), 2);
    let record: (String, String, String) = sqlx::query_as(
        "SELECT changes->'city'->>'old', changes->'city'->>'new', changes->'phone'->>'new'
           FROM contact_changes",
    )
    .fetch_one(&pool)
    .await
    .expect("record");
    assert_eq!(
        record,
        ("Liège".into(), "Liège Centre".into(), "+32471998877".into())
    );
    // Step-up (issue 9, ASVS V7.5): a new email needs the current password.
    let new_email = moved.replace("claire.dubois%40example.be", "claire%40example.org");
    for (extra, problem) in [
        ("", "required"),
        ("&current_password=wrong-password", "password_wrong"),
    ] {
        let body = format!("{new_email}{extra}");
        let (status, text, _) = post(&app, "/api/save_contact", &body, Some(&claire)).await;
        assert_eq!(status, 422, "{text}");
        assert!(
            text.contains("current_password") && text.contains(problem),
            "{text}"
        );
    }
    assert_eq!(
        contact(&app, &claire).await.contact.email,
        "claire.dubois@example.be"
    );
    let body = format!("{new_email}&current_password=Trio-demo-2024");
    let (status, text, _) = post(&app, "/api/save_contact", &body, Some(&claire)).await;
    assert_eq!((status, text.as_str()), (200, r#"["email"]"#));
    assert_eq!(
        contact(&app, &claire).await.contact.email,
        "claire@example.org"
    );

    // Home's overview shows the new data.
    let (_, home, _) = post(&app, "/api/home_overview", "", Some(&claire)).await;
    assert!(home.contains("Liège Centre"), "{home}");
}

#[tokio::test]
async fn user_links_see_no_personal_data() {
    let pool = common::db().await;
    let app = app(pool).await;
    let max = sign_in(&app, "max.becker@example.de", "Mobil-demo-2024").await;
    for (path, body) in [("/api/contact", ""), ("/api/save_contact", FORM)] {
        let (status, _, _) = post(&app, path, body, Some(&max)).await;
        assert_eq!(status, 404, "{path}");
    }
}
