//! Reading and writing the session cookie (S1): HttpOnly, SameSite=Lax, Secure behind TLS.

use http::HeaderMap;

/// The session cookie's name on plain HTTP (development, tests).
pub const SESSION_COOKIE: &str = "selfcare_session";
/// The session cookie's name behind TLS: the `__Host-` prefix pins it to this host and path.
pub const SECURE_SESSION_COOKIE: &str = "__Host-selfcare_session";

/// The cookie name for the deployment's TLS setting.
pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// The value of cookie `name` in the request, if sent.
pub fn read_cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim())
}

/// A `Set-Cookie` value that stores the session token for `max_age_secs`.
pub fn session_cookie(token: &str, secure: bool, max_age_secs: i64) -> String {
    let name = session_cookie_name(secure);
    let secure_attr = if secure { "; Secure" } else { "" };
    format!("{name}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure_attr}")
}

/// The name of the cookie that carries a pending second-factor step.
pub fn challenge_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-selfcare_mfa"
    } else {
        "selfcare_mfa"
    }
}

/// A `Set-Cookie` value for the second-factor step (same attributes as the session's).
pub fn challenge_cookie(token: &str, secure: bool, max_age_secs: i64) -> String {
    let name = challenge_cookie_name(secure);
    let secure_attr = if secure { "; Secure" } else { "" };
    format!("{name}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure_attr}")
}

/// A `Set-Cookie` value that removes the session cookie.
pub fn clear_session_cookie(secure: bool) -> String {
    session_cookie("", secure, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn reads_one_cookie_among_many() {
        let mut headers = HeaderMap::new();
        headers.append(
            http::header::COOKIE,
            HeaderValue::from_static("i18n_pref_locale=de; selfcare_session=abc123"),
        );
        headers.append(http::header::COOKIE, HeaderValue::from_static("other=1"));
        assert_eq!(read_cookie(&headers, SESSION_COOKIE), Some("abc123"));
        assert_eq!(read_cookie(&headers, "other"), Some("1"));
        assert_eq!(read_cookie(&headers, "missing"), None);
    }

    #[test]
    fn session_cookie_attributes() {
        let plain = session_cookie("tok", false, 600);
        assert_eq!(
            plain,
            "selfcare_session=tok; Path=/; HttpOnly; SameSite=Lax; Max-Age=600"
        );
        let secure = session_cookie("tok", true, 600);
        assert!(secure.starts_with("__Host-selfcare_session=tok;"));
        assert!(secure.ends_with("; Secure"));
        assert!(clear_session_cookie(false).contains("Max-Age=0"));
    }
}
