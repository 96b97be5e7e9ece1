//! One file per page, named after it; a page made of parts keeps them in the folder of the
//! same name (`home.rs` and `home/`), the layout Rust itself uses for modules.

pub mod account;
pub mod appointment;
pub mod documents;
pub mod email_change;
pub mod home;
pub mod hosting;
pub mod invoice_usage;
pub mod invoices;
pub mod linking;
pub mod messages;
pub mod next_invoice;
pub mod not_found;
pub mod notifications;
pub mod password_reset;
pub mod register;
pub mod security;
pub mod sign_in;
pub mod sign_in_code;
pub mod two_factor;
pub mod usage;
