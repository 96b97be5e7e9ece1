//! H3, B5: prorations of plan and option changes inside a cycle, day-exact.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::domain::{
    calendar::DateRange,
    money::{Currency, Money},
};

/// A price change of a plan or option effective on `day` (activating an option is 0 → p,
/// deactivating is p → 0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceChange {
    /// What changed, as the invoice line names it.
    pub label: String,
    /// The first day the new price applies.
    pub day: NaiveDate,
    /// Monthly price before (gross).
    pub old_price: Decimal,
    /// Monthly price after (gross).
    pub new_price: Decimal,
    /// The VAT rate of the line.
    pub vat_rate: Decimal,
}

/// Why a change cannot be prorated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProrationError {
    /// The change day lies outside the cycle it is prorated in.
    OutsideCycle,
}

/// H3, B5: a change effective on day `c` of cycle `[s, e]` puts
/// `round((p_new − p_old) × (e − c + 1) / (e − s + 1))` on the next invoice: positive is a
/// charge, negative a credit. The ratio stays exact until the single rounding.
pub fn prorate(
    cycle: DateRange,
    day: NaiveDate,
    old_price: Decimal,
    new_price: Decimal,
    currency: Currency,
) -> Result<Money, ProrationError> {
    if !cycle.contains(day) {
        return Err(ProrationError::OutsideCycle);
    }
    Ok(Money::round(
        cycle.pro_rata(new_price - old_price, day),
        currency,
    ))
}

/// H3, B5: what switching a monthly price from `old_price` to `new_price` on `day` puts on the
/// next invoice, for a line or subscription whose cycles are anchored on `anchor`: the cycle
/// that contains `day` and the prorated amount. The one entry for option and plan switches,
/// on the page (the amount it shows) and on the server (the amount it books). `None` before
/// the first cycle starts.
pub fn switch_cost(
    anchor: NaiveDate,
    day: NaiveDate,
    old_price: Decimal,
    new_price: Decimal,
    currency: Currency,
) -> Option<(DateRange, Money)> {
    let (_, cycle) = super::cycles::cycle_containing(anchor, day)?;
    // The cycle contains `day` by construction: prorating cannot fail here.
    let amount = prorate(cycle, day, old_price, new_price, currency).ok()?;
    Some((cycle, amount))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::d;
    use rust_decimal::dec;

    #[test]
    fn seed_example() {
        // Cycle 2024-07-28..2024-08-27 (31 days), 99.00 → 120.00 on 2024-08-12: 16 days remain.
        let cycle = DateRange::new(d(2024, 7, 28), d(2024, 8, 27)).expect("range");
        let p = prorate(
            cycle,
            d(2024, 8, 12),
            dec!(99.00),
            dec!(120.00),
            Currency::EUR,
        );
        assert_eq!(p.map(|m| m.amount()), Ok(dec!(10.84)));
    }

    #[test]
    fn charges_credits_and_boundaries() {
        let cycle = DateRange::new(d(2024, 7, 28), d(2024, 8, 27)).expect("range");
        let eur = Currency::EUR;
        // Activating a 9.99 option on the first day costs the whole month.
        assert_eq!(
            prorate(cycle, d(2024, 7, 28), dec!(0), dec!(9.99), eur).map(|m| m.amount()),
            Ok(dec!(9.99))
        );
        // On the last day: one day of 31.
        assert_eq!(
            prorate(cycle, d(2024, 8, 27), dec!(0), dec!(31.00), eur).map(|m| m.amount()),
            Ok(dec!(1.00))
        );
        // Deactivating gives a credit.
        assert_eq!(
            prorate(cycle, d(2024, 8, 12), dec!(21.00), dec!(0), eur).map(|m| m.amount()),
            Ok(dec!(-10.84))
        );
        assert_eq!(
            prorate(cycle, d(2024, 8, 28), dec!(0), dec!(5), eur),
            Err(ProrationError::OutsideCycle)
        );
    }

    #[test]
    fn a_switch_is_prorated_in_the_cycle_of_its_day() {
        // The seed example through the one entry: activated 2024-06-28, switched 2024-08-12.
        let (cycle, amount) = switch_cost(
            d(2024, 6, 28),
            d(2024, 8, 12),
            dec!(99.00),
            dec!(120.00),
            Currency::EUR,
        )
        .expect("in a cycle");
        assert_eq!(
            cycle,
            DateRange::new(d(2024, 7, 28), d(2024, 8, 27)).expect("range")
        );
        assert_eq!(amount.amount(), dec!(10.84));
        // Before the first cycle there is nothing to prorate.
        assert_eq!(
            switch_cost(
                d(2024, 9, 1),
                d(2024, 8, 12),
                dec!(1),
                dec!(2),
                Currency::EUR
            ),
            None
        );
    }
}
