//! Hosting services (X1–X4): my services, one service's configuration, the surcharge of an
//! upgrade for the rest of the term (quoted in the browser by the same rule, recomputed here),
//! confirming it once whatever the clicks, and downgrades scheduled for the renewal.
//! Holders only (L2): a contract change is the holder's.

use chrono::NaiveDate;
use leptos::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{
    domain::billing::upgrade::{Configuration, Offer, UpgradeQuote},
    error::AppError,
};

#[cfg(feature = "ssr")]
use crate::backend::entry::{self, Holder};

/// A service in "My services".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceSummary {
    pub contract_id: i64,
    pub contract_number: String,
    pub hostname: String,
    pub tariff_name: String,
    pub active: bool,
    pub term_end: NaiveDate,
}

/// A configurable option with its current value and the values the catalogue allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionView {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub current: i64,
    /// (value, price for a whole term)
    pub values: Vec<(i64, Decimal)>,
}

/// A downgrade waiting for the renewal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledView {
    pub id: i64,
    pub effective_on: NaiveDate,
    pub config: Configuration,
    pub new_price: Decimal,
}

/// One service with its configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceView {
    pub contract_id: i64,
    pub contract_number: String,
    pub hostname: String,
    pub tariff_name: String,
    pub active: bool,
    pub upgradable: bool,
    pub sales_url: String,
    pub currency: String,
    pub term: (NaiveDate, NaiveDate),
    pub today: NaiveDate,
    /// The configuration's version: a quote carries it, a change makes it stale.
    pub version: i32,
    pub options: Vec<OptionView>,
    pub scheduled: Option<ScheduledView>,
    /// What each configuration costs and how a change is decided: the same rules the server
    /// applies to the quote and the confirmation (issue 25).
    pub offer: Offer,
}

/// The server's answer to "Continue".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum QuoteAnswer {
    /// An upgrade: the surcharge, and the key that makes confirming it happen once.
    Upgrade {
        quote: UpgradeQuote,
        config: Configuration,
        version: i32,
        idempotency_key: String,
    },
    /// A downgrade: refused during the term, may be scheduled for `renewal`.
    Downgrade {
        renewal: NaiveDate,
        config: Configuration,
        version: i32,
        new_price: Decimal,
    },
}

/// What a confirmation did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmed {
    pub invoice_number: String,
    /// Charged to the stored card; otherwise it waits for a payment in the portal.
    pub paid: bool,
}

#[cfg(feature = "ssr")]
fn view_of(
    s: crate::backend::repo::hosting::Service,
    sales_url: String,
    today: NaiveDate,
) -> Result<ServiceView, AppError> {
    let offer = s.offer()?;
    Ok(ServiceView {
        contract_id: s.contract_id,
        contract_number: s.contract_number,
        hostname: s.hostname,
        tariff_name: s.tariff_name,
        active: s.status == crate::domain::account::ContractStatus::Active,
        upgradable: s.upgradable,
        sales_url,
        currency: s.currency.code().to_string(),
        term: (s.term_start, s.term_end),
        today,
        version: s.version,
        options: s
            .options
            .into_iter()
            .map(|o| OptionView {
                code: o.code,
                name: o.name,
                unit: o.unit,
                current: o.current,
                values: o.values,
            })
            .collect(),
        scheduled: s.scheduled.map(|c| ScheduledView {
            id: c.id,
            effective_on: c.effective_on,
            config: c.new_config,
            new_price: c.new_price,
        }),
        offer,
    })
}

/// The signed-in holder's hosting services (X1).
#[server(endpoint = "services")]
pub async fn get_services() -> Result<Vec<ServiceSummary>, AppError> {
    use crate::backend::repo;
    entry::holder(|state, Holder { customer_id, .. }| async move {
        let mut conn = state.pool.acquire().await?;
        Ok(repo::hosting::services_of(&mut conn, customer_id)
            .await?
            .into_iter()
            .map(|s| ServiceSummary {
                contract_id: s.contract_id,
                contract_number: s.contract_number,
                hostname: s.hostname,
                tariff_name: s.tariff_name,
                active: s.status == crate::domain::account::ContractStatus::Active,
                term_end: s.term_end,
            })
            .collect())
    })
    .await
}

/// One service of the holder with its options, names in `lang` (X1).
#[server(endpoint = "service")]
pub async fn get_service(contract_id: i64, lang: String) -> Result<ServiceView, AppError> {
    use crate::{backend::repo, domain::lang::Lang};
    entry::holder(|state, Holder { customer_id, .. }| async move {
        let lang = Lang::parse(&lang).unwrap_or(Lang::En);
        let mut conn = state.pool.acquire().await?;
        let service = repo::hosting::service(&mut conn, customer_id, contract_id, lang, false)
            .await?
            .ok_or(AppError::NotFound)?;
        let sales_url = repo::providers::sales_url(&state.pool, state.provider_id).await?;
        view_of(service, sales_url, state.clock.today())
    })
    .await
}

/// "Continue" (X2): the surcharge for the rest of the term, recomputed on the server, or the
/// downgrade's refusal with the renewal date it may be scheduled for (X3).
#[server(endpoint = "quote_upgrade")]
pub async fn quote_upgrade(
    contract_id: i64,
    version: i32,
    config: Configuration,
) -> Result<QuoteAnswer, AppError> {
    use crate::backend::hosting::{self, Quoted};
    entry::holder(|state, Holder { customer_id, .. }| async move {
        Ok(
            match hosting::quote(&state, customer_id, contract_id, version, &config).await? {
                Quoted::Upgrade(quote) => QuoteAnswer::Upgrade {
                    quote,
                    config,
                    version,
                    idempotency_key: uuid::Uuid::new_v4().to_string(),
                },
                Quoted::Downgrade { renewal, new_price } => QuoteAnswer::Downgrade {
                    renewal,
                    config,
                    version,
                    new_price,
                },
            },
        )
    })
    .await
}

/// Confirm (X2, X4): the upgrade once whatever the clicks (`backend::hosting::confirm`).
#[server(endpoint = "confirm_upgrade")]
pub async fn confirm_upgrade(
    contract_id: i64,
    version: i32,
    config: Configuration,
    idempotency_key: String,
) -> Result<Confirmed, AppError> {
    let result = entry::holder(|state, holder| async move {
        crate::backend::hosting::confirm(
            &state,
            &holder,
            contract_id,
            version,
            &config,
            &idempotency_key,
        )
        .await
        .map(|done| Confirmed {
            invoice_number: done.invoice_number,
            paid: done.paid,
        })
    })
    .await;
    if let Ok(done) = &result {
        to_overview(
            contract_id,
            crate::domain::flash::Flash::UpgradeConfirmed {
                invoice_number: done.invoice_number.clone(),
                paid: done.paid,
            },
        )
        .await;
    }
    result
}

/// Without JavaScript, a confirmed change goes to the service's overview (the quote it came
/// from is spent), which says what was done (P6).
#[cfg(feature = "ssr")]
async fn to_overview(contract_id: i64, flash: crate::domain::flash::Flash) {
    use crate::backend::{flash as notice, respond, state::app_state};
    if !respond::is_plain_form_post() {
        return;
    }
    let lang = notice::posted_from_lang();
    leptos_axum::redirect(&crate::paths::localized(
        lang,
        &format!("{}/{contract_id}", crate::paths::SERVICES),
    ));
    if let Ok(state) = app_state() {
        notice::notice(&state, flash).await;
    }
}

/// X3: schedules a downgrade for the renewal (the day after the term).
#[server(endpoint = "schedule_downgrade")]
pub async fn schedule_downgrade(
    contract_id: i64,
    version: i32,
    config: Configuration,
) -> Result<NaiveDate, AppError> {
    let result = entry::holder(|state, holder| async move {
        crate::backend::hosting::schedule(&state, &holder, contract_id, version, &config).await
    })
    .await;
    if let Ok(day) = result {
        to_overview(
            contract_id,
            crate::domain::flash::Flash::DowngradeScheduled { day },
        )
        .await;
    }
    result
}

/// Withdraws the scheduled downgrade of a service.
#[server(endpoint = "withdraw_downgrade")]
pub async fn withdraw_downgrade(contract_id: i64, change_id: i64) -> Result<(), AppError> {
    entry::holder(|state, Holder { customer_id, .. }| async move {
        crate::backend::hosting::withdraw(&state, customer_id, contract_id, change_id).await?;
        crate::backend::flash::notice(&state, crate::domain::flash::Flash::DowngradeWithdrawn)
            .await;
        Ok(())
    })
    .await
}
