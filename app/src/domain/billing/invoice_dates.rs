//! B3, B4, B6: when an invoice is issued, when it is due, when autopay runs, and what a
//! payment method does on that day. Policies and country rules are data.

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One row of the autopay policy table: from `effective_from` on (by cycle start), autopay runs
/// `offset_days` after the cycle starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutopayPolicy {
    pub effective_from: NaiveDate,
    pub offset_days: u32,
}

/// B3: the dated autopay policies; new policies are rows, not code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutopayPolicyTable(Vec<AutopayPolicy>);

impl AutopayPolicyTable {
    /// A table from its rows, in any order.
    pub fn new(mut rows: Vec<AutopayPolicy>) -> AutopayPolicyTable {
        rows.sort_by_key(|r| r.effective_from);
        AutopayPolicyTable(rows)
    }

    /// Today's table (BILLING.md B3): 7 days before 2024-06-24, 0 from then on.
    pub fn current() -> AutopayPolicyTable {
        let row = |y, m, d, offset_days| AutopayPolicy {
            effective_from: NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN),
            offset_days,
        };
        AutopayPolicyTable::new(vec![row(1970, 1, 1, 7), row(2024, 6, 24, 0)])
    }

    /// B3: the offset in force for a cycle starting on `cycle_start`: the latest row whose
    /// `effective_from` is on or before it.
    pub fn offset_for(&self, cycle_start: NaiveDate) -> Option<u32> {
        self.0
            .iter()
            .rev()
            .find(|r| r.effective_from <= cycle_start)
            .map(|r| r.offset_days)
    }
}

/// B4: rules attached to a country, kept as data like VAT rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountryRules {
    /// VAT rate in percent.
    pub vat_rate: Decimal,
    /// When set, the first invoice is payable this many days after its date (Brazil: 7).
    pub first_invoice_due_days: Option<u32>,
}

/// How a subscription pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Card,
    SepaDebit,
    MobileMoney,
}

impl PaymentMethod {
    /// The spelling in the database and in forms.
    pub fn code(self) -> &'static str {
        match self {
            PaymentMethod::Card => "card",
            PaymentMethod::SepaDebit => "sepa",
            PaymentMethod::MobileMoney => "mobile_money",
        }
    }

    /// A method from its spelling.
    pub fn parse(code: &str) -> Option<PaymentMethod> {
        [
            PaymentMethod::Card,
            PaymentMethod::SepaDebit,
            PaymentMethod::MobileMoney,
        ]
        .into_iter()
        .find(|m| m.code() == code)
    }
}

read_from_text!(PaymentMethod, PaymentMethod::parse);

/// What happens on the autopay date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AutopayAction {
    /// Card and SEPA direct debit are charged automatically.
    Charge,
    /// Mobile money: the invoice waits in "action required" until the customer pays (I6).
    ActionRequired,
}

/// B3: card and SEPA are charged; mobile money asks the customer to act.
pub fn autopay_action(method: PaymentMethod) -> AutopayAction {
    match method {
        PaymentMethod::Card | PaymentMethod::SepaDebit => AutopayAction::Charge,
        PaymentMethod::MobileMoney => AutopayAction::ActionRequired,
    }
}

/// Days between automatic attempts after a declined charge: a first retry 3 days after the
/// first attempt, a last one 7 days after it. Then the invoice stays "failed" until the
/// customer pays it in the portal (docs/FEATURES.md "Billing run").
pub const RETRY_GAPS_DAYS: [u64; 2] = [3, 4];

/// The day of the next automatic attempt after `attempts` declined ones, the last made on
/// `last_attempt`; `None` when the retries are used up.
pub fn next_retry(attempts: u32, last_attempt: NaiveDate) -> Option<NaiveDate> {
    let gap = RETRY_GAPS_DAYS.get(usize::try_from(attempts).ok()?.checked_sub(1)?)?;
    last_attempt.checked_add_days(Days::new(*gap))
}

/// The dates of one invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceDates {
    pub issue: NaiveDate,
    pub due: NaiveDate,
    pub autopay: NaiveDate,
}

/// Why no dates can be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InvoiceDatesError {
    /// No autopay policy covers the cycle start.
    NoPolicy,
}

/// B3, B4: the invoice of a cycle is issued on the cycle's first day and due that day;
/// autopay follows the policy in force for that start. For a country with a first-invoice
/// term (Brazil), the first invoice is due `issue + term` and autopay is tried on the due date.
pub fn invoice_dates(
    cycle_start: NaiveDate,
    first_invoice: bool,
    country: &CountryRules,
    policies: &AutopayPolicyTable,
) -> Result<InvoiceDates, InvoiceDatesError> {
    if let (true, Some(days)) = (first_invoice, country.first_invoice_due_days) {
        let due = cycle_start + Days::new(u64::from(days));
        return Ok(InvoiceDates {
            issue: cycle_start,
            due,
            autopay: due,
        });
    }
    let offset = policies
        .offset_for(cycle_start)
        .ok_or(InvoiceDatesError::NoPolicy)?;
    Ok(InvoiceDates {
        issue: cycle_start,
        due: cycle_start,
        autopay: cycle_start + Days::new(u64::from(offset)),
    })
}

/// B6: why a billing date cannot be moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BillingDateRefusal {
    /// The billing date is the activation day of the month (B1) and cannot be changed or
    /// postponed; the customer's cycles keep starting on `anchor_day`.
    FixedByActivation { anchor_day: u32 },
}

/// B6: a request to change or postpone the billing date is always refused, with the reason.
pub fn request_billing_date_change(
    activation: NaiveDate,
    _requested_day: u32,
) -> Result<std::convert::Infallible, BillingDateRefusal> {
    Err(BillingDateRefusal::FixedByActivation {
        anchor_day: chrono::Datelike::day(&activation),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::d;
    use rust_decimal::dec;

    const BE: CountryRules = CountryRules {
        vat_rate: dec!(21),
        first_invoice_due_days: None,
    };
    const BR: CountryRules = CountryRules {
        vat_rate: dec!(0),
        first_invoice_due_days: Some(7),
    };

    #[test]
    fn policy_switch_day() {
        let table = AutopayPolicyTable::current();
        let cases = [
            (d(2024, 6, 20), d(2024, 6, 27)),
            (d(2024, 6, 23), d(2024, 6, 30)),
            (d(2024, 6, 24), d(2024, 6, 24)),
            (d(2024, 6, 25), d(2024, 6, 25)),
        ];
        for (start, autopay) in cases {
            let dates = invoice_dates(start, false, &BE, &table).expect("dates");
            assert_eq!(dates.issue, start);
            assert_eq!(dates.due, start);
            assert_eq!(dates.autopay, autopay, "cycle starting {start}");
        }
    }

    #[test]
    fn policies_are_rows() {
        let table = AutopayPolicyTable::new(vec![
            AutopayPolicy {
                effective_from: d(2025, 1, 1),
                offset_days: 3,
            },
            AutopayPolicy {
                effective_from: d(2024, 1, 1),
                offset_days: 0,
            },
        ]);
        assert_eq!(table.offset_for(d(2023, 12, 31)), None);
        assert_eq!(table.offset_for(d(2024, 12, 31)), Some(0));
        assert_eq!(table.offset_for(d(2025, 1, 1)), Some(3));
        assert_eq!(
            invoice_dates(d(2023, 12, 31), false, &BE, &table),
            Err(InvoiceDatesError::NoPolicy)
        );
    }

    #[test]
    fn brazil_first_invoice_net_seven() {
        let table = AutopayPolicyTable::current();
        let first = invoice_dates(d(2024, 7, 3), true, &BR, &table).expect("dates");
        assert_eq!(
            (first.issue, first.due, first.autopay),
            (d(2024, 7, 3), d(2024, 7, 10), d(2024, 7, 10))
        );
        let later = invoice_dates(d(2024, 8, 3), false, &BR, &table).expect("dates");
        assert_eq!((later.due, later.autopay), (d(2024, 8, 3), d(2024, 8, 3)));
        // Other countries have no first-invoice term.
        let be = invoice_dates(d(2024, 7, 3), true, &BE, &table).expect("dates");
        assert_eq!(be.due, d(2024, 7, 3));
    }

    #[test]
    fn retries_after_three_and_seven_days() {
        assert_eq!(next_retry(1, d(2024, 7, 1)), Some(d(2024, 7, 4)));
        assert_eq!(next_retry(2, d(2024, 7, 4)), Some(d(2024, 7, 8)));
        assert_eq!(next_retry(3, d(2024, 7, 8)), None);
        assert_eq!(next_retry(0, d(2024, 7, 8)), None);
    }

    #[test]
    fn methods_and_billing_date_changes() {
        assert_eq!(autopay_action(PaymentMethod::Card), AutopayAction::Charge);
        assert_eq!(
            autopay_action(PaymentMethod::SepaDebit),
            AutopayAction::Charge
        );
        assert_eq!(
            autopay_action(PaymentMethod::MobileMoney),
            AutopayAction::ActionRequired
        );
        assert_eq!(
            request_billing_date_change(d(2024, 6, 28), 1),
            Err(BillingDateRefusal::FixedByActivation { anchor_day: 28 })
        );
    }
}
