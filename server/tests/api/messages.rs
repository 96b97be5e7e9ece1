//! Important communications (M2): the holder's inbox, the unread count in the shell, and
//! opening a message marks it read, once; another household's message is "not found".

use crate::common;

use app::api::{messages::MessageView, shell::ShellData};
use common::{app, post, sign_in};

async fn unread(app: &axum::Router, cookie: &str) -> i64 {
    let (status, body, _) = post(app, "/api/shell_data", "", Some(cookie)).await;
    assert_eq!(status, 200, "{body}");
    let shell: ShellData = serde_json::from_str(&body).expect("shell");
    shell.session.expect("signed in").unread
}

#[tokio::test]
async fn opening_a_message_marks_it_read_once() {
    let pool = common::db().await;
    let app = app(pool).await;
    let claire = sign_in(&app, "claire.dubois@example.be", "Trio-demo-2024").await;
    let (status, body, _) = post(&app, "/api/messages", "", Some(&claire)).await;
    assert_eq!(status, 200, "{body}");
    let inbox: Vec<MessageView> = serde_json::from_str(&body).expect("inbox");
    // The provider's message and the two data alerts of the demo, newest first.
    assert_eq!(inbox.len(), 3);
    assert_eq!(inbox.iter().filter(|m| m.kind == "alert").count(), 2);
    assert!(
        inbox
            .windows(2)
            .all(|w| w[0].received_at >= w[1].received_at)
    );
    assert!(inbox.iter().all(|m| !m.read));
    assert_eq!(unread(&app, &claire).await, 3);

    let first = format!("message_id={}", inbox[0].id);
    let (status, body, _) = post(&app, "/api/read_message", &first, Some(&claire)).await;
    assert_eq!((status, body.as_str()), (200, "2"));
    let (status, body, _) = post(&app, "/api/read_message", &first, Some(&claire)).await;
    assert_eq!(
        (status, body.as_str()),
        (200, "2"),
        "reading again changes nothing"
    );
    assert_eq!(unread(&app, &claire).await, 2);

    // Another household cannot mark it, and learns nothing about it.
    let jonas = sign_in(&app, "jonas.becker@example.de", "Mobil-demo-2024").await;
    let (status, _, _) = post(&app, "/api/read_message", &first, Some(&jonas)).await;
    assert_eq!(status, 404);
    let (status, _, _) = post(
        &app,
        "/api/read_message",
        "message_id=999999",
        Some(&claire),
    )
    .await;
    assert_eq!(status, 404);
}
