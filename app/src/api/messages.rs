//! Important communications (M2): the inbox of the holder's customer number, with messages
//! from the provider and from the product itself (alerts, linking codes, move status). Opening
//! a message marks it read; the navigation shows the unread count. Holders only (L2).

use chrono::NaiveDateTime;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::backend::entry::{self, Holder};

/// One message of the inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageView {
    pub id: i64,
    /// `provider`, `alert`, `linking_code`, `move_status` or `security`.
    pub kind: String,
    pub subject: String,
    pub body: String,
    /// When it arrived (UTC).
    pub received_at: NaiveDateTime,
    pub read: bool,
}

/// The newest messages of the holder's customer number.
#[server(endpoint = "messages")]
pub async fn get_messages() -> Result<Vec<MessageView>, AppError> {
    use crate::backend::repo;
    entry::holder(|state, Holder { customer_id, .. }| async move {
        Ok(repo::messages::latest(&state.pool, customer_id)
            .await?
            .into_iter()
            .map(MessageView::from)
            .collect())
    })
    .await
}

#[cfg(feature = "ssr")]
impl From<crate::backend::repo::messages::MessageRow> for MessageView {
    fn from(row: crate::backend::repo::messages::MessageRow) -> Self {
        MessageView {
            id: row.id,
            kind: row.kind,
            subject: row.subject,
            body: row.body,
            received_at: row.received_at,
            read: row.read,
        }
    }
}

/// Marks a message of the holder's customer number read (opening it does this); answers the
/// number of messages still unread, for the navigation.
#[server(endpoint = "read_message")]
pub async fn read_message(message_id: i64) -> Result<i64, AppError> {
    use crate::backend::repo;
    entry::holder(|state, Holder { customer_id, .. }| async move {
        if !repo::messages::mark_read(&state.pool, customer_id, message_id).await? {
            return Err(AppError::NotFound);
        }
        repo::messages::unread(&state.pool, customer_id).await
    })
    .await
}
