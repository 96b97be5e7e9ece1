//! `PUT /provider/v1/customers/{number}/messages/{id}` (a message to a household) and
//! `PUT /provider/v1/documents/{id}` (the outcome of an uploaded document), issue 28 item 2.

use app::backend::{provider_import::statuses, provider_keys::Scope, state::AppState};
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

/// A message for the household's inbox (M2).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "subject": "Maintenance on 12 December",
    "body": "Your internet line may be interrupted between 02:00 and 04:00."
}))]
pub struct MessageDoc {
    /// At most 200 characters.
    subject: String,
    /// Plain text with line breaks, at most 5 000 characters.
    body: String,
}

/// Puts a message in the inbox of a customer number's holders, by the provider's message id;
/// the same id with another text corrects it.
#[utoipa::path(
    put,
    path = "/provider/v1/customers/{number}/messages/{id}",
    tag = "customers",
    params(
        ("number" = String, Path, description = "The provider's customer number"),
        ("id" = String, Path, description = "The provider's message id")
    ),
    request_body = MessageDoc,
    responses(UpsertResponses),
    security(("api_key" = ["write"]))
)]
pub async fn put_message(
    State(state): State<AppState>,
    key: Key,
    ids: Result<Path<(String, String)>, PathRejection>,
    JsonBody(doc): JsonBody<MessageDoc>,
) -> Result<Response, Problem> {
    let key = key.require(Scope::Write)?;
    let (customer, id) = input::path(ids)?;
    input::path_id("customer number", &customer)?;
    input::path_id("message id", &id)?;
    let mut c = Checks::default();
    let subject = c.text("subject", &doc.subject, 200);
    let body = c.multiline("body", &doc.body, 5000);
    c.finish(())?;
    let location = format!("/provider/v1/customers/{customer}/messages/{id}");
    input::in_transaction(&state, &location, async |tx| {
        statuses::message(tx, key.provider_id, &customer, &id, &subject, &body).await
    })
    .await
}

/// The provider's decision on an uploaded document.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentDoc {
    /// `accepted` or `rejected`.
    #[schema(pattern = "^(accepted|rejected)$")]
    status: String,
}

/// Accepts or rejects a document a household uploaded (its id is in the `document.uploaded`
/// event).
#[utoipa::path(
    put,
    path = "/provider/v1/documents/{id}",
    tag = "customers",
    params(("id" = i64, Path, description = "The document's id from its `document.uploaded` event")),
    request_body = DocumentDoc,
    responses(UpsertResponses),
    security(("api_key" = ["write"]))
)]
pub async fn put_document(
    State(state): State<AppState>,
    key: Key,
    id: Result<Path<i64>, PathRejection>,
    JsonBody(doc): JsonBody<DocumentDoc>,
) -> Result<Response, Problem> {
    let key = key.require(Scope::Write)?;
    let id = input::path(id)?;
    let mut c = Checks::default();
    c.one_of("status", &doc.status, &["accepted", "rejected"]);
    c.finish(())?;
    let location = format!("/provider/v1/documents/{id}");
    input::in_transaction(&state, &location, async |tx| {
        statuses::document_status(tx, key.provider_id, id, &doc.status).await
    })
    .await
}
