//! My account (M1): the holder's contact data, kept up to date with a record of each change.
//! Holders only (L2): a user link sees no personal data.

// `save_contact` takes one argument per form field, as the form posts them (the password is the
// eighth); the server macro's generated code does not carry an item-level allow.
#![allow(clippy::too_many_arguments)]

use chrono::NaiveDateTime;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{domain::contact::Contact, error::AppError};

#[cfg(feature = "ssr")]
use crate::backend::entry::{self, Holder};

/// The latest change of the contact data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactChange {
    /// When, in UTC.
    pub changed_at: NaiveDateTime,
    /// The login that changed it (its email), unless that login was deleted since.
    pub by: Option<String>,
    /// The form names of the changed fields.
    pub fields: Vec<String>,
}

/// What the contact form starts from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactData {
    pub contact: Contact,
    /// The country of the customer (postal codes are checked for it).
    pub country: String,
    pub last_change: Option<ContactChange>,
}

/// The holder's contact data.
#[server(endpoint = "contact")]
pub async fn get_contact() -> Result<ContactData, AppError> {
    use crate::backend::repo::contact as repo;
    entry::holder(|state, Holder { customer_id, .. }| async move {
        let (contact, country) = repo::read(&state.pool, customer_id).await?;
        let last_change =
            repo::last_change(&state.pool, customer_id)
                .await?
                .map(|(changed_at, by, fields)| ContactChange {
                    changed_at,
                    by,
                    fields,
                });
        Ok(ContactData {
            contact,
            country,
            last_change,
        })
    })
    .await
}

/// Saves the contact data: every field checked (all problems at once, in the customer's
/// language on the page), then the change and its record in one transaction. Answers the
/// names of the changed fields (none when nothing differed; nothing is recorded then).
#[server(endpoint = "save_contact")]
pub async fn save_contact(
    first_name: String,
    last_name: String,
    email: String,
    phone: String,
    street: String,
    postal_code: String,
    city: String,
    /// Asked again only when the email changes (step-up, ASVS V7.5, issue 9).
    #[server(default)]
    current_password: String,
) -> Result<Vec<String>, AppError> {
    use crate::{
        backend::repo::contact as repo,
        domain::{
            contact::{changes, check_contact},
            validation::normalize_phone,
        },
        error::FieldError,
    };
    entry::holder(|state, holder| async move {
        let Holder {
            customer_id,
            access,
        } = holder;
        let mut tx = state.pool.begin().await?;
        let (mut old, country) = repo::lock(&mut tx, customer_id).await?;
        // A number stored as typed before (spaces) is the same number in its normal form.
        old.phone = old.phone.map(|p| normalize_phone(&p).unwrap_or(p));
        let raw = Contact {
            first_name,
            last_name,
            email,
            phone: Some(phone),
            street,
            postal_code,
            city,
        };
        let new = check_contact(&raw, &country).map_err(|problems| {
            AppError::Invalid(
                problems
                    .into_iter()
                    .map(|(field, problem)| FieldError {
                        field: field.to_string(),
                        problem,
                    })
                    .collect(),
            )
        })?;
        let changed = changes(&old, &new);
        if changed.is_empty() {
            crate::backend::flash::notice(
                &state,
                crate::domain::flash::Flash::ContactSaved { changed: false },
            )
            .await;
            return Ok(Vec::new());
        }
        if changed.iter().any(|change| change.field == "email") {
            crate::api::security::prove_current_password(&state, &access.session, current_password)
                .await?;
        }
        repo::update(
            &mut tx,
            customer_id,
            access.session.login_id,
            &new,
            &changed,
        )
        .await?;
        tx.commit().await?;
        let fields: Vec<String> = changed.iter().map(|c| c.field.to_string()).collect();
        tracing::info!(
            customer_id,
            login_id = access.session.login_id,
            ?fields,
            "contact data changed"
        );
        crate::backend::flash::notice(
            &state,
            crate::domain::flash::Flash::ContactSaved { changed: true },
        )
        .await;
        Ok(fields)
    })
    .await
}
