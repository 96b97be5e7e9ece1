//! `PUT /provider/v1/tariffs/{code}` and `PUT /provider/v1/options/{code}`: the catalogue that
//! contracts name (H3's options, the allowances of Usage). Prices are in the provider's
//! currency, gross.

use rust_decimal::Decimal;
use sqlx::PgConnection;

use super::{Outcome, Refused, Upserted};

/// A tariff as the provider sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tariff {
    pub code: String,
    pub service: String,
    pub name: String,
    pub monthly_price: Decimal,
    pub data_allowance_bytes: Option<i64>,
    pub minutes_allowance: Option<i32>,
    pub overage_price_per_gb: Option<Decimal>,
    pub term_months: Option<i32>,
    pub term_price: Option<Decimal>,
    pub upgradable: bool,
}

/// An option of the catalogue.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogueOption {
    pub code: String,
    pub service: String,
    /// `{"de": …, "fr": …, "nl": …, "en": …}`.
    pub names: serde_json::Value,
    pub monthly_price: Decimal,
    pub extra_data_bytes: Option<i64>,
    pub unlimited_minutes: bool,
}

/// Whether `table`'s `code` is used by a contract of another service than `service`: a
/// tariff or option keeps its service once contracts have it.
async fn service_fixed(
    conn: &mut PgConnection,
    provider_id: i64,
    code: &str,
    service: &str,
    uses: &str,
) -> Result<bool, crate::error::AppError> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT EXISTS (SELECT 1 FROM {uses} WHERE x.provider_id = $1 AND x.code = $2
                           AND x.service <> $3)"
    ))
    .bind(provider_id)
    .bind(code)
    .bind(service)
    .fetch_one(&mut *conn)
    .await?)
}

pub async fn upsert_tariff(conn: &mut PgConnection, provider_id: i64, t: &Tariff) -> Outcome {
    if service_fixed(
        conn,
        provider_id,
        &t.code,
        &t.service,
        "tariffs x JOIN contracts c ON c.tariff_id = x.id",
    )
    .await?
    {
        return Ok(Err(Refused::Conflict(
            "contracts have this tariff: its service stays; make a new tariff code",
        )));
    }
    let written: Option<bool> = sqlx::query_scalar(
        "INSERT INTO tariffs AS t (provider_id, code, service, name, monthly_price, currency,
                                   data_allowance_bytes, minutes_allowance,
                                   overage_price_per_gb, term_months, term_price, upgradable)
         SELECT $1, $2, $3, $4, $5, p.currency, $6, $7, $8, $9, $10, $11
           FROM providers p WHERE p.id = $1
         ON CONFLICT (provider_id, code) DO UPDATE SET
             service = EXCLUDED.service, name = EXCLUDED.name,
             monthly_price = EXCLUDED.monthly_price,
             data_allowance_bytes = EXCLUDED.data_allowance_bytes,
             minutes_allowance = EXCLUDED.minutes_allowance,
             overage_price_per_gb = EXCLUDED.overage_price_per_gb,
             term_months = EXCLUDED.term_months, term_price = EXCLUDED.term_price,
             upgradable = EXCLUDED.upgradable
         WHERE (t.service, t.name, t.monthly_price, t.data_allowance_bytes, t.minutes_allowance,
                t.overage_price_per_gb, t.term_months, t.term_price, t.upgradable)
               IS DISTINCT FROM
               (EXCLUDED.service, EXCLUDED.name, EXCLUDED.monthly_price,
                EXCLUDED.data_allowance_bytes, EXCLUDED.minutes_allowance,
                EXCLUDED.overage_price_per_gb, EXCLUDED.term_months, EXCLUDED.term_price,
                EXCLUDED.upgradable)
         RETURNING xmax = 0",
    )
    .bind(provider_id)
    .bind(&t.code)
    .bind(&t.service)
    .bind(&t.name)
    .bind(t.monthly_price)
    .bind(t.data_allowance_bytes)
    .bind(t.minutes_allowance)
    .bind(t.overage_price_per_gb)
    .bind(t.term_months)
    .bind(t.term_price)
    .bind(t.upgradable)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(Ok(Upserted::from_written(written)))
}

pub async fn upsert_option(
    conn: &mut PgConnection,
    provider_id: i64,
    o: &CatalogueOption,
) -> Outcome {
    if service_fixed(
        conn,
        provider_id,
        &o.code,
        &o.service,
        "options x JOIN contract_options co ON co.option_id = x.id",
    )
    .await?
    {
        return Ok(Err(Refused::Conflict(
            "contracts have this option: its service stays; make a new option code",
        )));
    }
    let written: Option<bool> = sqlx::query_scalar(
        "INSERT INTO options AS o (provider_id, code, service, names, monthly_price, currency,
                                   extra_data_bytes, unlimited_minutes)
         SELECT $1, $2, $3, $4, $5, p.currency, $6, $7 FROM providers p WHERE p.id = $1
         ON CONFLICT (provider_id, code) DO UPDATE SET
             service = EXCLUDED.service, names = EXCLUDED.names,
             monthly_price = EXCLUDED.monthly_price,
             extra_data_bytes = EXCLUDED.extra_data_bytes,
             unlimited_minutes = EXCLUDED.unlimited_minutes
         WHERE (o.service, o.names, o.monthly_price, o.extra_data_bytes, o.unlimited_minutes)
               IS DISTINCT FROM
               (EXCLUDED.service, EXCLUDED.names, EXCLUDED.monthly_price,
                EXCLUDED.extra_data_bytes, EXCLUDED.unlimited_minutes)
         RETURNING xmax = 0",
    )
    .bind(provider_id)
    .bind(&o.code)
    .bind(&o.service)
    .bind(&o.names)
    .bind(o.monthly_price)
    .bind(o.extra_data_bytes)
    .bind(o.unlimited_minutes)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(Ok(Upserted::from_written(written)))
}
