//! Storing a provider's usage feed (issue 28 item 3): the records' contracts looked up among
//! the provider's own, then every record stored in one statement, those already stored (the
//! same record id on the same contract and day) left out, and the consumption alerts checked
//! as for any usage (`repo::usage::ingest`).

use std::collections::HashMap;

use sqlx::PgConnection;

use crate::{
    backend::repo::usage::{self, NewUsage},
    domain::usage_feed::{FeedRecord, LineProblem},
    error::AppError,
};

/// What a stored feed did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedOutcome {
    /// Records in the request.
    pub received: u64,
    /// Records stored now.
    pub stored: u64,
    /// Records stored before (or twice in the request), left out.
    pub duplicates: u64,
}

/// Stores `records` for `provider_id` in the caller's transaction; the lines whose contract
/// the provider does not have are refused, and then nothing is stored. Takes the records by
/// value: their texts move into the rows (a feed has up to 100 000).
pub async fn store(
    conn: &mut PgConnection,
    provider_id: i64,
    records: Vec<FeedRecord>,
) -> Result<Result<FeedOutcome, Vec<LineProblem>>, AppError> {
    let received = records.len() as u64;
    let mut numbers: Vec<&str> = records.iter().map(|r| r.contract_number.as_str()).collect();
    numbers.sort_unstable();
    numbers.dedup();
    let found: Vec<(String, i64)> = sqlx::query_as(
        "SELECT c.contract_number, c.id FROM contracts c JOIN customers cu ON cu.id = c.customer_id
          WHERE cu.provider_id = $1 AND c.contract_number = ANY($2)",
    )
    .bind(provider_id)
    .bind(&numbers)
    .fetch_all(&mut *conn)
    .await?;
    let ids: HashMap<String, i64> = found.into_iter().collect();
    let mut rows = Vec::with_capacity(records.len());
    let mut unknown = Vec::new();
    for r in records {
        match ids.get(&r.contract_number) {
            Some(&contract_id) => rows.push(NewUsage {
                contract_id,
                kind: r.kind,
                started_at: r.started_at,
                quantity: r.quantity,
                charge: r.charge,
                destination: r.destination,
                invoice_id: None,
                record_id: Some(r.record_id),
            }),
            None => unknown.push(LineProblem::new(
                r.line,
                Some("contract"),
                format!("no contract {:?} of this provider", r.contract_number),
            )),
        }
    }
    if !unknown.is_empty() {
        return Ok(Err(unknown));
    }
    // In the order of the (contract, time) index: the new entries land next to each other.
    rows.sort_unstable_by_key(|r| (r.contract_id, r.started_at));
    let stored = usage::ingest(conn, &rows).await?;
    Ok(Ok(FeedOutcome {
        received,
        stored,
        duplicates: received - stored,
    }))
}
