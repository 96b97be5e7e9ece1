//! Direct debit (I4): IBAN checks, masking, mandate references, pre-notification and whether
//! automatic payment may be dropped.

use chrono::{Days, NaiveDate};
use iban::{Iban, IbanLike, ParseBaseIbanError, ParseIbanError};

use super::validation::FieldProblem;

/// Days between the pre-notification and the debit (SEPA Core default).
pub const PRE_NOTIFICATION_DAYS: u64 = 14;

/// Checks an IBAN as typed (any spacing, any case) with ISO 13616 (country format and mod-97
/// check digits) and returns its electronic form.
pub fn normalize_iban(raw: &str) -> Result<String, FieldProblem> {
    let compact: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    if compact.is_empty() {
        return Err(FieldProblem::Required);
    }
    // The shortest IBAN (Norway) has 15 characters: anything shorter is cut off, not mistyped.
    if compact.len() < 15 {
        return Err(FieldProblem::IbanInvalid);
    }
    match compact.parse::<Iban>() {
        Ok(iban) => Ok(iban.electronic_str().to_string()),
        Err(ParseIbanError::InvalidBaseIban {
            source: ParseBaseIbanError::InvalidChecksum,
        }) => Err(FieldProblem::IbanChecksum),
        Err(_) => Err(FieldProblem::IbanInvalid),
    }
}

/// The IBAN as shown after activation: country and check digits, then only the last four.
pub fn mask_iban(electronic: &str) -> String {
    let head: String = electronic.chars().take(4).collect();
    let tail: String = electronic
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("{head} •••• •••• {tail}")
}

/// Checks the account holder's name: 2 to 70 characters (SEPA's limit), no control characters.
pub fn check_account_holder(name: &str) -> Result<(), FieldProblem> {
    let count = name.chars().count();
    if count == 0 {
        Err(FieldProblem::Required)
    } else if !(2..=70).contains(&count) || name.chars().any(char::is_control) {
        Err(FieldProblem::AccountHolderInvalid)
    } else {
        Ok(())
    }
}

/// The unique mandate reference (at most 35 characters of the SEPA set): the provider's
/// prefix, the customer number and the customer's mandate count.
pub fn mandate_reference(prefix: &str, customer_number: &str, sequence: i64) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_uppercase())
            .collect()
    };
    let mut reference = format!("{}-{}-{sequence:03}", clean(prefix), clean(customer_number));
    reference.truncate(35);
    reference
}

/// The latest day the customer is told about a debit on `debit_date`.
pub fn pre_notification_date(debit_date: NaiveDate) -> NaiveDate {
    debit_date
        .checked_sub_days(Days::new(PRE_NOTIFICATION_DAYS))
        .unwrap_or(debit_date)
}

/// Why automatic payment cannot be dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropRefusal {
    /// A contract requires automatic payment and no other method is on file.
    AutopayRequired,
}

/// I4: the mandate may be revoked unless a contract requires autopay and nothing else pays.
pub fn may_revoke_mandate(requires_autopay: bool, other_method: bool) -> Result<(), DropRefusal> {
    if requires_autopay && !other_method {
        Err(DropRefusal::AutopayRequired)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::d;

    #[test]
    fn ibans_are_checked_with_mod_97() {
        assert_eq!(
            normalize_iban("de89 3704 0044 0532 0130 00"),
            Ok("DE89370400440532013000".into())
        );
        assert_eq!(
            normalize_iban("BE68539007547034"),
            Ok("BE68539007547034".into())
        );
        // One digit changed: the check digits no longer match.
        assert_eq!(
            normalize_iban("DE89 3704 0044 0532 0130 01"),
            Err(FieldProblem::IbanChecksum)
        );
        assert_eq!(normalize_iban("DE89 3704"), Err(FieldProblem::IbanInvalid));
        assert_eq!(
            normalize_iban("not an iban"),
            Err(FieldProblem::IbanInvalid)
        );
        assert_eq!(normalize_iban("  "), Err(FieldProblem::Required));
    }

    #[test]
    fn masking_keeps_country_and_last_digits() {
        assert_eq!(mask_iban("DE89370400440532013000"), "DE89 •••• •••• 3000");
    }

    #[test]
    fn references_fit_sepa() {
        assert_eq!(mandate_reference("lumen", "100001", 1), "LUMEN-100001-001");
        let long = mandate_reference(&"x".repeat(40), "1", 1);
        assert_eq!(long.len(), 35);
    }

    #[test]
    fn holders_and_dropping_autopay() {
        assert_eq!(check_account_holder("Claire Dubois"), Ok(()));
        assert_eq!(check_account_holder(""), Err(FieldProblem::Required));
        assert_eq!(
            check_account_holder("C"),
            Err(FieldProblem::AccountHolderInvalid)
        );
        assert_eq!(may_revoke_mandate(false, false), Ok(()));
        assert_eq!(may_revoke_mandate(true, true), Ok(()));
        assert_eq!(
            may_revoke_mandate(true, false),
            Err(DropRefusal::AutopayRequired)
        );
        assert_eq!(pre_notification_date(d(2026, 12, 19)), d(2026, 12, 5));
    }
}
