//! `GET /provider/v1/events`: what customers did, oldest first, a page at a time, for
//! providers that poll instead of (or besides) receiving webhooks (issue 28 item 4).

use app::backend::{events, provider_keys::Scope, state::AppState};
use axum::{
    Json,
    extract::{Query, State, rejection::QueryRejection},
    http::StatusCode,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::{Key, Problem, problem};

/// The largest page.
const MAX_LIMIT: i64 = 500;

/// Where to read from.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// The `next` of the previous page; left out, the first event.
    after: Option<String>,
    /// Events per page, 1 to 500 (100 when left out).
    limit: Option<i64>,
}

/// A page of events.
#[allow(dead_code)]
#[derive(ToSchema)]
pub struct EventPage {
    events: Vec<EventDoc>,
    /// Where the next page starts: send it as `after`. The same value when no event was new.
    next: String,
}

/// One event.
#[allow(dead_code)]
#[derive(ToSchema)]
#[schema(example = json!({
    "id": "7d1e9a1c-1c53-4a8e-9a4b-2f0c9b1e5d2a",
    "type": "option.switched",
    "customer": "100001",
    "occurred_at": "2026-11-22T10:15:00Z",
    "data": {"contract": "100001-04", "option": "ROAM-EU", "active": true}
}))]
pub struct EventDoc {
    /// Deduplicate on it: an event may come more than once.
    id: String,
    /// option.switched, move.requested, appointment.booked, appointment.changed,
    /// appointment.cancelled, mandate.created, mandate.revoked, document.uploaded,
    /// link.created, link.deleted, upgrade.confirmed, downgrade.scheduled, plan.changed,
    /// invoice.paid
    #[schema(rename = "type")]
    kind: String,
    /// The provider's customer number.
    customer: String,
    occurred_at: String,
    /// What changed, by type.
    data: serde_json::Value,
}

/// The events after a position, oldest first.
#[utoipa::path(
    get,
    path = "/provider/v1/events",
    tag = "events",
    params(EventsQuery),
    responses(
        (status = 200, description = "A page of events", body = EventPage),
        (status = 400, description = "Bad cursor or limit", body = problem::ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "No API key in force", body = problem::ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks the scope `read`", body = problem::ProblemBody, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["read"]))
)]
pub async fn get_events(
    State(state): State<AppState>,
    key: Key,
    query: Result<Query<EventsQuery>, QueryRejection>,
) -> Result<Json<serde_json::Value>, Problem> {
    let key = key.require(Scope::Read)?;
    let bad = |detail: &str| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "The query cannot be read",
        )
        .detail(detail)
    };
    let Query(query) = query.map_err(|_| bad("`after` is a cursor, `limit` a number"))?;
    let after = match query.after.as_deref() {
        None | Some("") => 0,
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| bad("`after` is the `next` of a previous page"))?,
    };
    let limit = query.limit.unwrap_or(100);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(bad("`limit` is 1 to 500"));
    }
    let page = events::page(&state.pool, key.provider_id, after, limit).await?;
    let next = page.last().map_or(after, |e| e.id).to_string();
    Ok(Json(serde_json::json!({ "events": page, "next": next })))
}
