//! White-label settings of the provider (P3): what every page shows of it.

use serde::{Deserialize, Serialize};

/// The provider's name, logo, colours and support page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Brand {
    pub name: String,
    pub logo_path: Option<String>,
    /// `#rrggbb` (checked by the database).
    pub color_primary: String,
    pub color_accent: String,
    pub support_url: String,
}
