//! The notices a login gets by mail (issue 27 item 5): every inbox message of its household
//! goes by mail unless the login turned that kind off here.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{
    backend::{entry, flash, notices, repo},
    domain::flash::Flash,
};
use crate::{domain::notices::NoticeKind, error::AppError};

/// One kind of notice and whether it comes by mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeChoice {
    pub kind: NoticeKind,
    pub by_mail: bool,
}

/// The signed-in login's choices, one per optional kind.
#[server(endpoint = "notice_preferences")]
pub async fn get_notice_preferences() -> Result<Vec<NoticeChoice>, AppError> {
    entry::login(|state, login| async move {
        Ok(notices::preferences(&state.pool, login.login_id)
            .await?
            .into_iter()
            .map(|(kind, by_mail)| NoticeChoice { kind, by_mail })
            .collect())
    })
    .await
}

/// Saves the choices: a ticked box (any value) means "by mail", a missing one "inbox only".
#[server(endpoint = "save_notice_preferences")]
pub async fn save_notice_preferences(
    invoice: Option<String>,
    alert: Option<String>,
    appointment: Option<String>,
    move_status: Option<String>,
    provider: Option<String>,
) -> Result<(), AppError> {
    entry::login(|state, login| async move {
        let choices = [
            (NoticeKind::Invoice, invoice.is_some()),
            (NoticeKind::Alert, alert.is_some()),
            (NoticeKind::Appointment, appointment.is_some()),
            (NoticeKind::MoveStatus, move_status.is_some()),
            (NoticeKind::Provider, provider.is_some()),
        ];
        repo::notices::save(&state.pool, login.login_id, &choices).await?;
        tracing::info!(login_id = login.login_id, "notice preferences saved");
        flash::notice(&state, Flash::NoticesSaved).await;
        Ok(())
    })
    .await
}
