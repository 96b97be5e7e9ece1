//! The application state, built once by the server and read by server functions from context.

use axum::extract::FromRef;
use leptos::{config::LeptosOptions, prelude::use_context};
use sqlx::PgPool;
use std::sync::Arc;
use tokio::sync::Notify;

use super::{clock::Clock, payment_gateway::PaymentGateway};
use crate::error::AppError;

/// Everything a request needs: the pool, the clock, the provider this deployment serves.
#[derive(Clone, Debug)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: PgPool,
    pub clock: Clock,
    /// The provider (white label, P3) whose customers this deployment serves.
    pub provider_id: i64,
    /// Whether cookies get `Secure` and the `__Host-` prefix (served behind TLS).
    pub secure_cookies: bool,
    /// `Strict-Transport-Security: max-age` in seconds, sent behind TLS only (issue 24).
    pub hsts_max_age: Option<u64>,
    /// The reverse proxies whose forwarding headers name the client (issue 24).
    pub trusted_proxies: Arc<super::client_addr::TrustedProxies>,
    /// Wakes the SMS outbox worker when a server function has queued an SMS.
    pub sms_outbox: Arc<Notify>,
    /// Wakes the mail worker when a server function has queued a mail or a reset request.
    pub mail_outbox: Arc<Notify>,
    /// The portal's address as customers reach it, for links in mails (`SELFCARE_PUBLIC_URL`).
    pub public_url: Arc<str>,
    /// The payment provider for portal payments (the billing run gets its own handle).
    pub payments: Arc<dyn PaymentGateway>,
    /// Whether the database is known to be down (issue 24 item 8).
    pub db: Arc<super::db_health::DbHealth>,
    /// The keys that seal IBANs and two-factor secrets at rest (issue 24 item 15).
    pub keys: Arc<super::sealed::DataKeys>,
}

impl AppState {
    /// What the mail code needs of the state.
    pub fn mail_context(&self) -> super::mail::MailContext {
        super::mail::MailContext {
            public_url: self.public_url.to_string(),
            provider_id: self.provider_id,
            clock: self.clock,
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The state provided by the server for this request: `Unavailable` at once while the
/// database is known to be down, so that a page's resources do not each wait for the pool.
pub fn app_state() -> Result<AppState, AppError> {
    let state = use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState is missing from the request context");
        AppError::Internal
    })?;
    if state.db.is_down() {
        return Err(AppError::Unavailable);
    }
    Ok(state)
}
