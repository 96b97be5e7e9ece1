//! Usage (U1–U2, I3): which days a filter covers, units, and the CSV export.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{
    account::UsageKind,
    billing::cycles::{cycle, cycle_containing},
    calendar::DateRange,
    validation::FieldProblem,
};

/// Rows per page of the usage list.
pub const PAGE_SIZE: i64 = 25;
/// The longest custom period (a year, leap day included).
pub const MAX_CUSTOM_DAYS: i64 = 366;

/// The period a customer picks (U2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PeriodChoice {
    ThisCycle,
    LastCycle,
    Custom,
}

impl PeriodChoice {
    /// The spelling in the address bar.
    pub fn as_str(self) -> &'static str {
        match self {
            PeriodChoice::ThisCycle => "this",
            PeriodChoice::LastCycle => "last",
            PeriodChoice::Custom => "custom",
        }
    }

    /// Parses the address bar's spelling; anything else is this cycle.
    pub fn parse(s: &str) -> PeriodChoice {
        match s {
            "last" => PeriodChoice::LastCycle,
            "custom" => PeriodChoice::Custom,
            _ => PeriodChoice::ThisCycle,
        }
    }
}

/// The days a period covers, for a contract billed from `activation` (B1 cycles), on `today`.
/// A custom period needs both dates, in order, at most `MAX_CUSTOM_DAYS` long; the problem is
/// reported for the field `to` unless `from` is missing.
pub fn resolve_period(
    choice: PeriodChoice,
    activation: NaiveDate,
    today: NaiveDate,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<DateRange, (&'static str, FieldProblem)> {
    match choice {
        PeriodChoice::ThisCycle | PeriodChoice::LastCycle => {
            let range = match (choice, cycle_containing(activation, today)) {
                (PeriodChoice::ThisCycle, Some((_, range))) => Some(range),
                (_, Some((n, _))) if n > 0 => cycle(activation, n - 1),
                _ => None,
            };
            // Before activation, or before the first cycle: just today (nothing to show).
            Ok(range.unwrap_or_else(|| DateRange::day(today)))
        }
        PeriodChoice::Custom => {
            let from = from.ok_or(("from", FieldProblem::Required))?;
            let to = to.ok_or(("to", FieldProblem::Required))?;
            let range = DateRange::new(from, to).ok_or(("to", FieldProblem::DateOrder))?;
            if range.days() > MAX_CUSTOM_DAYS {
                return Err(("to", FieldProblem::PeriodTooLong));
            }
            Ok(range)
        }
    }
}

/// The unit of a kind's quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unit {
    Megabytes,
    Minutes,
    Count,
}

/// The unit a kind is measured in.
pub fn unit_of(kind: UsageKind) -> Unit {
    match kind {
        UsageKind::Data => Unit::Megabytes,
        UsageKind::Call | UsageKind::Premium => Unit::Minutes,
        UsageKind::Sms | UsageKind::Mms => Unit::Count,
    }
}

/// One usage record as the customer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageRow {
    pub started_at: chrono::NaiveDateTime,
    pub contract_number: String,
    pub phone_number: Option<String>,
    pub kind: UsageKind,
    pub quantity: Decimal,
    pub charge: Decimal,
    pub destination: Option<String>,
}

/// The totals of one kind over a whole filter (not only the page shown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindTotal {
    pub kind: UsageKind,
    pub records: i64,
    pub quantity: Decimal,
    pub charge: Decimal,
}

/// A field of the CSV: quoted when it holds a separator, a quote or a line break (RFC 4180),
/// and prefixed with `'` when a spreadsheet would read it as a formula (OWASP CSV injection).
pub fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// The CSV export of usage rows: a header, then one line per row, CRLF line ends, amounts with
/// a decimal point (the machine-readable form, whatever the language).
pub fn to_csv(rows: &[UsageRow], currency: &str) -> String {
    let mut out = format!(
        "started_at,contract,phone_number,type,quantity,unit,charge_{},destination\r\n",
        currency.to_lowercase()
    );
    for row in rows {
        let unit = match unit_of(row.kind) {
            Unit::Megabytes => "MB",
            Unit::Minutes => "min",
            Unit::Count => "count",
        };
        let fields = [
            row.started_at.format("%Y-%m-%dT%H:%M:%S").to_string(),
            row.contract_number.clone(),
            row.phone_number.clone().unwrap_or_default(),
            row.kind.as_str().to_string(),
            row.quantity.normalize().to_string(),
            unit.to_string(),
            format!("{:.2}", row.charge),
            row.destination.clone().unwrap_or_default(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// Bar heights (0–100) for a daily series, scaled to its largest value.
pub fn bar_heights(values: &[Decimal]) -> Vec<Decimal> {
    let max = values.iter().copied().max().unwrap_or_default();
    values
        .iter()
        .map(|v| {
            if max.is_zero() {
                Decimal::ZERO
            } else {
                (*v * Decimal::ONE_HUNDRED / max).round_dp(1)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::d;
    use rust_decimal::dec;

    #[test]
    fn cycles_follow_the_activation_day() {
        let activation = d(2025, 8, 5);
        let today = d(2026, 11, 22);
        let this =
            resolve_period(PeriodChoice::ThisCycle, activation, today, None, None).expect("this");
        assert_eq!((this.start(), this.end()), (d(2026, 11, 5), d(2026, 12, 4)));
        let last =
            resolve_period(PeriodChoice::LastCycle, activation, today, None, None).expect("last");
        assert_eq!((last.start(), last.end()), (d(2026, 10, 5), d(2026, 11, 4)));
        // In the first cycle there is no last one: an empty day.
        let first =
            resolve_period(PeriodChoice::LastCycle, today, today, None, None).expect("first");
        assert_eq!(first.days(), 1);
    }

    #[test]
    fn custom_periods_are_checked() {
        let (a, t) = (d(2025, 1, 1), d(2026, 11, 22));
        let custom = |from, to| resolve_period(PeriodChoice::Custom, a, t, from, to);
        assert_eq!(
            custom(Some(d(2026, 11, 1)), Some(d(2026, 11, 10))).map(|r| r.days()),
            Ok(10)
        );
        assert_eq!(custom(None, Some(t)), Err(("from", FieldProblem::Required)));
        assert_eq!(
            custom(Some(t), Some(d(2026, 11, 1))),
            Err(("to", FieldProblem::DateOrder))
        );
        assert_eq!(
            custom(Some(d(2025, 1, 1)), Some(d(2026, 1, 3))),
            Err(("to", FieldProblem::PeriodTooLong))
        );
    }

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let row = UsageRow {
            started_at: d(2026, 11, 3).and_hms_opt(9, 5, 0).expect("time"),
            contract_number: "100001-04".into(),
            phone_number: Some("+32 470 12 34 56".into()),
            kind: UsageKind::Call,
            quantity: dec!(3.500),
            charge: dec!(0),
            destination: Some("=HYPERLINK(\"x\"), evil".into()),
        };
        let csv = to_csv(&[row], "EUR");
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(
            lines[0],
            "started_at,contract,phone_number,type,quantity,unit,charge_eur,destination"
        );
        assert_eq!(
            lines[1],
            "2026-11-03T09:05:00,100001-04,'+32 470 12 34 56,call,3.5,min,0.00,\"'=HYPERLINK(\"\"x\"\"), evil\""
        );
    }

    #[test]
    fn bars_scale_to_the_largest_day() {
        assert_eq!(
            bar_heights(&[dec!(0), dec!(50), dec!(200)]),
            vec![dec!(0), dec!(25), dec!(100)]
        );
        assert_eq!(bar_heights(&[dec!(0)]), vec![dec!(0)]);
    }
}
