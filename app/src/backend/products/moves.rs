//! Moves (H4): a holder asks to move a line to a new address on a wished date, and may
//! withdraw the request until the provider confirms it; the inbox says what happened (M2).

use crate::backend::events::{self, EventKind, Subject};
use crate::{
    backend::{
        repo::{appointments, messages, products as repo},
        state::AppState,
    },
    domain::{
        account::ContractStatus,
        format,
        products::{check_address_text, check_postal_code, check_wished_date, movable},
    },
    error::AppError,
    i18n::*,
};

/// A move request as typed.
pub struct NewMoveRequest<'a> {
    pub contract_number: &'a str,
    pub street: &'a str,
    pub postal_code: &'a str,
    pub city: &'a str,
    pub wished_date: &'a str,
}

/// Records the move `request` of the holder's line (field errors for what does not parse).
pub async fn request_move(
    state: &AppState,
    customer_id: i64,
    request: &NewMoveRequest<'_>,
) -> Result<(), AppError> {
    let today = state.clock.today();
    let mut tx = state.pool.begin().await?;
    let line = repo::lock_line(&mut tx, customer_id, request.contract_number.trim()).await?;
    if !movable(line.service) || line.status != ContractStatus::Active {
        return Err(AppError::NotFound);
    }
    let street = check_address_text(request.street);
    let postal_code = check_postal_code(request.postal_code, &line.country);
    let city = check_address_text(request.city);
    let wished = check_wished_date(request.wished_date, today);
    AppError::check_fields([
        ("street", street.as_ref().err().copied()),
        ("postal_code", postal_code.as_ref().err().copied()),
        ("city", city.as_ref().err().copied()),
        ("wished_date", wished.as_ref().err().copied()),
    ])?;
    let (Ok(street), Ok(postal_code), Ok(city), Ok(wished_date)) =
        (street, postal_code, city, wished)
    else {
        return Err(AppError::internal(
            "a field check_fields passed did not parse",
        ));
    };
    let stored = repo::insert_move(
        &mut tx,
        &repo::NewMove {
            contract_id: line.id,
            street: &street,
            postal_code: &postal_code,
            city: &city,
            country: &line.country,
            wished_date,
            requested_on: today,
        },
    )
    .await?;
    if !stored {
        return Err(AppError::Stale);
    }
    // The move's status in the inbox (M2), in the household's language.
    let lang = messages::language_of(&mut tx, customer_id).await?;
    let locale = locale_of(lang);
    let subject = format!(
        "{} {}",
        td_string!(locale, messages.move_received),
        line.contract_number
    );
    let body = format!(
        "{} {street}, {postal_code} {city} · {} {}. {}",
        td_string!(locale, messages.move_to),
        td_string!(locale, messages.move_on),
        format::date(wished_date, lang),
        td_string!(locale, messages.move_next)
    );
    messages::insert(&mut tx, customer_id, "move_status", &subject, &body).await?;
    events::record(
        &mut tx,
        Subject::Contract(line.id),
        EventKind::MoveRequested,
        serde_json::json!({
            "contract": line.contract_number,
            "street": street,
            "postal_code": postal_code,
            "city": city,
            "country": line.country,
            "wished_date": wished_date,
        }),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(customer_id, contract = %line.contract_number, "move requested");
    Ok(())
}

/// Withdraws the move request of the holder's line (`Stale` when there is none to withdraw).
pub async fn cancel_move(
    state: &AppState,
    customer_id: i64,
    contract_number: &str,
) -> Result<(), AppError> {
    let mut tx = state.pool.begin().await?;
    let line = repo::lock_line(&mut tx, customer_id, contract_number.trim()).await?;
    if !repo::cancel_move(&mut tx, line.id).await? {
        return Err(AppError::Stale);
    }
    // Its installation appointment is no longer needed (A-tab).
    appointments::cancel_for_move(&mut tx, line.id).await?;
    tx.commit().await?;
    Ok(())
}
