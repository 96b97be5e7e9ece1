//! Documents (M3): uploads are checked by content and size while streaming, stored whole or
//! not at all with their SHA-256, listed for the holder and downloadable only by the holders
//! of the customer number, always as attachments.

use crate::common;

use app::{api::documents::DocumentView, domain::document::MAX_BYTES};
use axum::{
    body::{Body, to_bytes},
    http::{Request, Response, header},
};
use common::{app, post, sign_in};
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use tower::ServiceExt;

const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
const BOUNDARY: &str = "selfcare-test-boundary";

fn form(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((file_name, content)) = file {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn send(
    app: &axum::Router,
    body: Vec<u8>,
    cookie: Option<&str>,
    json: bool,
) -> Response<Body> {
    let mut request = Request::post("/documents").header(
        header::CONTENT_TYPE,
        format!("multipart/form-data; boundary={BOUNDARY}"),
    );
    if json {
        request = request.header(header::ACCEPT, "application/json");
    }
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    app.clone()
        .oneshot(request.body(Body::from(body)).expect("request"))
        .await
        .expect("response")
}

async fn upload(
    app: &axum::Router,
    cookie: &str,
    kind: &str,
    file: (&str, &[u8]),
) -> (u16, String) {
    let response = send(
        app,
        form(&[("lang", "fr"), ("kind", kind)], Some(file)),
        Some(cookie),
        true,
    )
    .await;
    let status = response.status().as_u16();
    let bytes = to_bytes(response.into_body(), 1 << 20).await.expect("body");
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

async fn stored(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM documents")
        .fetch_one(pool)
        .await
        .expect("count")
}

#[tokio::test]
async fn a_png_is_stored_listed_and_downloaded_by_its_holders_only() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let claire = sign_in(&app, "claire.dubois@example.be", "Trio-demo-2024").await;
    let (status, id) = upload(&app, &claire, "id_copy", ("C:\\scans\\carte id.PNG", PNG)).await;
    assert_eq!(status, 200, "{id}");
    let (_, body, _) = post(&app, "/api/documents", "", Some(&claire)).await;
    let list: Vec<DocumentView> = serde_json::from_str(&body).expect("documents");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].id.to_string(), id);
    assert_eq!(list[0].file_name, "carte id.png");
    assert_eq!(list[0].size_bytes as usize, PNG.len());
    assert_eq!(list[0].status.as_str(), "received");
    let hash: Vec<u8> = sqlx::query_scalar("SELECT sha256 FROM documents")
        .fetch_one(&pool)
        .await
        .expect("hash");
    assert_eq!(hash, Sha256::digest(PNG).to_vec());

    let download = |cookie: String| {
        let app = app.clone();
        let path = format!("/documents/{id}");
        async move {
            app.oneshot(
                Request::get(path)
                    .header(header::COOKIE, cookie)
                    .body(Body::empty())
                    .expect("request"),
            )
            .await
            .expect("response")
        }
    };
    let response = download(claire.clone()).await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers[header::CONTENT_TYPE], "image/png");
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert!(
        headers[header::CONTENT_DISPOSITION]
            .to_str()
            .expect("ascii")
            .starts_with("attachment;")
    );
    let bytes = to_bytes(response.into_body(), 1 << 20).await.expect("body");
    assert_eq!(&bytes[..], PNG);

    // Another household, and a user link, get "not found"; anonymous is sent to sign in.
    let jonas = sign_in(&app, "jonas.becker@example.de", "Mobil-demo-2024").await;
    assert_eq!(download(jonas).await.status(), 404);
    let max = sign_in(&app, "max.becker@example.de", "Mobil-demo-2024").await;
    let (status, _) = upload(&app, &max, "id_copy", ("a.png", PNG)).await;
    assert_eq!(status, 404);
    let (status, _, _) = post(&app, "/api/documents", "", Some(&max)).await;
    assert_eq!(status, 404);
    let response = send(
        &app,
        form(&[("kind", "id_copy")], Some(("a.png", PNG))),
        None,
        true,
    )
    .await;
    assert_eq!(response.status(), 401);
    assert_eq!(stored(&pool).await, 1);
}

#[tokio::test]
async fn wrong_empty_and_oversize_files_are_refused_and_nothing_is_stored() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let claire = sign_in(&app, "claire.dubois@example.be", "Trio-demo-2024").await;
    let exe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0 This program cannot be run in DOS mode";
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(MAX_BYTES + 1, b' ');
    let cases: [(&str, &str, &[u8], &str); 4] = [
        ("id_copy", "photo.png", exe, "file_type"),
        ("id_copy", "empty.pdf", b"", "file_empty"),
        ("proof_of_address", "big.pdf", &big, "file_too_large"),
        ("passport", "a.png", PNG, "\"kind\""),
    ];
    for (kind, name, content, want) in cases {
        let (status, body) = upload(&app, &claire, kind, (name, content)).await;
        assert_eq!((status, body.contains(want)), (422, true), "{name}: {body}");
    }
    assert_eq!(stored(&pool).await, 0);

    // Exactly 10 MB is fine.
    big.truncate(MAX_BYTES);
    let (status, body) = upload(&app, &claire, "proof_of_address", ("big.pdf", &big)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(stored(&pool).await, 1);
}

#[tokio::test]
async fn a_plain_form_post_comes_back_to_the_account_page() {
    let pool = common::db().await;
    let app = app(pool).await;
    let claire = sign_in(&app, "claire.dubois@example.be", "Trio-demo-2024").await;
    let ok = form(&[("lang", "fr"), ("kind", "id_copy")], Some(("a.png", PNG)));
    let response = send(&app, ok, Some(&claire), false).await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()[header::LOCATION],
        "/fr/account?upload=done"
    );
    let bad = form(
        &[("lang", "fr"), ("kind", "id_copy")],
        Some(("a.png", b"MZ")),
    );
    let response = send(&app, bad, Some(&claire), false).await;
    assert_eq!(
        response.headers()[header::LOCATION],
        "/fr/account?upload_error=file_type"
    );
    let (status, page) =
        common::get_page(&app, "/fr/account?upload_error=file_type", Some(&claire)).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Uniquement PDF, JPEG ou PNG"),
        "the page explains the refusal"
    );
}

/// Issue 24: a second `file` part is refused (it used to be appended to the first), and a name
/// that is not plain ASCII goes out as RFC 6266 `filename*` instead of no header at all.
#[tokio::test]
async fn one_file_part_only_and_names_in_utf8() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let claire = sign_in(&app, "claire.dubois@example.be", "Trio-demo-2024").await;
    let mut twice = Vec::new();
    for _ in 0..2 {
        twice.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n"
            )
            .as_bytes(),
        );
        twice.extend_from_slice(PNG);
        twice.extend_from_slice(b"\r\n");
    }
    twice.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    let mut body = form(&[("lang", "fr"), ("kind", "id_copy")], None);
    body.truncate(body.len() - format!("--{BOUNDARY}--\r\n").len());
    body.extend_from_slice(&twice);
    let response = send(&app, body, Some(&claire), true).await;
    assert_eq!(response.status(), 400);
    assert_eq!(stored(&pool).await, 0);

    let (status, id) = upload(&app, &claire, "id_copy", ("Carte d'identité.png", PNG)).await;
    assert_eq!(status, 200, "{id}");
    let response = app
        .clone()
        .oneshot(
            Request::get(format!("/documents/{id}"))
                .header(header::COOKIE, claire)
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(response.status(), 200);
    let disposition = response.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .expect("ascii")
        .to_string();
    // The stored name keeps letters, digits, spaces and dots ("Carte didentité.png").
    assert!(
        disposition.contains("filename*=UTF-8''Carte%20didentit%C3%A9.png"),
        "{disposition}"
    );
}
