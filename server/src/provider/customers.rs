//! `PUT /provider/v1/customers/{number}`: customer numbers and their holders (issue 28 item 2).

use app::{
    backend::{
        password,
        provider_import::customers::{self, Customer},
        provider_keys::Scope,
        state::AppState,
    },
    domain::validation::{check_email, normalize_email, normalize_phone},
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

/// The contract password's length (L3): long enough not to be guessed in the throttle's
/// attempts, short enough to be read out on a letter.
const CONTRACT_PASSWORD_CHARS: std::ops::RangeInclusive<usize> = 8..=128;
const NAME_CHARS: usize = 100;
const ADDRESS_CHARS: usize = 200;

/// A customer number's holder.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "segment": "private", "country": "BE", "language": "fr",
    "first_name": "Claire", "last_name": "Dubois", "email": "claire.dubois@example.be",
    "phone": "+32 470 12 34 56", "street": "Rue des Tilleuls 12", "postal_code": "4000",
    "city": "Liège", "contract_password": "Trio-100001"
}))]
pub struct CustomerDoc {
    /// `private` or `business` (a business number keeps its business history).
    #[schema(pattern = "^(private|business)$")]
    segment: String,
    /// ISO 3166 alpha-2; one of the countries the portal has VAT rules for.
    #[schema(example = "BE")]
    country: String,
    /// The household's language for mails and messages: `de`, `fr`, `nl` or `en`.
    #[schema(pattern = "^(de|fr|nl|en)$")]
    language: String,
    first_name: String,
    last_name: String,
    /// Required for a business customer.
    company_name: Option<String>,
    email: String,
    phone: Option<String>,
    street: String,
    postal_code: String,
    city: String,
    /// Sets or resets the contract password the holder links the number with (8 to 128
    /// characters); left out, the stored one stays.
    contract_password: Option<String>,
}

impl CustomerDoc {
    /// The customer, or every field at fault.
    fn check(self, number: String) -> Result<(Customer, Option<String>), Problem> {
        let mut c = Checks::default();
        c.one_of("segment", &self.segment, &["private", "business"]);
        let country = self.country.trim().to_ascii_uppercase();
        if !(country.len() == 2 && country.bytes().all(|b| b.is_ascii_uppercase())) {
            c.fail("country", "must be an ISO 3166 alpha-2 code such as BE");
        }
        c.one_of("language", &self.language, &["de", "fr", "nl", "en"]);
        let business = self.segment == "business";
        let company_name =
            c.optional_text("company_name", self.company_name.as_deref(), NAME_CHARS);
        if business && company_name.is_none() {
            c.fail("company_name", "is required for a business customer");
        }
        let email = normalize_email(&self.email);
        if check_email(&email).is_err() {
            c.fail("email", "must be an email address");
        }
        let phone = self.phone.filter(|p| !p.trim().is_empty());
        if let Some(phone) = &phone
            && normalize_phone(phone).is_err()
        {
            c.fail(
                "phone",
                "must be an international number such as +32 470 12 34 56",
            );
        }
        if let Some(p) = &self.contract_password
            && !CONTRACT_PASSWORD_CHARS.contains(&p.chars().count())
        {
            c.fail("contract_password", "must be 8 to 128 characters");
        }
        let customer = Customer {
            business,
            country,
            language: self.language,
            first_name: c.text("first_name", &self.first_name, NAME_CHARS),
            last_name: c.text("last_name", &self.last_name, NAME_CHARS),
            company_name,
            email,
            phone: phone.map(|p| p.trim().to_owned()),
            street: c.text("street", &self.street, ADDRESS_CHARS),
            postal_code: c.text("postal_code", &self.postal_code, 20),
            city: c.text("city", &self.city, NAME_CHARS),
            number,
        };
        c.finish((customer, self.contract_password))
    }
}

/// Creates or updates a customer number by the provider's number.
#[utoipa::path(
    put,
    path = "/provider/v1/customers/{number}",
    tag = "customers",
    params(("number" = String, Path, description = "The provider's customer number")),
    request_body = CustomerDoc,
    responses(UpsertResponses),
    security(("api_key" = ["write"]))
)]
pub async fn put_customer(
    State(state): State<AppState>,
    key: Key,
    number: Result<Path<String>, PathRejection>,
    JsonBody(doc): JsonBody<CustomerDoc>,
) -> Result<Response, Problem> {
    let key = key.require(Scope::Write)?;
    let number = input::path(number)?;
    input::path_id("customer number", &number)?;
    let (customer, contract_password) = doc.check(number)?;
    // Hashed before the transaction: argon2 takes a while and holds no row.
    let hash = match contract_password {
        Some(p) => Some(password::hash(p).await?),
        None => None,
    };
    let location = format!("/provider/v1/customers/{}", customer.number);
    input::in_transaction(&state, &location, async |tx| {
        customers::upsert(tx, key.provider_id, &customer, hash.as_deref()).await
    })
    .await
}
