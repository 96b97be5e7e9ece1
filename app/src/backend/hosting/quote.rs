//! "Continue" (X2, X3): what a new configuration costs for the rest of the term, recomputed
//! on the server, or the downgrade's refusal with the renewal it may be scheduled for.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{decide, prices, refusal_error, service_of};
use crate::{
    backend::state::AppState,
    domain::billing::upgrade::{Configuration, UpgradeQuote, UpgradeRefusal},
    error::AppError,
};

/// The decision on a requested configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Quoted {
    /// An upgrade now, with its surcharge.
    Upgrade(UpgradeQuote),
    /// A downgrade: refused during the term, may be scheduled for `renewal` at `new_price`.
    Downgrade {
        renewal: NaiveDate,
        new_price: Decimal,
    },
}

/// Quotes `config` for the holder's service at the configuration `version` they saw.
pub async fn quote(
    state: &AppState,
    customer_id: i64,
    contract_id: i64,
    version: i32,
    config: &Configuration,
) -> Result<Quoted, AppError> {
    let mut conn = state.pool.acquire().await?;
    let service = service_of(&mut conn, customer_id, contract_id, false).await?;
    let (offer, decision) = decide(&service, state.clock.today(), version, config)?;
    match decision {
        Ok(quote) => Ok(Quoted::Upgrade(quote)),
        Err(UpgradeRefusal::DowngradeInTerm { renewal }) => Ok(Quoted::Downgrade {
            renewal,
            new_price: prices(&offer, config)?.1,
        }),
        Err(refusal) => Err(refusal_error(refusal)),
    }
}
