//! Hosting use cases (X1–X4): quote a new configuration, confirm an upgrade, schedule or
//! withdraw a downgrade, renew a term that ended. Each takes a holder already authorised by its server function, loads
//! the service, lets `domain::billing::upgrade::Offer` decide and writes through
//! `repo::hosting`; the server functions only map the answers (issue 25).

mod confirm;
mod quote;
mod renewal;
mod schedule;

pub use confirm::{Upgraded, confirm};
pub use quote::{Quoted, quote};
pub use renewal::{Renewed, renew_one};
pub use schedule::{schedule, withdraw};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::PgConnection;

use crate::{
    backend::repo::hosting::{self as repo, Service},
    domain::{
        billing::upgrade::{Configuration, Offer, UpgradeQuote, UpgradeRefusal},
        lang::Lang,
        validation::FieldProblem,
    },
    error::AppError,
};

/// The holder's service, locked for a change when `lock` (`NotFound`: not theirs).
async fn service_of(
    conn: &mut PgConnection,
    customer_id: i64,
    contract_id: i64,
    lock: bool,
) -> Result<Service, AppError> {
    repo::service(conn, customer_id, contract_id, Lang::En, lock)
        .await?
        .ok_or(AppError::NotFound)
}

/// Checks a requested configuration against the service and the quoted version, and decides
/// the change with the service's offer.
fn decide(
    service: &Service,
    today: NaiveDate,
    version: i32,
    config: &Configuration,
) -> Result<(Offer, Result<UpgradeQuote, UpgradeRefusal>), AppError> {
    let offer = service.offer()?;
    if !offer.upgradable {
        return Err(refusal_error(UpgradeRefusal::NotUpgradable));
    }
    if offer.price_of(config).is_none() {
        return Err(refusal_error(UpgradeRefusal::NotOffered));
    }
    if service.version != version {
        return Err(AppError::Stale);
    }
    let decision = offer.decide(config, today);
    Ok((offer, decision))
}

/// The term prices of the current and the requested configuration (both checked by
/// [`decide`]: a missing price here is a broken catalogue, never a price of 0).
fn prices(offer: &Offer, config: &Configuration) -> Result<(Decimal, Decimal), AppError> {
    match (offer.current_price(), offer.price_of(config)) {
        (Some(old), Some(new)) => Ok((old, new)),
        _ => Err(AppError::internal(
            "a decided configuration without its price",
        )),
    }
}

/// A refused change as the configuration field's error.
fn refusal_error(refusal: UpgradeRefusal) -> AppError {
    AppError::field(
        "config",
        match refusal {
            UpgradeRefusal::NotUpgradable | UpgradeRefusal::OutsideTerm => {
                FieldProblem::NotUpgradable
            }
            UpgradeRefusal::Unchanged => FieldProblem::ConfigUnchanged,
            UpgradeRefusal::NotOffered => FieldProblem::ConfigInvalid,
            UpgradeRefusal::DowngradeInTerm { .. } => FieldProblem::DowngradeInTerm,
        },
    )
}
