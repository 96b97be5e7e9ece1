//! The Home tab's product rules (H2–H4): allowance meters, option changes, consumption alerts
//! and move requests.

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::domain::{
    account::{AlertMetric, Service},
    validation::FieldProblem,
};

/// Bytes in a gigabyte, as tariffs count them (decimal units, like the usage records' MB).
pub const BYTES_PER_GB: i64 = 1_000_000_000;
/// Megabytes in a gigabyte.
pub const MB_PER_GB: i64 = 1_000;

/// The meters a product of `service` shows against its allowance (H2).
pub fn metrics_of(service: Service) -> &'static [AlertMetric] {
    match service {
        Service::Internet | Service::Satellite => &[AlertMetric::Data, AlertMetric::Spend],
        Service::Fixed => &[AlertMetric::Minutes, AlertMetric::Spend],
        Service::Mobile => &[AlertMetric::Data, AlertMetric::Minutes, AlertMetric::Spend],
        Service::Tv | Service::Hosting => &[],
    }
}

/// Lines bound to a place can move; a mobile line or a server cannot (H4).
pub fn movable(service: Service) -> bool {
    matches!(
        service,
        Service::Tv | Service::Internet | Service::Fixed | Service::Satellite
    )
}

/// Usage of one line in one cycle, in the units the customer reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CycleUsage {
    pub data_gb: Decimal,
    pub minutes: Decimal,
    pub spend: Decimal,
}

impl CycleUsage {
    /// From the sums of the usage records: data in MB, call minutes, charges.
    pub fn from_records(data_mb: Decimal, minutes: Decimal, spend: Decimal) -> CycleUsage {
        CycleUsage {
            data_gb: data_mb / Decimal::from(MB_PER_GB),
            minutes,
            spend,
        }
    }

    /// The value an alert of `metric` compares.
    pub fn of(&self, metric: AlertMetric) -> Decimal {
        match metric {
            AlertMetric::Data => self.data_gb,
            AlertMetric::Minutes => self.minutes,
            AlertMetric::Spend => self.spend,
        }
    }
}

/// The allowance of a line: `None` is unlimited (or nothing included, for spend).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allowance {
    pub data_gb: Option<Decimal>,
    pub minutes: Option<Decimal>,
}

/// The tariff's allowance plus what active options add: extra data adds up, unlimited calls
/// lift the minutes limit.
pub fn allowance(
    tariff_data_bytes: Option<i64>,
    tariff_minutes: Option<i32>,
    option_extra_bytes: &[i64],
    unlimited_minutes: bool,
) -> Allowance {
    let extra: i64 = option_extra_bytes.iter().sum();
    Allowance {
        data_gb: tariff_data_bytes
            .map(|bytes| Decimal::from(bytes.saturating_add(extra)) / Decimal::from(BYTES_PER_GB)),
        minutes: tariff_minutes
            .filter(|_| !unlimited_minutes)
            .map(Decimal::from),
    }
}

/// One bar of H2: what was used and what is included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meter {
    pub metric: AlertMetric,
    pub used: Decimal,
    /// `None`: unlimited, or (for spend) nothing included.
    pub included: Option<Decimal>,
}

impl Meter {
    /// The filled share of the bar in percent, 0..=100 (over the allowance is a full bar).
    pub fn percent(&self) -> u8 {
        let Some(included) = self.included.filter(|i| *i > Decimal::ZERO) else {
            return 0;
        };
        let share = (self.used * Decimal::ONE_HUNDRED / included)
            .round()
            .clamp(Decimal::ZERO, Decimal::ONE_HUNDRED);
        u8::try_from(share.mantissa()).unwrap_or(100)
    }

    /// True when the allowance is used up.
    pub fn exceeded(&self) -> bool {
        self.included.is_some_and(|i| self.used > i)
    }
}

/// The meters of a line of `service`, in display order (H2).
pub fn meters(service: Service, usage: CycleUsage, allowance: Allowance) -> Vec<Meter> {
    metrics_of(service)
        .iter()
        .map(|metric| Meter {
            metric: *metric,
            used: usage.of(*metric),
            included: match metric {
                AlertMetric::Data => allowance.data_gb,
                AlertMetric::Minutes => allowance.minutes,
                AlertMetric::Spend => None,
            },
        })
        .collect()
}

/// Why an option change is refused before anything is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChangeRefusal {
    /// The option is already in the wished state (another window, a double submission).
    AlreadyThere,
}

/// H3: the monthly prices before and after switching an option with price `price` from
/// `active` to `activate`.
pub fn option_prices(
    price: Decimal,
    active: bool,
    activate: bool,
) -> Result<(Decimal, Decimal), ChangeRefusal> {
    match (active, activate) {
        (false, true) => Ok((Decimal::ZERO, price)),
        (true, false) => Ok((price, Decimal::ZERO)),
        _ => Err(ChangeRefusal::AlreadyThere),
    }
}

/// The largest threshold accepted (a typo guard: 1 000 000 GB, minutes or currency units).
const MAX_THRESHOLD: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);

/// H4: a threshold as typed (`10`, `2,5`, `2.5`): positive, at most two decimals for spend and
/// one for data, whole minutes.
pub fn parse_threshold(raw: &str, metric: AlertMetric) -> Result<Decimal, FieldProblem> {
    let text = raw.trim().replace([' ', '\u{a0}', '\u{202f}'], "");
    if text.is_empty() {
        return Err(FieldProblem::Required);
    }
    let text = text.replace(',', ".");
    let value: Decimal = text.parse().map_err(|_| FieldProblem::ThresholdInvalid)?;
    let max_scale = match metric {
        AlertMetric::Data => 1,
        AlertMetric::Minutes => 0,
        AlertMetric::Spend => 2,
    };
    let value = value.normalize();
    if value <= Decimal::ZERO || value > MAX_THRESHOLD || value.scale() > max_scale {
        return Err(FieldProblem::ThresholdInvalid);
    }
    Ok(value)
}

/// H4: an alert fires when the cycle's usage reaches its threshold.
pub fn crossed(usage: Decimal, threshold: Decimal) -> bool {
    usage >= threshold
}

/// The earliest wished date of a move: a week from today (time to plan the technician).
pub const MOVE_LEAD_DAYS: u64 = 7;
/// The latest wished date of a move: six months from today.
pub const MOVE_HORIZON_DAYS: u64 = 183;

/// H4: the wished date of a move, typed as `YYYY-MM-DD` (the date input's value).
pub fn check_wished_date(raw: &str, today: NaiveDate) -> Result<NaiveDate, FieldProblem> {
    let day = super::validation::parse_iso_date(raw)?;
    let earliest = today
        .checked_add_days(Days::new(MOVE_LEAD_DAYS))
        .ok_or(FieldProblem::DateInvalid)?;
    let latest = today
        .checked_add_days(Days::new(MOVE_HORIZON_DAYS))
        .ok_or(FieldProblem::DateInvalid)?;
    if day < earliest {
        return Err(FieldProblem::MoveTooSoon);
    }
    if day > latest {
        return Err(FieldProblem::MoveTooLate);
    }
    Ok(day)
}

/// H4: a postal code in the shape of the customer's country: 4 digits in Belgium, 5 in Germany
/// and France, `1234 AB` in the Netherlands; elsewhere 3 to 10 letters, digits or spaces.
/// Returns the code as stored (trimmed, Dutch letters upper-case with one space).
pub fn check_postal_code(raw: &str, country: &str) -> Result<String, FieldProblem> {
    let code: String = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if code.is_empty() {
        return Err(FieldProblem::Required);
    }
    let digits = |n: usize| code.len() == n && code.chars().all(|c| c.is_ascii_digit());
    let ok = match country {
        "BE" => digits(4) && !code.starts_with('0'),
        "DE" | "FR" => digits(5),
        "NL" => {
            let compact: String = code.chars().filter(|c| *c != ' ').collect();
            let (num, letters) = compact.split_at(compact.len().min(4));
            let ok = num.len() == 4
                && num.chars().all(|c| c.is_ascii_digit())
                && !num.starts_with('0')
                && letters.len() == 2
                && letters.chars().all(|c| c.is_ascii_alphabetic());
            if ok {
                return Ok(format!("{num} {}", letters.to_ascii_uppercase()));
            }
            false
        }
        _ => {
            (3..=10).contains(&code.len())
                && code.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ')
        }
    };
    if ok {
        Ok(code)
    } else {
        Err(FieldProblem::PostalCodeInvalid)
    }
}

/// H4: a street with number or a city: trimmed, 2 to 100 characters, no control characters.
pub fn check_address_text(raw: &str) -> Result<String, FieldProblem> {
    let text = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return Err(FieldProblem::Required);
    }
    let chars = text.chars().count();
    if !(2..=100).contains(&chars) || text.chars().any(char::is_control) {
        return Err(FieldProblem::AddressInvalid);
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::d;
    use rust_decimal::dec;

    #[test]
    fn allowance_adds_options() {
        let a = allowance(
            Some(10 * BYTES_PER_GB),
            Some(200),
            &[5 * BYTES_PER_GB],
            false,
        );
        assert_eq!(a.data_gb, Some(dec!(15)));
        assert_eq!(a.minutes, Some(dec!(200)));
        let unlimited = allowance(None, Some(200), &[], true);
        assert_eq!(unlimited, Allowance::default());
    }

    #[test]
    fn meters_per_service_and_bar_share() {
        let usage = CycleUsage::from_records(dec!(7500), dec!(50), dec!(4.92));
        let a = Allowance {
            data_gb: Some(dec!(10)),
            minutes: None,
        };
        let m = meters(Service::Mobile, usage, a);
        assert_eq!(m.len(), 3);
        assert_eq!(m[0].used, dec!(7.5));
        assert_eq!(m[0].percent(), 75);
        assert!(!m[0].exceeded());
        assert_eq!(m[1].percent(), 0, "unlimited minutes draw no bar");
        assert_eq!(m[2].used, dec!(4.92));
        assert!(meters(Service::Tv, usage, a).is_empty());
        let over = Meter {
            metric: AlertMetric::Data,
            used: dec!(12),
            included: Some(dec!(10)),
        };
        assert_eq!(over.percent(), 100);
        assert!(over.exceeded());
    }

    #[test]
    fn option_prices_follow_the_switch() {
        assert_eq!(
            option_prices(dec!(9.99), false, true),
            Ok((dec!(0), dec!(9.99)))
        );
        assert_eq!(
            option_prices(dec!(9.99), true, false),
            Ok((dec!(9.99), dec!(0)))
        );
        assert_eq!(
            option_prices(dec!(9.99), true, true),
            Err(ChangeRefusal::AlreadyThere)
        );
        assert_eq!(
            option_prices(dec!(9.99), false, false),
            Err(ChangeRefusal::AlreadyThere)
        );
    }

    #[test]
    fn thresholds() {
        use AlertMetric::*;
        let table: &[(&str, AlertMetric, Result<Decimal, FieldProblem>)] = &[
            ("10", Data, Ok(dec!(10))),
            (" 2,5 ", Data, Ok(dec!(2.5))),
            ("2.50", Data, Ok(dec!(2.5))),
            ("2.55", Data, Err(FieldProblem::ThresholdInvalid)),
            ("120", Minutes, Ok(dec!(120))),
            ("120.5", Minutes, Err(FieldProblem::ThresholdInvalid)),
            ("12,34", Spend, Ok(dec!(12.34))),
            ("1 000", Spend, Ok(dec!(1000))),
            ("0", Spend, Err(FieldProblem::ThresholdInvalid)),
            ("-5", Spend, Err(FieldProblem::ThresholdInvalid)),
            ("ten", Spend, Err(FieldProblem::ThresholdInvalid)),
            ("5000000", Spend, Err(FieldProblem::ThresholdInvalid)),
            ("", Spend, Err(FieldProblem::Required)),
        ];
        for (raw, metric, want) in table {
            assert_eq!(parse_threshold(raw, *metric), *want, "{raw:?} {metric:?}");
        }
        assert!(crossed(dec!(10), dec!(10)));
        assert!(!crossed(dec!(9.99), dec!(10)));
    }

    #[test]
    fn wished_dates() {
        let today = d(2026, 11, 22);
        assert_eq!(check_wished_date("2026-11-29", today), Ok(d(2026, 11, 29)));
        assert_eq!(
            check_wished_date("2026-11-28", today),
            Err(FieldProblem::MoveTooSoon)
        );
        assert_eq!(check_wished_date("2027-05-24", today), Ok(d(2027, 5, 24)));
        assert_eq!(
            check_wished_date("2027-05-25", today),
            Err(FieldProblem::MoveTooLate)
        );
        assert_eq!(
            check_wished_date("29/11/2026", today),
            Err(FieldProblem::DateInvalid)
        );
        assert_eq!(check_wished_date(" ", today), Err(FieldProblem::Required));
    }

    #[test]
    fn postal_codes_by_country() {
        let table: &[(&str, &str, Result<&str, FieldProblem>)] = &[
            ("4000", "BE", Ok("4000")),
            (" 1050 ", "BE", Ok("1050")),
            ("0400", "BE", Err(FieldProblem::PostalCodeInvalid)),
            ("40000", "BE", Err(FieldProblem::PostalCodeInvalid)),
            ("10115", "DE", Ok("10115")),
            ("1011", "DE", Err(FieldProblem::PostalCodeInvalid)),
            ("75001", "FR", Ok("75001")),
            ("1012ab", "NL", Ok("1012 AB")),
            ("1012 AB", "NL", Ok("1012 AB")),
            ("1012", "NL", Err(FieldProblem::PostalCodeInvalid)),
            ("70000-000", "BR", Err(FieldProblem::PostalCodeInvalid)),
            ("70000 000", "BR", Ok("70000 000")),
            ("", "BE", Err(FieldProblem::Required)),
        ];
        for (raw, country, want) in table {
            assert_eq!(
                check_postal_code(raw, country),
                want.map(str::to_string),
                "{raw:?} {country}"
            );
        }
    }

    #[test]
    fn address_texts() {
        assert_eq!(
            check_address_text("  Rue  Haute 5 "),
            Ok("Rue Haute 5".to_string())
        );
        assert_eq!(check_address_text(""), Err(FieldProblem::Required));
        assert_eq!(check_address_text("x"), Err(FieldProblem::AddressInvalid));
        assert_eq!(
            check_address_text(&"a".repeat(101)),
            Err(FieldProblem::AddressInvalid)
        );
    }

    #[test]
    fn services() {
        assert!(movable(Service::Internet));
        assert!(!movable(Service::Mobile));
        assert!(metrics_of(Service::Hosting).is_empty());
    }
}

mod overview;
pub use overview::{AlertView, MoveView, OptionChanged, OptionOffer, Product, Products};
