//! Money (BILLING.md "Money"): amounts are `Decimal`, exact until a line becomes final, then
//! rounded once to the currency's minor unit, half away from zero.

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// An ISO 4217 currency, e.g. `EUR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    /// Euro.
    pub const EUR: Currency = Currency(*b"EUR");
    /// Brazilian real.
    pub const BRL: Currency = Currency(*b"BRL");
    /// US dollar.
    pub const USD: Currency = Currency(*b"USD");

    /// Parses a three-letter upper-case code.
    pub fn parse(code: &str) -> Option<Currency> {
        let bytes: [u8; 3] = code.trim().as_bytes().try_into().ok()?;
        bytes
            .iter()
            .all(u8::is_ascii_uppercase)
            .then_some(Currency(bytes))
    }

    /// The code, e.g. `EUR`.
    pub fn code(&self) -> &str {
        // Only ASCII upper-case letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// The number of decimals of the currency's minor unit (2 for EUR, BRL, USD).
    pub fn minor_units(&self) -> u32 {
        crate::domain::format::minor_units(self.code())
    }

    /// Rounds `amount` to this currency's minor unit, half away from zero (commercial
    /// rounding): the one rounding a line amount gets, when it becomes final.
    pub fn round(&self, amount: Decimal) -> Decimal {
        amount.round_dp_with_strategy(self.minor_units(), RoundingStrategy::MidpointAwayFromZero)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl TryFrom<String> for Currency {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Currency::parse(&value).ok_or_else(|| format!("not a currency code: {value:?}"))
    }
}

impl From<Currency> for String {
    fn from(value: Currency) -> Self {
        value.code().to_string()
    }
}

/// A final amount: rounded to the minor unit of its currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

impl Money {
    /// Makes `amount` final in `currency`: rounded once, half away from zero.
    pub fn round(amount: Decimal, currency: Currency) -> Money {
        Money {
            amount: currency.round(amount).normalize_to(currency.minor_units()),
            currency,
        }
    }

    /// Zero in `currency`.
    pub fn zero(currency: Currency) -> Money {
        Money::round(Decimal::ZERO, currency)
    }

    /// The amount (always with exactly the currency's number of decimals).
    pub fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The sum of final amounts of one currency; `None` when currencies differ.
    pub fn sum<'a>(
        currency: Currency,
        items: impl IntoIterator<Item = &'a Money>,
    ) -> Option<Money> {
        let mut total = Decimal::ZERO;
        for item in items {
            if item.currency != currency {
                return None;
            }
            total += item.amount;
        }
        Some(Money::round(total, currency))
    }

    /// `self − other`; `None` when currencies differ.
    pub fn checked_sub(&self, other: &Money) -> Option<Money> {
        (self.currency == other.currency)
            .then(|| Money::round(self.amount - other.amount, self.currency))
    }

    /// The negated amount (a charge becomes a credit).
    pub fn negate(&self) -> Money {
        Money::round(-self.amount, self.currency)
    }
}

trait NormalizeTo {
    fn normalize_to(self, scale: u32) -> Decimal;
}

impl NormalizeTo for Decimal {
    /// Gives the value exactly `scale` decimals (`5` → `5.00`), so equal amounts print alike.
    fn normalize_to(self, scale: u32) -> Decimal {
        let mut value = self;
        value.rescale(scale);
        value
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn currencies() {
        assert_eq!(Currency::parse("EUR"), Some(Currency::EUR));
        assert_eq!(Currency::parse("eur"), None);
        assert_eq!(Currency::parse("EURO"), None);
        assert_eq!(Currency::EUR.minor_units(), 2);
        assert_eq!(Currency::parse("JPY").map(|c| c.minor_units()), Some(0));
        let json = serde_json::to_string(&Currency::BRL).expect("json");
        assert_eq!(json, "\"BRL\"");
        assert!(serde_json::from_str::<Currency>("\"brl\"").is_err());
    }

    #[test]
    fn rounding_is_commercial_and_happens_once() {
        let cases = [
            (dec!(10.835), dec!(10.84)),
            (dec!(10.845), dec!(10.85)),
            (dec!(-10.845), dec!(-10.85)),
            (dec!(10.8387096774), dec!(10.84)),
            (dec!(0.004999), dec!(0.00)),
            (dec!(5), dec!(5.00)),
        ];
        for (raw, want) in cases {
            assert_eq!(Money::round(raw, Currency::EUR).amount(), want, "{raw}");
        }
        assert_eq!(Money::round(dec!(5), Currency::EUR).to_string(), "5.00 EUR");
    }

    #[test]
    fn sums_refuse_mixed_currencies() {
        let a = Money::round(dec!(1.005), Currency::EUR);
        let b = Money::round(dec!(2), Currency::EUR);
        assert_eq!(
            Money::sum(Currency::EUR, [&a, &b]).map(|m| m.amount()),
            Some(dec!(3.01))
        );
        let c = Money::round(dec!(2), Currency::BRL);
        assert_eq!(Money::sum(Currency::EUR, [&a, &c]), None);
        assert_eq!(a.checked_sub(&c), None);
        assert_eq!(b.checked_sub(&a).map(|m| m.amount()), Some(dec!(0.99)));
        assert_eq!(a.negate().amount(), dec!(-1.01));
    }
}
