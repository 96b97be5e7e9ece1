//! Consumption alerts (H4): after usage is ingested, every alert of the lines it touched is
//! compared with its cycle's usage; crossing the threshold puts one message in the household's
//! inbox per cycle (the `alert_notices` key makes "once" hold under concurrent ingestion).

use std::collections::BTreeSet;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::PgConnection;

use crate::{
    backend::repo::products::{cycle_usage, notify_once, watched_alerts},
    domain::{
        account::AlertMetric, billing::cycles::cycle_containing, calendar::DateRange, format,
        lang::Lang, products::crossed,
    },
    error::AppError,
    i18n::*,
};

/// The inbox message of a crossed alert, in the household's language (`HOUSEHOLD_LANGUAGE`).
pub fn alert_message(
    lang: Lang,
    line: &str,
    metric: AlertMetric,
    used: Decimal,
    threshold: Decimal,
    currency: &str,
) -> (String, String) {
    let locale = locale_of(lang);
    let amount = |value: Decimal| match metric {
        AlertMetric::Data => format!("{} GB", format::number(value, 1, lang)),
        AlertMetric::Minutes => format!(
            "{} {}",
            format::number(value.floor(), 0, lang),
            td_string!(locale, usage.unit_min)
        ),
        AlertMetric::Spend => format::money(value, currency, lang),
    };
    let what = match metric {
        AlertMetric::Data => td_string!(locale, settings.metric_data),
        AlertMetric::Minutes => td_string!(locale, settings.metric_minutes),
        AlertMetric::Spend => td_string!(locale, settings.metric_spend),
    };
    let subject = format!("{} {line}", td_string!(locale, settings.alert_subject));
    let body = format!(
        "{line} · {what}: {} {} ({} {}). {}",
        td_string!(locale, settings.alert_used),
        amount(used),
        td_string!(locale, settings.alert_threshold),
        amount(threshold),
        td_string!(locale, settings.alert_once)
    );
    (subject, body)
}

/// Checks the alerts of `contract_ids` for the cycles containing `days` (the usage dates just
/// ingested), in the ingesting transaction; returns how many messages were written.
pub async fn check_after_ingest(
    conn: &mut PgConnection,
    usage: &[(i64, NaiveDate)],
) -> Result<u64, AppError> {
    let contract_ids: Vec<i64> = usage
        .iter()
        .map(|(id, _)| *id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let watched = watched_alerts(conn, &contract_ids).await?;
    if watched.is_empty() {
        return Ok(0);
    }
    // The cycles the new usage falls in, per line.
    let cycles: BTreeSet<(i64, DateRange)> = usage
        .iter()
        .filter_map(|(contract_id, day)| {
            let alert = watched.iter().find(|w| w.contract_id == *contract_id)?;
            cycle_containing(alert.start_date, *day).map(|(_, range)| (*contract_id, range))
        })
        .collect();
    let cycles: Vec<(i64, DateRange)> = cycles.into_iter().collect();
    let totals = cycle_usage(conn, &cycles).await?;
    let mut written = 0;
    for (contract_id, cycle) in &cycles {
        let Some(used) = totals.get(&(*contract_id, cycle.start())) else {
            continue;
        };
        for alert in watched.iter().filter(|w| w.contract_id == *contract_id) {
            let value = used.of(alert.metric);
            if !crossed(value, alert.threshold) {
                continue;
            }
            let line = alert
                .phone_number
                .clone()
                .unwrap_or_else(|| alert.contract_number.clone());
            let (subject, body) = alert_message(
                alert.language,
                &line,
                alert.metric,
                value,
                alert.threshold,
                alert.currency.code(),
            );
            if notify_once(conn, alert, cycle.start(), &subject, &body).await? {
                written += 1;
            }
        }
    }
    if written > 0 {
        tracing::info!(written, "consumption alerts sent to the inbox");
    }
    Ok(written)
}
