//! The first line of every server function: who is asking and what their links allow (L2).

use super::{session, state::AppState};
use crate::{domain::rights::Rights, error::AppError};

/// A signed-in login with its rights.
#[derive(Debug, Clone)]
pub struct Access {
    pub session: session::SessionCtx,
    pub rights: Rights,
}

impl Access {
    /// The customer whose account this login may manage, or `NotFound` (not `Forbidden`:
    /// a stranger must not learn that something exists).
    pub fn require_holder(&self) -> Result<i64, AppError> {
        self.rights.holder_customer().ok_or(AppError::NotFound)
    }
}

/// Resolves the session and the rights of its links, or `Unauthenticated`.
pub async fn require_access(state: &AppState) -> Result<Access, AppError> {
    current_access(state)
        .await?
        .ok_or(AppError::Unauthenticated)
}

/// The session and rights of a signed-in request, `None` for an anonymous one (the page shell,
/// which anyone may load). Within a page request both come from its memo.
pub async fn current_access(state: &AppState) -> Result<Option<Access>, AppError> {
    match session::current(state).await? {
        Some(session) => Ok(Some(access_of(session))),
        None => Ok(None),
    }
}

/// `require_access` for a plain axum handler (downloads, uploads), from the request's
/// headers. Like a server function it answers `Unavailable` at once while the database is
/// known to be down, and has an outage checked when it finds one (issue 24 item 8).
pub async fn require_access_from(
    state: &AppState,
    headers: &http::HeaderMap,
) -> Result<Access, AppError> {
    if state.db.is_down() {
        return Err(AppError::Unavailable);
    }
    let session = match session::from_headers(state, headers).await {
        Ok(session) => session,
        Err(AppError::Unavailable) => {
            state.db.confirm_outage().await;
            return Err(AppError::Unavailable);
        }
        Err(err) => return Err(err),
    };
    Ok(access_of(session.ok_or(AppError::Unauthenticated)?))
}

fn access_of(session: session::SessionCtx) -> Access {
    let rights = Rights::from_links(&session.links);
    Access { session, rights }
}
