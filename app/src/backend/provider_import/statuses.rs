//! What the provider tells a household: a message for its inbox (M2), the status of a move it
//! requested (H4), the outcome of a document it uploaded (M3).

use chrono::NaiveDate;
use sqlx::PgConnection;

use super::{Outcome, Refused, Upserted, customers};
use crate::{
    backend::repo::{appointments, messages},
    domain::format,
    i18n::*,
};

/// `PUT /provider/v1/customers/{number}/messages/{id}`: a message to the holders of a customer
/// number, by the provider's id; sent again with another text, it is corrected in place.
pub async fn message(
    conn: &mut PgConnection,
    provider_id: i64,
    customer: &str,
    id: &str,
    subject: &str,
    body: &str,
) -> Outcome {
    let Some((customer_id, _)) = customers::find(conn, provider_id, customer).await? else {
        return Ok(Err(Refused::NotFound(
            "There is no customer with this number",
        )));
    };
    let written: Option<bool> = sqlx::query_scalar(
        "INSERT INTO messages AS m (customer_id, kind, subject, body, provider_message_id)
         VALUES ($1, 'provider', $2, $3, $4)
         ON CONFLICT (customer_id, provider_message_id) WHERE provider_message_id IS NOT NULL
         DO UPDATE SET subject = EXCLUDED.subject, body = EXCLUDED.body
         WHERE (m.subject, m.body) IS DISTINCT FROM (EXCLUDED.subject, EXCLUDED.body)
         RETURNING xmax = 0",
    )
    .bind(customer_id)
    .bind(subject)
    .bind(body)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(Ok(Upserted::from_written(written)))
}

/// Where a move request can go from where it is.
fn move_allowed(from: &str, to: &str) -> bool {
    matches!(
        (from, to),
        ("requested", "confirmed" | "completed" | "cancelled")
            | ("confirmed", "completed" | "cancelled")
    )
}

#[derive(sqlx::FromRow)]
struct OpenMove {
    id: i64,
    contract_id: i64,
    customer_id: i64,
    status: String,
    street: String,
    postal_code: String,
    city: String,
    wished_date: NaiveDate,
}

/// `PUT /provider/v1/contracts/{number}/move`: the provider confirms, completes or cancels the
/// line's move request (the open one, else the last one). The household reads it in its
/// inbox; a cancelled move's installation appointment is cancelled with it.
pub async fn move_status(
    conn: &mut PgConnection,
    provider_id: i64,
    contract: &str,
    status: &str,
) -> Outcome {
    let found: Option<OpenMove> = sqlx::query_as(
        "SELECT m.id, m.contract_id, c.customer_id, m.status, m.street, m.postal_code, m.city,
                m.wished_date
           FROM move_requests m
           JOIN contracts c ON c.id = m.contract_id
           JOIN customers cu ON cu.id = c.customer_id
          WHERE cu.provider_id = $1 AND c.contract_number = $2
          ORDER BY m.status IN ('requested', 'confirmed') DESC, m.id DESC
          LIMIT 1
            FOR UPDATE OF m",
    )
    .bind(provider_id)
    .bind(contract)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(found) = found else {
        return Ok(Err(Refused::NotFound(
            "This contract has no move request of this provider",
        )));
    };
    if found.status == status {
        return Ok(Ok(Upserted::Unchanged));
    }
    if !move_allowed(&found.status, status) {
        return Ok(Err(Refused::Conflict(
            "a move goes from requested to confirmed to completed, or is cancelled before it is completed",
        )));
    }
    sqlx::query("UPDATE move_requests SET status = $2 WHERE id = $1")
        .bind(found.id)
        .bind(status)
        .execute(&mut *conn)
        .await?;
    if status == "cancelled" {
        appointments::cancel_for_move(conn, found.contract_id).await?;
    }
    let lang = messages::language_of(conn, found.customer_id).await?;
    let locale = locale_of(lang);
    let title = match status {
        "confirmed" => td_string!(locale, messages.move_confirmed_for),
        "completed" => td_string!(locale, messages.move_completed_for),
        _ => td_string!(locale, messages.move_cancelled_for),
    };
    let body = if status == "cancelled" {
        td_string!(locale, messages.move_cancelled_next).to_string()
    } else {
        format!(
            "{} {}, {} {} · {} {}.",
            td_string!(locale, messages.move_to),
            found.street,
            found.postal_code,
            found.city,
            td_string!(locale, messages.move_on),
            format::date(found.wished_date, lang),
        )
    };
    messages::insert(
        conn,
        found.customer_id,
        "move_status",
        &format!("{title} {contract}"),
        &body,
    )
    .await?;
    Ok(Ok(Upserted::Updated))
}

/// `PUT /provider/v1/documents/{id}`: a document the household uploaded, `accepted` or
/// `rejected` (the id is the one of the `document.uploaded` event).
pub async fn document_status(
    conn: &mut PgConnection,
    provider_id: i64,
    document_id: i64,
    status: &str,
) -> Outcome {
    let current: Option<String> = sqlx::query_scalar(
        "SELECT d.status FROM documents d JOIN customers cu ON cu.id = d.customer_id
          WHERE d.id = $1 AND cu.provider_id = $2
            FOR UPDATE OF d",
    )
    .bind(document_id)
    .bind(provider_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(current) = current else {
        return Ok(Err(Refused::NotFound("There is no document with this id")));
    };
    if current == status {
        return Ok(Ok(Upserted::Unchanged));
    }
    sqlx::query("UPDATE documents SET status = $2 WHERE id = $1")
        .bind(document_id)
        .bind(status)
        .execute(&mut *conn)
        .await?;
    Ok(Ok(Upserted::Updated))
}
