//! What every page shows: the provider's brand (P3) and who is signed in.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{domain::flash::Flash, error::AppError};

#[cfg(feature = "ssr")]
use crate::backend::entry;

pub use crate::domain::brand::Brand;

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
    /// The held customer number has hosting services: the Services tab is in the navigation.
    pub hosting: bool,
}

/// Brand and session, loaded once per page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShellData {
    pub brand: Brand,
    pub session: Option<SessionSummary>,
    /// What the session's last plain form post did (JavaScript off), shown once.
    pub flash: Option<Flash>,
}

/// Brand and session for the page shell. Public: an anonymous visitor gets the brand only.
#[server(endpoint = "shell_data")]
pub async fn get_shell_data() -> Result<ShellData, AppError> {
    use crate::backend::{access::current_access, flash, repo};
    entry::anyone(|state| async move {
        let access = current_access(&state).await?;
        let holder_of = access.as_ref().and_then(|a| a.rights.holder_customer());
        let repo::providers::ShellRow {
            brand,
            unread,
            hosting,
        } = repo::providers::brand_and_unread(&state.pool, state.provider_id, holder_of).await?;
        let stored = access.as_ref().and_then(|a| a.session.flash.clone());
        let flash = flash::take(&state, stored).await?;
        let session = access.map(|access| SessionSummary {
            email: access.session.email,
            holder: holder_of.is_some(),
            linked: !access.rights.is_empty(),
            unread,
            hosting,
        });
        Ok(ShellData {
            brand,
            session,
            flash,
        })
    })
    .await
}
