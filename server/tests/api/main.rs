//! The server's integration tests, one binary (issue 25): each module is one area, all of
//! them through the real router on a real PostgreSQL (`common`), plus the resilience tests
//! that start the server binary on private clusters. One binary links the app and the server
//! once instead of once per area.
//!
//! Run one area with `cargo test -p server --test api <module>::`.

mod common;

mod account;
mod appointments;
mod authz_matrix;
mod billing;
mod documents;
mod events;
mod guards;
mod hosting;
mod http;
mod idempotency;
mod invoices;
mod linking;
mod mail;
mod messages;
mod notices;
mod payments;
mod products;
mod provider;
mod provider_import;
mod repos;
mod resilience;
mod security;
mod two_factor;
mod usage;
mod user_links;
