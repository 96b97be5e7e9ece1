//! SQL, one file per area. Queries are checked by the database tests, not at compile time,
//! so that building needs no database.

pub mod accounts;
pub mod linking;
pub mod links;
pub mod logins;
pub mod providers;
pub mod sessions;
