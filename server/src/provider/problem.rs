//! Errors of the provider API as RFC 9457 problem details (`application/problem+json`): a
//! `type` per kind of problem (a path under `/provider/v1/problems/`), its `title`, the HTTP
//! `status`, a `detail` for this occurrence and, for a refused feed, the lines at fault.

use app::{
    backend::provider_import::{FieldError, Refused},
    domain::usage_feed::LineProblem,
    error::AppError,
};
use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use utoipa::ToSchema;

/// A problem of the provider API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub status: StatusCode,
    /// The last segment of the problem's `type`.
    pub kind: &'static str,
    pub title: &'static str,
    pub detail: Option<String>,
    pub lines: Vec<LineProblem>,
    pub error_count: usize,
    /// For a refused JSON body: the fields at fault.
    pub fields: Vec<FieldError>,
}

/// A problem as it goes on the wire.
#[derive(Serialize, ToSchema)]
pub struct ProblemBody {
    /// `/provider/v1/problems/` and the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: &'static str,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// For a refused feed: the first 100 lines at fault, in line order; for a refused JSON
    /// body: the fields at fault.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<LineError>,
    /// How many lines or fields were at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_count: Option<usize>,
}

/// One line of a refused feed, or one field of a refused JSON body.
#[derive(Serialize, ToSchema)]
pub struct LineError {
    /// The line in the body, from 1 (a feed's line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The field at fault, when it is one, as the request names it (`lines[0].amount`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub detail: String,
}

impl Problem {
    pub fn new(status: StatusCode, kind: &'static str, title: &'static str) -> Self {
        Self {
            status,
            kind,
            title,
            detail: None,
            lines: Vec::new(),
            error_count: 0,
            fields: Vec::new(),
        }
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// No key, or not one in force.
    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "An API key in force is needed",
        )
        .detail("Send `Authorization: Bearer sck_…` with a key made by `selfcare-server api-key create`.")
    }

    /// A key without the scope the call needs.
    pub fn missing_scope(scope: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "missing-scope",
            "The API key lacks the scope this call needs",
        )
        .detail(format!("This call needs the scope `{scope}`."))
    }

    /// Lines of a feed that cannot be stored (nothing of the feed was).
    pub fn invalid_lines(mut lines: Vec<LineProblem>) -> Self {
        let count = lines.len();
        lines.truncate(app::domain::usage_feed::MAX_LISTED_PROBLEMS);
        Self {
            lines,
            error_count: count,
            ..Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-records",
                "Some records cannot be stored; none were",
            )
            .detail(format!("{count} line(s) at fault."))
        }
    }

    /// Fields of a JSON body at fault (nothing was stored).
    pub fn invalid_fields(fields: Vec<FieldError>) -> Self {
        let count = fields.len();
        Self {
            error_count: count,
            fields,
            ..Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-fields",
                "Some fields cannot be stored; nothing was",
            )
            .detail(format!("{count} field(s) at fault."))
        }
    }

    fn body(&self) -> ProblemBody {
        ProblemBody {
            kind: format!("/provider/v1/problems/{}", self.kind),
            title: self.title,
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            errors: self
                .lines
                .iter()
                .map(|p| LineError {
                    line: Some(p.line),
                    field: p.field.map(str::to_owned),
                    detail: p.detail.clone(),
                })
                .chain(self.fields.iter().map(|f| LineError {
                    line: None,
                    field: Some(f.field.clone()),
                    detail: f.detail.clone(),
                }))
                .collect(),
            error_count: (self.error_count > 0).then_some(self.error_count),
        }
    }
}

impl From<AppError> for Problem {
    /// Causes are logged where they happen; the provider gets the status and a safe title.
    fn from(err: AppError) -> Self {
        match err {
            AppError::Unavailable => Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "The portal's database is unavailable; try again shortly",
            ),
            AppError::InProgress => Problem::new(
                StatusCode::CONFLICT,
                "in-progress",
                "A request with this Idempotency-Key is still being handled",
            ),
            AppError::KeyReused => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
                "This Idempotency-Key was used for another request",
            ),
            AppError::BadRequest => Problem::new(
                StatusCode::BAD_REQUEST,
                "bad-request",
                "The request cannot be read",
            ),
            _ => Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "The request failed on the portal's side",
            ),
        }
    }
}

impl From<Refused> for Problem {
    fn from(refused: Refused) -> Self {
        match refused {
            Refused::Invalid(fields) => Problem::invalid_fields(fields),
            Refused::Conflict(detail) => Problem::new(
                StatusCode::CONFLICT,
                "conflict",
                "The request contradicts what is stored",
            )
            .detail(detail),
            Refused::NotFound(title) => Problem::new(StatusCode::NOT_FOUND, "not-found", title),
        }
    }
}

impl From<sqlx::Error> for Problem {
    fn from(err: sqlx::Error) -> Self {
        AppError::from(err).into()
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = serde_json::to_string(&self.body()).unwrap_or_default();
        let mut response = super::typed(self.status, "application/problem+json", body);
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"selfcare-provider\""),
            );
        }
        response
    }
}
