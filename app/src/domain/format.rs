//! Money, number and date formatting per language (P4), without ICU data in the browser.
//!
//! The conventions follow CLDR for the locales we ship: `1.234,56 €` (de), `1 234,56 €` (fr,
//! narrow no-break space for grouping), `€ 1.234,56` (nl), `€1,234.56` (en).

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use rust_decimal::{Decimal, RoundingStrategy};

use super::lang::Lang;

const NBSP: char = '\u{a0}';
const NARROW_NBSP: char = '\u{202f}';

/// The number of minor units of a currency (ISO 4217); 2 unless the currency says otherwise.
pub fn minor_units(currency: &str) -> u32 {
    match currency {
        "JPY" | "KRW" | "CLP" | "ISK" => 0,
        "BHD" | "KWD" | "OMR" | "JOD" | "TND" => 3,
        _ => 2,
    }
}

fn currency_symbol(currency: &str) -> &str {
    match currency {
        "EUR" => "€",
        "USD" => "$",
        "GBP" => "£",
        "BRL" => "R$",
        "CHF" => "CHF",
        other => other,
    }
}

/// Formats `amount` with `decimals` fraction digits (rounded half away from zero) and the
/// grouping and decimal separators of `lang`.
pub fn number(amount: Decimal, decimals: u32, lang: Lang) -> String {
    let rounded = amount.round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero);
    let negative = rounded.is_sign_negative() && !rounded.is_zero();
    let digits = format!("{:.*}", decimals as usize, rounded.abs());
    let (int_part, frac_part) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits.as_str(), None),
    };
    let (group, decimal) = match lang {
        Lang::De | Lang::Nl => ('.', ','),
        Lang::Fr => (NARROW_NBSP, ','),
        Lang::En => (',', '.'),
    };
    let mut out = String::with_capacity(digits.len() + 8);
    if negative {
        out.push('-');
    }
    let len = int_part.len();
    for (i, ch) in int_part.chars().enumerate() {
        if i > 0 && (len - i) % 3 == 0 {
            out.push(group);
        }
        out.push(ch);
    }
    if let Some(frac) = frac_part {
        out.push(decimal);
        out.push_str(frac);
    }
    out
}

/// Formats a money amount for display, e.g. `1.234,56 €` in German.
pub fn money(amount: Decimal, currency: &str, lang: Lang) -> String {
    let symbol = currency_symbol(currency);
    let num = number(amount, minor_units(currency), lang);
    match lang {
        Lang::De | Lang::Fr => format!("{num}{NBSP}{symbol}"),
        Lang::Nl => format!("{symbol}{NBSP}{num}"),
        Lang::En => match num.strip_prefix('-') {
            Some(abs) => format!("-{symbol}{abs}"),
            None => format!("{symbol}{num}"),
        },
    }
}

const EN_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Formats a calendar date the way each language writes it in short form.
pub fn date(day: NaiveDate, lang: Lang) -> String {
    let (d, m, y) = (day.day(), day.month(), day.year());
    match lang {
        Lang::De => format!("{d:02}.{m:02}.{y}"),
        Lang::Fr => format!("{d:02}/{m:02}/{y}"),
        Lang::Nl => format!("{d:02}-{m:02}-{y}"),
        Lang::En => format!("{d} {} {y}", EN_MONTHS[(m - 1) as usize]),
    }
}

/// The time of day as `14:05`, the same in every language. Written out rather than with
/// chrono's `format("%H:%M")`, whose format-string parser would be the browser bundle's only
/// use of it (issue 26).
pub fn clock(at: impl Timelike) -> String {
    format!("{:02}:{:02}", at.hour(), at.minute())
}

/// A moment to the minute in the form of HTML's `datetime` attribute: `2026-11-22T14:05`.
pub fn datetime_attr(at: NaiveDateTime) -> String {
    format!("{}T{}", at.date(), clock(at))
}

/// An international number (`+4915120000301`, as stored after `normalize_phone`) in the
/// grouping its country writes: `+49 151 2000 0301`, `+32 470 99 88 77`, `+33 6 12 34 56 78`,
/// `+31 6 1234 5678`, `+55 11 91234 5678`. Other countries, text that is not such a number,
/// and numbers grouped already come back as they are.
pub fn phone(number: &str) -> String {
    let Some(digits) = number.strip_prefix('+') else {
        return number.to_string();
    };
    if digits.len() < 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return number.to_string();
    }
    // (country code, lengths of the groups after it; the rest is one last group)
    let (country, groups): (&str, &[usize]) = match digits {
        d if d.starts_with("49") && d[2..].starts_with('1') => ("49", &[3, 4]),
        d if d.starts_with("49") => ("49", &[]),
        d if d.starts_with("32") && d[2..].starts_with('4') => ("32", &[3, 2, 2]),
        d if d.starts_with("32") => ("32", &[1, 3, 2]),
        d if d.starts_with("33") => ("33", &[1, 2, 2, 2]),
        d if d.starts_with("31") && d[2..].starts_with('6') => ("31", &[1, 4]),
        d if d.starts_with("31") => ("31", &[2, 3]),
        d if d.starts_with("55") => ("55", &[2, 5]),
        _ => return number.to_string(),
    };
    let mut rest = &digits[country.len()..];
    let mut out = format!("+{country}");
    for &len in groups {
        if rest.len() <= len {
            break;
        }
        out.push(' ');
        out.push_str(&rest[..len]);
        rest = &rest[len..];
    }
    if !rest.is_empty() {
        out.push(' ');
        out.push_str(rest);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn times_of_day_as_chrono_would_write_them() {
        for (text, clock_text, attr) in [
            ("2026-11-22T14:05:59", "14:05", "2026-11-22T14:05"),
            ("2026-01-02T00:00:00", "00:00", "2026-01-02T00:00"),
            ("2026-12-31T23:59:01", "23:59", "2026-12-31T23:59"),
        ] {
            let at = NaiveDateTime::from_str(text).expect("a date and time");
            assert_eq!(clock(at), clock_text);
            assert_eq!(clock(at), at.format("%H:%M").to_string());
            assert_eq!(datetime_attr(at), attr);
            assert_eq!(datetime_attr(at), at.format("%Y-%m-%dT%H:%M").to_string());
        }
    }

    #[test]
    fn phone_numbers_in_their_national_grouping() {
        let cases = [
            ("+4915120000301", "+49 151 2000 0301"),
            ("+4930123456", "+49 30123456"),
            ("+32470998877", "+32 470 99 88 77"),
            ("+3221234567", "+32 2 123 45 67"),
            ("+33612345678", "+33 6 12 34 56 78"),
            ("+31612345678", "+31 6 1234 5678"),
            ("+5511912345678", "+55 11 91234 5678"),
            ("+41791234567", "+41791234567"),
            ("+49 151 2000 0301", "+49 151 2000 0301"),
            ("—", "—"),
        ];
        for (raw, want) in cases {
            assert_eq!(phone(raw), want, "{raw}");
        }
    }

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).expect("test decimal")
    }

    #[test]
    fn money_per_language() {
        let cases = [
            ("1234.56", Lang::De, "1.234,56\u{a0}€"),
            ("1234.56", Lang::Fr, "1\u{202f}234,56\u{a0}€"),
            ("1234.56", Lang::Nl, "€\u{a0}1.234,56"),
            ("1234.56", Lang::En, "€1,234.56"),
            ("0", Lang::De, "0,00\u{a0}€"),
            ("5", Lang::En, "€5.00"),
            ("999.999", Lang::De, "1.000,00\u{a0}€"),
            ("1234567.8", Lang::Fr, "1\u{202f}234\u{202f}567,80\u{a0}€"),
            ("-12.4", Lang::De, "-12,40\u{a0}€"),
            ("-12.4", Lang::En, "-€12.40"),
            ("-12.4", Lang::Nl, "€\u{a0}-12,40"),
        ];
        for (amount, lang, want) in cases {
            assert_eq!(
                money(dec(amount), "EUR", lang),
                want,
                "{amount} in {lang:?}"
            );
        }
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(number(dec("0.005"), 2, Lang::En), "0.01");
        assert_eq!(number(dec("-0.005"), 2, Lang::En), "-0.01");
        assert_eq!(number(dec("2.345"), 2, Lang::En), "2.35");
        assert_eq!(number(dec("-0.004"), 2, Lang::En), "0.00");
    }

    #[test]
    fn other_currencies() {
        assert_eq!(money(dec("1234.5"), "BRL", Lang::En), "R$1,234.50");
        assert_eq!(money(dec("1234.5"), "JPY", Lang::De), "1.235\u{a0}JPY");
    }

    #[test]
    fn dates_per_language() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 7).expect("date");
        assert_eq!(date(d, Lang::De), "07.03.2026");
        assert_eq!(date(d, Lang::Fr), "07/03/2026");
        assert_eq!(date(d, Lang::Nl), "07-03-2026");
        assert_eq!(date(d, Lang::En), "7 Mar 2026");
    }
}
