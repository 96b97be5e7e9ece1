//! Locale-prefixed paths: the default locale (en) has no prefix, the others `/de`, `/fr`, `/nl`.

use crate::domain::lang::Lang;

/// The language whose pages have no prefix.
pub const DEFAULT_LANG: Lang = Lang::En;

/// `path` (starting with `/`) in `lang`, e.g. `/fr/sign-in`; the home page of `de` is `/de`.
pub fn localized(lang: Lang, path: &str) -> String {
    if lang == DEFAULT_LANG {
        return path.to_string();
    }
    if path == "/" {
        format!("/{}", lang.code())
    } else {
        format!("/{}{}", lang.code(), path)
    }
}

/// Splits a request path into its language and the path without prefix.
pub fn split_locale(path: &str) -> (Lang, String) {
    let trimmed = path.trim_start_matches('/');
    let (first, rest) = trimmed.split_once('/').unwrap_or((trimmed, ""));
    match Lang::parse(first).filter(|l| *l != DEFAULT_LANG && first.len() == 2) {
        Some(lang) => (lang, format!("/{rest}")),
        None => (DEFAULT_LANG, format!("/{trimmed}")),
    }
}

/// Home.
pub const HOME: &str = "/";
/// Sign-in page.
pub const SIGN_IN: &str = "/sign-in";
/// Asking for a link to choose a new password (issue 27).
pub const FORGOT_PASSWORD: &str = "/forgot-password";
/// Choosing a new password with the link's token (issue 27).
pub const RESET_PASSWORD: &str = "/reset-password";
/// Confirming a registration's address with the link's token (issue 27).
pub const VERIFY_EMAIL: &str = "/verify-email";
/// Confirming a login's new address with the link's token (issue 27).
pub const CONFIRM_EMAIL: &str = "/confirm-email";
/// The second step of a sign-in with two-factor sign-in on.
pub const SIGN_IN_CODE: &str = "/sign-in/code";
/// Linked contracts (L1).
pub const LINKS: &str = "/links";
/// Invoices & payments (I1–I4).
pub const INVOICES: &str = "/invoices";
/// Important communications (M2).
pub const MESSAGES: &str = "/messages";
/// Which notices come by mail (issue 27).
pub const NOTIFICATIONS: &str = "/notifications";
/// My account: contact data (M1).
pub const ACCOUNT: &str = "/account";
/// Hosting services (X1).
pub const SERVICES: &str = "/services";
/// Security: password and security question (S2).
pub const SECURITY: &str = "/security";
/// Technician appointments (A1–A2).
pub const APPOINTMENT: &str = "/appointment";
/// Usage (U1–U2).
pub const USAGE: &str = "/usage";
/// Registration page.
pub const REGISTER: &str = "/register";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn localizes_paths() {
        assert_eq!(localized(Lang::En, "/"), "/");
        assert_eq!(localized(Lang::En, "/sign-in"), "/sign-in");
        assert_eq!(localized(Lang::De, "/"), "/de");
        assert_eq!(localized(Lang::Fr, "/sign-in"), "/fr/sign-in");
    }

    #[test]
    fn splits_paths() {
        assert_eq!(split_locale("/fr/sign-in"), (Lang::Fr, "/sign-in".into()));
        assert_eq!(split_locale("/de"), (Lang::De, "/".into()));
        assert_eq!(split_locale("/sign-in"), (Lang::En, "/sign-in".into()));
        assert_eq!(split_locale("/"), (Lang::En, "/".into()));
        assert_eq!(split_locale("/denmark"), (Lang::En, "/denmark".into()));
    }
}
