//! The one error type of every server function (ARCHITECTURE 4).
//!
//! Internal causes are logged on the server with the request's span; the customer only ever
//! sees a variant below, which the UI translates.

use leptos::server_fn::{codec::JsonEncoding, error::FromServerFnError};
use serde::{Deserialize, Serialize};

use crate::domain::{linking::LinkRefusal, validation::FieldProblem};

/// A field of a form and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub problem: FieldProblem,
}

/// What can go wrong in a server function, as the customer may learn it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// No valid session: sign in first.
    #[error("not signed in")]
    Unauthenticated,
    /// Email or password wrong; deliberately does not say which.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// Does not exist or not yours: both look the same to a stranger (QUALITY "Authorization").
    #[error("not found")]
    NotFound,
    /// Input refused, per field.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// A linking action is not allowed; the reason says why and what to do instead (L4–L8).
    #[error("linking refused: {0:?}")]
    LinkRefused(LinkRefusal),
    /// The customer number and contract password do not match.
    #[error("linking proof does not match")]
    LinkProofInvalid,
    /// The SMS code is wrong, used or expired (or no code was sent to that number).
    #[error("linking code does not match")]
    LinkCodeInvalid,
    /// A contract requires automatic payment and no other method would remain (I4).
    #[error("automatic payment required")]
    AutopayRequired,
    /// What the customer confirmed changed in the meantime (another window, a double
    /// submission, a new day): nothing was written; the page shows the current state.
    #[error("changed in the meantime")]
    Stale,
    /// An idempotency key came back with another request than its first one.
    #[error("idempotency key reused")]
    KeyReused,
    /// The same confirmation is still being processed by an earlier request.
    #[error("in progress")]
    InProgress,
    /// Too many failed attempts; try again later (S3).
    #[error("too many attempts")]
    TooManyAttempts,
    /// Linking this customer number or line is paused after too many wrong proofs from any
    /// logins, until its holder allows it again or a day passes (issue 24 item 4).
    #[error("linking paused")]
    LinkingPaused,
    /// The database (or another dependency) is unreachable right now.
    #[error("service unavailable")]
    Unavailable,
    /// The request could not be read (missing or mistyped arguments, a body too large, a
    /// cross-origin post): nothing was done.
    #[error("bad request")]
    BadRequest,
    /// Anything else; details are in the server log.
    #[error("internal error")]
    Internal,
    /// The request did not reach the server or its answer could not be read.
    #[error("request failed: {0}")]
    Transport(String),
}

impl AppError {
    /// `Internal`, with `what` went wrong in the server log (the customer sees only "something
    /// went wrong"; the log must say what). Use it wherever an impossible state or a failed
    /// conversion becomes `Internal`.
    pub fn internal(what: &str) -> AppError {
        #[cfg(feature = "ssr")]
        tracing::error!(what, "internal error");
        #[cfg(not(feature = "ssr"))]
        let _ = what;
        AppError::Internal
    }

    /// A single-field validation error.
    pub fn field(field: &str, problem: FieldProblem) -> AppError {
        AppError::Invalid(vec![FieldError {
            field: field.to_string(),
            problem,
        }])
    }

    /// `Required` for every `(field, value)` whose value is empty, or `Ok` when all are filled.
    pub fn require_filled(fields: &[(&str, &str)]) -> Result<(), AppError> {
        AppError::check_fields(
            fields
                .iter()
                .map(|(field, value)| (*field, value.is_empty().then_some(FieldProblem::Required))),
        )
    }

    /// `Invalid` with every `(field, problem)` that has a problem, or `Ok` when none has.
    pub fn check_fields<'a>(
        checks: impl IntoIterator<Item = (&'a str, Option<FieldProblem>)>,
    ) -> Result<(), AppError> {
        let problems: Vec<FieldError> = checks
            .into_iter()
            .filter_map(|(field, problem)| {
                problem.map(|problem| FieldError {
                    field: field.to_string(),
                    problem,
                })
            })
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(problems))
        }
    }

    /// The problem reported for `field`, if any.
    pub fn problem_for(&self, field: &str) -> Option<FieldProblem> {
        match self {
            AppError::Invalid(errors) => {
                errors.iter().find(|e| e.field == field).map(|e| e.problem)
            }
            _ => None,
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::Unauthenticated | AppError::InvalidCredentials => 401,
            AppError::NotFound => 404,
            AppError::Invalid(_) | AppError::LinkProofInvalid | AppError::LinkCodeInvalid => 422,
            AppError::LinkRefused(_)
            | AppError::AutopayRequired
            | AppError::Stale
            | AppError::InProgress => 409,
            AppError::KeyReused => 422,
            AppError::BadRequest => 400,
            AppError::TooManyAttempts | AppError::LinkingPaused => 429,
            AppError::Unavailable => 503,
            AppError::Internal | AppError::Transport(_) => 500,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: leptos::prelude::ServerFnErrorErr) -> Self {
        match value {
            // On the server these mean the request's arguments could not be read: the caller's
            // mistake (400), never the server's (issue 9, item 13).
            #[cfg(feature = "ssr")]
            leptos::prelude::ServerFnErrorErr::Args(_)
            | leptos::prelude::ServerFnErrorErr::MissingArg(_)
            | leptos::prelude::ServerFnErrorErr::Deserialization(_) => {
                tracing::info!(error = %value, "server function arguments refused");
                crate::response::set_status(400);
                AppError::BadRequest
            }
            other => AppError::Transport(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
                tracing::error!(error = %err, "database unavailable");
                AppError::Unavailable
            }
            sqlx::Error::Database(db) if db.code().is_some_and(|c| unavailable_state(&c)) => {
                tracing::error!(error = %err, "database unavailable");
                AppError::Unavailable
            }
            _ => {
                tracing::error!(error = %err, "database error");
                AppError::Internal
            }
        }
    }
}

/// SQLSTATE classes that say the database cannot serve right now, not that the request was
/// wrong: 08 connection exception, 53 insufficient resources (too many connections), 57
/// operator intervention (57P01 admin shutdown, 57P03 cannot connect now) (issue 24).
#[cfg(feature = "ssr")]
fn unavailable_state(code: &str) -> bool {
    ["08", "53", "57"]
        .iter()
        .any(|class| code.starts_with(class))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "ssr")]
    #[test]
    fn outage_states_are_unavailable() {
        for code in ["57P01", "57P02", "57P03", "08006", "08003", "53300"] {
            assert!(unavailable_state(code), "{code}");
        }
        for code in ["23505", "22P02", "40001", "42P01"] {
            assert!(!unavailable_state(code), "{code}");
        }
    }

    #[test]
    fn field_lookup() {
        let err = AppError::field("email", FieldProblem::EmailInvalid);
        assert_eq!(err.problem_for("email"), Some(FieldProblem::EmailInvalid));
        assert_eq!(err.problem_for("password"), None);
        assert_eq!(AppError::NotFound.problem_for("email"), None);
    }

    #[test]
    fn strangers_get_404_for_what_is_not_theirs() {
        assert_eq!(AppError::NotFound.status_code(), 404);
        assert_eq!(AppError::Unauthenticated.status_code(), 401);
    }

    #[test]
    fn round_trips_through_the_wire_encoding() {
        let err = AppError::field("password", FieldProblem::PasswordTooShort);
        let json = serde_json::to_string(&err).expect("serialize");
        let back: AppError = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(back, err);
    }
}
