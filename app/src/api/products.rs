//! The products on Home (H2–H4): each line with its usage this cycle against its allowance,
//! its options (with the prorated amount a change puts on the next invoice), its consumption
//! alerts and its move request. Holders change them; a user link reads its own line's usage and
//! options only (L2).

use chrono::NaiveDate;
use leptos::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{
    domain::{
        account::{AlertMetric, ContractStatus, MoveStatus, Service},
        settings::Meter,
    },
    error::AppError,
};

#[cfg(feature = "ssr")]
use crate::backend::entry::{self, Holder};

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

#[cfg(feature = "ssr")]
impl From<&crate::backend::repo::products::OpenMove> for MoveView {
    fn from(m: &crate::backend::repo::products::OpenMove) -> Self {
        MoveView {
            id: m.id,
            street: m.street.clone(),
            postal_code: m.postal_code.clone(),
            city: m.city.clone(),
            wished_date: m.wished_date,
            status: m.status,
            requested_on: m.requested_on,
            installation_on: m.installation_on,
        }
    }
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

#[cfg(feature = "ssr")]
async fn build(
    state: &crate::backend::state::AppState,
    conn: &mut sqlx::PgConnection,
    lines: Vec<crate::backend::repo::products::Line>,
    editable: bool,
    lang: crate::domain::lang::Lang,
) -> Result<Products, AppError> {
    use crate::{
        backend::repo::products as repo,
        domain::{
            billing::{cycles::cycle_containing, proration::switch_cost},
            money::Currency,
            settings::{allowance, meters, metrics_of, movable, option_prices},
        },
    };
    let Some(currency) = lines.first().map(|l| l.currency.clone()) else {
        // No links yet: nothing to show.
        return Ok(Products {
            editable,
            currency: String::new(),
            products: Vec::new(),
        });
    };
    let today = state.clock.today();
    let ids: Vec<i64> = lines.iter().map(|l| l.id).collect();
    let cycles: Vec<(i64, crate::domain::calendar::DateRange)> = lines
        .iter()
        .filter_map(|l| cycle_containing(l.start_date, today).map(|(_, c)| (l.id, c)))
        .collect();
    let usage = repo::cycle_usage(conn, &cycles).await?;
    let options = repo::options_of(conn, &ids, lang.code()).await?;
    let (alerts, moves) = if editable {
        let starts: Vec<(i64, NaiveDate)> = cycles.iter().map(|(id, c)| (*id, c.start())).collect();
        (
            repo::alerts_of(conn, &starts).await?,
            repo::open_moves(conn, &ids).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let money = Currency::parse(&currency)
        .ok_or_else(|| AppError::internal("provider currency unknown"))?;
    let products = lines
        .into_iter()
        .map(|line| {
            let cycle = cycles
                .iter()
                .find(|(id, _)| *id == line.id)
                .map(|(_, c)| *c);
            let own: Vec<_> = options
                .iter()
                .filter(|o| o.contract_id == line.id)
                .collect();
            let extra: Vec<i64> = own
                .iter()
                .filter(|o| o.active.is_some())
                .filter_map(|o| o.extra_data_bytes)
                .collect();
            let unlimited = own
                .iter()
                .any(|o| o.active.is_some() && o.unlimited_minutes);
            let used = cycle
                .and_then(|c| usage.get(&(line.id, c.start())).copied())
                .unwrap_or_default();
            let offers = own
                .iter()
                .map(|o| {
                    let active = o.active.is_some();
                    let change_amount = option_prices(o.monthly_price, active, !active)
                        .ok()
                        .and_then(|(old, new)| switch_cost(line.start_date, today, old, new, money))
                        .map(|(_, amount)| amount.amount());
                    OptionOffer {
                        code: o.code.clone(),
                        name: o.name.clone(),
                        monthly_price: o.monthly_price,
                        active,
                        since: o.active.map(|(_, day)| day),
                        change_amount,
                        days_left: cycle.map_or(0, |c| c.days_from(today)),
                        cycle_days: cycle.map_or(0, |c| c.days()),
                        confirm_key: uuid::Uuid::new_v4().to_string(),
                    }
                })
                .collect();
            Product {
                meters: meters(
                    line.service,
                    used,
                    allowance(
                        line.data_allowance_bytes,
                        line.minutes_allowance,
                        &extra,
                        unlimited,
                    ),
                ),
                options: offers,
                alert_metrics: if editable {
                    metrics_of(line.service).to_vec()
                } else {
                    Vec::new()
                },
                alerts: alerts
                    .iter()
                    .filter(|a| a.contract_id == line.id)
                    .map(|a| AlertView {
                        metric: a.metric,
                        threshold: a.threshold,
                        fired: a.fired,
                    })
                    .collect(),
                movable: editable && movable(line.service) && line.status == ContractStatus::Active,
                open_move: moves
                    .iter()
                    .find(|m| m.contract_id == line.id)
                    .map(MoveView::from),
                cycle: cycle.map(|c| (c.start(), c.end())),
                hosting_service: (editable && line.service == Service::Hosting).then_some(line.id),
                contract_number: line.contract_number,
                service: line.service,
                phone_number: line.phone_number,
                status: line.status,
                tariff_name: line.tariff_name,
            }
        })
        .collect();
    Ok(Products {
        editable,
        currency,
        products,
    })
}

/// The products of the signed-in login, option names in `lang`.
#[server(endpoint = "products")]
pub async fn get_products(lang: String) -> Result<Products, AppError> {
    use crate::{backend::repo::products as repo, domain::lang::Lang};
    entry::linked(|state, access| async move {
        let lang = Lang::parse(&lang).unwrap_or(Lang::En);
        // One connection for all of its reads (each checkout costs a round trip on release).
        let mut conn = state.pool.acquire().await?;
        if let Some(customer_id) = access.rights.holder_customer() {
            let lines = repo::lines_of_customer(&mut conn, customer_id).await?;
            build(&state, &mut conn, lines, true, lang).await
        } else {
            let lines = repo::lines_by_id(&mut conn, access.rights.user_contracts()).await?;
            build(&state, &mut conn, lines, false, lang).await
        }
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
    use crate::{
        backend::{
            idempotency::{self, Claim},
            repo::products as repo,
        },
        domain::{
            billing::proration::switch_cost,
            format,
            lang::Lang,
            money::Currency,
            settings::{ChangeRefusal, option_prices},
        },
        i18n::*,
    };
    entry::holder(|state, holder| async move {
        let Holder {
            customer_id,
            access,
        } = holder;
        let activate = match change.as_str() {
            "activate" => true,
            "deactivate" => false,
            _ => return Err(AppError::NotFound),
        };
        let shown: Decimal = shown_amount.trim().parse().map_err(|_| AppError::Stale)?;
        let today = state.clock.today();
        let login_id = access.session.login_id;
        let mut tx = state.pool.begin().await?;
        let request = (&contract_number, &option_code, &change, &shown_amount);
        if let Claim::Replay(answer) = idempotency::claim(
            &mut tx,
            login_id,
            &idempotency_key,
            "change_option",
            &request,
        )
        .await?
        {
            return answer;
        }
        let line = repo::lock_line(&mut tx, customer_id, contract_number.trim()).await?;
        if line.status != ContractStatus::Active {
            return Err(AppError::NotFound);
        }
        let lang = Lang::parse(&line.language).unwrap_or(Lang::En);
        let option = repo::lock_option(&mut tx, line.id, option_code.trim(), lang.code()).await?;
        let (old_price, new_price) =
            option_prices(option.monthly_price, option.active.is_some(), activate)
                .map_err(|ChangeRefusal::AlreadyThere| AppError::Stale)?;
        let currency = Currency::parse(&line.currency)
            .ok_or_else(|| AppError::internal("line currency unknown"))?;
        // A line not yet in a cycle has no amount on its page, so a confirmation of one is
        // from another state of the page.
        let (cycle, amount) = switch_cost(line.start_date, today, old_price, new_price, currency)
            .ok_or(AppError::Stale)?;
        let amount = amount.amount();
        if amount != shown {
            return Err(AppError::Stale);
        }
        let activation_id = match option.active {
            None => repo::activate_option(&mut tx, line.id, option.option_id, today).await?,
            Some((id, _)) => {
                repo::deactivate_option(&mut tx, id, today).await?;
                id
            }
        };
        if !amount.is_zero() {
            let locale = locale_of(lang);
            let what = if activate {
                td_string!(locale, settings.line_activated)
            } else {
                td_string!(locale, settings.line_deactivated)
            };
            let description = format!(
                "{} · {} {} · {}–{}",
                option.name,
                what,
                format::date(today, lang),
                format::date(cycle.start(), lang),
                format::date(cycle.end(), lang)
            );
            repo::insert_pending_charge(
                &mut tx,
                &repo::NewPendingCharge {
                    line: &line,
                    activation_id,
                    activate,
                    description: &description,
                    day: today,
                    cycle,
                    old_price,
                    new_price,
                    amount,
                },
            )
            .await?;
        }
        tracing::info!(
            customer_id,
            contract = %line.contract_number,
            option = %option.code,
            activate,
            %amount,
            "option changed"
        );
        let answer = Ok(OptionChanged {
            code: option.code,
            active: activate,
            amount,
            currency: line.currency,
        });
        idempotency::remember(&mut tx, login_id, &idempotency_key, &answer).await?;
        tx.commit().await?;
        // JavaScript off: the page shows the option's name in its own language.
        if crate::backend::respond::is_plain_form_post() {
            let page_lang = crate::backend::flash::posted_from_lang();
            let name = repo::option_name(&state.pool, option.option_id, page_lang.code()).await?;
            crate::backend::flash::notice(
                &state,
                crate::domain::flash::Flash::OptionChanged {
                    name,
                    active: activate,
                    amount,
                    currency: currency.code().to_string(),
                },
            )
            .await;
        }
        answer
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
        domain::settings::{metrics_of, parse_threshold},
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
    use crate::{
        backend::repo::products as repo,
        domain::{
            format,
            settings::{check_address_text, check_postal_code, check_wished_date, movable},
        },
        i18n::*,
    };
    entry::holder(|state, Holder { customer_id, .. }| async move {
        let today = state.clock.today();
        let mut tx = state.pool.begin().await?;
        let line = repo::lock_line(&mut tx, customer_id, contract_number.trim()).await?;
        if !movable(line.service) || line.status != ContractStatus::Active {
            return Err(AppError::NotFound);
        }
        let street = check_address_text(&street);
        let postal_code = check_postal_code(&postal_code, &line.country);
        let city = check_address_text(&city);
        let wished = check_wished_date(&wished_date, today);
        AppError::check_fields([
            ("street", street.as_ref().err().copied()),
            ("postal_code", postal_code.as_ref().err().copied()),
            ("city", city.as_ref().err().copied()),
            ("wished_date", wished.as_ref().err().copied()),
        ])?;
        let (Ok(street), Ok(postal_code), Ok(city), Ok(wished_date)) =
            (street, postal_code, city, wished)
        else {
            return Err(AppError::internal(
                "a field check_fields passed did not parse",
            ));
        };
        let stored = repo::insert_move(
            &mut tx,
            &repo::NewMove {
                contract_id: line.id,
                street: &street,
                postal_code: &postal_code,
                city: &city,
                country: &line.country,
                wished_date,
                requested_on: today,
            },
        )
        .await?;
        if !stored {
            return Err(AppError::Stale);
        }
        // The move's status in the inbox (M2), in the household's language.
        let lang = crate::backend::repo::messages::language_of(&mut tx, customer_id).await?;
        let locale = locale_of(lang);
        let subject = format!(
            "{} {}",
            td_string!(locale, messages.move_received),
            line.contract_number
        );
        let body = format!(
            "{} {street}, {postal_code} {city} · {} {}. {}",
            td_string!(locale, messages.move_to),
            td_string!(locale, messages.move_on),
            format::date(wished_date, lang),
            td_string!(locale, messages.move_next)
        );
        crate::backend::repo::messages::insert(
            &mut tx,
            customer_id,
            "move_status",
            &subject,
            &body,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(customer_id, contract = %line.contract_number, "move requested");
        crate::backend::flash::notice(&state, crate::domain::flash::Flash::MoveSent).await;
        Ok(())
    })
    .await
}

/// Withdraws a line's move request the provider has not confirmed yet.
#[server(endpoint = "cancel_move")]
pub async fn cancel_move(contract_number: String) -> Result<(), AppError> {
    use crate::backend::repo::products as repo;
    entry::holder(|state, Holder { customer_id, .. }| async move {
        let mut tx = state.pool.begin().await?;
        let line = repo::lock_line(&mut tx, customer_id, contract_number.trim()).await?;
        if !repo::cancel_move(&mut tx, line.id).await? {
            return Err(AppError::Stale);
        }
        // Its installation appointment is no longer needed (A-tab).
        crate::backend::repo::appointments::cancel_for_move(&mut tx, line.id).await?;
        tx.commit().await?;
        crate::backend::flash::notice(&state, crate::domain::flash::Flash::MoveWithdrawn).await;
        Ok(())
    })
    .await
}
