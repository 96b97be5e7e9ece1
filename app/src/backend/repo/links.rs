//! Link rows (L2).

use sqlx::{PgPool, Row};

use crate::{domain::rights::Link, error::AppError};

/// Every link of a login.
pub async fn for_login(pool: &PgPool, login_id: i64) -> Result<Vec<Link>, AppError> {
    let rows = sqlx::query("SELECT role, customer_id, contract_id FROM links WHERE login_id = $1")
        .bind(login_id)
        .fetch_all(pool)
        .await?;
    let mut links = Vec::with_capacity(rows.len());
    for row in rows {
        let role: String = row.get("role");
        let customer_id: Option<i64> = row.get("customer_id");
        let contract_id: Option<i64> = row.get("contract_id");
        match (role.as_str(), customer_id, contract_id) {
            ("holder", Some(customer_id), None) => links.push(Link::Holder { customer_id }),
            ("user", None, Some(contract_id)) => links.push(Link::User { contract_id }),
            _ => {
                tracing::error!(login_id, %role, "link row violates the role/target rule");
                return Err(AppError::Internal);
            }
        }
    }
    Ok(links)
}
