//! What Home shows of each line (H2–H4), as the browser receives it: the read model the
//! products use case (`backend::products`) assembles from these rules.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::Meter;
use crate::domain::account::{AlertMetric, ContractStatus, MoveStatus, Service};

/// An option of a line as offered on Home (H3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionOffer {
    pub code: String,
    pub name: String,
    pub monthly_price: Decimal,
    pub active: bool,
    /// The first day of the running activation.
    pub since: Option<NaiveDate>,
    /// What switching it today puts on the next invoice: a charge when activating, a credit
    /// (negative) when deactivating. `None` when the line has no running cycle.
    pub change_amount: Option<Decimal>,
    /// Days from today to the end of the cycle, both counted.
    pub days_left: i64,
    pub cycle_days: i64,
    /// The idempotency key of this option's confirm form as shown (issue 9).
    pub confirm_key: String,
}

/// A consumption alert (H4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertView {
    pub metric: AlertMetric,
    pub threshold: Decimal,
    /// Already sent in this cycle.
    pub fired: bool,
}

/// The open move request of a line (H4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveView {
    pub id: i64,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub wished_date: NaiveDate,
    pub status: MoveStatus,
    pub requested_on: NaiveDate,
    /// The day of the installation appointment booked for it (A-tab), if any.
    pub installation_on: Option<NaiveDate>,
}

/// One line on Home.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    pub contract_number: String,
    pub service: Service,
    pub phone_number: Option<String>,
    pub status: ContractStatus,
    pub tariff_name: Option<String>,
    /// The running billing cycle (B1), first and last day.
    pub cycle: Option<(NaiveDate, NaiveDate)>,
    pub meters: Vec<Meter>,
    pub options: Vec<OptionOffer>,
    /// The metrics an alert can watch on this line.
    pub alert_metrics: Vec<AlertMetric>,
    pub alerts: Vec<AlertView>,
    pub movable: bool,
    pub open_move: Option<MoveView>,
    /// A hosting service of the holder: its configuration is changed on its service page
    /// (X1), whose contract id this is.
    pub hosting_service: Option<i64>,
}

/// The products the signed-in login may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Products {
    /// Holder: options, alerts and moves can be changed. User link: read only.
    pub editable: bool,
    pub currency: String,
    pub products: Vec<Product>,
}

/// What a confirmed option change did (for the announcement after it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionChanged {
    pub code: String,
    pub active: bool,
    pub amount: Decimal,
    pub currency: String,
}
