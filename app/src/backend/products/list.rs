//! The lines a login may see on Home (H2–H4, L2): a holder's lines with alerts and moves, a
//! user link's own lines read only; each option with what switching it today would cost.

use chrono::NaiveDate;
use sqlx::PgConnection;

use crate::{
    backend::{access::Access, repo::products as repo, state::AppState},
    domain::{
        account::{ContractStatus, Service},
        billing::{cycles::cycle_containing, proration::switch_cost},
        lang::Lang,
        products::{
            AlertView, MoveView, OptionOffer, Product, Products, allowance, meters, metrics_of,
            movable, option_prices,
        },
    },
    error::AppError,
};

/// The products `access` may see, option names in `lang`.
pub async fn list(state: &AppState, access: &Access, lang: Lang) -> Result<Products, AppError> {
    // One connection for all of its reads (each checkout costs a round trip on release).
    let mut conn = state.pool.acquire().await?;
    if let Some(customer_id) = access.rights.holder_customer() {
        let lines = repo::lines_of_customer(&mut conn, customer_id).await?;
        build(state, &mut conn, lines, true, lang).await
    } else {
        let lines = repo::lines_by_id(&mut conn, access.rights.user_contracts()).await?;
        build(state, &mut conn, lines, false, lang).await
    }
}

impl From<&repo::OpenMove> for MoveView {
    fn from(m: &repo::OpenMove) -> Self {
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

async fn build(
    state: &AppState,
    conn: &mut PgConnection,
    lines: Vec<repo::Line>,
    editable: bool,
    lang: Lang,
) -> Result<Products, AppError> {
    let Some(money) = lines.first().map(|l| l.currency) else {
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
                .filter(|o| o.active().is_some())
                .filter_map(|o| o.extra_data_bytes)
                .collect();
            let unlimited = own
                .iter()
                .any(|o| o.active().is_some() && o.unlimited_minutes);
            let used = cycle
                .and_then(|c| usage.get(&(line.id, c.start())).copied())
                .unwrap_or_default();
            let offers = own
                .iter()
                .map(|o| {
                    let active = o.active().is_some();
                    let change_amount = option_prices(o.monthly_price, active, !active)
                        .ok()
                        .and_then(|(old, new)| switch_cost(line.start_date, today, old, new, money))
                        .map(|(_, amount)| amount.amount());
                    OptionOffer {
                        code: o.code.clone(),
                        name: o.name.clone(),
                        monthly_price: o.monthly_price,
                        active,
                        since: o.active().map(|(_, day)| day),
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
        currency: money.code().to_string(),
        products,
    })
}
