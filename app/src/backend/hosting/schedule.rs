//! X3: a downgrade waits for the renewal (the day after the term); the holder may withdraw
//! it until then.

use crate::backend::events::{self, EventKind, Subject};
use chrono::NaiveDate;

use super::{decide, prices, service_of};
use crate::{
    backend::{entry::Holder, repo::hosting as repo, state::AppState},
    domain::{
        billing::upgrade::{Configuration, UpgradeRefusal},
        validation::FieldProblem,
    },
    error::AppError,
};

/// Schedules the downgrade to `config` for the renewal; the day it takes effect.
pub async fn schedule(
    state: &AppState,
    holder: &Holder,
    contract_id: i64,
    version: i32,
    config: &Configuration,
) -> Result<NaiveDate, AppError> {
    let today = state.clock.today();
    let mut tx = state.pool.begin().await?;
    let service = service_of(&mut tx, holder.customer_id, contract_id, true).await?;
    let (offer, decision) = decide(&service, today, version, config)?;
    let (old_price, new_price) = prices(&offer, config)?;
    let Err(UpgradeRefusal::DowngradeInTerm { renewal }) = decision else {
        return Err(AppError::field("config", FieldProblem::NotADowngrade));
    };
    if service.scheduled.is_some() {
        return Err(AppError::field("config", FieldProblem::DowngradeScheduled));
    }
    repo::schedule(
        &mut tx,
        &repo::NewChange {
            service: &service,
            login_id: holder.access.session.login_id,
            requested_on: today,
            effective_on: renewal,
            new_config: config,
            old_price,
            new_price,
            idempotency_key: &format!("schedule-{}", uuid::Uuid::new_v4()),
        },
    )
    .await?;
    events::record(
        &mut tx,
        Subject::Contract(contract_id),
        EventKind::DowngradeScheduled,
        serde_json::json!({
            "hostname": service.hostname,
            "configuration": config,
            "effective_on": renewal,
            "monthly_price_after": new_price.to_string(),
        }),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(contract_id, %renewal, "downgrade scheduled for the renewal");
    Ok(renewal)
}

/// Withdraws the scheduled downgrade `change_id` of the holder's service.
pub async fn withdraw(
    state: &AppState,
    customer_id: i64,
    contract_id: i64,
    change_id: i64,
) -> Result<(), AppError> {
    let mut tx = state.pool.begin().await?;
    service_of(&mut tx, customer_id, contract_id, true).await?;
    if !repo::withdraw(&mut tx, contract_id, change_id).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}
