//! `PUT /provider/v1/appointment-windows/{day}`: the technician windows offered on a day
//! (issue 28 item 2), as a set.

use app::backend::{
    provider_import::windows::{self, Window},
    provider_keys::Scope,
    state::AppState,
};
use axum::{
    extract::{Path, State, rejection::PathRejection},
    http::StatusCode,
    response::Response,
};
use chrono::{NaiveDate, NaiveTime};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{
    Key, Problem,
    input::{self, Checks, JsonBody, UpsertResponses},
};

/// The most windows a day has.
const MAX_WINDOWS: usize = 48;

/// The windows a technician can come on a day, in local time.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "windows": [
        {"starts_at": "08:00", "ends_at": "12:00"},
        {"starts_at": "13:00", "ends_at": "17:00"}
    ]
}))]
pub struct WindowsDoc {
    /// The day's windows; left out of the list, a window is withdrawn (an empty list closes
    /// the day), unless a customer booked it.
    windows: Vec<WindowDoc>,
}

/// One window.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WindowDoc {
    /// `HH:MM`.
    #[schema(value_type = String, example = "08:00")]
    starts_at: NaiveTime,
    /// `HH:MM`, after `starts_at`.
    #[schema(value_type = String, example = "12:00")]
    ends_at: NaiveTime,
}

/// Sets the technician windows offered on a day.
#[utoipa::path(
    put,
    path = "/provider/v1/appointment-windows/{day}",
    tag = "appointments",
    params(("day" = String, Path, format = Date, description = "The day, YYYY-MM-DD; today or later")),
    request_body = WindowsDoc,
    responses(UpsertResponses),
    security(("api_key" = ["write"]))
)]
pub async fn put_windows(
    State(state): State<AppState>,
    key: Key,
    day: Result<Path<String>, PathRejection>,
    JsonBody(doc): JsonBody<WindowsDoc>,
) -> Result<Response, Problem> {
    let key = key.require(Scope::Write)?;
    let day_text = input::path(day)?;
    let day: NaiveDate = day_text.parse().map_err(|_| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "bad-id",
            "The day in the path is not a date",
        )
        .detail("Write it as YYYY-MM-DD.")
    })?;
    let mut c = Checks::default();
    if day < state.clock.today() {
        c.fail("day", "must be today or later");
    }
    if doc.windows.len() > MAX_WINDOWS {
        c.fail("windows", format!("must be at most {MAX_WINDOWS}"));
    }
    let mut windows: Vec<Window> = doc
        .windows
        .iter()
        .map(|w| Window {
            starts_at: w.starts_at,
            ends_at: w.ends_at,
        })
        .collect();
    for (i, w) in windows.iter().enumerate() {
        if w.ends_at <= w.starts_at {
            c.fail(format!("windows[{i}].ends_at"), "must be after starts_at");
        }
    }
    windows.sort_by_key(|w| w.starts_at);
    if windows
        .windows(2)
        .any(|pair| pair[1].starts_at < pair[0].ends_at)
    {
        c.fail("windows", "must not overlap");
    }
    c.finish(())?;
    let location = format!("/provider/v1/appointment-windows/{day}");
    input::in_transaction(&state, &location, async |tx| {
        windows::set_day(tx, key.provider_id, day, &windows).await
    })
    .await
}
