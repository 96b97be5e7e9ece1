//! Phone numbers as typed: never a panic; an accepted one is E.164 and accepted again as is.
#![no_main]
use app::domain::validation::normalize_phone;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|raw: &str| {
    if let Ok(phone) = normalize_phone(raw) {
        let digits = phone.strip_prefix('+').expect("international form");
        assert!((8..=15).contains(&digits.len()));
        assert!(digits.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(normalize_phone(&phone), Ok(phone.clone()));
    }
});
