//! Pure rules of Selfcare: plain data in, plain data out.
//!
//! Nothing in here touches leptos, axum, sqlx, the clock or any I/O, so that the same code runs
//! on the server and in the browser and is tested with plain `#[test]` tables.

pub mod account;
pub mod balance;
pub mod format;
pub mod lang;
pub mod rights;
pub mod validation;
