//! The provider API, `/provider/v1` (issue 28): how a provider's systems feed the portal.
//! JSON over HTTP with bearer API keys (`selfcare-server api-key`), each with scopes; errors
//! as problem details (RFC 9457); `Idempotency-Key` on every POST; the OpenAPI document,
//! generated from this code, at `/provider/v1/openapi.json`.
//!
//! Usage ingestion (`POST /provider/v1/usage`, NDJSON, scope `usage`); the events of what
//! customers did (`GET /provider/v1/events`, scope `read`; `crate::webhooks` sends them); and
//! upserts by the provider's own ids (`PUT`, scope `write`): customers, the catalogue,
//! contracts, invoices and their PDFs, payments, messages, move and document statuses,
//! technician windows. A `PUT` is idempotent
//! by itself: the same body again answers `unchanged`.

mod catalogue;
mod contracts;
mod customers;
mod events;
mod input;
mod invoices;
mod problem;
mod statuses;
mod usage;
mod windows;

use app::backend::{
    provider_keys::{self, ApiKey, Scope},
    state::AppState,
};
use axum::{
    Router,
    extract::{DefaultBodyLimit, FromRequestParts},
    http::{HeaderValue, StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
    routing::{get, post, put},
};
use utoipa::{
    Modify, OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};

pub use problem::Problem;

/// The API's routes, nested at `/provider/v1` by the main router.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/events", get(events::get_events))
        .route(
            "/usage",
            post(usage::post_usage)
                .layer(DefaultBodyLimit::max(app::domain::usage_feed::MAX_BYTES)),
        )
        .route(
            "/invoices/{number}/pdf",
            put(invoices::put_pdf).layer(DefaultBodyLimit::max(invoices::MAX_PDF_BYTES)),
        )
        .merge(upserts())
        .fallback(not_found)
}

/// The `PUT`s of the provider's own records, each with a JSON body of at most 1 MiB.
fn upserts() -> Router<AppState> {
    Router::new()
        .route("/customers/{number}", put(customers::put_customer))
        .route(
            "/customers/{number}/messages/{id}",
            put(statuses::put_message),
        )
        .route("/tariffs/{code}", put(catalogue::put_tariff))
        .route("/options/{code}", put(catalogue::put_option))
        .route("/contracts/{number}", put(contracts::put_contract))
        .route("/contracts/{number}/move", put(contracts::put_move))
        .route("/invoices/{number}", put(invoices::put_invoice))
        .route(
            "/invoices/{number}/payments/{id}",
            put(invoices::put_payment),
        )
        .route("/documents/{id}", put(statuses::put_document))
        .route("/appointment-windows/{day}", put(windows::put_windows))
        .layer(DefaultBodyLimit::max(input::MAX_JSON_BYTES))
}

/// The OpenAPI document of the provider API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Selfcare provider API",
        version = "1",
        description = "How a provider's systems feed the customer portal. Authenticate with `Authorization: Bearer <key>`; errors are RFC 9457 problem details; every POST accepts `Idempotency-Key`."
    ),
    paths(
        usage::post_usage, events::get_events, customers::put_customer, statuses::put_message,
        catalogue::put_tariff, catalogue::put_option, contracts::put_contract,
        contracts::put_move, invoices::put_invoice, invoices::put_payment, invoices::put_pdf,
        statuses::put_document, windows::put_windows
    ),
    components(schemas(
        usage::UsageLine, usage::UsageAccepted, events::EventPage, events::EventDoc,
        problem::ProblemBody, problem::LineError, input::UpsertAnswer
    )),
    modifiers(&BearerKeys),
    tags(
        (name = "usage", description = "Usage records (calls, data, messages) as the mediation system rates them"),
        (name = "events", description = "What customers did in the portal, also sent as signed webhooks"),
        (name = "customers", description = "Customer numbers, their messages and documents"),
        (name = "catalogue", description = "Tariffs and options contracts name"),
        (name = "contracts", description = "Contracts (lines), their options and move requests"),
        (name = "invoices", description = "Invoices and credit notes the provider issued, their PDFs and payments"),
        (name = "appointments", description = "The technician windows customers book")
    )
)]
pub struct ApiDoc;

struct BearerKeys;

impl Modify for BearerKeys {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "api_key",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
    }
}

/// The OpenAPI document, made once: it only changes with the code.
async fn openapi() -> Response {
    static DOCUMENT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let document = DOCUMENT.get_or_init(|| ApiDoc::openapi().to_json().unwrap_or_default());
    typed(StatusCode::OK, "application/json", document.clone())
}

/// A response with its body and media type.
fn typed(status: StatusCode, media_type: &'static str, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static(media_type))],
        body,
    )
        .into_response()
}

async fn not_found() -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        "not-found",
        "There is no such resource in the provider API",
    )
}

/// The API key a request authenticated with (`Authorization: Bearer …`); refused with 401
/// before the handler runs when there is none in force.
pub struct Key(pub ApiKey);

impl Key {
    /// The key, when it has `scope`; 403 otherwise.
    pub fn require(&self, scope: Scope) -> Result<&ApiKey, Problem> {
        if self.0.allows(scope) {
            Ok(&self.0)
        } else {
            tracing::info!(
                key_id = self.0.id,
                scope = scope.as_str(),
                "provider call without its scope"
            );
            Err(Problem::missing_scope(scope.as_str()))
        }
    }
}

impl FromRequestParts<AppState> for Key {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let presented = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .unwrap_or_default();
        if presented.is_empty() {
            return Err(Problem::unauthenticated());
        }
        match provider_keys::authenticate(&state.pool, state.provider_id, presented).await? {
            Some(key) => Ok(Key(key)),
            None => {
                tracing::info!("provider call with an unknown or revoked key");
                Err(Problem::unauthenticated())
            }
        }
    }
}
