//! VAT extracted from gross amounts, per rate (BILLING.md "Money").

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::domain::money::{Currency, Money};

/// The VAT part of one rate on an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VatLine {
    /// The rate in percent, e.g. 21.
    pub rate: Decimal,
    /// The gross amount at this rate (sum of the rounded lines).
    pub gross: Money,
    /// `round(gross × rate / (100 + rate))`.
    pub vat: Money,
    /// `gross − vat`.
    pub net: Money,
}

/// The VAT contained in `gross` at `rate` percent: `round(gross × rate / (100 + rate))`
/// (BILLING.md: prices for private customers include VAT).
pub fn vat_from_gross(gross: Decimal, rate: Decimal, currency: Currency) -> Money {
    let hundred = Decimal::ONE_HUNDRED;
    if rate.is_zero() {
        return Money::zero(currency);
    }
    Money::round(gross * rate / (hundred + rate), currency)
}

/// The VAT breakdown of gross lines `(amount, rate)`, one entry per rate in ascending order.
/// Each line is already final; the VAT is computed once per rate on the sum.
pub fn breakdown<'a>(
    lines: impl IntoIterator<Item = (&'a Money, Decimal)>,
    currency: Currency,
) -> Vec<VatLine> {
    let mut per_rate: BTreeMap<Decimal, Decimal> = BTreeMap::new();
    for (amount, rate) in lines {
        *per_rate.entry(rate.normalize()).or_default() += amount.amount();
    }
    per_rate
        .into_iter()
        .map(|(rate, gross)| {
            let gross = Money::round(gross, currency);
            let vat = vat_from_gross(gross.amount(), rate, currency);
            let net = Money::round(gross.amount() - vat.amount(), currency);
            VatLine {
                rate,
                gross,
                vat,
                net,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn vat_from_gross_per_rate() {
        // 121.00 gross at 21 % holds 21.00 VAT.
        assert_eq!(
            vat_from_gross(dec!(121.00), dec!(21), Currency::EUR).amount(),
            dec!(21.00)
        );
        assert_eq!(
            vat_from_gross(dec!(138.84), dec!(21), Currency::EUR).amount(),
            dec!(24.10)
        );
        assert_eq!(
            vat_from_gross(dec!(119.00), dec!(19), Currency::EUR).amount(),
            dec!(19.00)
        );
        assert_eq!(
            vat_from_gross(dec!(50.00), dec!(0), Currency::BRL).amount(),
            dec!(0.00)
        );
        // Credits carry negative VAT.
        assert_eq!(
            vat_from_gross(dec!(-12.10), dec!(21), Currency::EUR).amount(),
            dec!(-2.10)
        );
    }

    #[test]
    fn breakdown_groups_by_rate() {
        let a = Money::round(dec!(100.00), Currency::EUR);
        let b = Money::round(dec!(21.00), Currency::EUR);
        let c = Money::round(dec!(10.00), Currency::EUR);
        let lines = [(&a, dec!(21)), (&b, dec!(21.00)), (&c, dec!(6))];
        let out = breakdown(lines, Currency::EUR);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].rate, dec!(6));
        assert_eq!(out[0].vat.amount(), dec!(0.57));
        assert_eq!(out[1].gross.amount(), dec!(121.00));
        assert_eq!(out[1].vat.amount(), dec!(21.00));
        assert_eq!(out[1].net.amount(), dec!(100.00));
    }
}
