//! B5, I5: the invoice preview: the invoice that will be issued on `e + 1`, as it stands on
//! "today" `t` inside the current cycle `[s, e]`.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{
    proration::{PriceChange, prorate},
    vat::{VatLine, breakdown},
};
use crate::domain::{
    calendar::DateRange,
    money::{Currency, Money},
};

/// Bytes in one GB for overage (10^9, BILLING.md B5).
pub const BYTES_PER_GB: u64 = 1_000_000_000;

/// A price with the day from which it applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatedPrice {
    pub effective_from: NaiveDate,
    pub monthly: Decimal,
}

/// A monthly fee of the subscription (plan or option) with its price history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecurringFee {
    pub label: String,
    pub prices: Vec<DatedPrice>,
    pub vat_rate: Decimal,
}

impl RecurringFee {
    /// The price in force on `day`: the latest one that starts on or before it.
    pub fn price_on(&self, day: NaiveDate) -> Option<Decimal> {
        self.prices
            .iter()
            .filter(|p| p.effective_from <= day)
            .max_by_key(|p| p.effective_from)
            .map(|p| p.monthly)
    }
}

/// The data allowance of the plan and its overage price per started GB.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataAllowance {
    pub label: String,
    pub allowance_bytes: u64,
    pub price_per_gb: Decimal,
    pub vat_rate: Decimal,
}

/// Data used on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyUsage {
    pub day: NaiveDate,
    pub bytes: u64,
}

/// Everything the next invoice depends on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionState {
    /// The current cycle `[s, e]`.
    pub cycle: DateRange,
    pub currency: Currency,
    /// Billed through a reseller or employer: no preview (B5).
    pub managed: bool,
    /// The monthly fees, with the prices of the next cycle among their history.
    pub fees: Vec<RecurringFee>,
    /// Plan and option changes made in the current cycle.
    pub changes: Vec<PriceChange>,
    pub data: Option<DataAllowance>,
    /// Usage of the current cycle, per day (may include days after "today").
    pub usage: Vec<DailyUsage>,
}

/// The kind of a preview line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    Recurring,
    Proration,
    Overage,
}

impl LineKind {
    /// The spelling of the invoice line's kind (`invoice_lines.kind`).
    pub fn as_str(self) -> &'static str {
        match self {
            LineKind::Recurring => "recurring",
            LineKind::Proration => "proration",
            LineKind::Overage => "overage",
        }
    }
}

/// One line of the next invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewLine {
    pub kind: LineKind,
    pub label: String,
    /// Started GB for overage lines.
    pub quantity: Option<u64>,
    pub amount: Money,
    pub vat_rate: Decimal,
}

/// The next invoice as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoicePreview {
    /// The day the invoice will be issued: `e + 1`.
    pub issue_date: NaiveDate,
    pub lines: Vec<PreviewLine>,
    pub vat: Vec<VatLine>,
    /// The sum of the rounded lines.
    pub total: Money,
}

/// Why there is no preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PreviewUnavailable {
    /// Managed accounts are billed elsewhere (B5).
    ManagedAccount,
    /// "Today" is not inside the current cycle.
    OutsideCycle,
    /// A fee has no price in force on the next cycle's first day.
    NoPrice { label: String },
    /// A change is dated outside the current cycle.
    ChangeOutsideCycle { label: String },
}

/// B5: the preview for `today` `t` in `[s, e]`: (1) the recurring fees of the next cycle at the
/// prices in force on `e + 1`; (2) overage up to and including `t`, per started GB beyond the
/// allowance; (3) prorations of the changes of this cycle; (4) VAT per rate and the total.
pub fn preview(
    state: &SubscriptionState,
    today: NaiveDate,
) -> Result<InvoicePreview, PreviewUnavailable> {
    if state.managed {
        return Err(PreviewUnavailable::ManagedAccount);
    }
    if !state.cycle.contains(today) {
        return Err(PreviewUnavailable::OutsideCycle);
    }
    next_invoice(state, today)
}

/// The invoice issued on `e + 1` for the cycle `[s, e]` that has ended: the preview of its
/// last day, which is what the billing run puts on the invoice.
pub fn invoice_after_cycle(
    state: &SubscriptionState,
) -> Result<InvoicePreview, PreviewUnavailable> {
    next_invoice(state, state.cycle.end())
}

/// B3: the first invoice of a subscription, issued on its activation day `start`: the
/// recurring fees of cycle 0 at the prices in force that day, nothing carried over.
pub fn opening_invoice(
    fees: &[RecurringFee],
    currency: Currency,
    start: NaiveDate,
) -> Result<InvoicePreview, PreviewUnavailable> {
    let eve = start.pred_opt().ok_or(PreviewUnavailable::OutsideCycle)?;
    let state = SubscriptionState {
        cycle: DateRange::day(eve),
        currency,
        managed: false,
        fees: fees.to_vec(),
        changes: Vec::new(),
        data: None,
        usage: Vec::new(),
    };
    next_invoice(&state, eve)
}

fn next_invoice(
    state: &SubscriptionState,
    through: NaiveDate,
) -> Result<InvoicePreview, PreviewUnavailable> {
    let currency = state.currency;
    let issue_date = state
        .cycle
        .end()
        .succ_opt()
        .ok_or(PreviewUnavailable::OutsideCycle)?;
    let mut lines = Vec::new();
    for fee in &state.fees {
        let price = fee
            .price_on(issue_date)
            .ok_or_else(|| PreviewUnavailable::NoPrice {
                label: fee.label.clone(),
            })?;
        lines.push(PreviewLine {
            kind: LineKind::Recurring,
            label: fee.label.clone(),
            quantity: None,
            amount: Money::round(price, currency),
            vat_rate: fee.vat_rate,
        });
    }
    for change in &state.changes {
        let amount = prorate(
            state.cycle,
            change.day,
            change.old_price,
            change.new_price,
            currency,
        )
        .map_err(|_| PreviewUnavailable::ChangeOutsideCycle {
            label: change.label.clone(),
        })?;
        lines.push(PreviewLine {
            kind: LineKind::Proration,
            label: change.label.clone(),
            quantity: None,
            amount,
            vat_rate: change.vat_rate,
        });
    }
    if let Some(data) = &state.data {
        let used: u64 = state
            .usage
            .iter()
            .filter(|u| state.cycle.contains(u.day) && u.day <= through)
            .map(|u| u.bytes)
            .sum();
        let beyond = used.saturating_sub(data.allowance_bytes);
        let started_gb = beyond.div_ceil(BYTES_PER_GB);
        if started_gb > 0 {
            lines.push(PreviewLine {
                kind: LineKind::Overage,
                label: data.label.clone(),
                quantity: Some(started_gb),
                amount: Money::round(Decimal::from(started_gb) * data.price_per_gb, currency),
                vat_rate: data.vat_rate,
            });
        }
    }
    let vat = breakdown(lines.iter().map(|l| (&l.amount, l.vat_rate)), currency);
    let total = Money::sum(currency, lines.iter().map(|l| &l.amount))
        .unwrap_or_else(|| Money::zero(currency));
    Ok(InvoicePreview {
        issue_date,
        lines,
        vat,
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::d;
    use rust_decimal::dec;

    /// The seed's subscriber: plan 99.00 → 120.00 on 2024-08-12, 1 000 GB allowance, 2.00/GB.
    fn seed_state() -> SubscriptionState {
        SubscriptionState {
            cycle: DateRange::new(d(2024, 7, 28), d(2024, 8, 27)).expect("range"),
            currency: Currency::EUR,
            managed: false,
            fees: vec![RecurringFee {
                label: "Satellite 1000".into(),
                prices: vec![
                    DatedPrice {
                        effective_from: d(2024, 1, 1),
                        monthly: dec!(99.00),
                    },
                    DatedPrice {
                        effective_from: d(2024, 8, 12),
                        monthly: dec!(120.00),
                    },
                ],
                vat_rate: dec!(0),
            }],
            changes: vec![PriceChange {
                label: "Plan change".into(),
                day: d(2024, 8, 12),
                old_price: dec!(99.00),
                new_price: dec!(120.00),
                vat_rate: dec!(0),
            }],
            data: Some(DataAllowance {
                label: "Data beyond allowance".into(),
                allowance_bytes: 1_000 * BYTES_PER_GB,
                price_per_gb: dec!(2.00),
                vat_rate: dec!(0),
            }),
            usage: vec![
                DailyUsage {
                    day: d(2024, 7, 30),
                    bytes: 600 * BYTES_PER_GB,
                },
                DailyUsage {
                    day: d(2024, 8, 19),
                    bytes: 403_200_000_000,
                },
                // After "today": not in the preview of 2024-08-20.
                DailyUsage {
                    day: d(2024, 8, 21),
                    bytes: 50 * BYTES_PER_GB,
                },
            ],
        }
    }

    #[test]
    fn seed_example() {
        let p = preview(&seed_state(), d(2024, 8, 20)).expect("preview");
        assert_eq!(p.issue_date, d(2024, 8, 28));
        let amounts: Vec<_> = p
            .lines
            .iter()
            .map(|l| (l.kind, l.amount.amount()))
            .collect();
        assert_eq!(
            amounts,
            [
                (LineKind::Recurring, dec!(120.00)),
                (LineKind::Proration, dec!(10.84)),
                (LineKind::Overage, dec!(8.00)),
            ]
        );
        assert_eq!(p.lines[2].quantity, Some(4));
        assert_eq!(p.total.amount(), dec!(138.84));
    }

    #[test]
    fn later_usage_counts_on_the_invoice() {
        // The 50 GB of 2024-08-21 arrive by the end of the cycle: 54 started GB.
        let invoice = invoice_after_cycle(&seed_state()).expect("invoice");
        assert_eq!(invoice.lines[2].quantity, Some(54));
        assert_eq!(invoice.total.amount(), dec!(238.84));
    }

    #[test]
    fn vat_is_broken_down() {
        let mut state = seed_state();
        for fee in &mut state.fees {
            fee.vat_rate = dec!(21);
        }
        state.changes[0].vat_rate = dec!(21);
        let p = preview(&state, d(2024, 8, 20)).expect("preview");
        assert_eq!(p.vat.len(), 2);
        assert_eq!(p.vat[1].rate, dec!(21));
        assert_eq!(p.vat[1].gross.amount(), dec!(130.84));
        assert_eq!(p.vat[1].vat.amount(), dec!(22.71));
    }

    #[test]
    fn refusals() {
        let mut managed = seed_state();
        managed.managed = true;
        assert_eq!(
            preview(&managed, d(2024, 8, 20)),
            Err(PreviewUnavailable::ManagedAccount)
        );
        assert_eq!(
            preview(&seed_state(), d(2024, 8, 28)),
            Err(PreviewUnavailable::OutsideCycle)
        );
        let mut no_price = seed_state();
        no_price.fees[0]
            .prices
            .retain(|p| p.effective_from > d(2024, 9, 1));
        assert_eq!(
            preview(&no_price, d(2024, 8, 20)),
            Err(PreviewUnavailable::NoPrice {
                label: "Satellite 1000".into()
            })
        );
    }

    #[test]
    fn opening_invoice_bills_the_fees_only() {
        let state = seed_state();
        let first = opening_invoice(&state.fees, Currency::EUR, d(2024, 6, 28)).expect("first");
        assert_eq!(first.issue_date, d(2024, 6, 28));
        assert_eq!(first.lines.len(), 1);
        assert_eq!(first.total.amount(), dec!(99.00));
    }

    #[test]
    fn no_overage_within_the_allowance() {
        let mut state = seed_state();
        state.usage.clear();
        let p = preview(&state, d(2024, 8, 20)).expect("preview");
        assert!(p.lines.iter().all(|l| l.kind != LineKind::Overage));
        // Exactly one byte beyond: one started GB.
        state.usage.push(DailyUsage {
            day: d(2024, 8, 1),
            bytes: 1_000 * BYTES_PER_GB + 1,
        });
        let p = preview(&state, d(2024, 8, 20)).expect("preview");
        assert_eq!(p.lines.last().and_then(|l| l.quantity), Some(1));
    }
}
