//! Server functions, one file per area: authenticate and authorise first, then call the
//! repository and the domain, then map the error. Types here travel to the browser.

pub mod account;
pub mod appointments;
pub mod auth;
pub mod documents;
pub mod email_change;
pub mod home;
pub mod hosting;
pub mod invoices;
pub mod linking;
pub mod messages;
pub mod next_invoice;
pub mod notices;
pub mod password_reset;
pub mod payables;
pub mod payments;
pub mod products;
pub mod security;
pub mod shell;
pub mod two_factor;
pub mod usage;
