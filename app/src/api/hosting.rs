//! Hosting services (X1–X4): my services, one service's configuration, the surcharge of an
//! upgrade for the rest of the term (quoted in the browser by the same rule, recomputed here),
//! confirming it once whatever the clicks, and downgrades scheduled for the renewal.
//! Holders only (L2): a contract change is the holder's.

use chrono::NaiveDate;
use leptos::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::domain::billing::upgrade::UpgradeRefusal;
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
        active: s.status == "active",
        upgradable: s.upgradable,
        sales_url,
        currency: s.currency,
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
                active: s.status == "active",
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

/// Loads and locks the holder's service for a change (`NotFound`: not theirs).
#[cfg(feature = "ssr")]
async fn lock_service(
    conn: &mut sqlx::PgConnection,
    customer_id: i64,
    contract_id: i64,
) -> Result<crate::backend::repo::hosting::Service, AppError> {
    crate::backend::repo::hosting::service(
        conn,
        customer_id,
        contract_id,
        crate::domain::lang::Lang::En,
        true,
    )
    .await?
    .ok_or(AppError::NotFound)
}

/// Checks a requested configuration against the (locked) service and the quoted version,
/// and decides the change with the service's offer.
#[cfg(feature = "ssr")]
fn decide_for(
    service: &crate::backend::repo::hosting::Service,
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
/// `decide_for`: a missing price here is a broken catalogue, never a price of 0).
#[cfg(feature = "ssr")]
fn prices(offer: &Offer, config: &Configuration) -> Result<(Decimal, Decimal), AppError> {
    match (offer.current_price(), offer.price_of(config)) {
        (Some(old), Some(new)) => Ok((old, new)),
        _ => Err(AppError::internal(
            "a decided configuration without its price",
        )),
    }
}

#[cfg(feature = "ssr")]
fn refusal_error(refusal: UpgradeRefusal) -> AppError {
    use crate::domain::validation::FieldProblem;
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

/// "Continue" (X2): the surcharge for the rest of the term, recomputed on the server, or the
/// downgrade's refusal with the renewal date it may be scheduled for (X3).
#[server(endpoint = "quote_upgrade")]
pub async fn quote_upgrade(
    contract_id: i64,
    version: i32,
    config: Configuration,
) -> Result<QuoteAnswer, AppError> {
    use crate::backend::repo;
    entry::holder(|state, Holder { customer_id, .. }| async move {
        let mut conn = state.pool.acquire().await?;
        let service = repo::hosting::service(
            &mut conn,
            customer_id,
            contract_id,
            crate::domain::lang::Lang::En,
            false,
        )
        .await?
        .ok_or(AppError::NotFound)?;
        let (offer, decision) = decide_for(&service, state.clock.today(), version, &config)?;
        match decision {
            Ok(quote) => Ok(QuoteAnswer::Upgrade {
                quote,
                config,
                version,
                idempotency_key: uuid::Uuid::new_v4().to_string(),
            }),
            Err(UpgradeRefusal::DowngradeInTerm { renewal }) => Ok(QuoteAnswer::Downgrade {
                renewal,
                new_price: prices(&offer, &config)?.1,
                config,
                version,
            }),
            Err(refusal) => Err(refusal_error(refusal)),
        }
    })
    .await
}

/// Confirm (X2, X4): one transaction: the configuration changes, an invoice dated today
/// carries the charge and the credit, the audit record is written; the term end stays. The
/// same key again replays the first answer; a quote of an older configuration is stale.
#[server(endpoint = "confirm_upgrade")]
pub async fn confirm_upgrade(
    contract_id: i64,
    version: i32,
    config: Configuration,
    idempotency_key: String,
) -> Result<Confirmed, AppError> {
    use crate::{
        backend::billing::{line_words, stored_line_text},
        backend::{
            idempotency::{self, Claim},
            repo,
        },
        domain::billing::line_text::LineText,
    };
    let result = entry::holder(|state, holder| async move {
        let Holder {
            customer_id,
            access,
        } = holder;
        let login_id = access.session.login_id;
        let key = format!("{login_id}-{idempotency_key}");
        let mut tx = state.pool.begin().await?;
        // The same key again (a double click, a retry): the first answer, nothing new.
        let request = (contract_id, version, &config);
        if let Claim::Replay(answer) = idempotency::claim(
            &mut tx,
            login_id,
            &idempotency_key,
            "confirm_upgrade",
            &request,
        )
        .await?
        {
            return answer;
        }
        // The service row lock orders concurrent confirmations of other keys.
        let service = lock_service(&mut tx, customer_id, contract_id).await?;
        let (offer, decision) = decide_for(&service, state.clock.today(), version, &config)?;
        let quote = decision.map_err(refusal_error)?;
        let (old_price, new_price) = prices(&offer, &config)?;
        // The lines' texts as kind and parameters, so that each reader gets them in its
        // language (I2), and in the household's language as the stored description.
        let charge_line = LineText::HostingCharge {
            hostname: service.hostname.clone(),
            days_remaining: quote.days_remaining,
            days_total: quote.days_total,
        };
        let credit_line = LineText::HostingCredit {
            hostname: service.hostname.clone(),
            days_remaining: quote.days_remaining,
            days_total: quote.days_total,
        };
        let charge_text = line_words(&charge_line, service.language);
        let credit_text = line_words(&credit_line, service.language);
        let today = state.clock.today();
        let number = repo::hosting::apply_upgrade(
            &mut tx,
            &repo::hosting::NewChange {
                service: &service,
                login_id: access.session.login_id,
                requested_on: today,
                effective_on: today,
                new_config: &config,
                old_price,
                new_price,
                idempotency_key: &key,
            },
            &repo::hosting::Applied {
                days_total: quote.days_total,
                days_remaining: quote.days_remaining,
                charge: quote.charge.amount(),
                credit: quote.credit.amount(),
                charge_text: &charge_text,
                credit_text: &credit_text,
                charge_line_text: &stored_line_text(&charge_line)?,
                credit_line_text: &stored_line_text(&credit_line)?,
            },
        )
        .await?;
        tracing::info!(contract_id, invoice = %number, net = %quote.net, "configuration upgraded");
        let answer = Ok(Confirmed {
            invoice_number: number,
        });
        idempotency::remember(&mut tx, login_id, &idempotency_key, &answer).await?;
        tx.commit().await?;
        answer
    })
    .await;
    if let Ok(done) = &result {
        to_overview(
            contract_id,
            crate::domain::flash::Flash::UpgradeConfirmed {
                invoice_number: done.invoice_number.clone(),
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
    use crate::{backend::repo, domain::validation::FieldProblem};
    let result = entry::holder(|state, holder| async move {
        let Holder {
            customer_id,
            access,
        } = holder;
        let mut tx = state.pool.begin().await?;
        let service = lock_service(&mut tx, customer_id, contract_id).await?;
        let (offer, decision) = decide_for(&service, state.clock.today(), version, &config)?;
        let (old_price, new_price) = prices(&offer, &config)?;
        let Err(UpgradeRefusal::DowngradeInTerm { renewal }) = decision else {
            return Err(AppError::field("config", FieldProblem::NotADowngrade));
        };
        if service.scheduled.is_some() {
            return Err(AppError::field("config", FieldProblem::DowngradeScheduled));
        }
        repo::hosting::schedule(
            &mut tx,
            &repo::hosting::NewChange {
                service: &service,
                login_id: access.session.login_id,
                requested_on: state.clock.today(),
                effective_on: renewal,
                new_config: &config,
                old_price,
                new_price,
                idempotency_key: &format!("schedule-{}", uuid::Uuid::new_v4()),
            },
        )
        .await?;
        tx.commit().await?;
        tracing::info!(contract_id, %renewal, "downgrade scheduled for the renewal");
        Ok(renewal)
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
    use crate::backend::repo;
    entry::holder(|state, Holder { customer_id, .. }| async move {
        let mut tx = state.pool.begin().await?;
        lock_service(&mut tx, customer_id, contract_id).await?;
        if !repo::hosting::withdraw(&mut tx, contract_id, change_id).await? {
            return Err(AppError::NotFound);
        }
        tx.commit().await?;
        crate::backend::flash::notice(&state, crate::domain::flash::Flash::DowngradeWithdrawn)
            .await;
        Ok(())
    })
    .await
}
