//! Link rows (L2).

use crate::{domain::rights::Link, error::AppError};

/// One stored link from its columns, checking the role/target rule the table enforces.
pub fn link_of(
    login_id: i64,
    role: &str,
    customer_id: Option<i64>,
    contract_id: Option<i64>,
) -> Result<Link, AppError> {
    match (role, customer_id, contract_id) {
        ("holder", Some(customer_id), None) => Ok(Link::Holder { customer_id }),
        ("user", None, Some(contract_id)) => Ok(Link::User { contract_id }),
        _ => {
            tracing::error!(login_id, %role, "link row violates the role/target rule");
            Err(AppError::Internal)
        }
    }
}
