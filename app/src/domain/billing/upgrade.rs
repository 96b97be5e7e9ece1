//! X2, X3: option upgrades of fixed-term contracts (hosting), day-exact.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::domain::{
    calendar::DateRange,
    money::{Currency, Money},
};

/// A configuration: option code (RAM, CPU, disk …) → value in the option's unit.
pub type Configuration = BTreeMap<String, i64>;

/// X3: what a configuration change is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChangeKind {
    /// No option value goes down and at least one goes up.
    Upgrade,
    /// At least one option value goes down (or an option is removed).
    Downgrade,
    /// Nothing changes.
    Unchanged,
}

/// X3: a change is an upgrade when no option value goes down; any lower value (a removed
/// option counts as 0) makes it a downgrade.
pub fn classify(current: &Configuration, new: &Configuration) -> ChangeKind {
    let mut up = false;
    for key in current.keys().chain(new.keys()) {
        let old = current.get(key).copied().unwrap_or(0);
        let next = new.get(key).copied().unwrap_or(0);
        if next < old {
            return ChangeKind::Downgrade;
        }
        up |= next > old;
    }
    if up {
        ChangeKind::Upgrade
    } else {
        ChangeKind::Unchanged
    }
}

/// X2: the surcharge screen: charge for the new configuration, credit for the unused part of
/// the old one, and the net, for `days_remaining` of `days_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpgradeQuote {
    pub effective: NaiveDate,
    pub term_end: NaiveDate,
    pub days_total: i64,
    pub days_remaining: i64,
    pub charge: Money,
    pub credit: Money,
    pub net: Money,
}

/// X3: why a change is not quoted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UpgradeRefusal {
    /// The tariff has no upgradable options: the page points to sales.
    NotUpgradable,
    /// The new configuration equals the current one.
    Unchanged,
    /// A downgrade during the term; it may be scheduled for `renewal` (the day after the term).
    DowngradeInTerm { renewal: NaiveDate },
    /// The day is not inside the term.
    OutsideTerm,
    /// The configuration is not one the catalogue offers (an unknown option or value).
    NotOffered,
}

/// X2: for term `[T0, T1]` (D days) and an upgrade effective on `c` (r = T1 − c + 1 days
/// remaining): charge `round(P_new × r / D)`, credit `round(P_old × r / D)`, net = charge −
/// credit. The end date stays T1.
pub fn quote(
    term: DateRange,
    day: NaiveDate,
    old_price: Decimal,
    new_price: Decimal,
    currency: Currency,
) -> Result<UpgradeQuote, UpgradeRefusal> {
    if !term.contains(day) {
        return Err(UpgradeRefusal::OutsideTerm);
    }
    let total = term.days();
    let remaining = term.days_from(day);
    let charge = Money::round(term.pro_rata(new_price, day), currency);
    let credit = Money::round(term.pro_rata(old_price, day), currency);
    let net = Money::round(charge.amount() - credit.amount(), currency);
    Ok(UpgradeQuote {
        effective: day,
        term_end: term.end(),
        days_total: total,
        days_remaining: remaining,
        charge,
        credit,
        net,
    })
}

/// One configurable option of a tariff with the values it allows and their term prices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionPrices {
    pub code: String,
    pub values: Vec<(i64, Decimal)>,
}

/// The term price of `config`: the tariff's base price plus the price of each option's value.
/// `None` when the configuration names an option the tariff does not have, misses one, or
/// picks a value the catalogue does not offer.
pub fn config_price(
    base: Decimal,
    options: &[OptionPrices],
    config: &Configuration,
) -> Option<Decimal> {
    if config.len() != options.len() {
        return None;
    }
    let mut price = base;
    for option in options {
        let value = config.get(&option.code)?;
        let (_, p) = option.values.iter().find(|(v, _)| v == value)?;
        price += *p;
    }
    Some(price)
}

/// The current and requested configurations with their term prices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRequest {
    pub term: DateRange,
    pub upgradable: bool,
    pub current: Configuration,
    pub current_price: Decimal,
    pub requested: Configuration,
    pub requested_price: Decimal,
    pub currency: Currency,
}

/// X2, X3: decides a configuration change on `day`: a quote for an upgrade, or the refusal
/// (not upgradable, unchanged, downgrade in term with its renewal date, outside the term).
pub fn decide_change(
    request: &ChangeRequest,
    day: NaiveDate,
) -> Result<UpgradeQuote, UpgradeRefusal> {
    if !request.upgradable {
        return Err(UpgradeRefusal::NotUpgradable);
    }
    if !request.term.contains(day) {
        return Err(UpgradeRefusal::OutsideTerm);
    }
    match classify(&request.current, &request.requested) {
        ChangeKind::Unchanged => Err(UpgradeRefusal::Unchanged),
        ChangeKind::Downgrade => Err(UpgradeRefusal::DowngradeInTerm {
            renewal: request.term.end().succ_opt().unwrap_or(request.term.end()),
        }),
        ChangeKind::Upgrade => quote(
            request.term,
            day,
            request.current_price,
            request.requested_price,
            request.currency,
        ),
    }
}

/// X1–X3: a hosting service's offer: what each configuration costs for the whole term, the
/// current configuration, and how a change of it is decided. The page's live preview and the
/// server's quote, confirmation and schedule decide with this one type (issue 25).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    /// The tariff's term price without options.
    pub base_price: Decimal,
    /// Each option's allowed values with their term prices.
    pub options: Vec<OptionPrices>,
    pub current: Configuration,
    pub term: DateRange,
    pub currency: Currency,
    /// The tariff has upgrades and the service is active.
    pub upgradable: bool,
}

impl Offer {
    /// The term price of `config` (`None`: not a configuration the catalogue offers).
    pub fn price_of(&self, config: &Configuration) -> Option<Decimal> {
        config_price(self.base_price, &self.options, config)
    }

    /// The term price of the current configuration.
    pub fn current_price(&self) -> Option<Decimal> {
        self.price_of(&self.current)
    }

    /// X2, X3: the decision for `config` on `day`.
    pub fn decide(
        &self,
        config: &Configuration,
        day: NaiveDate,
    ) -> Result<UpgradeQuote, UpgradeRefusal> {
        if !self.upgradable {
            return Err(UpgradeRefusal::NotUpgradable);
        }
        let (Some(current_price), Some(requested_price)) =
            (self.current_price(), self.price_of(config))
        else {
            return Err(UpgradeRefusal::NotOffered);
        };
        decide_change(
            &ChangeRequest {
                term: self.term,
                upgradable: self.upgradable,
                current: self.current.clone(),
                current_price,
                requested: config.clone(),
                requested_price,
                currency: self.currency,
            },
            day,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::d;
    use rust_decimal::dec;

    fn config(pairs: &[(&str, i64)]) -> Configuration {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    fn term() -> DateRange {
        DateRange::new(d(2024, 1, 1), d(2024, 12, 31)).expect("range")
    }

    #[test]
    fn seed_example() {
        let q = quote(
            term(),
            d(2024, 7, 2),
            dec!(100.00),
            dec!(200.00),
            Currency::EUR,
        )
        .expect("quote");
        assert_eq!((q.days_total, q.days_remaining), (366, 183));
        assert_eq!(q.charge.amount(), dec!(100.00));
        assert_eq!(q.credit.amount(), dec!(50.00));
        assert_eq!(q.net.amount(), dec!(50.00));
        assert_eq!(q.term_end, d(2024, 12, 31));
    }

    #[test]
    fn term_boundaries() {
        let first = quote(
            term(),
            d(2024, 1, 1),
            dec!(100.00),
            dec!(200.00),
            Currency::EUR,
        )
        .expect("quote");
        assert_eq!(
            (first.charge.amount(), first.credit.amount()),
            (dec!(200.00), dec!(100.00))
        );
        let last = quote(
            term(),
            d(2024, 12, 31),
            dec!(100.00),
            dec!(200.00),
            Currency::EUR,
        )
        .expect("quote");
        assert_eq!(last.days_remaining, 1);
        assert_eq!(
            (last.charge.amount(), last.credit.amount()),
            (dec!(0.55), dec!(0.27))
        );
        assert_eq!(last.net.amount(), dec!(0.28));
        assert_eq!(
            quote(term(), d(2025, 1, 1), dec!(100), dec!(200), Currency::EUR),
            Err(UpgradeRefusal::OutsideTerm)
        );
    }

    #[test]
    fn the_ratio_stays_exact_until_the_rounding() {
        // 2153.52 / 432 = 4.985 exactly: rounds to 4.99 (found by the property test).
        let term = DateRange::new(d(2000, 1, 1), d(2001, 3, 7)).expect("range");
        assert_eq!(term.days(), 432);
        let q = quote(term, term.end(), dec!(2153.52), dec!(0), Currency::EUR).expect("quote");
        assert_eq!(q.credit.amount(), dec!(4.99));
    }

    #[test]
    fn configuration_prices() {
        let options = vec![
            OptionPrices {
                code: "ram".into(),
                values: vec![(2, dec!(20)), (8, dec!(120))],
            },
            OptionPrices {
                code: "cpu".into(),
                values: vec![(1, dec!(20))],
            },
        ];
        let price = |pairs: &[(&str, i64)]| config_price(dec!(60), &options, &config(pairs));
        assert_eq!(price(&[("ram", 2), ("cpu", 1)]), Some(dec!(100)));
        assert_eq!(price(&[("ram", 8), ("cpu", 1)]), Some(dec!(200)));
        assert_eq!(price(&[("ram", 4), ("cpu", 1)]), None, "not offered");
        assert_eq!(price(&[("ram", 2)]), None, "an option missing");
        assert_eq!(price(&[("ram", 2), ("gpu", 1)]), None, "an unknown option");
    }

    #[test]
    fn classification() {
        let current = config(&[("ram_gb", 4), ("cpu", 2), ("disk_gb", 80)]);
        assert_eq!(classify(&current, &current), ChangeKind::Unchanged);
        assert_eq!(
            classify(
                &current,
                &config(&[("ram_gb", 8), ("cpu", 2), ("disk_gb", 80)])
            ),
            ChangeKind::Upgrade
        );
        assert_eq!(
            classify(
                &current,
                &config(&[("ram_gb", 8), ("cpu", 1), ("disk_gb", 160)])
            ),
            ChangeKind::Downgrade
        );
        assert_eq!(
            classify(&current, &config(&[("ram_gb", 4), ("cpu", 2)])),
            ChangeKind::Downgrade
        );
        assert_eq!(
            classify(
                &current,
                &config(&[("ram_gb", 4), ("cpu", 2), ("disk_gb", 80), ("backup", 1)])
            ),
            ChangeKind::Upgrade
        );
    }

    #[test]
    fn decisions() {
        let request = ChangeRequest {
            term: term(),
            upgradable: true,
            current: config(&[("ram_gb", 4)]),
            current_price: dec!(100.00),
            requested: config(&[("ram_gb", 8)]),
            requested_price: dec!(200.00),
            currency: Currency::EUR,
        };
        assert_eq!(
            decide_change(&request, d(2024, 7, 2)).map(|q| q.net.amount()),
            Ok(dec!(50.00))
        );
        let down = ChangeRequest {
            requested: config(&[("ram_gb", 2)]),
            requested_price: dec!(60),
            ..request.clone()
        };
        assert_eq!(
            decide_change(&down, d(2024, 7, 2)),
            Err(UpgradeRefusal::DowngradeInTerm {
                renewal: d(2025, 1, 1)
            })
        );
        let same = ChangeRequest {
            requested: request.current.clone(),
            ..request.clone()
        };
        assert_eq!(
            decide_change(&same, d(2024, 7, 2)),
            Err(UpgradeRefusal::Unchanged)
        );
        let fixed = ChangeRequest {
            upgradable: false,
            ..request
        };
        assert_eq!(
            decide_change(&fixed, d(2024, 7, 2)),
            Err(UpgradeRefusal::NotUpgradable)
        );
    }

    fn offer() -> Offer {
        Offer {
            base_price: dec!(60.00),
            options: vec![OptionPrices {
                code: "ram".into(),
                values: vec![(2, dec!(40.00)), (4, dec!(140.00))],
            }],
            current: config(&[("ram", 2)]),
            term: term(),
            currency: Currency::EUR,
            upgradable: true,
        }
    }

    #[test]
    fn an_offer_prices_and_decides_its_configurations() {
        let offer = offer();
        assert_eq!(offer.current_price(), Some(dec!(100.00)));
        assert_eq!(offer.price_of(&config(&[("ram", 4)])), Some(dec!(200.00)));
        // The seed example again, through the offer.
        let q = offer
            .decide(&config(&[("ram", 4)]), d(2024, 7, 2))
            .expect("quote");
        assert_eq!(q.net.amount(), dec!(50.00));
        // A value or option the catalogue does not have is refused, never priced at 0.
        assert_eq!(offer.price_of(&config(&[("ram", 3)])), None);
        assert_eq!(
            offer.decide(&config(&[("ram", 3)]), d(2024, 7, 2)),
            Err(UpgradeRefusal::NotOffered)
        );
        assert_eq!(
            offer.decide(&config(&[("ram", 4), ("cpu", 2)]), d(2024, 7, 2)),
            Err(UpgradeRefusal::NotOffered)
        );
        assert_eq!(
            offer.decide(&config(&[("ram", 2)]), d(2024, 7, 2)),
            Err(UpgradeRefusal::Unchanged)
        );
        let closed = Offer {
            upgradable: false,
            ..offer
        };
        assert_eq!(
            closed.decide(&config(&[("ram", 4)]), d(2024, 7, 2)),
            Err(UpgradeRefusal::NotUpgradable)
        );
    }
}
