//! The provider's usage feed (issue 28 item 3): records as a provider's mediation system sends
//! them, one JSON object per line (NDJSON), checked line by line before anything is stored.
//!
//! ```text
//! {"id":"cdr-1","contract":"100001-04","type":"call","started_at":"2026-11-20T10:00:00","quantity":"3.5","destination":"+3225551234"}
//! ```
//!
//! Quantities and charges are decimals written as strings (or whole numbers): a JSON float
//! would round money before it arrives. Times are the customer's local time, as the portal
//! shows them, without an offset.

use std::borrow::Cow;

use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, de};

use super::account::UsageKind;

/// The most records one request may carry.
pub const MAX_RECORDS: usize = 100_000;
/// The largest body one request may carry (about 300 bytes a record).
pub const MAX_BYTES: usize = 32 * 1024 * 1024;
/// How many line problems an answer lists; the count says how many there were.
pub const MAX_LISTED_PROBLEMS: usize = 100;

/// The longest record id, contract number and destination.
const MAX_ID_CHARS: usize = 100;
const MAX_CONTRACT_CHARS: usize = 50;
const MAX_DESTINATION_CHARS: usize = 100;
/// NUMERIC(14, 3) and NUMERIC(12, 2) of `usage_records`.
const QUANTITY_SCALE: u32 = 3;
const QUANTITY_LIMIT: i64 = 100_000_000_000;
const CHARGE_SCALE: u32 = 2;
const CHARGE_LIMIT: i64 = 10_000_000_000;

/// A record of the feed, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedRecord {
    /// The record's line in the body (1-based), for problems found later (an unknown contract).
    pub line: usize,
    /// The provider's id of the record: a record sent again is stored once.
    pub record_id: String,
    /// The provider's contract number.
    pub contract_number: String,
    pub kind: UsageKind,
    pub started_at: NaiveDateTime,
    /// Megabytes for data, minutes for calls and premium calls, a count for SMS and MMS.
    pub quantity: Decimal,
    /// What was charged outside the bundle (gross); 0 when included.
    pub charge: Decimal,
    pub destination: Option<String>,
}

/// What is wrong with one line (1-based), and with which field when it is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineProblem {
    pub line: usize,
    pub field: Option<&'static str>,
    pub detail: String,
}

impl LineProblem {
    pub fn new(line: usize, field: Option<&'static str>, detail: impl Into<String>) -> Self {
        Self {
            line,
            field,
            detail: detail.into(),
        }
    }
}

/// Why a feed is refused as a whole (nothing of it is stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedRefusal {
    /// No record in the body.
    Empty,
    /// More than [`MAX_RECORDS`] records.
    TooMany,
    /// Lines that are not valid records, in line order.
    Lines(Vec<LineProblem>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    contract: Cow<'a, str>,
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow)]
    started_at: Cow<'a, str>,
    quantity: Amount,
    #[serde(default)]
    charge: Option<Amount>,
    #[serde(default, borrow)]
    destination: Option<Cow<'a, str>>,
}

/// A decimal given as a string or a whole number; a JSON float is refused (also read by the
/// provider API's JSON bodies).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount(pub Decimal);

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = Amount;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a decimal as a string, such as \"3.25\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Amount, E> {
                v.parse::<Decimal>()
                    .map(Amount)
                    .map_err(|_| E::custom(format!("{v:?} is not a decimal number")))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Amount, E> {
                Ok(Amount(Decimal::from(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Amount, E> {
                Ok(Amount(Decimal::from(v)))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Amount, E> {
                Err(E::custom(
                    "a decimal with a fraction must be a string, such as \"3.25\" (a JSON float is rounded)",
                ))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// Reads a feed: every non-blank line must be a valid record. Returns the records in order,
/// or every problem found (the first [`MAX_LISTED_PROBLEMS`] are listed by the caller).
pub fn parse_feed(body: &[u8]) -> Result<Vec<FeedRecord>, FeedRefusal> {
    let mut records = Vec::with_capacity(body.len() / 200);
    let mut problems = Vec::new();
    for (index, line) in body.split(|b| *b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        if records.len() + problems.len() >= MAX_RECORDS {
            return Err(FeedRefusal::TooMany);
        }
        match parse_line(index + 1, line) {
            Ok(record) => records.push(record),
            Err(problem) => problems.push(problem),
        }
    }
    if !problems.is_empty() {
        return Err(FeedRefusal::Lines(problems));
    }
    if records.is_empty() {
        return Err(FeedRefusal::Empty);
    }
    Ok(records)
}

fn parse_line(number: usize, text: &[u8]) -> Result<FeedRecord, LineProblem> {
    let line: Line = serde_json::from_slice(text)
        .map_err(|err| LineProblem::new(number, None, json_problem(&err)))?;
    let problem = |field, detail: &str| LineProblem::new(number, Some(field), detail);
    let record_id = bounded_text(&line.id, MAX_ID_CHARS).ok_or_else(|| {
        problem(
            "id",
            "must be 1 to 100 characters without control characters",
        )
    })?;
    let contract_number = bounded_text(&line.contract, MAX_CONTRACT_CHARS).ok_or_else(|| {
        problem(
            "contract",
            "must be 1 to 50 characters without control characters",
        )
    })?;
    let kind = UsageKind::parse(&line.kind)
        .ok_or_else(|| problem("type", "must be data, call, sms, mms or premium"))?;
    let started_at = parse_local_time(&line.started_at).ok_or_else(|| {
        problem(
            "started_at",
            "must be a local date and time such as 2026-11-20T10:00:00, without an offset",
        )
    })?;
    let quantity =
        bounded_amount(line.quantity.0, QUANTITY_SCALE, QUANTITY_LIMIT).ok_or_else(|| {
            problem(
                "quantity",
                "must be at least 0, below 100000000000, with at most 3 decimals",
            )
        })?;
    let charge = bounded_amount(
        line.charge.map_or(Decimal::ZERO, |c| c.0),
        CHARGE_SCALE,
        CHARGE_LIMIT,
    )
    .ok_or_else(|| {
        problem(
            "charge",
            "must be at least 0, below 10000000000, with at most 2 decimals",
        )
    })?;
    let destination = match line.destination.as_deref() {
        None | Some("") => None,
        Some(text) => Some(bounded_text(text, MAX_DESTINATION_CHARS).ok_or_else(|| {
            problem(
                "destination",
                "must be at most 100 characters without control characters",
            )
        })?),
    };
    Ok(FeedRecord {
        line: number,
        record_id,
        contract_number,
        kind,
        started_at,
        quantity,
        charge,
        destination,
    })
}

/// The amount, normalised, when it is at least 0, below `limit` and has at most `scale`
/// decimals (trailing zeros aside): what its NUMERIC column holds without rounding.
fn bounded_amount(amount: Decimal, scale: u32, limit: i64) -> Option<Decimal> {
    (!amount.is_sign_negative()
        && amount == amount.round_dp(scale)
        && amount < Decimal::from(limit))
    .then(|| amount.normalize())
}

/// The text, trimmed, when it has 1 to `max` characters and no control character.
fn bounded_text(text: &str, max: usize) -> Option<String> {
    let text = text.trim();
    let chars = text.chars().count();
    ((1..=max).contains(&chars) && !text.chars().any(char::is_control)).then(|| text.to_owned())
}

/// `2026-11-20T10:00:00`, with optional fractions of a second; a space for the `T` too.
fn parse_local_time(text: &str) -> Option<NaiveDateTime> {
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
}

/// What serde_json says about a line, without its position within the line.
fn json_problem(err: &serde_json::Error) -> String {
    let text = err.to_string();
    match text.rsplit_once(" at line ") {
        Some((message, _)) => message.to_owned(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    const GOOD: &str = r#"{"id":"cdr-1","contract":"100001-04","type":"call","started_at":"2026-11-20T10:00:00","quantity":"3.5","charge":"0.12","destination":"+3225551234"}"#;

    fn problems(body: &str) -> Vec<LineProblem> {
        match parse_feed(body.as_bytes()) {
            Err(FeedRefusal::Lines(problems)) => problems,
            other => panic!("expected line problems, got {other:?}"),
        }
    }

    #[test]
    fn a_good_line_becomes_a_record() {
        let records = parse_feed(format!("{GOOD}\n\n").as_bytes()).expect("records");
        assert_eq!(
            records,
            [FeedRecord {
                line: 1,
                record_id: "cdr-1".into(),
                contract_number: "100001-04".into(),
                kind: UsageKind::Call,
                started_at: NaiveDateTime::parse_from_str(
                    "2026-11-20 10:00:00",
                    "%Y-%m-%d %H:%M:%S"
                )
                .expect("time"),
                quantity: dec!(3.5),
                charge: dec!(0.12),
                destination: Some("+3225551234".into()),
            }]
        );
    }

    #[test]
    fn whole_numbers_and_missing_optionals_are_fine() {
        let line = r#"{"id":"d-1","contract":"C","type":"data","started_at":"2026-11-20 23:59:59.5","quantity":120}"#;
        let records = parse_feed(format!("{line}\r\n").as_bytes()).expect("records");
        assert_eq!(records[0].quantity, dec!(120));
        assert_eq!(records[0].charge, Decimal::ZERO);
        assert_eq!(records[0].destination, None);
    }

    #[test]
    fn every_bad_line_is_named_with_its_field() {
        let body = [
            GOOD,
            r#"{"id":"x","contract":"C","type":"fax","started_at":"2026-11-20T10:00:00","quantity":"1"}"#,
            r#"{"id":"x","contract":"C","type":"sms","started_at":"2026-11-20T10:00:00Z","quantity":"1"}"#,
            r#"{"id":"x","contract":"C","type":"sms","started_at":"2026-11-20T10:00:00","quantity":1.5}"#,
            r#"{"id":"x","contract":"C","type":"sms","started_at":"2026-11-20T10:00:00","quantity":"-1"}"#,
            r#"{"id":"x","contract":"C","type":"sms","started_at":"2026-11-20T10:00:00","quantity":"1","charge":"0.001"}"#,
            r#"{"id":"","contract":"C","type":"sms","started_at":"2026-11-20T10:00:00","quantity":"1"}"#,
            r#"{"id":"x","contract":"C","type":"sms","started_at":"2026-11-20T10:00:00","quantity":"1","extra":1}"#,
            "not json",
        ]
        .join("\n");
        let found: Vec<(usize, Option<&str>)> =
            problems(&body).iter().map(|p| (p.line, p.field)).collect();
        assert_eq!(
            found,
            [
                (2, Some("type")),
                (3, Some("started_at")),
                (4, None),
                (5, Some("quantity")),
                (6, Some("charge")),
                (7, Some("id")),
                (8, None),
                (9, None),
            ]
        );
        let float = &problems(&body)[2];
        assert!(
            float.detail.contains("must be a string"),
            "{}",
            float.detail
        );
    }

    #[test]
    fn trailing_zeros_beyond_the_scale_are_accepted() {
        let line = GOOD.replace(r#""quantity":"3.5""#, r#""quantity":"3.5000""#);
        let records = parse_feed(line.as_bytes()).expect("records");
        assert_eq!(records[0].quantity, dec!(3.5));
    }

    #[test]
    fn empty_and_oversized_feeds_are_refused_whole() {
        assert_eq!(parse_feed(b"\n \n"), Err(FeedRefusal::Empty));
        let body = format!("{GOOD}\n").repeat(MAX_RECORDS + 1);
        assert_eq!(parse_feed(body.as_bytes()), Err(FeedRefusal::TooMany));
    }
}
