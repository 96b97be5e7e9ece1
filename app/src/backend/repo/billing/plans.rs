//! The catalogue's monthly plans and the changes between them (H3, B2).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::PgConnection;

use crate::{domain::calendar::DateRange, error::AppError};

/// A monthly plan of the provider's catalogue for a service.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Plan {
    pub id: i64,
    pub name: String,
    pub monthly_price: Decimal,
    #[sqlx(rename = "data_allowance_bytes")]
    pub allowance_bytes: Option<i64>,
}

/// The monthly plans a subscription can switch to (same provider and service, no term).
pub async fn plans_for(conn: &mut PgConnection, contract_id: i64) -> Result<Vec<Plan>, AppError> {
    Ok(sqlx::query_as(
        "SELECT t.id, t.name, t.monthly_price, t.data_allowance_bytes
           FROM contracts ct
           JOIN tariffs cur ON cur.id = ct.tariff_id
           JOIN tariffs t ON t.provider_id = cur.provider_id AND t.service = ct.service
                         AND t.currency = cur.currency AND t.term_months IS NULL
          WHERE ct.id = $1
          ORDER BY t.monthly_price, t.id",
    )
    .bind(contract_id)
    .fetch_all(&mut *conn)
    .await?)
}

/// A plan change to record.
pub struct NewPlanChange {
    pub subscription_id: i64,
    pub contract_id: i64,
    pub login_id: i64,
    pub effective_on: NaiveDate,
    pub cycle: DateRange,
    pub old_tariff_id: i64,
    pub new_tariff_id: i64,
    pub old_price: Decimal,
    pub new_price: Decimal,
    pub amount: Decimal,
}

/// Records a plan change and switches the contract's tariff.
pub async fn insert_plan_change(
    conn: &mut PgConnection,
    change: &NewPlanChange,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO plan_changes (subscription_id, login_id, effective_on, cycle_start,
                                   cycle_end, old_tariff_id, new_tariff_id, old_price,
                                   new_price, amount)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(change.subscription_id)
    .bind(change.login_id)
    .bind(change.effective_on)
    .bind(change.cycle.start())
    .bind(change.cycle.end())
    .bind(change.old_tariff_id)
    .bind(change.new_tariff_id)
    .bind(change.old_price)
    .bind(change.new_price)
    .bind(change.amount)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE contracts SET tariff_id = $2 WHERE id = $1")
        .bind(change.contract_id)
        .bind(change.new_tariff_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The provider's code of tariff `tariff_id` (what a provider event names).
pub async fn tariff_code(conn: &mut PgConnection, tariff_id: i64) -> Result<String, AppError> {
    Ok(sqlx::query_scalar("SELECT code FROM tariffs WHERE id = $1")
        .bind(tariff_id)
        .fetch_one(&mut *conn)
        .await?)
}
