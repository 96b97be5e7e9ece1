//! One folder per page or tab.

pub mod account;
pub mod appointment;
pub mod auth;
pub mod documents;
pub mod home;
pub mod invoices;
pub mod linking;
pub mod messages;
pub mod next_invoice;
pub mod not_found;
pub mod security;
pub mod services;
pub mod two_factor;
pub mod usage;
