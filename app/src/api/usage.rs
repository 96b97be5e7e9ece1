//! Usage (U1–U2) and the consumption behind one invoice (I3). A user link sees the usage of
//! its line (L2); a holder that of every contract of the number.

use chrono::NaiveDate;
use leptos::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{
    domain::{
        account::UsageKind,
        calendar::DateRange,
        usage::{KindTotal, UsageRow},
    },
    error::AppError,
};

#[cfg(feature = "ssr")]
use crate::backend::entry::{self, Holder};

/// The filter as it stands in the address bar (`/usage?kind=data&period=last…`), so that a
/// filtered view can be bookmarked and works without JavaScript.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UsageQuery {
    pub kind: String,
    pub period: String,
    pub from: String,
    pub to: String,
    pub contract: String,
    pub page: String,
}

impl UsageQuery {
    /// The query string of this filter (without `?`), on `page` when given.
    pub fn to_query(&self, page: Option<i64>) -> String {
        let page = page.map(|p| p.to_string()).unwrap_or_default();
        [
            ("kind", self.kind.as_str()),
            ("period", self.period.as_str()),
            ("from", self.from.as_str()),
            ("to", self.to.as_str()),
            ("contract", self.contract.as_str()),
            ("page", page.as_str()),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
    }
}

/// Percent-encodes a query value (RFC 3986 unreserved characters stay).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A contract to choose in the filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractChoice {
    pub contract_number: String,
    pub phone_number: Option<String>,
}

/// The Usage tab for one filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageView {
    pub contracts: Vec<ContractChoice>,
    pub range: DateRange,
    /// The kind the chart shows: the filtered one, or data volume.
    pub chart_kind: UsageKind,
    pub daily: Vec<(NaiveDate, Decimal)>,
    pub totals: Vec<KindTotal>,
    pub rows: Vec<UsageRow>,
    pub page: i64,
    pub pages: i64,
    pub total_rows: i64,
    pub currency: String,
}

/// The consumption billed on one invoice (I3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceUsage {
    pub number: String,
    pub totals: Vec<KindTotal>,
    pub rows: Vec<UsageRow>,
    pub currency: String,
}

#[cfg(feature = "ssr")]
mod resolve {
    use super::*;
    use crate::{
        backend::{access::Access, repo, repo::usage::UsageScope, state::AppState},
        domain::{
            usage::{PeriodChoice, resolve_period},
            validation::FieldProblem,
        },
    };

    fn date(field: &str, value: &str) -> Result<Option<NaiveDate>, AppError> {
        match crate::domain::validation::parse_iso_date(value) {
            Ok(day) => Ok(Some(day)),
            Err(FieldProblem::Required) => Ok(None),
            Err(problem) => Err(AppError::field(field, problem)),
        }
    }

    /// The scope a query covers for this login, the days, and the contracts it may choose.
    /// A contract that is not the login's is "not found".
    pub async fn scope(
        state: &AppState,
        access: &Access,
        query: &UsageQuery,
    ) -> Result<(UsageScope, DateRange, Vec<ContractChoice>), AppError> {
        let contracts = repo::usage::visible_contracts(&state.pool, &access.rights).await?;
        let chosen: Vec<_> = match query.contract.trim() {
            "" => contracts.iter().collect(),
            number => {
                let found: Vec<_> = contracts
                    .iter()
                    .filter(|c| c.contract_number == number)
                    .collect();
                if found.is_empty() {
                    return Err(AppError::NotFound);
                }
                found
            }
        };
        let kind = UsageKind::parse(query.kind.trim());
        let (from, to) = (date("from", &query.from)?, date("to", &query.to)?);
        let today = state.clock.today();
        let activation = chosen.iter().map(|c| c.start_date).min().unwrap_or(today);
        let range = resolve_period(
            PeriodChoice::parse(query.period.trim()),
            activation,
            today,
            from,
            to,
        )
        .map_err(|(field, problem)| AppError::field(field, problem))?;
        let scope = UsageScope {
            contract_ids: chosen.iter().map(|c| c.id).collect(),
            range: Some(range),
            kind,
            invoice_id: None,
        };
        let choices = contracts
            .into_iter()
            .map(|c| ContractChoice {
                contract_number: c.contract_number,
                phone_number: c.phone_number,
            })
            .collect();
        Ok((scope, range, choices))
    }
}

/// The Usage tab for a filter (U1–U2): one page of records, totals per kind and the daily
/// series over the whole filter.
#[server(endpoint = "usage")]
pub async fn get_usage(query: UsageQuery) -> Result<UsageView, AppError> {
    use crate::{backend::repo, domain::usage::PAGE_SIZE};
    entry::linked(|state, access| async move {
        let (scope, range, contracts) = resolve::scope(&state, &access, &query).await?;
        // The totals per kind count the records too: no separate count query.
        let totals = repo::usage::totals(&state.pool, &scope).await?;
        let total_rows: i64 = totals.iter().map(|t| t.records).sum();
        let pages = ((total_rows + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
        let page = query
            .page
            .trim()
            .parse::<i64>()
            .unwrap_or(1)
            .clamp(1, pages);
        let rows =
            repo::usage::records(&state.pool, &scope, Some(PAGE_SIZE), (page - 1) * PAGE_SIZE)
                .await?;
        let chart_kind = scope.kind.unwrap_or(UsageKind::Data);
        let chart_scope = repo::usage::UsageScope {
            kind: Some(chart_kind),
            ..scope.clone()
        };
        let daily = repo::usage::daily(&state.pool, &chart_scope, range).await?;
        let currency = repo::providers::currency(&state.pool, state.provider_id).await?;
        Ok(UsageView {
            contracts,
            range,
            chart_kind,
            daily,
            totals,
            rows,
            page,
            pages,
            total_rows,
            currency,
        })
    })
    .await
}

/// The records billed on one invoice of the holder, with totals per kind (I3).
#[server(endpoint = "invoice_usage")]
pub async fn get_invoice_usage(invoice_id: i64) -> Result<InvoiceUsage, AppError> {
    use crate::backend::repo;
    entry::holder(|state, holder| async move {
        let Holder {
            customer_id,
            access,
        } = holder;
        let repo::invoices::InvoiceRef { number, currency } =
            repo::invoices::number_of(&state.pool, customer_id, invoice_id)
                .await?
                .ok_or(AppError::NotFound)?;
        let scope = repo::usage::UsageScope {
            contract_ids: repo::usage::visible_contracts(&state.pool, &access.rights)
                .await?
                .into_iter()
                .map(|c| c.id)
                .collect(),
            range: None,
            kind: None,
            invoice_id: Some(invoice_id),
        };
        let rows = repo::usage::records(&state.pool, &scope, None, 0).await?;
        let totals = repo::usage::totals(&state.pool, &scope).await?;
        Ok(InvoiceUsage {
            number,
            totals,
            rows,
            currency: currency.code().to_string(),
        })
    })
    .await
}

/// The CSV export of a filter: every matching record, not only the page shown (U2).
#[cfg(feature = "ssr")]
pub async fn csv_download(
    state: &crate::backend::state::AppState,
    headers: &http::HeaderMap,
    query: &UsageQuery,
) -> Result<String, AppError> {
    use crate::{
        backend::{access::require_access_from, repo},
        domain::usage::to_csv,
    };
    let access = require_access_from(state, headers).await?;
    let (scope, _, _) = resolve::scope(state, &access, query).await?;
    let rows = repo::usage::records(&state.pool, &scope, None, 0).await?;
    let currency = repo::providers::currency(&state.pool, state.provider_id).await?;
    Ok(to_csv(&rows, &currency))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_round_trip_through_the_address_bar() {
        let q = UsageQuery {
            kind: "call".into(),
            period: "custom".into(),
            from: "2026-11-01".into(),
            to: "2026-11-10".into(),
            contract: "100001-04 & co".into(),
            page: "3".into(),
        };
        assert_eq!(
            q.to_query(Some(2)),
            "kind=call&period=custom&from=2026-11-01&to=2026-11-10&contract=100001-04%20%26%20co&page=2"
        );
        assert_eq!(UsageQuery::default().to_query(None), "");
    }
}
