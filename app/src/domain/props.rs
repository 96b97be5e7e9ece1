//! Property tests of every parser of outside input (issue 9, item 12): IBANs, phone numbers,
//! typed amounts (alert thresholds), dates and the CSV export's escaping. Each holds for any
//! input: no panic, and whatever is accepted is in canonical form and accepted again as is.
//! The same parsers have `cargo fuzz` targets in `app/fuzz` (SECURITY.md).

use chrono::{Datelike, NaiveDate};
use proptest::prelude::*;
use rust_decimal::Decimal;

use super::{
    account::AlertMetric,
    payment::normalize_iban,
    products::parse_threshold,
    usage::csv_field,
    validation::{normalize_phone, parse_iso_date},
};

/// Valid IBANs of the portal's countries (and two more shapes).
const IBANS: [&str; 6] = [
    "BE68539007547034",
    "DE89370400440532013000",
    "FR7630006000011234567890189",
    "NL91ABNA0417164300",
    "GB82WEST12345698765432",
    "NO9386011117947",
];

/// ISO 7064 mod 97-10, as the bank computes it.
fn mod97(iban: &str) -> u32 {
    let rearranged = format!("{}{}", &iban[4..], &iban[..4]);
    rearranged.chars().fold(0, |acc, c| {
        let value = c.to_digit(36).expect("alphanumeric");
        if value < 10 {
            (acc * 10 + value) % 97
        } else {
            (acc * 100 + value) % 97
        }
    })
}

/// Reads one RFC 4180 field back.
fn read_csv_field(field: &str) -> String {
    match field
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
    {
        Some(inner) => inner.replace("\"\"", "\""),
        None => field.to_string(),
    }
}

/// `text` with spaces put between characters where `spaces` says so.
fn spaced(text: &str, spaces: &[bool]) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        out.push(c);
        if spaces.get(i).copied().unwrap_or(false) {
            out.push(' ');
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn iban_anything_typed_is_refused_or_canonical(raw in "\\PC{0,60}") {
        if let Ok(iban) = normalize_iban(&raw) {
            prop_assert!((15..=34).contains(&iban.len()), "{iban}");
            prop_assert!(iban.chars().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()));
            prop_assert_eq!(mod97(&iban), 1);
            prop_assert_eq!(normalize_iban(&iban), Ok(iban.clone()));
        }
    }

    #[test]
    fn iban_spacing_and_case_do_not_matter(
        which in 0..IBANS.len(),
        spaces in proptest::collection::vec(any::<bool>(), 34),
        lower in any::<bool>(),
    ) {
        let iban = IBANS[which];
        let typed = spaced(iban, &spaces);
        let typed = if lower { typed.to_lowercase() } else { typed };
        prop_assert_eq!(normalize_iban(&typed), Ok(iban.to_string()));
    }

    #[test]
    fn iban_one_wrong_digit_is_always_caught(which in 0..IBANS.len(), at in 4usize..34, digit in 0u32..10) {
        let iban = IBANS[which];
        prop_assume!(at < iban.len());
        let old = iban.as_bytes()[at];
        prop_assume!(old.is_ascii_digit() && u32::from(old - b'0') != digit);
        let mut typo = iban.to_string();
        typo.replace_range(at..=at, &digit.to_string());
        prop_assert!(normalize_iban(&typo).is_err(), "{typo}");
    }

    #[test]
    fn phone_anything_typed_is_refused_or_e164(raw in "\\PC{0,40}") {
        if let Ok(phone) = normalize_phone(&raw) {
            let digits = phone.strip_prefix('+').expect("international form");
            prop_assert!((8..=15).contains(&digits.len()));
            prop_assert!(digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0'));
            prop_assert_eq!(normalize_phone(&phone), Ok(phone.clone()));
        }
    }

    #[test]
    fn phone_separators_and_00_are_the_same_number(
        number in "[1-9][0-9]{7,14}",
        separators in proptest::collection::vec(proptest::sample::select(vec!["", " ", "-", "/", ".", "\u{a0}"]), 15),
        double_zero in any::<bool>(),
    ) {
        let mut typed = String::from(if double_zero { "00" } else { "+" });
        for (i, c) in number.chars().enumerate() {
            typed.push(c);
            typed.push_str(separators[i]);
        }
        prop_assert_eq!(normalize_phone(&typed), Ok(format!("+{number}")));
    }

    #[test]
    fn amounts_anything_typed_is_refused_or_in_range(raw in "\\PC{0,30}", metric in 0usize..3) {
        let metric = [AlertMetric::Data, AlertMetric::Minutes, AlertMetric::Spend][metric];
        if let Ok(value) = parse_threshold(&raw, metric) {
            prop_assert!(value > Decimal::ZERO && value <= Decimal::from(1_000_000));
            let max_scale = match metric {
                AlertMetric::Data => 1,
                AlertMetric::Minutes => 0,
                AlertMetric::Spend => 2,
            };
            prop_assert!(value.scale() <= max_scale, "{value}");
            prop_assert_eq!(parse_threshold(&value.to_string(), metric), Ok(value));
        }
    }

    #[test]
    fn amounts_read_with_a_comma_or_a_point(cents in 1i64..100_000_000, comma in any::<bool>(), pad in any::<bool>()) {
        let value = Decimal::new(cents, 2).normalize();
        let mut typed = value.to_string();
        if comma {
            typed = typed.replace('.', ",");
        }
        if pad {
            typed = format!("  {typed} ");
        }
        prop_assert_eq!(parse_threshold(&typed, AlertMetric::Spend), Ok(value));
    }

    #[test]
    fn dates_anything_typed_is_refused_or_the_same_day(raw in "\\PC{0,20}") {
        if let Ok(day) = parse_iso_date(&raw) {
            prop_assert_eq!(parse_iso_date(&day.format("%Y-%m-%d").to_string()), Ok(day));
        }
    }

    #[test]
    fn dates_every_real_day_is_read(days in 0i64..200_000) {
        let day = NaiveDate::from_ymd_opt(1900, 1, 1).expect("date") + chrono::Days::new(days.unsigned_abs());
        let typed = format!("{:04}-{:02}-{:02}", day.year(), day.month(), day.day());
        prop_assert_eq!(parse_iso_date(&typed), Ok(day));
    }

    #[test]
    fn csv_fields_read_back_and_never_start_a_formula(value in "\\PC{0,40}|[=+\\-@][^\\n]{0,20}|.*[,\"\\n\\r].*") {
        let field = csv_field(&value);
        prop_assert!(!field.starts_with(['=', '+', '-', '@', '\t', '\r']), "{field}");
        let back = read_csv_field(&field);
        let expected = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            format!("'{value}")
        } else {
            value.clone()
        };
        prop_assert_eq!(back, expected);
        // A field with a separator, a quote or a line break is quoted: it stays one field.
        if value.contains([',', '"', '\n', '\r']) {
            prop_assert!(field.starts_with('"') && field.ends_with('"'));
            prop_assert!(!field[1..field.len() - 1].replace("\"\"", "").contains('"'));
        }
    }
}
