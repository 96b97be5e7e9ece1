//! The page's language as signals (the `Locale` ↔ `Lang` bridges live in `crate::i18n`).

use leptos::prelude::*;

use crate::{
    domain::lang::Lang,
    i18n::{lang_of, use_i18n},
};

/// The current language, reactive.
pub fn use_lang() -> Signal<Lang> {
    let i18n = use_i18n();
    Signal::derive(move || lang_of(i18n.get_locale()))
}

/// `path` prefixed for the current language, reactive.
pub fn use_localized(path: &'static str) -> Signal<String> {
    let lang = use_lang();
    Signal::derive(move || crate::paths::localized(lang.get(), path))
}
