//! Pure rules of Selfcare: plain data in, plain data out.
//!
//! Nothing in here touches leptos, axum, sqlx, the clock or any I/O, so that the same code runs
//! on the server and in the browser and is tested with plain `#[test]` tables.

/// `TryFrom<String>` for a type stored as text, through its parser: a repository's row type
/// reads the column into it with `#[sqlx(try_from = "String")]`, and an unknown spelling fails
/// the row with the value named (issue 25).
macro_rules! read_from_text {
    ($type:ty, $parse:path) => {
        impl TryFrom<String> for $type {
            type Error = String;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                $parse(&value)
                    .ok_or_else(|| format!(concat!("not a ", stringify!($type), ": {:?}"), value))
            }
        }
    };
}

pub mod account;
pub mod appointment;
pub mod balance;
pub mod billing;
pub mod brand;
pub mod calendar;
pub mod contact;
pub mod document;
pub mod flash;
pub mod format;
pub mod lang;
pub mod linking;
pub mod money;
pub mod notices;
pub mod payment;
pub mod products;
#[cfg(test)]
mod props;
pub mod rights;
pub mod security;
pub mod usage;
#[cfg(feature = "ssr")]
pub mod usage_feed;
pub mod validation;

/// `NaiveDate` from year, month, day, for test tables.
#[cfg(test)]
pub(crate) fn d(y: i32, m: u32, day: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
}
