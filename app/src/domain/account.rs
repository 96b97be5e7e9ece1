//! The kinds and states of what a customer has: services, contracts, invoices.

use serde::{Deserialize, Serialize};

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The database spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses the database spelling.
            pub fn parse(s: &str) -> Option<$name> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        read_from_text!($name, $name::parse);
    };
}

text_enum!(
    /// A service a contract provides (H2 groups products by these).
    Service {
        Tv => "tv",
        Internet => "internet",
        Fixed => "fixed",
        Mobile => "mobile",
        Satellite => "satellite",
        Hosting => "hosting",
    }
);

text_enum!(
    /// The segment of a customer number or contract.
    Segment {
        Private => "private",
        Business => "business",
    }
);

text_enum!(
    /// The state of a contract (LINKING.md "Words").
    ContractStatus {
        Active => "active",
        Cancelled => "cancelled",
        TakenOver => "taken_over",
    }
);

text_enum!(
    /// The payment state of an invoice (I1).
    InvoiceStatus {
        Open => "open",
        Paid => "paid",
        Failed => "failed",
        ActionRequired => "action_required",
    }
);

text_enum!(
    /// An invoice, or a credit note correcting one (I1).
    InvoiceKind {
        Invoice => "invoice",
        CreditNote => "credit_note",
    }
);

text_enum!(
    /// A kind of usage (U1).
    UsageKind {
        Data => "data",
        Call => "call",
        Sms => "sms",
        Mms => "mms",
        Premium => "premium",
    }
);

text_enum!(
    /// What a consumption alert watches (H4).
    AlertMetric {
        Data => "data",
        Minutes => "minutes",
        Spend => "spend",
    }
);

text_enum!(
    /// Where a move request stands (H4); the provider moves it forward.
    MoveStatus {
        Requested => "requested",
        Confirmed => "confirmed",
        Completed => "completed",
        Cancelled => "cancelled",
    }
);

text_enum!(
    /// Why a technician comes (A1).
    AppointmentKind {
        Installation => "installation",
        Repair => "repair",
    }
);

text_enum!(
    /// Where an appointment stands (A2).
    AppointmentStatus {
        Booked => "booked",
        Cancelled => "cancelled",
        Done => "done",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_round_trip() {
        for s in Service::ALL {
            assert_eq!(Service::parse(s.as_str()), Some(*s));
        }
        for s in ContractStatus::ALL {
            assert_eq!(ContractStatus::parse(s.as_str()), Some(*s));
        }
        for s in InvoiceStatus::ALL {
            assert_eq!(InvoiceStatus::parse(s.as_str()), Some(*s));
        }
        assert_eq!(Service::parse("radio"), None);
    }
}
