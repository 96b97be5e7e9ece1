//! The open balance of a customer account (H1).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// What the customer owes, or is owed, across all invoices, credit notes and payments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BalanceState {
    /// The customer has to pay this amount.
    Due(Decimal),
    /// The provider owes the customer this amount (a credit in the customer's favour).
    Credit(Decimal),
    /// Nothing is owed either way.
    Settled,
}

/// The open balance: invoiced − credited − paid (refunds are negative payments).
pub fn open_balance(invoiced: Decimal, credited: Decimal, paid: Decimal) -> BalanceState {
    let balance = invoiced - credited - paid;
    if balance.is_zero() {
        BalanceState::Settled
    } else if balance.is_sign_positive() {
        BalanceState::Due(balance)
    } else {
        BalanceState::Credit(-balance)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn balance_states() {
        assert_eq!(
            open_balance(dec!(1300.00), dec!(12.40), dec!(1200.00)),
            BalanceState::Due(dec!(87.60))
        );
        assert_eq!(
            open_balance(dec!(100.00), dec!(0), dec!(100.00)),
            BalanceState::Settled
        );
        assert_eq!(
            open_balance(dec!(100.00), dec!(30.00), dec!(100.00)),
            BalanceState::Credit(dec!(30.00))
        );
        // A refund (negative payment) reopens what it gave back.
        assert_eq!(
            open_balance(dec!(100.00), dec!(30.00), dec!(70.00)),
            BalanceState::Settled
        );
    }
}
