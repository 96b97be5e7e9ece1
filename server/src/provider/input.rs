//! What the upserts share: a JSON body read into its type (problems for what is not JSON or
//! not the type), field checks that collect every fault of a request, the answer of an
//! upsert, and the responses the OpenAPI document lists for them.

use std::collections::BTreeMap;

use app::backend::{
    provider_import::{FieldError, Outcome, Upserted},
    state::AppState,
};
use axum::{
    body::Bytes,
    extract::{
        FromRequest, Path, Request,
        rejection::{BytesRejection, PathRejection},
    },
    http::{HeaderMap, StatusCode, header},
    response::Response,
};
use rust_decimal::Decimal;
use serde::{Serialize, de::DeserializeOwned};
use sqlx::PgConnection;
use utoipa::{
    IntoResponses, ToSchema,
    openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder, ResponsesBuilder},
};

use super::Problem;

/// The longest id or code the provider gives (customer, contract and invoice numbers, option
/// codes, payment and message ids).
pub const MAX_ID_CHARS: usize = 100;
/// The largest JSON body an upsert takes (an invoice of a few thousand lines).
pub const MAX_JSON_BYTES: usize = 1024 * 1024;

/// A JSON body read into `T`: 415 when it is not JSON, 400 when it does not parse, 422 when it
/// is JSON of another shape (a missing field, a wrong type, an unknown field).
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        require_media_type(req.headers(), &["application/json"], "JSON")?;
        let bytes = body(Bytes::from_request(req, state).await, "1 MiB")?;
        match serde_json::from_slice(&bytes) {
            Ok(value) => Ok(JsonBody(value)),
            Err(err) if err.is_data() => Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-body",
                "The body is JSON of another shape",
            )
            .detail(err.to_string())),
            Err(err) => {
                Err(
                    Problem::new(StatusCode::BAD_REQUEST, "bad-json", "The body is not JSON")
                        .detail(err.to_string()),
                )
            }
        }
    }
}

/// 415 unless the body's media type (parameters aside) is one of `accepted`; `what` names
/// it in the problem.
pub fn require_media_type(
    headers: &HeaderMap,
    accepted: &[&str],
    what: &str,
) -> Result<(), Problem> {
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::trim)
        .unwrap_or_default();
    if accepted.iter().any(|a| media.eq_ignore_ascii_case(a)) {
        Ok(())
    } else {
        Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "The body is not of the media type this call takes",
        )
        .detail(format!("Send {what}: `Content-Type: {}`.", accepted[0])))
    }
}

/// The body, or 413 (over `limit`, as the problem says it) or 400.
pub fn body(read: Result<Bytes, BytesRejection>, limit: &str) -> Result<Bytes, Problem> {
    read.map_err(|rejection| {
        let status = rejection.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            Problem::new(status, "too-large", "The body is too large")
                .detail(format!("Send at most {limit}."))
        } else {
            Problem::new(status, "bad-request", "The body cannot be read")
        }
    })
}

/// The checks of one request: every fault is collected, then all are answered at once.
#[derive(Default)]
pub struct Checks(Vec<FieldError>);

impl Checks {
    pub fn fail(&mut self, field: impl Into<String>, detail: impl Into<String>) {
        self.0.push(FieldError::new(field, detail));
    }

    /// `value` trimmed; a fault when it is empty, longer than `max` characters or holds a
    /// control character.
    pub fn text(&mut self, field: &str, value: &str, max: usize) -> String {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            self.fail(field, "must not be empty");
        } else if trimmed.chars().count() > max {
            self.fail(field, format!("must be at most {max} characters"));
        } else if trimmed.chars().any(char::is_control) {
            self.fail(field, "must not hold control characters");
        }
        trimmed.to_owned()
    }

    /// Like [`Checks::text`]; `None` or blank is `None`.
    pub fn optional_text(
        &mut self,
        field: &str,
        value: Option<&str>,
        max: usize,
    ) -> Option<String> {
        value
            .filter(|v| !v.trim().is_empty())
            .map(|v| self.text(field, v, max))
    }

    /// Like [`Checks::text`], with a body's line breaks allowed.
    pub fn multiline(&mut self, field: &str, value: &str, max: usize) -> String {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            self.fail(field, "must not be empty");
        } else if trimmed.chars().count() > max {
            self.fail(field, format!("must be at most {max} characters"));
        } else if trimmed
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            self.fail(
                field,
                "must not hold control characters other than line breaks",
            );
        }
        trimmed.replace("\r\n", "\n")
    }

    /// A fault unless `value` is one of `allowed`.
    pub fn one_of(&mut self, field: &str, value: &str, allowed: &[&str]) {
        if !allowed.contains(&value) {
            self.fail(field, format!("must be one of {}", allowed.join(", ")));
        }
    }

    /// An amount of money: at most 2 decimals and below 10 000 000 000 either way (NUMERIC(12, 2)).
    pub fn money(&mut self, field: &str, amount: Decimal) -> Decimal {
        if amount != amount.round_dp(2) || amount.abs() >= Decimal::from(10_000_000_000_i64) {
            self.fail(
                field,
                "must have at most 2 decimals and be below 10000000000",
            );
        }
        amount.round_dp(2)
    }

    /// A price: [`Checks::money`], and not negative.
    pub fn price(&mut self, field: &str, amount: Decimal) -> Decimal {
        if amount.is_sign_negative() && !amount.is_zero() {
            self.fail(field, "must not be negative");
        }
        self.money(field, amount)
    }

    /// `value`, or the faults found.
    pub fn finish<T>(self, value: T) -> Result<T, Problem> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            tracing::info!(faults = self.0.len(), "provider request refused");
            Err(Problem::invalid_fields(self.0))
        }
    }
}

/// A path's segments, or 400.
pub fn path<T>(path: Result<Path<T>, PathRejection>) -> Result<T, Problem> {
    path.map(|Path(value)| value).map_err(|rejection| {
        tracing::info!(%rejection, "provider path refused");
        Problem::new(
            StatusCode::BAD_REQUEST,
            "bad-path",
            "The path cannot be read",
        )
    })
}

/// A provider id from the path: 1 to 100 visible characters.
pub fn path_id(what: &'static str, id: &str) -> Result<(), Problem> {
    let ok = !id.is_empty()
        && id.chars().count() <= MAX_ID_CHARS
        && id.chars().all(|c| !c.is_control() && !c.is_whitespace());
    if ok {
        Ok(())
    } else {
        Err(Problem::new(
            StatusCode::BAD_REQUEST,
            "bad-id",
            "An id in the path is not 1 to 100 visible characters",
        )
        .detail(format!("The {what} in the path cannot be one.")))
    }
}

/// What an upsert did.
#[derive(Serialize, ToSchema)]
pub struct UpsertAnswer {
    /// `created` (201), `updated` or `unchanged` (200).
    #[schema(example = "created")]
    pub result: &'static str,
}

/// Runs an upsert in one transaction of its own and answers with what it did at `location`:
/// a refusal rolls everything back.
pub async fn in_transaction(
    state: &AppState,
    location: &str,
    upsert: impl AsyncFnOnce(&mut PgConnection) -> Outcome,
) -> Result<Response, Problem> {
    let mut tx = state.pool.begin().await?;
    let outcome = upsert(&mut tx).await??;
    tx.commit().await?;
    Ok(upserted(outcome, location))
}

/// The answer of an upsert: 201 with `Location` for a new resource, 200 otherwise.
fn upserted(outcome: Upserted, location: &str) -> Response {
    let (status, result) = match outcome {
        Upserted::Created => (StatusCode::CREATED, "created"),
        Upserted::Updated => (StatusCode::OK, "updated"),
        Upserted::Unchanged => (StatusCode::OK, "unchanged"),
    };
    let body = serde_json::to_string(&UpsertAnswer { result }).unwrap_or_default();
    let mut response = super::typed(status, "application/json", body);
    if let Ok(value) = header::HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    tracing::info!(location, result, "provider upsert");
    response
}

/// The responses every upsert documents.
pub struct UpsertResponses;

impl IntoResponses for UpsertResponses {
    fn responses() -> BTreeMap<String, RefOr<utoipa::openapi::Response>> {
        let answer = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("UpsertAnswer")))
                        .build(),
                )
                .build()
        };
        let problem = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/problem+json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ProblemBody")))
                        .build(),
                )
                .build()
        };
        ResponsesBuilder::new()
            .response("200", answer("Updated, or unchanged (the same was stored)"))
            .response("201", answer("Created"))
            .response("400", problem("Not JSON, or a bad id in the path"))
            .response("401", problem("No API key in force"))
            .response("403", problem("The key lacks the scope `write`"))
            .response("404", problem("What the path names does not exist"))
            .response("409", problem("The request contradicts what is stored"))
            .response("413", problem("Body over 1 MiB"))
            .response("415", problem("Not JSON"))
            .response(
                "422",
                problem("JSON of another shape, or fields at fault (listed in `errors`)"),
            )
            .response("503", problem("Database unavailable"))
            .build()
            .into()
    }
}
