#![recursion_limit = "256"]
//! Selfcare: the customer area shared by the server (SSR) and the browser (hydrate).

/// The translations of `locales/*.json`, generated at compile time; used through `i18n`.
// The build.rs code generation that replaces this deprecated macro runs ICU data generation at
// build time, which costs minutes on two cores; the macro reads the same files.
#[allow(deprecated)]
mod locales {
    leptos_i18n::load_locales!();
}
pub mod i18n;

pub mod api;
pub mod app;
pub mod components;
pub mod domain;
pub mod error;
pub mod page_data;
pub mod pages;
pub mod paths;

#[cfg(feature = "ssr")]
pub mod backend;
#[cfg(feature = "ssr")]
pub mod response;

pub use app::{App, COMPILE_WORKER_SUFFIX, shell};
