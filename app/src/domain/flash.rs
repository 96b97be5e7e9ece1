//! Notices after a plain form post (JavaScript off, P6): the server function redirects back to
//! its form, and the page it lands on says once what happened, with the same words as the
//! hydrated page. The server stores one of these with the session (`backend::flash`).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// What the last plain form post of a session did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Flash {
    /// An option of a line changed (H3): its name in the page's language, the prorated amount.
    OptionChanged {
        name: String,
        active: bool,
        amount: Decimal,
        currency: String,
    },
    AlertSaved,
    AlertRemoved,
    MoveSent,
    MoveWithdrawn,
    /// Contact data saved (M1); `changed` is false when nothing differed.
    ContactSaved {
        changed: bool,
    },
    AppointmentBooked,
    AppointmentRescheduled,
    AppointmentCancelled,
    InvoicePaid,
    LinkDeleted,
    /// The holder allowed linking again after a pause (issue 24 item 4).
    LinkingResumed,
    /// A linking code went out by SMS (L3): the page shows the code step for this number.
    LinkCodeSent {
        phone: String,
    },
    /// The code step again, after a wrong code, without announcing a new SMS.
    LinkCodeStep {
        phone: String,
    },
    /// A refused "link as holder": the customer number typed, for the form to keep (never the
    /// contract password). Says nothing itself: the form shows the error.
    LinkHolderTyped {
        customer_number: String,
    },
    /// A hosting upgrade was confirmed and invoiced (X2), and charged to the stored card or
    /// waiting for a payment in the portal (issue 28 item 5).
    UpgradeConfirmed {
        invoice_number: String,
        #[serde(default)]
        paid: bool,
    },
    /// A downgrade was scheduled for the renewal on `day` (X3).
    DowngradeScheduled {
        day: NaiveDate,
    },
    DowngradeWithdrawn,
    /// A link to confirm a new email address went out (issue 27).
    EmailChangeSent,
    /// The notice preferences were saved (issue 27).
    NoticesSaved,
}

impl Flash {
    /// The customer number a refused holder-link form keeps, if any.
    pub fn typed_customer_number(&self) -> Option<&str> {
        match self {
            Flash::LinkHolderTyped { customer_number } => Some(customer_number),
            _ => None,
        }
    }

    /// The phone number of the linking code step this notice opens, if any.
    pub fn code_step(&self) -> Option<(&str, bool)> {
        match self {
            Flash::LinkCodeSent { phone } => Some((phone, true)),
            Flash::LinkCodeStep { phone } => Some((phone, false)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_as_json_and_names_the_code_step() {
        let flash = Flash::OptionChanged {
            name: "Bouquet Sport".into(),
            active: false,
            amount: Decimal::new(-433, 2),
            currency: "EUR".into(),
        };
        let text = serde_json::to_string(&flash).expect("json");
        assert_eq!(serde_json::from_str::<Flash>(&text).expect("back"), flash);
        let sent = Flash::LinkCodeSent {
            phone: "+49 151 2000 0301".into(),
        };
        assert_eq!(sent.code_step(), Some(("+49 151 2000 0301", true)));
        assert_eq!(
            Flash::LinkCodeStep { phone: "x".into() }.code_step(),
            Some(("x", false))
        );
        assert_eq!(Flash::InvoicePaid.code_step(), None);
    }
}
