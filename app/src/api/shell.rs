//! What every page shows: the provider's brand (P3) and who is signed in.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// White-label settings of the provider (P3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Brand {
    pub name: String,
    pub logo_path: Option<String>,
    pub color_primary: String,
    pub color_accent: String,
    pub support_url: String,
}

/// The signed-in login, as the header shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionSummary {
    pub email: String,
    /// Holds a customer number: the account tabs are in the navigation (L2; the server
    /// functions check again).
    pub holder: bool,
    /// Has at least one link: the Usage tab is in the navigation.
    pub linked: bool,
    /// Unread messages of the held customer number (M2).
    pub unread: i64,
}

/// Brand and session, loaded once per page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShellData {
    pub brand: Brand,
    pub session: Option<SessionSummary>,
}

/// Brand and session for the page shell. Public: an anonymous visitor gets the brand only.
#[server(endpoint = "shell_data")]
pub async fn get_shell_data() -> Result<ShellData, AppError> {
    use crate::backend::{access::current_access, repo, respond, state::app_state};
    respond::finish(
        async {
            let state = app_state()?;
            let access = current_access(&state).await?;
            // Both reads on one connection (a pool checkout costs a round trip).
            let mut conn = state.pool.acquire().await?;
            let brand = repo::providers::brand(&mut *conn, state.provider_id).await?;
            let session = match access {
                Some(access) => {
                    let unread = match access.rights.holder_customer() {
                        Some(customer_id) => {
                            repo::messages::unread(&mut *conn, customer_id).await?
                        }
                        None => 0,
                    };
                    Some(SessionSummary {
                        email: access.session.email,
                        holder: access.rights.holder_customer().is_some(),
                        linked: !access.rights.is_empty(),
                        unread,
                    })
                }
                None => None,
            };
            Ok(ShellData { brand, session })
        }
        .await,
    )
}
