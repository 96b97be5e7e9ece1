//! Pure rules of Selfcare: plain data in, plain data out.
//!
//! Nothing in here touches leptos, axum, sqlx, the clock or any I/O, so that the same code runs
//! on the server and in the browser and is tested with plain `#[test]` tables.

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
pub mod payment;
#[cfg(test)]
mod props;
pub mod rights;
pub mod security;
pub mod settings;
pub mod usage;
pub mod validation;

/// `NaiveDate` from year, month, day, for test tables.
#[cfg(test)]
pub(crate) fn d(y: i32, m: u32, day: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
}
