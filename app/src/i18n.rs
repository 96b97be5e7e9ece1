//! The translations of `locales/*.json` (generated at compile time: `t!`, `td_string!`,
//! `Locale` …) and the bridges between their `Locale` and the domain's `Lang`. Server code (SMS,
//! PDFs, inbox messages, error texts) translates through this module, never through the UI's
//! components (issue 25).

pub use crate::locales::i18n::*;

use crate::domain::lang::Lang;

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
