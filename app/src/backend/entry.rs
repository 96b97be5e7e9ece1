//! How every server function starts (issue 25): the state, then the caller checked before
//! anything is read, then the work, and the answer's status mapped after it
//! (`respond::finish`). One of these wraps each server function's body, so "authorise first"
//! is the shape of the code, not a habit:
//! - [`anyone`]: no session needed (sign-in, registration, the page shell);
//! - [`login`]: a signed-in login, for its own settings and links;
//! - [`linked`]: a signed-in login with the rights of its links (users and holders, L2);
//! - [`holder`]: the holder of a customer number, for the household's data (L2).

use std::future::Future;

use super::{
    access::{Access, require_access},
    respond,
    session::{self, SessionCtx},
    state::{AppState, app_state},
};
use crate::error::AppError;

/// A holder acting for their household.
#[derive(Debug, Clone)]
pub struct Holder {
    /// The customer number the login holds.
    pub customer_id: i64,
    pub access: Access,
}

/// Work that needs no session.
pub async fn anyone<T, F>(work: impl FnOnce(AppState) -> F) -> Result<T, AppError>
where
    F: Future<Output = Result<T, AppError>>,
{
    respond::finish(async { work(app_state()?).await }).await
}

/// Work for a signed-in login (`Unauthenticated` otherwise).
pub async fn login<T, F>(work: impl FnOnce(AppState, SessionCtx) -> F) -> Result<T, AppError>
where
    F: Future<Output = Result<T, AppError>>,
{
    respond::finish(async {
        let state = app_state()?;
        let session = session::require(&state).await?;
        work(state, session).await
    })
    .await
}

/// Work for a signed-in login with the rights of its links.
pub async fn linked<T, F>(work: impl FnOnce(AppState, Access) -> F) -> Result<T, AppError>
where
    F: Future<Output = Result<T, AppError>>,
{
    respond::finish(async {
        let state = app_state()?;
        let access = require_access(&state).await?;
        work(state, access).await
    })
    .await
}

/// Work for the holder of a customer number (`NotFound` for anyone else: a stranger must not
/// learn that something exists).
pub async fn holder<T, F>(work: impl FnOnce(AppState, Holder) -> F) -> Result<T, AppError>
where
    F: Future<Output = Result<T, AppError>>,
{
    respond::finish(async {
        let state = app_state()?;
        let access = require_access(&state).await?;
        let customer_id = access.require_holder()?;
        work(
            state,
            Holder {
                customer_id,
                access,
            },
        )
        .await
    })
    .await
}
