//! What a plain form post (JavaScript off) typed, given back to its form when the post was
//! refused: the form keeps what was typed. With JavaScript the page keeps its inputs itself;
//! without it the refused post is a redirect back to the form's page, which is rendered anew.
//! So the edge (`server::guard`) puts the fields worth keeping in a short-lived cookie on that
//! redirect, the page's fields start from it ([`typed`]), and the next page drops it.
//!
//! Only what identifies the customer is kept, never a secret: passwords, codes, tokens and
//! account numbers are typed again.

use http::HeaderMap;

use super::cookies::read_cookie;

/// The cookie's name (it holds what the customer typed, for one page).
pub const TYPED_COOKIE: &str = "selfcare_typed";
/// The fields a refused form gets back.
pub const KEPT_FIELDS: [&str; 4] = ["email", "new_email", "customer_number", "phone"];
/// The most a cookie keeps: a field longer than a form takes is not worth keeping.
const MAX_CHARS: usize = 254;
/// Seconds the cookie lives: the redirect back is followed at once.
const MAX_AGE_SECS: u32 = 60;

fn cookie(value: &str, secure: bool, max_age: u32) -> String {
    let secure_attr = if secure { "; Secure" } else { "" };
    format!(
        "{TYPED_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure_attr}"
    )
}

/// The `Set-Cookie` value keeping the kept fields of a refused post's urlencoded `form`, if it
/// has any.
pub fn keep_cookie(form: &[u8], secure: bool) -> Option<String> {
    let mut kept = form_urlencoded::Serializer::new(String::new());
    let mut any = false;
    for (name, value) in form_urlencoded::parse(form) {
        if KEPT_FIELDS.contains(&name.as_ref())
            && !value.is_empty()
            && value.chars().count() <= MAX_CHARS
        {
            kept.append_pair(&name, &value);
            any = true;
        }
    }
    any.then(|| cookie(&kept.finish(), secure, MAX_AGE_SECS))
}

/// The `Set-Cookie` value that drops the kept fields, once a page was rendered with them.
pub fn drop_cookie(secure: bool) -> String {
    cookie("", secure, 0)
}

/// Whether the request carries kept fields.
pub fn carries(headers: &HeaderMap) -> bool {
    read_cookie(headers, TYPED_COOKIE).is_some_and(|v| !v.is_empty())
}

/// What the refused post this page answers typed into `field` (server rendering only).
pub fn typed(field: &str) -> Option<String> {
    let parts = leptos::prelude::use_context::<http::request::Parts>()?;
    let kept = read_cookie(&parts.headers, TYPED_COOKIE)?;
    form_urlencoded::parse(kept.as_bytes())
        .find(|(name, _)| name == field)
        .map(|(_, value)| value.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_identifies_the_customer_is_kept() {
        let form = b"email=anna%40example.de&password=secret+words&lang=de&code=123456";
        let cookie = keep_cookie(form, true).expect("kept");
        assert_eq!(
            cookie,
            "selfcare_typed=email=anna%40example.de; Path=/; HttpOnly; SameSite=Strict; Max-Age=60; Secure"
        );
        assert!(!cookie.contains("secret") && !cookie.contains("123456"));
        assert_eq!(keep_cookie(b"password=x&token=y", false), None);
        let long = format!("email={}", "a".repeat(300));
        assert_eq!(keep_cookie(long.as_bytes(), false), None);
    }

    #[test]
    fn a_kept_value_reads_back_as_typed() {
        let cookie =
            keep_cookie(b"customer_number=+200001+&email=a+b%2Cc%3Bd", false).expect("kept");
        let value = cookie
            .strip_prefix("selfcare_typed=")
            .and_then(|rest| rest.split(';').next())
            .expect("value");
        // No character a cookie value cannot hold.
        assert!(!value.contains([';', ',', ' ', '"', '\\']), "{value}");
        let back: Vec<(String, String)> = form_urlencoded::parse(value.as_bytes())
            .into_owned()
            .collect();
        assert_eq!(
            back,
            [
                ("customer_number".to_owned(), " 200001 ".to_owned()),
                ("email".to_owned(), "a b,c;d".to_owned())
            ]
        );
    }
}
