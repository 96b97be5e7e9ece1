//! `PUT /provider/v1/contracts/{number}` (a contract, its tariff, status and options) and
//! `PUT /provider/v1/contracts/{number}/move` (the status of its move request), issue 28 item 2.

use app::{
    backend::{
        provider_import::{
            contracts::{self, Contract},
            statuses,
        },
        provider_keys::Scope,
        state::AppState,
    },
    domain::validation::normalize_phone,
};
use axum::{
    extract::{Path, State, rejection::PathRejection},
    response::Response,
};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{
    Key, Problem,
    catalogue::SERVICES,
    input::{self, Checks, JsonBody, MAX_ID_CHARS, UpsertResponses},
};

/// The most options one line runs.
const MAX_OPTIONS: usize = 50;

/// A contract (a line) of a customer number.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "customer": "100001", "service": "mobile", "phone_number": "+32 470 12 34 56",
    "tariff": "MOB-10", "status": "active", "start_date": "2025-10-01",
    "options": ["MOB-DATA5"]
}))]
pub struct ContractDoc {
    /// The provider's customer number (sent before with `PUT /provider/v1/customers/{number}`).
    customer: String,
    #[schema(pattern = "^(tv|internet|fixed|mobile|satellite|hosting)$")]
    service: String,
    /// The line's number, for a mobile or fixed line: a user proves it by SMS (L5).
    phone_number: Option<String>,
    /// A tariff code of the catalogue, of the same service.
    tariff: Option<String>,
    /// `active`, `cancelled` (with its `end_date`) or `taken_over`.
    #[schema(pattern = "^(active|cancelled|taken_over)$")]
    status: String,
    #[schema(value_type = String, format = Date)]
    start_date: NaiveDate,
    #[schema(value_type = Option<String>, format = Date)]
    end_date: Option<NaiveDate>,
    /// The option codes running on the line (the set: those left out end today). Left out,
    /// the options stay as they are.
    options: Option<Vec<String>>,
    /// A hosting contract: whether its service renews when its term ends (the next term is
    /// invoiced and charged the day after); `false` ends the contract with its term. Left out,
    /// it stays as it is (renewing by default).
    auto_renew: Option<bool>,
}

impl ContractDoc {
    fn check(self, number: String) -> Result<Contract, Problem> {
        let mut c = Checks::default();
        let customer = c.text("customer", &self.customer, MAX_ID_CHARS);
        c.one_of("service", &self.service, &SERVICES);
        c.one_of(
            "status",
            &self.status,
            &["active", "cancelled", "taken_over"],
        );
        let phone_number = self.phone_number.filter(|p| !p.trim().is_empty());
        if let Some(phone) = &phone_number
            && normalize_phone(phone).is_err()
        {
            c.fail(
                "phone_number",
                "must be an international number such as +32 470 12 34 56",
            );
        }
        let tariff = c.optional_text("tariff", self.tariff.as_deref(), MAX_ID_CHARS);
        if let Some(end) = self.end_date
            && end < self.start_date
        {
            c.fail("end_date", "must not be before start_date");
        }
        if self.auto_renew.is_some() && self.service != "hosting" {
            c.fail("auto_renew", "is for hosting contracts only");
        }
        if self.status == "cancelled" && self.end_date.is_none() {
            c.fail("end_date", "is required for a cancelled contract");
        }
        let options = self.options.map(|codes| {
            if codes.len() > MAX_OPTIONS {
                c.fail("options", format!("must be at most {MAX_OPTIONS} codes"));
            }
            let mut checked: Vec<String> = Vec::with_capacity(codes.len());
            for (i, code) in codes.iter().enumerate() {
                let code = c.text(&format!("options[{i}]"), code, MAX_ID_CHARS);
                if checked.contains(&code) {
                    c.fail(format!("options[{i}]"), "is named twice");
                }
                checked.push(code);
            }
            checked
        });
        let contract = Contract {
            number,
            customer,
            service: self.service,
            phone_number: phone_number.map(|p| p.trim().to_owned()),
            tariff,
            status: self.status,
            start_date: self.start_date,
            end_date: self.end_date,
            options,
            auto_renew: self.auto_renew,
        };
        c.finish(contract)
    }
}

/// Creates or updates a contract by the provider's contract number.
#[utoipa::path(
    put,
    path = "/provider/v1/contracts/{number}",
    tag = "contracts",
    params(("number" = String, Path, description = "The provider's contract number")),
    request_body = ContractDoc,
    responses(UpsertResponses),
    security(("api_key" = ["write"]))
)]
pub async fn put_contract(
    State(state): State<AppState>,
    key: Key,
    number: Result<Path<String>, PathRejection>,
    JsonBody(doc): JsonBody<ContractDoc>,
) -> Result<Response, Problem> {
    let key = key.require(Scope::Write)?;
    let number = input::path(number)?;
    input::path_id("contract number", &number)?;
    let contract = doc.check(number)?;
    let location = format!("/provider/v1/contracts/{}", contract.number);
    input::in_transaction(&state, &location, async |tx| {
        contracts::upsert(tx, key.provider_id, &contract, state.clock.today()).await
    })
    .await
}

/// Where the provider has taken a move request.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveDoc {
    /// `confirmed`, `completed` or `cancelled`.
    #[schema(pattern = "^(confirmed|completed|cancelled)$")]
    status: String,
}

/// Confirms, completes or cancels the line's move request; the household reads it in its
/// inbox (and by mail, as its notice preferences say, within a minute).
#[utoipa::path(
    put,
    path = "/provider/v1/contracts/{number}/move",
    tag = "contracts",
    params(("number" = String, Path, description = "The provider's contract number")),
    request_body = MoveDoc,
    responses(UpsertResponses),
    security(("api_key" = ["write"]))
)]
pub async fn put_move(
    State(state): State<AppState>,
    key: Key,
    number: Result<Path<String>, PathRejection>,
    JsonBody(doc): JsonBody<MoveDoc>,
) -> Result<Response, Problem> {
    let key = key.require(Scope::Write)?;
    let number = input::path(number)?;
    input::path_id("contract number", &number)?;
    let mut c = Checks::default();
    c.one_of(
        "status",
        &doc.status,
        &["confirmed", "completed", "cancelled"],
    );
    c.finish(())?;
    let location = format!("/provider/v1/contracts/{number}/move");
    input::in_transaction(&state, &location, async |tx| {
        statuses::move_status(tx, key.provider_id, &number, &doc.status).await
    })
    .await
}
