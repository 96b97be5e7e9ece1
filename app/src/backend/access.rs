//! The first line of every server function: who is asking and what their links allow (L2).

use super::{repo, session, state::AppState};
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
    let session = session::require(state).await?;
    access_of(state, session).await
}

/// `require_access` for a plain axum handler, from the request's headers.
pub async fn require_access_from(
    state: &AppState,
    headers: &http::HeaderMap,
) -> Result<Access, AppError> {
    let session = session::from_headers(state, headers)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    access_of(state, session).await
}

async fn access_of(state: &AppState, session: session::SessionCtx) -> Result<Access, AppError> {
    let lookup = || async {
        let links = repo::links::for_login(&state.pool, session.login_id).await?;
        Ok::<_, AppError>(Rights::from_links(&links))
    };
    let rights = match leptos::prelude::use_context::<session::RequestMemo>() {
        Some(memo) => memo.rights.get_or_try_init(lookup).await?.clone(),
        None => lookup().await?,
    };
    Ok(Access { session, rights })
}
