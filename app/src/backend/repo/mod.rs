//! SQL, one file per area. Queries are checked by the database tests, not at compile time,
//! so that building needs no database.

use chrono::NaiveDate;

use crate::{domain::calendar::DateRange, error::AppError};

pub mod accounts;
pub mod appointments;
pub mod billing;
pub mod contact;
pub mod documents;
pub mod email_changes;
pub mod hosting;
pub mod invoices;
pub mod linking;
pub mod links;
pub mod logins;
pub mod messages;
pub mod notices;
pub mod password_resets;
pub mod payments;
pub mod products;
pub mod providers;
pub mod registrations;
pub mod secrets;
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

/// (id, date range) pairs as the three arrays that `unnest($1::bigint[], $2::date[],
/// $3::date[]) AS c(id, s, e)` turns back into rows: one statement for many lines or cycles.
pub(crate) fn range_arrays(
    pairs: &[(i64, DateRange)],
) -> (Vec<i64>, Vec<NaiveDate>, Vec<NaiveDate>) {
    let ids = pairs.iter().map(|(id, _)| *id).collect();
    let starts = pairs.iter().map(|(_, range)| range.start()).collect();
    let ends = pairs.iter().map(|(_, range)| range.end()).collect();
    (ids, starts, ends)
}
