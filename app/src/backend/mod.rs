//! Server-only parts of the app crate: state, clock, sessions, passwords and SQL.
//!
//! Server functions call into here after authorising; nothing here renders views.

pub mod access;
pub mod alerts;
pub mod billing;
pub mod client_addr;
pub mod clock;
pub mod cookies;
pub mod db_health;
pub mod email_change;
pub mod entry;
pub mod events;
pub mod flash;
pub mod hosting;
pub mod idempotency;
pub mod invoice_pdf;
pub mod mail;
pub mod notices;
pub mod password;
pub mod password_reset;
pub mod payment_gateway;
pub mod products;
pub mod provider_idempotency;
pub mod provider_import;
pub mod provider_keys;
pub mod registration;
pub mod repo;
pub mod respond;
pub mod sealed;
pub mod session;
pub mod sms;
pub mod state;
pub mod totp;
pub mod typed;
pub mod usage_feed;
