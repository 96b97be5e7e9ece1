//! SQL, one file per area. Queries are checked by the database tests, not at compile time,
//! so that building needs no database.

use crate::error::AppError;

pub mod accounts;
pub mod appointments;
pub mod billing;
pub mod contact;
pub mod documents;
pub mod hosting;
pub mod invoices;
pub mod linking;
pub mod links;
pub mod logins;
pub mod messages;
pub mod payments;
pub mod products;
pub mod providers;
pub mod security;
pub mod sessions;
pub mod two_factor;
pub mod usage;

/// Parses a text column into its enum, or logs the unexpected value and fails.
pub(crate) fn parse_column<T>(
    column: &str,
    value: &str,
    parse: fn(&str) -> Option<T>,
) -> Result<T, AppError> {
    parse(value).ok_or_else(|| {
        tracing::error!(column, value, "unexpected value in the database");
        AppError::Internal
    })
}
