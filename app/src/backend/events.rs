//! Events for the provider's systems (issue 28 item 4): what a customer did in the portal,
//! written in the transaction of the change itself (an event exists exactly when the change
//! does), read by the provider with a cursor or delivered as signed webhooks.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::error::AppError;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    OptionSwitched,
    MoveRequested,
    AppointmentBooked,
    AppointmentChanged,
    AppointmentCancelled,
    MandateCreated,
    MandateRevoked,
    DocumentUploaded,
    LinkCreated,
    LinkDeleted,
    UpgradeConfirmed,
    DowngradeScheduled,
    PlanChanged,
    InvoicePaid,
}

impl EventKind {
    /// The event's `type` on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::OptionSwitched => "option.switched",
            EventKind::MoveRequested => "move.requested",
            EventKind::AppointmentBooked => "appointment.booked",
            EventKind::AppointmentChanged => "appointment.changed",
            EventKind::AppointmentCancelled => "appointment.cancelled",
            EventKind::MandateCreated => "mandate.created",
            EventKind::MandateRevoked => "mandate.revoked",
            EventKind::DocumentUploaded => "document.uploaded",
            EventKind::LinkCreated => "link.created",
            EventKind::LinkDeleted => "link.deleted",
            EventKind::UpgradeConfirmed => "upgrade.confirmed",
            EventKind::DowngradeScheduled => "downgrade.scheduled",
            EventKind::PlanChanged => "plan.changed",
            EventKind::InvoicePaid => "invoice.paid",
        }
    }
}

/// Whose event it is: the customer is found from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Customer(i64),
    Contract(i64),
    Invoice(i64),
}

/// Records `kind` in the caller's transaction, for the customer of `subject` (its provider
/// and customer number are looked up).
pub async fn record(
    tx: &mut PgConnection,
    subject: Subject,
    kind: EventKind,
    data: Value,
) -> Result<(), AppError> {
    let (from, id) = match subject {
        Subject::Customer(id) => ("customers cu WHERE cu.id = $1", id),
        Subject::Contract(id) => (
            "contracts c JOIN customers cu ON cu.id = c.customer_id WHERE c.id = $1",
            id,
        ),
        Subject::Invoice(id) => (
            "invoices i JOIN customers cu ON cu.id = i.customer_id WHERE i.id = $1",
            id,
        ),
    };
    let done = sqlx::query(&format!(
        "INSERT INTO provider_events (provider_id, kind, customer_number, data)
         SELECT cu.provider_id, $2, cu.customer_number, $3 FROM {from}"
    ))
    .bind(id)
    .bind(kind.as_str())
    .bind(data)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(AppError::internal("an event for nobody"));
    }
    Ok(())
}

/// An event as the provider receives it.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Event {
    /// The cursor position: `GET /provider/v1/events?after=` this.
    #[serde(skip)]
    pub id: i64,
    /// The id to deduplicate on.
    #[serde(rename = "id")]
    pub event_id: Uuid,
    #[serde(rename = "type")]
    pub kind: String,
    /// The provider's customer number.
    pub customer: String,
    pub occurred_at: DateTime<Utc>,
    pub data: Value,
}

/// The events of `provider_id` after position `after`, oldest first, at most `limit`.
pub async fn page(
    pool: &PgPool,
    provider_id: i64,
    after: i64,
    limit: i64,
) -> Result<Vec<Event>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, event_id, kind, customer_number AS customer, occurred_at, data
           FROM provider_events WHERE provider_id = $1 AND id > $2 ORDER BY id LIMIT $3",
    )
    .bind(provider_id)
    .bind(after)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

/// How long an event is offered to the webhook before it is given up.
pub const DELIVERY_HOURS: i32 = 24;
/// The longest pause between two attempts.
const MAX_PAUSE_SECS: i64 = 3600;

/// Claims up to `limit` events of `provider_id` due for delivery (another instance skips
/// them until this transaction ends) and counts an attempt on each.
pub async fn claim_due(
    tx: &mut PgConnection,
    provider_id: i64,
    limit: i64,
) -> Result<Vec<Event>, AppError> {
    Ok(sqlx::query_as(
        "UPDATE provider_events e SET attempts = e.attempts + 1
           FROM (SELECT id FROM provider_events
                  WHERE provider_id = $1 AND delivered_at IS NULL AND given_up_at IS NULL
                    AND next_attempt_at <= now()
                  ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED) due
          WHERE e.id = due.id
         RETURNING e.id, e.event_id, e.kind, e.customer_number AS customer, e.occurred_at, e.data",
    )
    .bind(provider_id)
    .bind(limit)
    .fetch_all(&mut *tx)
    .await?)
}

/// Marks a claimed event delivered.
pub async fn delivered(tx: &mut PgConnection, id: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE provider_events SET delivered_at = now(), last_error = NULL WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Notes a failed attempt: tried again after 10 s, 20 s, 40 s … (at most an hour), given up
/// once [`DELIVERY_HOURS`] have passed since the event.
pub async fn failed(tx: &mut PgConnection, id: i64, error: &str) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE provider_events
            SET last_error = left($2, 500),
                next_attempt_at = now() + make_interval(secs => least($3, 10 * power(2, attempts - 1))),
                given_up_at = CASE WHEN occurred_at < now() - make_interval(hours => $4)
                                   THEN now() END
          WHERE id = $1",
    )
    .bind(id)
    .bind(error)
    .bind(MAX_PAUSE_SECS as f64)
    .bind(DELIVERY_HOURS)
    .execute(&mut *tx)
    .await?;
    Ok(())
}
