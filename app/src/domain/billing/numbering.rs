//! Gapless invoice and credit-note numbers per provider and year (BILLING.md "Money"):
//! `2024-000123`, `CN-2024-000007`. The next value comes from the database under a lock; this
//! module only formats and parses.

use serde::{Deserialize, Serialize};

/// The two numbering series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Series {
    Invoice,
    CreditNote,
}

impl Series {
    /// The database spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Series::Invoice => "invoice",
            Series::CreditNote => "credit_note",
        }
    }
}

/// The number `value` of `year` in `series`, six digits wide (wider when it must be).
pub fn format_number(series: Series, year: i32, value: u64) -> String {
    match series {
        Series::Invoice => format!("{year}-{value:06}"),
        Series::CreditNote => format!("CN-{year}-{value:06}"),
    }
}

/// The series, year and value of a formatted number.
pub fn parse_number(number: &str) -> Option<(Series, i32, u64)> {
    let (series, rest) = match number.strip_prefix("CN-") {
        Some(rest) => (Series::CreditNote, rest),
        None => (Series::Invoice, number),
    };
    let (year, value) = rest.split_once('-')?;
    if year.len() != 4 || value.len() < 6 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((series, year.parse().ok()?, value.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses() {
        assert_eq!(format_number(Series::Invoice, 2024, 123), "2024-000123");
        assert_eq!(format_number(Series::CreditNote, 2024, 7), "CN-2024-000007");
        assert_eq!(
            format_number(Series::Invoice, 2024, 1_234_567),
            "2024-1234567"
        );
        assert_eq!(
            parse_number("2024-000123"),
            Some((Series::Invoice, 2024, 123))
        );
        assert_eq!(
            parse_number("CN-2024-000007"),
            Some((Series::CreditNote, 2024, 7))
        );
        assert_eq!(parse_number("2024-12"), None);
        assert_eq!(parse_number("CN-24-000007"), None);
        assert_eq!(parse_number("2024-00012a"), None);
    }
}
