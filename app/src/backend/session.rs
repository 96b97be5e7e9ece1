//! Server-side sessions (S1): random 256-bit tokens in an HttpOnly cookie, only their SHA-256
//! stored in PostgreSQL, a new token at every sign-in, idle and absolute timeouts.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use http::{header::SET_COOKIE, request::Parts};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;
use sha2::{Digest, Sha256};

use super::{cookies, repo, state::AppState};
use crate::{domain::rights::Link, error::AppError};

/// A session is ended after this long without a request.
pub const IDLE_TIMEOUT_MINUTES: i64 = 30;
/// A session is ended this long after sign-in, whatever happens.
pub const ABSOLUTE_TIMEOUT_HOURS: i64 = 12;

/// The signed-in login behind a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionCtx {
    pub login_id: i64,
    pub email: String,
    pub language: String,
    /// The login's links, read with the session (the rights of every server function, L2).
    pub links: Vec<Link>,
    /// The notice of the session's last plain form post, not yet shown (JSON of
    /// `domain::flash::Flash`).
    pub flash: Option<String>,
}

/// A fresh random token and its hash.
pub fn new_token() -> Result<(String, Vec<u8>), AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|err| {
        tracing::error!(error = %err, "no randomness for a session token");
        AppError::Internal
    })?;
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = token_hash(&token);
    Ok((token, hash))
}

/// The SHA-256 of a token from a mailed link (reset, verification, email change), or `None`
/// when the text cannot be one of ours (empty or longer than any token made): such a link is
/// refused without a query.
pub fn link_token_hash(token: &str) -> Option<Vec<u8>> {
    (!token.is_empty() && token.len() <= 64).then(|| token_hash(token))
}

/// The SHA-256 of a token, as stored.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

fn request_token(state: &AppState) -> Option<String> {
    let parts = use_context::<Parts>()?;
    token_in(state, &parts.headers)
}

fn token_in(state: &AppState, headers: &http::HeaderMap) -> Option<String> {
    cookies::read_cookie(headers, cookies::session_cookie_name(state.secure_cookies))
        .filter(|token| !token.is_empty() && token.len() <= 64)
        .map(str::to_owned)
}

/// The session named by the cookie in `headers` (for plain axum handlers, such as downloads,
/// that run outside a server function's context).
pub async fn from_headers(
    state: &AppState,
    headers: &http::HeaderMap,
) -> Result<Option<SessionCtx>, AppError> {
    let Some(token) = token_in(state, headers) else {
        return Ok(None);
    };
    repo::sessions::find_live(&state.pool, &token_hash(&token), IDLE_TIMEOUT_MINUTES).await
}

fn set_cookie(value: String) {
    if let (Some(options), Ok(value)) = (
        use_context::<ResponseOptions>(),
        http::HeaderValue::from_str(&value),
    ) {
        options.append_header(SET_COOKIE, value);
    }
}

/// The client's address: the socket peer, or behind a trusted reverse proxy the client it
/// forwards for (`backend::client_addr`, `SELFCARE_TRUSTED_PROXIES`).
pub fn client_ip(state: &AppState) -> Option<String> {
    let parts = use_context::<Parts>()?;
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()?
        .0
        .ip();
    Some(super::client_addr::client_addr(peer, &parts.headers, &state.trusted_proxies).to_string())
}

/// What one page request looks up once, however many server functions its resources call
/// while it renders (Home: the shell, the overview and the options each need the session and
/// its links). The router provides a fresh one to every page request; server-function
/// requests have none and look up each time. Page renders only read: nothing signs in or out,
/// nor links or unlinks, while one runs.
#[derive(Clone, Default)]
pub struct RequestMemo {
    session: std::sync::Arc<tokio::sync::OnceCell<Option<SessionCtx>>>,
}

/// The session of this request, if its cookie names a live one.
pub async fn current(state: &AppState) -> Result<Option<SessionCtx>, AppError> {
    let Some(parts) = use_context::<Parts>() else {
        return Ok(None);
    };
    match use_context::<RequestMemo>() {
        Some(memo) => memo
            .session
            .get_or_try_init(|| from_headers(state, &parts.headers))
            .await
            .cloned(),
        None => from_headers(state, &parts.headers).await,
    }
}

/// The session of this request, or `Unauthenticated`.
pub async fn require(state: &AppState) -> Result<SessionCtx, AppError> {
    current(state).await?.ok_or(AppError::Unauthenticated)
}

/// Signs `login_id` in: ends the session the request came with (if any), starts a new one
/// with a new token (rotation) and sets the cookie.
pub async fn start(state: &AppState, login_id: i64) -> Result<(), AppError> {
    let previous = request_token(state).map(|t| token_hash(&t));
    let (token, hash) = new_token()?;
    repo::sessions::rotate(
        &state.pool,
        previous.as_deref(),
        &hash,
        login_id,
        ABSOLUTE_TIMEOUT_HOURS,
    )
    .await?;
    set_cookie(cookies::session_cookie(
        &token,
        state.secure_cookies,
        ABSOLUTE_TIMEOUT_HOURS * 3600,
    ));
    Ok(())
}

/// How long the second-factor step of a sign-in stays open.
pub const CHALLENGE_MINUTES: i32 = 5;
/// Wrong codes allowed in one second-factor step.
pub const CHALLENGE_TRIES: i32 = 5;

/// Opens the second-factor step for a login that gave the right password: no session yet,
/// only a short-lived token in its own cookie.
pub async fn start_challenge(state: &AppState, login_id: i64) -> Result<(), AppError> {
    let (token, hash) = new_token()?;
    repo::two_factor::create_challenge(&state.pool, &hash, login_id, CHALLENGE_MINUTES).await?;
    set_cookie(cookies::challenge_cookie(
        &token,
        state.secure_cookies,
        i64::from(CHALLENGE_MINUTES) * 60,
    ));
    Ok(())
}

/// The hash of the second-factor token the request carries.
pub fn challenge_hash(state: &AppState) -> Option<Vec<u8>> {
    let parts = use_context::<Parts>()?;
    cookies::read_cookie(
        &parts.headers,
        cookies::challenge_cookie_name(state.secure_cookies),
    )
    .filter(|token| !token.is_empty() && token.len() <= 64)
    .map(token_hash)
}

/// Removes the second-factor cookie.
pub fn clear_challenge(state: &AppState) {
    set_cookie(cookies::challenge_cookie("", state.secure_cookies, 0));
}

/// Stores `flash` with the request's session, for the page a plain form post lands on.
pub async fn set_flash(state: &AppState, flash: &str) -> Result<(), AppError> {
    if let Some(token) = request_token(state) {
        repo::sessions::set_flash(&state.pool, &token_hash(&token), flash).await?;
    }
    Ok(())
}

/// Clears the notice of the request's session (shown by the page being rendered).
pub async fn clear_flash(state: &AppState) -> Result<(), AppError> {
    if let Some(token) = request_token(state) {
        repo::sessions::clear_flash(&state.pool, &token_hash(&token)).await?;
    }
    Ok(())
}

/// Signs out: deletes the session server-side and clears the cookie.
pub async fn end(state: &AppState) -> Result<(), AppError> {
    if let Some(token) = request_token(state) {
        repo::sessions::delete(&state.pool, &token_hash(&token)).await?;
    }
    set_cookie(cookies::clear_session_cookie(state.secure_cookies));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, hash_a) = new_token().expect("token");
        let (b, _) = new_token().expect("token");
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(hash_a.len(), 32);
        assert_eq!(token_hash(&a), hash_a);
    }
}
