//! Typed amounts (alert thresholds): never a panic; an accepted one is positive, bounded and
//! read back the same.
#![no_main]
use app::domain::{account::AlertMetric, settings::parse_threshold};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|raw: &str| {
    for metric in [AlertMetric::Data, AlertMetric::Minutes, AlertMetric::Spend] {
        if let Ok(value) = parse_threshold(raw, metric) {
            assert!(value.is_sign_positive() && !value.is_zero());
            assert_eq!(parse_threshold(&value.to_string(), metric), Ok(value));
        }
    }
});
