//! Validation of what customers type, with typed reasons that the UI translates.

use serde::{Deserialize, Serialize};

/// Why a field was refused; each variant has a message in every locale file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldProblem {
    Required,
    EmailInvalid,
    PasswordTooShort,
    PasswordTooLong,
    PasswordSameAsEmail,
    PasswordsDiffer,
    EmailTaken,
    PhoneInvalid,
    CodeInvalid,
    DateInvalid,
    DateOrder,
    PeriodTooLong,
    IbanInvalid,
    IbanChecksum,
    AccountHolderInvalid,
    ConsentMissing,
    ThresholdInvalid,
    MoveTooSoon,
    MoveTooLate,
    PostalCodeInvalid,
    AddressInvalid,
    SlotRequired,
    SlotTaken,
    SlotUnavailable,
    AppointmentLimit,
    NoteTooLong,
    NameInvalid,
    AnswerInvalid,
    PasswordWeak,
    PasswordWrong,
    PasswordUnchanged,
    FileEmpty,
    FileTooLarge,
    FileType,
    CodeWrong,
    PlanRequired,
    PlanNotChangeable,
    PlanUnchanged,
    DayInvalid,
    BillingDateFixed,
    PaymentMethodMissing,
    PaymentDeclined,
    ConfigInvalid,
    NotUpgradable,
    ConfigUnchanged,
    DowngradeInTerm,
    NotADowngrade,
    DowngradeScheduled,
    /// A control character (NUL, escape …) that no form field takes (issue 24).
    ControlCharacter,
    /// A password reset link that was used, expired or never made (issue 27).
    ResetLinkInvalid,
    /// A registration's verification link that was used, expired or never made (issue 27).
    VerifyLinkInvalid,
    /// A new email address that is the login's current one (issue 27).
    EmailUnchanged,
    /// An email change's link that was used, replaced, expired or never made (issue 27).
    ChangeLinkInvalid,
}

/// Minimum length of a new password (ASVS 2.1.1: at least 12 characters).
pub const PASSWORD_MIN_CHARS: usize = 12;
/// Maximum length of a password (ASVS 2.1.2 allows at least 64; we allow 128).
pub const PASSWORD_MAX_CHARS: usize = 128;

/// Whether a client-made idempotency key has the expected shape (a UUID or similar: 16 to 64
/// ASCII letters, digits and dashes).
pub fn is_idempotency_key(key: &str) -> bool {
    (16..=64).contains(&key.len()) && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// Normalises an email address for storage and lookup: trimmed and lower-cased.
pub fn normalize_email(raw: &str) -> String {
    raw.trim().to_lowercase()
}

/// Checks the shape of an email address: one `@`, a non-empty local part, a domain with a dot,
/// no spaces, at most 254 characters. Deliverability is not something a regex can prove.
pub fn check_email(email: &str) -> Result<(), FieldProblem> {
    if email.is_empty() {
        return Err(FieldProblem::Required);
    }
    if email.chars().count() > 254 || email.chars().any(char::is_whitespace) {
        return Err(FieldProblem::EmailInvalid);
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Err(FieldProblem::EmailInvalid);
    };
    let domain_ok = !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..");
    if local.is_empty() || !domain_ok {
        return Err(FieldProblem::EmailInvalid);
    }
    Ok(())
}

/// Checks a new password against the length rules and the email it belongs to.
pub fn check_new_password(password: &str, email: &str) -> Result<(), FieldProblem> {
    let chars = password.chars().count();
    if chars == 0 {
        return Err(FieldProblem::Required);
    }
    if chars < PASSWORD_MIN_CHARS {
        return Err(FieldProblem::PasswordTooShort);
    }
    if chars > PASSWORD_MAX_CHARS {
        return Err(FieldProblem::PasswordTooLong);
    }
    if !email.is_empty() && password.trim().eq_ignore_ascii_case(email.trim()) {
        return Err(FieldProblem::PasswordSameAsEmail);
    }
    Ok(())
}

/// Digits of a one-time linking code.
pub const CODE_DIGITS: usize = 6;

/// Normalises a phone number to its international form `+<country><number>` (E.164: 8 to 15
/// digits), accepting the separators people type (spaces, `-`, `/`, `.`, brackets) and `00` for
/// `+`. A national number (`0151 …`) is refused: the portal cannot know its country.
pub fn normalize_phone(raw: &str) -> Result<String, FieldProblem> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(FieldProblem::Required);
    }
    let mut compact = String::with_capacity(trimmed.len());
    for c in trimmed.chars() {
        match c {
            '0'..='9' | '+' => compact.push(c),
            ' ' | '\u{a0}' | '-' | '/' | '.' | '(' | ')' => {}
            _ => return Err(FieldProblem::PhoneInvalid),
        }
    }
    let digits = if let Some(rest) = compact.strip_prefix('+') {
        rest
    } else if let Some(rest) = compact.strip_prefix("00") {
        rest
    } else {
        return Err(FieldProblem::PhoneInvalid);
    };
    let valid = (8..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    if valid {
        Ok(format!("+{digits}"))
    } else {
        Err(FieldProblem::PhoneInvalid)
    }
}

/// A date as a date input sends it (`YYYY-MM-DD`, surrounding spaces ignored).
pub fn parse_iso_date(raw: &str) -> Result<chrono::NaiveDate, FieldProblem> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(FieldProblem::Required);
    }
    chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| FieldProblem::DateInvalid)
}

/// Normalises a typed one-time code: spaces and dashes dropped, exactly `CODE_DIGITS` digits.
pub fn normalize_code(raw: &str) -> Result<String, FieldProblem> {
    let code: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '\u{a0}'))
        .collect();
    if code.is_empty() {
        Err(FieldProblem::Required)
    } else if code.len() == CODE_DIGITS && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code)
    } else {
        Err(FieldProblem::CodeInvalid)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn idempotency_keys() {
        assert!(super::is_idempotency_key(
            "0f6f2a52-9c1e-4c3e-8f43-3f7d2b8c1a99"
        ));
        assert!(!super::is_idempotency_key("short"));
        assert!(!super::is_idempotency_key(
            "0f6f2a52-9c1e-4c3e-8f43-3f7d2b8c1a99'; --"
        ));
        assert!(!super::is_idempotency_key(&"a".repeat(65)));
    }

    use super::*;

    #[test]
    fn emails() {
        assert_eq!(check_email("anna@example.be"), Ok(()));
        assert_eq!(check_email("a.b+c@sub.example.de"), Ok(()));
        assert_eq!(check_email(""), Err(FieldProblem::Required));
        for bad in [
            "anna",
            "anna@",
            "@example.be",
            "anna@example",
            "anna@@example.be",
            "an na@example.be",
            "anna@.example.be",
            "anna@example..be",
            "anna@example.be.",
        ] {
            assert_eq!(check_email(bad), Err(FieldProblem::EmailInvalid), "{bad}");
        }
        let long = format!("{}@example.be", "a".repeat(250));
        assert_eq!(check_email(&long), Err(FieldProblem::EmailInvalid));
    }

    #[test]
    fn normalises_emails() {
        assert_eq!(normalize_email("  Anna@Example.BE "), "anna@example.be");
    }

    #[test]
    fn passwords() {
        assert_eq!(check_new_password("", "a@b.c"), Err(FieldProblem::Required));
        assert_eq!(
            check_new_password("short", "a@b.c"),
            Err(FieldProblem::PasswordTooShort)
        );
        assert_eq!(
            check_new_password(&"x".repeat(129), "a@b.c"),
            Err(FieldProblem::PasswordTooLong)
        );
        assert_eq!(
            check_new_password("anna@example.be", "anna@example.be"),
            Err(FieldProblem::PasswordSameAsEmail)
        );
        assert_eq!(check_new_password("correct horse battery", "a@b.c"), Ok(()));
        // Length counts characters, not bytes.
        assert_eq!(
            check_new_password("ééééééééééé", "a@b.c"),
            Err(FieldProblem::PasswordTooShort)
        );
    }

    #[test]
    fn phone_numbers() {
        for typed in [
            "+49 151 2000 0101",
            "+49-151-2000-0101",
            "0049 (151) 2000/0101",
            " +4915120000101 ",
        ] {
            assert_eq!(
                normalize_phone(typed),
                Ok("+4915120000101".into()),
                "{typed}"
            );
        }
        assert_eq!(normalize_phone("  "), Err(FieldProblem::Required));
        for bad in [
            "0151 2000 0101",
            "+49 151 abc",
            "+0 151 2000 0101",
            "+49 1",
            "+49 151 2000 0101 2345 6",
            "++49 151 2000 0101",
        ] {
            assert_eq!(
                normalize_phone(bad),
                Err(FieldProblem::PhoneInvalid),
                "{bad}"
            );
        }
    }

    #[test]
    fn codes() {
        assert_eq!(normalize_code(" 123 456 "), Ok("123456".into()));
        assert_eq!(normalize_code("123-456"), Ok("123456".into()));
        assert_eq!(normalize_code(""), Err(FieldProblem::Required));
        for bad in ["12345", "1234567", "12a456", "١٢٣٤٥٦"] {
            assert_eq!(normalize_code(bad), Err(FieldProblem::CodeInvalid), "{bad}");
        }
    }
}
