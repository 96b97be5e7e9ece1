//! IBANs as typed: never a panic; an accepted one is canonical and accepted again as is.
#![no_main]
use app::domain::payment::normalize_iban;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|raw: &str| {
    if let Ok(iban) = normalize_iban(raw) {
        assert!((15..=34).contains(&iban.len()));
        assert!(
            iban.chars()
                .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        );
        assert_eq!(normalize_iban(&iban), Ok(iban.clone()));
    }
});
