//! Bridges between the generated i18n `Locale` and the domain's `Lang`.

use leptos::prelude::*;

use crate::{
    domain::lang::Lang,
    i18n::{Locale, use_i18n},
};

/// The domain language for an i18n locale.
pub fn lang_of(locale: Locale) -> Lang {
    match locale {
        Locale::en => Lang::En,
        Locale::de => Lang::De,
        Locale::fr => Lang::Fr,
        Locale::nl => Lang::Nl,
    }
}

/// The i18n locale for a domain language (for texts rendered outside a view, such as an SMS).
pub fn locale_of(lang: Lang) -> Locale {
    match lang {
        Lang::En => Locale::en,
        Lang::De => Locale::de,
        Lang::Fr => Locale::fr,
        Lang::Nl => Locale::nl,
    }
}

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
