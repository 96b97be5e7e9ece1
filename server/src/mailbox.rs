//! `/dev/mailbox` (issue 27): the development delivery's mails, newest first, so that a
//! demo can follow a reset link without an SMTP server. Served only with the demo data and
//! without `SELFCARE_SMTP_URL` (`Config::dev_mailbox`); it is a developer's page in English.

use app::backend::mail;
use axum::{
    Router,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use sqlx::PgPool;

/// The mailbox's routes on `pool`.
pub fn router(pool: PgPool) -> Router {
    Router::new()
        .route("/dev/mailbox", get(list))
        .route("/dev/mailbox/{id}", get(html_body))
        .with_state(pool)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Escaped text with its web addresses as links.
fn linked(text: &str) -> String {
    let mut out = String::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        for (j, word) in line.split(' ').enumerate() {
            if j > 0 {
                out.push(' ');
            }
            if word.starts_with("http://") || word.starts_with("https://") {
                let word = escape(word);
                out.push_str(&format!("<a href=\"{word}\">{word}</a>"));
            } else {
                out.push_str(&escape(word));
            }
        }
    }
    out
}

const PAGE_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; \
    base-uri 'none'; form-action 'none'";

fn page(status: StatusCode, html: String) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, PAGE_CSP),
            (header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response()
}

async fn list(State(pool): State<PgPool>) -> Response {
    let mails = match mail::newest(&pool, 50).await {
        Ok(mails) => mails,
        Err(err) => {
            tracing::warn!(error = %err, "development mailbox unreadable");
            return page(
                StatusCode::SERVICE_UNAVAILABLE,
                "<!doctype html><title>Mailbox</title><p>The database is not reachable.</p>".into(),
            );
        }
    };
    let mut html = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Development mailbox</title><style>body{font-family:sans-serif;max-width:48rem;\
         margin:1rem auto;padding:0 1rem;color:#1a1a1a}article{border:1px solid #888;\
         padding:.5rem 1rem;margin:1rem 0}pre{white-space:pre-wrap;overflow-wrap:anywhere}\
         a{color:#0b4f94}</style></head><body><main><h1>Development mailbox</h1>\
         <p>Mails of the development delivery (no SMTP server is configured), newest first.</p>",
    );
    if mails.is_empty() {
        html.push_str("<p data-testid=\"mailbox-empty\">No mail yet.</p>");
    }
    for m in mails {
        html.push_str(&format!(
            "<article data-testid=\"mail\"><h2>{subject}</h2><p>To: <span data-testid=\"to\">\
             {to}</span><br>{at} · {state} · <a href=\"/dev/mailbox/{id}\">HTML version</a></p>\
             <pre>{body}</pre></article>",
            subject = escape(&m.subject),
            to = escape(&m.recipient),
            at = m.created_at.format("%Y-%m-%d %H:%M:%S UTC"),
            state = if m.sent { "delivered" } else { "waiting" },
            id = m.id,
            body = linked(&m.body_text),
        ));
    }
    html.push_str("</main></body></html>");
    page(StatusCode::OK, html)
}

async fn html_body(State(pool): State<PgPool>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return page(
            StatusCode::NOT_FOUND,
            "<!doctype html><title>Not found</title>".into(),
        );
    };
    match mail::newest(&pool, 500).await {
        Ok(mails) => match mails.into_iter().find(|m| m.id == id) {
            Some(m) => page(StatusCode::OK, m.body_html),
            None => page(
                StatusCode::NOT_FOUND,
                "<!doctype html><title>Not found</title>".into(),
            ),
        },
        Err(err) => {
            tracing::warn!(error = %err, "development mailbox unreadable");
            page(
                StatusCode::SERVICE_UNAVAILABLE,
                "<!doctype html><title>Mailbox</title>".into(),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_become_links_and_the_rest_is_escaped() {
        assert_eq!(
            linked("Go: https://x.example/a?b=1&c=<2>\n<b>"),
            "Go: <a href=\"https://x.example/a?b=1&amp;c=&lt;2&gt;\">https://x.example/a?b=1&amp;c=&lt;2&gt;</a>\n&lt;b&gt;"
        );
    }
}
