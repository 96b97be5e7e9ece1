//! `PUT /provider/v1/tariffs/{code}` and `PUT /provider/v1/options/{code}`: the catalogue
//! contracts name (issue 28 item 2).

use app::{
    backend::{
        provider_import::catalogue::{self, CatalogueOption, Tariff},
        provider_keys::Scope,
        state::AppState,
    },
    domain::usage_feed::Amount,
};
use axum::{
    extract::{Path, State, rejection::PathRejection},
    response::Response,
};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{
    Key, Problem,
    input::{self, Checks, JsonBody, UpsertResponses},
};

/// The services a tariff, option or contract is for.
pub const SERVICES: [&str; 6] = ["tv", "internet", "fixed", "mobile", "satellite", "hosting"];
const BYTES_PER_MB: i64 = 1_000_000;
/// The largest allowance, in megabytes (what the byte column holds, with room).
const MAX_MB: u64 = 1_000_000_000;

/// A tariff. Prices are gross, in the provider's currency, as strings.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "service": "mobile", "name": "Mobile 10 GB", "monthly_price": "15.00",
    "data_allowance_mb": 10000, "minutes_allowance": 200
}))]
pub struct TariffDoc {
    #[schema(pattern = "^(tv|internet|fixed|mobile|satellite|hosting)$")]
    service: String,
    name: String,
    #[schema(value_type = String)]
    monthly_price: Amount,
    /// Data in the bundle, in megabytes.
    data_allowance_mb: Option<u64>,
    /// Minutes in the bundle.
    minutes_allowance: Option<u32>,
    #[schema(value_type = Option<String>)]
    overage_price_per_gb: Option<Amount>,
    /// A hosting term's length.
    term_months: Option<u16>,
    /// A hosting term's price.
    #[schema(value_type = Option<String>)]
    term_price: Option<Amount>,
    /// Whether a hosting package can be upgraded in the portal.
    #[serde(default)]
    upgradable: bool,
}

/// An option's name in the four languages.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Names {
    de: String,
    fr: String,
    nl: String,
    en: String,
}

/// An option customers switch on and off (H3).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "service": "mobile",
    "names": {"de": "EU-Roaming", "fr": "Roaming UE", "nl": "EU-roaming", "en": "EU roaming"},
    "monthly_price": "5.00", "extra_data_mb": 5000
}))]
pub struct OptionDoc {
    #[schema(pattern = "^(tv|internet|fixed|mobile|satellite|hosting)$")]
    service: String,
    names: Names,
    #[schema(value_type = String)]
    monthly_price: Amount,
    /// Data the option adds to the line's bundle, in megabytes.
    extra_data_mb: Option<u64>,
    /// Whether the option lifts the line's minutes limit.
    #[serde(default)]
    unlimited_minutes: bool,
}

fn megabytes(c: &mut Checks, field: &str, mb: Option<u64>) -> Option<i64> {
    let mb = mb?;
    if mb > MAX_MB {
        c.fail(field, format!("must be at most {MAX_MB}"));
        return None;
    }
    i64::try_from(mb).ok().map(|mb| mb * BYTES_PER_MB)
}

impl TariffDoc {
    fn check(self, code: String) -> Result<Tariff, Problem> {
        let mut c = Checks::default();
        c.one_of("service", &self.service, &SERVICES);
        let tariff = Tariff {
            name: c.text("name", &self.name, 100),
            monthly_price: c.price("monthly_price", self.monthly_price.0),
            data_allowance_bytes: megabytes(&mut c, "data_allowance_mb", self.data_allowance_mb),
            minutes_allowance: self.minutes_allowance.map(|m| {
                i32::try_from(m).unwrap_or_else(|_| {
                    c.fail("minutes_allowance", "is too large");
                    0
                })
            }),
            overage_price_per_gb: self
                .overage_price_per_gb
                .map(|p| c.price("overage_price_per_gb", p.0)),
            term_months: match self.term_months {
                Some(0) => {
                    c.fail("term_months", "must be at least 1");
                    None
                }
                months => months.map(i32::from),
            },
            term_price: self.term_price.map(|p| c.price("term_price", p.0)),
            upgradable: self.upgradable,
            service: self.service,
            code,
        };
        c.finish(tariff)
    }
}

impl OptionDoc {
    fn check(self, code: String) -> Result<CatalogueOption, Problem> {
        let mut c = Checks::default();
        c.one_of("service", &self.service, &SERVICES);
        let names = serde_json::json!({
            "de": c.text("names.de", &self.names.de, 100),
            "fr": c.text("names.fr", &self.names.fr, 100),
            "nl": c.text("names.nl", &self.names.nl, 100),
            "en": c.text("names.en", &self.names.en, 100),
        });
        let option = CatalogueOption {
            names,
            monthly_price: c.price("monthly_price", self.monthly_price.0),
            extra_data_bytes: megabytes(&mut c, "extra_data_mb", self.extra_data_mb),
            unlimited_minutes: self.unlimited_minutes,
            service: self.service,
            code,
        };
        c.finish(option)
    }
}

/// Creates or updates a tariff by its code.
#[utoipa::path(
    put,
    path = "/provider/v1/tariffs/{code}",
    tag = "catalogue",
    params(("code" = String, Path, description = "The provider's tariff code")),
    request_body = TariffDoc,
    responses(UpsertResponses),
    security(("api_key" = ["write"]))
)]
pub async fn put_tariff(
    State(state): State<AppState>,
    key: Key,
    code: Result<Path<String>, PathRejection>,
    JsonBody(doc): JsonBody<TariffDoc>,
) -> Result<Response, Problem> {
    let key = key.require(Scope::Write)?;
    let code = input::path(code)?;
    input::path_id("tariff code", &code)?;
    let tariff = doc.check(code)?;
    let location = format!("/provider/v1/tariffs/{}", tariff.code);
    input::in_transaction(&state, &location, async |tx| {
        catalogue::upsert_tariff(tx, key.provider_id, &tariff).await
    })
    .await
}

/// Creates or updates an option of the catalogue by its code.
#[utoipa::path(
    put,
    path = "/provider/v1/options/{code}",
    tag = "catalogue",
    params(("code" = String, Path, description = "The provider's option code")),
    request_body = OptionDoc,
    responses(UpsertResponses),
    security(("api_key" = ["write"]))
)]
pub async fn put_option(
    State(state): State<AppState>,
    key: Key,
    code: Result<Path<String>, PathRejection>,
    JsonBody(doc): JsonBody<OptionDoc>,
) -> Result<Response, Problem> {
    let key = key.require(Scope::Write)?;
    let code = input::path(code)?;
    input::path_id("option code", &code)?;
    let option = doc.check(code)?;
    let location = format!("/provider/v1/options/{}", option.code);
    input::in_transaction(&state, &location, async |tx| {
        catalogue::upsert_option(tx, key.provider_id, &option).await
    })
    .await
}
