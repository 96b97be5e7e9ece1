//! The products on Home (H2–H4): each line with its usage this cycle against its allowance,
//! its options (with the prorated amount a change puts on the next invoice), its consumption
//! alerts and its move request. Holders change them; a user link reads its own line's usage and
//! options only (L2).

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::domain::account::AlertMetric;
pub use crate::domain::products::{
    AlertView, MoveView, OptionChanged, OptionOffer, Product, Products,
};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::backend::entry::{self, Holder};

/// The products of the signed-in login, option names in `lang`.
#[server(endpoint = "products")]
pub async fn get_products(lang: String) -> Result<Products, AppError> {
    use crate::domain::lang::Lang;
    entry::linked(|state, access| async move {
        let lang = Lang::parse(&lang).unwrap_or(Lang::En);
        crate::backend::products::list(&state, &access, lang).await
    })
    .await
}

/// Activates (`change` = `activate`) or deactivates an option of a line of the holder's
/// customer number today, writing the change and its proration line in one transaction (H3).
/// `shown_amount` is the prorated amount the customer confirmed: if today's amount differs
/// (the day changed, or the option changed in another window) nothing is written (`Stale`).
#[server(endpoint = "change_option")]
pub async fn change_option(
    contract_number: String,
    option_code: String,
    change: String,
    shown_amount: String,
    idempotency_key: String,
) -> Result<OptionChanged, AppError> {
    use crate::backend::{
        flash,
        products::{Switch, Switched, switch_option},
        repo::products::option_name,
        respond,
    };
    entry::holder(|state, holder| async move {
        let activate = match change.as_str() {
            "activate" => true,
            "deactivate" => false,
            _ => return Err(AppError::NotFound),
        };
        let request = Switch {
            contract_number: &contract_number,
            option_code: &option_code,
            activate,
            shown_amount: &shown_amount,
            idempotency_key: &idempotency_key,
        };
        match switch_option(&state, &holder, &request).await? {
            Switched::Replayed(changed) => Ok(changed),
            Switched::Done { changed, option_id } => {
                // JavaScript off: the page shows the option's name in its own language.
                if respond::is_plain_form_post() {
                    let page_lang = flash::posted_from_lang();
                    let name = option_name(&state.pool, option_id, page_lang.code()).await?;
                    flash::notice(
                        &state,
                        crate::domain::flash::Flash::OptionChanged {
                            name,
                            active: changed.active,
                            amount: changed.amount,
                            currency: changed.currency.clone(),
                        },
                    )
                    .await;
                }
                Ok(changed)
            }
        }
    })
    .await
}

#[cfg(feature = "ssr")]
fn metric_of(raw: &str) -> Result<AlertMetric, AppError> {
    AlertMetric::parse(raw.trim())
        .ok_or_else(|| AppError::field("metric", crate::domain::validation::FieldProblem::Required))
}

/// Sets a consumption alert of a line (H4): `threshold` in GB, minutes or the currency.
#[server(endpoint = "save_alert")]
pub async fn save_alert(
    contract_number: String,
    metric: String,
    threshold: String,
) -> Result<(), AppError> {
    use crate::{
        backend::repo::products as repo,
        domain::products::{metrics_of, parse_threshold},
    };
    entry::holder(|state, Holder { customer_id, .. }| async move {
        let metric = metric_of(&metric)?;
        let threshold = parse_threshold(&threshold, metric)
            .map_err(|problem| AppError::field("threshold", problem))?;
        let mut tx = state.pool.begin().await?;
        let line = repo::lock_line(&mut tx, customer_id, contract_number.trim()).await?;
        if !metrics_of(line.service).contains(&metric) {
            return Err(AppError::field(
                "metric",
                crate::domain::validation::FieldProblem::Required,
            ));
        }
        repo::upsert_alert(&mut tx, line.id, metric, threshold).await?;
        tx.commit().await?;
        crate::backend::flash::notice(&state, crate::domain::flash::Flash::AlertSaved).await;
        Ok(())
    })
    .await
}

/// Removes a consumption alert of a line.
#[server(endpoint = "delete_alert")]
pub async fn delete_alert(contract_number: String, metric: String) -> Result<(), AppError> {
    use crate::backend::repo::products as repo;
    entry::holder(|state, Holder { customer_id, .. }| async move {
        let metric = AlertMetric::parse(metric.trim()).ok_or(AppError::NotFound)?;
        let mut tx = state.pool.begin().await?;
        let line = repo::lock_line(&mut tx, customer_id, contract_number.trim()).await?;
        if !repo::delete_alert(&mut tx, line.id, metric).await? {
            return Err(AppError::NotFound);
        }
        tx.commit().await?;
        crate::backend::flash::notice(&state, crate::domain::flash::Flash::AlertRemoved).await;
        Ok(())
    })
    .await
}

/// Requests a move of a line to a new address on a wished date (H4).
#[server(endpoint = "request_move")]
pub async fn request_move(
    contract_number: String,
    street: String,
    postal_code: String,
    city: String,
    wished_date: String,
) -> Result<(), AppError> {
    use crate::backend::products::{NewMoveRequest, request_move};
    entry::holder(|state, Holder { customer_id, .. }| async move {
        let request = NewMoveRequest {
            contract_number: &contract_number,
            street: &street,
            postal_code: &postal_code,
            city: &city,
            wished_date: &wished_date,
        };
        request_move(&state, customer_id, &request).await?;
        crate::backend::flash::notice(&state, crate::domain::flash::Flash::MoveSent).await;
        Ok(())
    })
    .await
}

/// Withdraws a line's move request the provider has not confirmed yet.
#[server(endpoint = "cancel_move")]
pub async fn cancel_move(contract_number: String) -> Result<(), AppError> {
    entry::holder(|state, Holder { customer_id, .. }| async move {
        crate::backend::products::cancel_move(&state, customer_id, &contract_number).await?;
        crate::backend::flash::notice(&state, crate::domain::flash::Flash::MoveWithdrawn).await;
        Ok(())
    })
    .await
}
