//! Dates as a date input sends them: never a panic; an accepted one reads back the same.
#![no_main]
use app::domain::validation::parse_iso_date;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|raw: &str| {
    if let Ok(day) = parse_iso_date(raw) {
        assert_eq!(parse_iso_date(&day.format("%Y-%m-%d").to_string()), Ok(day));
    }
});
