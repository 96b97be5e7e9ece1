//! The Home tab's overview (H1): balance, last invoice, customer number, contact data.

use chrono::NaiveDate;
use leptos::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{
    domain::{account::InvoiceStatus, balance::BalanceState},
    error::AppError,
};

#[cfg(feature = "ssr")]
use crate::backend::entry;

/// The last invoice, as Home shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceSummary {
    pub number: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub total: Decimal,
    pub status: InvoiceStatus,
    pub currency: String,
}

/// The account of the customer number the login holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountOverview {
    pub customer_number: String,
    pub first_name: String,
    pub last_name: String,
    pub company_name: Option<String>,
    pub email: String,
    pub phone: Option<String>,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub old_invoice_layout: bool,
    /// The provider's help page about the old invoice layout (H5).
    pub old_invoice_help_url: String,
    pub currency: String,
    pub balance: BalanceState,
    pub last_invoice: Option<InvoiceSummary>,
}

/// What Home shows, by the login's links (L2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum HomeOverview {
    /// Holder of a customer number: the whole account.
    Holder(Box<AccountOverview>),
    /// User links only: no account data (their lines are in the products).
    UserOnly,
    /// No links yet.
    NoLinks,
}

/// The Home overview of the signed-in login.
#[server(endpoint = "home_overview")]
pub async fn get_home_overview() -> Result<HomeOverview, AppError> {
    use crate::backend::repo;
    entry::linked(|state, access| async move {
        if let Some(customer_id) = access.rights.holder_customer() {
            let overview = repo::accounts::overview(&state.pool, customer_id).await?;
            Ok(HomeOverview::Holder(Box::new(overview.into())))
        } else if !access.rights.user_contracts().is_empty() {
            Ok(HomeOverview::UserOnly)
        } else {
            Ok(HomeOverview::NoLinks)
        }
    })
    .await
}

#[cfg(feature = "ssr")]
impl From<crate::backend::repo::accounts::AccountRow> for AccountOverview {
    fn from(row: crate::backend::repo::accounts::AccountRow) -> Self {
        AccountOverview {
            balance: crate::domain::balance::open_balance(row.invoiced, row.credited, row.paid),
            customer_number: row.customer_number,
            first_name: row.first_name,
            last_name: row.last_name,
            company_name: row.company_name,
            email: row.email,
            phone: row.phone,
            street: row.street,
            postal_code: row.postal_code,
            city: row.city,
            old_invoice_layout: row.old_invoice_layout,
            old_invoice_help_url: row.old_invoice_help_url,
            currency: row.currency.code().to_string(),
            last_invoice: row.last_invoice.map(|last| InvoiceSummary {
                number: last.number,
                issue_date: last.issue_date,
                due_date: last.due_date,
                total: last.total,
                status: last.status,
                currency: last.currency.code().to_string(),
            }),
        }
    }
}
