//! CSV export fields: never a formula at the start, always one field that reads back.
#![no_main]
use app::domain::usage::csv_field;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|value: &str| {
    let field = csv_field(value);
    assert!(!field.starts_with(['=', '+', '-', '@', '\t', '\r']));
    let back = match field.strip_prefix('"').and_then(|f| f.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => {
            assert!(!field.contains([',', '"', '\n', '\r']));
            field.clone()
        }
    };
    let formula = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let expected = if formula {
        format!("'{value}")
    } else {
        value.to_string()
    };
    assert_eq!(back, expected);
});
