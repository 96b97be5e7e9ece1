//! Signed webhooks (issue 28 item 4): every provider event is POSTed to
//! `SELFCARE_WEBHOOK_URL`, at least once, until the endpoint answers 2xx or a day has passed.
//!
//! Each delivery carries `Selfcare-Event-Id` (deduplicate on it) and
//! `Selfcare-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" under
//! SELFCARE_WEBHOOK_SECRET>`: the receiver recomputes it, compares in constant time and refuses
//! a timestamp older than a few minutes (a replayed delivery).

use std::{sync::Arc, time::Duration};

use app::backend::events::{self, Event};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sqlx::PgPool;

/// Where and how events are delivered.
#[derive(Clone)]
pub struct Webhook {
    pub url: String,
    pub secret: Arc<str>,
}

/// Events handed to the endpoint per claim.
const BATCH: i64 = 20;
/// How long one delivery may take.
const TIMEOUT: Duration = Duration::from_secs(10);
/// How often the worker looks for events due.
const WAKE_EVERY: Duration = Duration::from_secs(2);

/// The `Selfcare-Signature` header for `body` sent at `timestamp` (Unix seconds).
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("t={timestamp},v1={hex}")
}

/// The HTTP client of the deliveries: a timeout per delivery, redirects not followed (the
/// endpoint is configured, not discovered).
pub fn client() -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
}

/// Delivers the provider's events as they come, until the process ends.
pub async fn run(pool: PgPool, provider_id: i64, webhook: Webhook) {
    let client = match client() {
        Ok(client) => client,
        Err(err) => {
            tracing::error!(error = %err, "no HTTP client for webhooks");
            return;
        }
    };
    loop {
        match deliver_due(&pool, provider_id, &webhook, &client).await {
            // A full batch: there may be more.
            Ok(n) if n as i64 == BATCH => continue,
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "webhook delivery pass failed"),
        }
        tokio::time::sleep(WAKE_EVERY).await;
    }
}

/// One pass: claims the due events and delivers them in order; returns how many it tried.
pub async fn deliver_due(
    pool: &PgPool,
    provider_id: i64,
    webhook: &Webhook,
    client: &reqwest::Client,
) -> Result<usize, app::error::AppError> {
    let mut tx = pool.begin().await?;
    let due = events::claim_due(&mut tx, provider_id, BATCH).await?;
    for event in &due {
        match post(client, webhook, event).await {
            Ok(()) => {
                events::delivered(&mut tx, event.id).await?;
                tracing::info!(event = %event.event_id, kind = %event.kind, "webhook delivered");
            }
            Err(error) => {
                events::failed(&mut tx, event.id, &error).await?;
                tracing::warn!(event = %event.event_id, kind = %event.kind, %error, "webhook not delivered");
            }
        }
    }
    tx.commit().await?;
    Ok(due.len())
}

async fn post(client: &reqwest::Client, webhook: &Webhook, event: &Event) -> Result<(), String> {
    let body = serde_json::to_vec(event).map_err(|e| e.to_string())?;
    // The wall clock, not the portal's (possibly pinned) clock of rules (P5): the receiver
    // compares the signature's time with its own to refuse replayed deliveries.
    let timestamp = chrono::Utc::now().timestamp();
    let response = client
        .post(&webhook.url)
        .header("content-type", "application/json")
        .header("selfcare-event-id", event.event_id.to_string())
        .header(
            "selfcare-signature",
            signature(&webhook.secret, timestamp, &body),
        )
        .body(body)
        .send()
        .await
        .map_err(|e| format!("request failed: {e}"))?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("answered {}", response.status()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_of_timestamp_dot_body() {
        // The value openssl computes for the same message and key:
        // printf '1700000000.{}' | openssl dgst -sha256 -hmac secret
        assert_eq!(
            signature("secret", 1_700_000_000, b"{}"),
            "t=1700000000,v1=b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163"
        );
    }
}
