//! `POST /provider/v1/usage`: usage records as NDJSON, stored once each (issue 28 item 3).

use app::{
    backend::{
        provider_idempotency::{self, Claim},
        provider_keys::Scope,
        state::AppState,
        usage_feed,
    },
    domain::usage_feed::{FeedRefusal, parse_feed},
};
use axum::{
    body::Bytes,
    extract::{State, rejection::BytesRejection},
    http::{HeaderMap, StatusCode},
    response::Response,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::{Key, Problem, input, problem};

/// What the API accepts as the body's media type.
const NDJSON_TYPES: [&str; 2] = ["application/x-ndjson", "application/jsonl"];

/// One line of the body (the wire format; `domain::usage_feed` reads it).
#[allow(dead_code)]
#[derive(ToSchema)]
#[schema(example = json!({
    "id": "cdr-20261120-000123",
    "contract": "100001-04",
    "type": "call",
    "started_at": "2026-11-20T10:00:00",
    "quantity": "3.5",
    "charge": "0.00",
    "destination": "+3225551234"
}))]
pub struct UsageLine {
    /// The record's id in the provider's systems: a record sent again is stored once.
    id: String,
    /// The provider's contract number of the line.
    contract: String,
    /// `data` (megabytes), `call` and `premium` (minutes), `sms`, `mms` (a count).
    #[schema(rename = "type", pattern = "^(data|call|sms|mms|premium)$")]
    kind: String,
    /// Local date and time as the customer sees it, without an offset.
    #[schema(example = "2026-11-20T10:00:00")]
    started_at: String,
    /// A decimal as a string (at most 3 decimals), or a whole number.
    quantity: String,
    /// What was charged outside the bundle, gross, as a string (2 decimals); 0 when left out.
    charge: Option<String>,
    /// The number called or messaged, when there is one.
    destination: Option<String>,
}

/// What a feed did.
#[derive(Debug, Serialize, ToSchema)]
pub struct UsageAccepted {
    /// Records in the request.
    pub received: u64,
    /// Records stored now.
    pub stored: u64,
    /// Records stored before (the same id, contract and day), left out.
    pub duplicates: u64,
}

/// Stores usage records, one JSON object per line; all of them or, when a line is at fault,
/// none. Records already stored (same id, contract and day) are counted, not stored again.
#[utoipa::path(
    post,
    path = "/provider/v1/usage",
    tag = "usage",
    request_body(
        content = UsageLine,
        content_type = "application/x-ndjson",
        description = "One record per line (NDJSON), at most 100 000 records and 32 MiB"
    ),
    params(
        ("Idempotency-Key" = Option<String>, Header,
         description = "1 to 255 visible ASCII characters: a retry with the same key and body gets the first answer")
    ),
    responses(
        (status = 200, description = "Stored", body = UsageAccepted),
        (status = 400, description = "Unreadable request", body = problem::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "No API key in force", body = problem::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks the scope `usage`", body = problem::ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "The same Idempotency-Key is still being handled", body = problem::ProblemBody, content_type = "application/problem+json"),
        (status = 413, description = "Body over 32 MiB", body = problem::ProblemBody, content_type = "application/problem+json"),
        (status = 415, description = "Not NDJSON", body = problem::ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Lines at fault (none stored), or an Idempotency-Key reused with another body", body = problem::ProblemBody, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = problem::ProblemBody, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["usage"]))
)]
pub async fn post_usage(
    State(state): State<AppState>,
    key: Key,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Problem> {
    let key = key.require(Scope::Usage)?;
    input::require_media_type(&headers, &NDJSON_TYPES, "NDJSON, one record per line")?;
    let body = input::body(body, "100 000 records and 32 MiB")?;
    let records = parse_feed(&body).map_err(|refusal| match refusal {
        FeedRefusal::Empty => Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "empty",
            "The body holds no record",
        ),
        FeedRefusal::TooMany => Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-large",
            "More than 100 000 records",
        )
        .detail("Send at most 100 000 records a request."),
        FeedRefusal::Lines(lines) => {
            tracing::info!(key_id = key.id, lines = lines.len(), "usage feed refused");
            Problem::invalid_lines(lines)
        }
    })?;
    let idempotency_key = match headers.get("idempotency-key") {
        None => None,
        Some(value) => Some(
            value
                .to_str()
                .ok()
                .filter(|k| provider_idempotency::is_key(k))
                .ok_or_else(|| {
                    Problem::new(
                        StatusCode::BAD_REQUEST,
                        "bad-idempotency-key",
                        "The Idempotency-Key is not 1 to 255 visible ASCII characters",
                    )
                })?,
        ),
    };
    let mut tx = state.pool.begin().await?;
    if let Some(idem) = idempotency_key {
        let hash = provider_idempotency::request_hash("POST /provider/v1/usage", &body);
        if let Claim::Replay { status, answer } =
            provider_idempotency::claim(&mut tx, key.id, idem, &hash).await?
        {
            tx.commit().await?;
            return Ok(json(
                StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
                answer,
            ));
        }
    }
    let outcome = match usage_feed::store(&mut tx, key.provider_id, records).await? {
        Ok(outcome) => outcome,
        Err(lines) => {
            tracing::info!(
                key_id = key.id,
                lines = lines.len(),
                "usage feed names unknown contracts"
            );
            return Err(Problem::invalid_lines(lines));
        }
    };
    let answer = serde_json::to_string(&UsageAccepted {
        received: outcome.received,
        stored: outcome.stored,
        duplicates: outcome.duplicates,
    })
    .unwrap_or_default();
    if let Some(idem) = idempotency_key {
        provider_idempotency::remember(&mut tx, key.id, idem, 200, &answer).await?;
    }
    tx.commit().await?;
    tracing::info!(
        key_id = key.id,
        received = outcome.received,
        stored = outcome.stored,
        "usage feed stored"
    );
    Ok(json(StatusCode::OK, answer))
}

fn json(status: StatusCode, body: String) -> Response {
    super::typed(status, "application/json", body)
}
