//! The app crate's integration tests, one binary (issue 25): properties of the billing and
//! linking rules, the locale files' keys, and the layers' direction. One binary links the app
//! once instead of once per file.
//!
//! Run one part with `cargo test -p app --features ssr --test checks <module>::`.

mod billing_properties;
mod layers;
mod locales;
