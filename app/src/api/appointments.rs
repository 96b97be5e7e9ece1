//! Technician appointments (A1–A2): the holder's bookings, the free windows, and booking,
//! rescheduling and cancelling. Holders only (L2); a window is never given twice (the
//! database decides races, see `repo::appointments`).

// `book_appointment` takes one argument per form field, as the form posts them, and the
// idempotency key; the server macro's generated code does not carry an item-level allow.
#![allow(clippy::too_many_arguments)]

use chrono::{NaiveDate, NaiveTime};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::backend::events::{self, EventKind, Subject};
use serde::{Deserialize, Serialize};

use crate::{domain::account::AppointmentKind, error::AppError};

#[cfg(feature = "ssr")]
use crate::backend::{
    entry::{self, Holder},
    notices::{self, AppointmentEvent},
};

/// A technician's time window on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotView {
    pub id: i64,
    pub day: NaiveDate,
    pub starts_at: NaiveTime,
    pub ends_at: NaiveTime,
}

/// A booked appointment (A1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppointmentView {
    pub id: i64,
    pub kind: AppointmentKind,
    pub slot: SlotView,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub note: Option<String>,
    /// The installation of a move request.
    pub for_move: bool,
    /// Whether it can still be moved or cancelled here (until the day before).
    pub changeable: bool,
}

/// An open move request without its installation appointment (H4 → A-tab).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveChoice {
    pub id: i64,
    pub contract_number: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub wished_date: NaiveDate,
}

/// What the Appointment tab shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appointments {
    pub appointments: Vec<AppointmentView>,
    /// The free windows from tomorrow to the horizon.
    pub slots: Vec<SlotView>,
    /// The customer's address, the default place of a repair.
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub moves: Vec<MoveChoice>,
    /// Whether another booking is allowed (fewer than the maximum are open).
    pub can_book: bool,
    /// The idempotency key of the booking form as shown (a new one after each booking).
    pub booking_key: String,
}

/// Refuses a window that does not exist or cannot be booked today (tomorrow to the horizon).
/// What the provider hears of an appointment: its slot (day and window), the kind of visit
/// and, for an installation after a move, the move; the kind only when it is new (a booking).
#[cfg(feature = "ssr")]
async fn appointment_event(
    conn: &mut sqlx::PgConnection,
    slot_id: i64,
    kind: Option<&str>,
    move_id: Option<i64>,
) -> Result<serde_json::Value, AppError> {
    let (day, starts_at, ends_at) =
        crate::backend::repo::appointments::slot_window(conn, slot_id).await?;
    let mut data = serde_json::json!({
        "slot": slot_id,
        "day": day,
        "starts_at": starts_at.format("%H:%M").to_string(),
        "ends_at": ends_at.format("%H:%M").to_string(),
    });
    if let Some(kind) = kind {
        data["kind"] = kind.into();
    }
    if let Some(move_id) = move_id {
        data["move_request"] = move_id.into();
    }
    Ok(data)
}

#[cfg(feature = "ssr")]
async fn require_bookable(
    conn: &mut sqlx::PgConnection,
    provider_id: i64,
    slot_id: i64,
    today: NaiveDate,
) -> Result<(), AppError> {
    use crate::{
        backend::repo::appointments as repo,
        domain::{appointment::bookable, validation::FieldProblem},
    };
    let day = repo::slot_day(conn, provider_id, slot_id).await?;
    if day.is_some_and(|day| bookable(day, today)) {
        Ok(())
    } else {
        Err(AppError::field("slot_id", FieldProblem::SlotUnavailable))
    }
}

#[cfg(feature = "ssr")]
impl From<crate::backend::repo::appointments::SlotRow> for SlotView {
    fn from(row: crate::backend::repo::appointments::SlotRow) -> Self {
        SlotView {
            id: row.id,
            day: row.day,
            starts_at: row.starts_at,
            ends_at: row.ends_at,
        }
    }
}

/// The holder's appointments and the free windows.
#[server(endpoint = "appointments")]
pub async fn get_appointments() -> Result<Appointments, AppError> {
    use crate::{
        backend::repo::appointments as repo,
        domain::appointment::{MAX_OPEN, bookable_days, changeable},
    };
    entry::holder(|state, Holder { customer_id, .. }| async move {
        let today = state.clock.today();
        let appointments: Vec<AppointmentView> = repo::booked(&state.pool, customer_id)
            .await?
            .into_iter()
            .map(|booked| AppointmentView {
                id: booked.id,
                kind: booked.kind,
                changeable: changeable(booked.slot.day, today),
                slot: booked.slot.into(),
                street: booked.street,
                postal_code: booked.postal_code,
                city: booked.city,
                note: booked.note,
                for_move: booked.move_request_id.is_some(),
            })
            .collect();
        let slots = repo::free_slots(&state.pool, state.provider_id, bookable_days(today))
            .await?
            .into_iter()
            .map(SlotView::from)
            .collect();
        let moves = repo::moves_to_book(&state.pool, customer_id)
            .await?
            .into_iter()
            .map(|m| MoveChoice {
                id: m.id,
                contract_number: m.contract_number,
                street: m.street,
                postal_code: m.postal_code,
                city: m.city,
                wished_date: m.wished_date,
            })
            .collect();
        let mut conn = state.pool.acquire().await?;
        let (street, postal_code, city, _) = repo::home_address(&mut conn, customer_id).await?;
        let can_book = i64::try_from(appointments.len()).unwrap_or(i64::MAX) < MAX_OPEN;
        Ok(Appointments {
            appointments,
            slots,
            street,
            postal_code,
            city,
            moves,
            can_book,
            booking_key: uuid::Uuid::new_v4().to_string(),
        })
    })
    .await
}

/// Books a window: a repair at the address given, or (with `move_request`) the installation
/// at the new address of an open move request (the address fields are then not sent).
#[server(endpoint = "book_appointment")]
pub async fn book_appointment(
    kind: String,
    slot_id: String,
    street: Option<String>,
    postal_code: Option<String>,
    city: Option<String>,
    note: String,
    move_request: String,
    idempotency_key: String,
) -> Result<(), AppError> {
    use crate::{
        backend::{
            idempotency::{self, Claim},
            repo::appointments as repo,
        },
        domain::{
            appointment::{MAX_OPEN, check_note, parse_slot},
            products::{check_address_text, check_postal_code},
            validation::FieldProblem,
        },
    };
    entry::holder(|state, holder| async move {
        let Holder {
            customer_id,
            access,
        } = holder;
        let login_id = access.session.login_id;
        let today = state.clock.today();
        let move_id = match move_request.trim() {
            "" => None,
            raw => Some(raw.parse::<i64>().map_err(|_| AppError::NotFound)?),
        };
        let mut tx = state.pool.begin().await?;
        let request = (
            &kind,
            &slot_id,
            &street,
            &postal_code,
            &city,
            &note,
            &move_request,
        );
        if let Claim::Replay(answer) = idempotency::claim(
            &mut tx,
            login_id,
            &idempotency_key,
            "book_appointment",
            &request,
        )
        .await?
        {
            return answer;
        }
        let (_, _, _, country) = repo::home_address(&mut tx, customer_id).await?;
        let slot = parse_slot(&slot_id);
        let note = check_note(&note);
        let (kind, street, postal_code, city) = if let Some(move_id) = move_id {
            let (street, postal_code, city) = repo::lock_open_move(&mut tx, customer_id, move_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let kind = Ok(AppointmentKind::Installation);
            (kind, Ok(street), Ok(postal_code), Ok(city))
        } else {
            (
                AppointmentKind::parse(kind.trim()).ok_or(FieldProblem::Required),
                check_address_text(street.as_deref().unwrap_or_default()),
                check_postal_code(postal_code.as_deref().unwrap_or_default(), &country),
                check_address_text(city.as_deref().unwrap_or_default()),
            )
        };
        AppError::check_fields([
            ("kind", kind.as_ref().err().copied()),
            ("slot_id", slot.as_ref().err().copied()),
            ("street", street.as_ref().err().copied()),
            ("postal_code", postal_code.as_ref().err().copied()),
            ("city", city.as_ref().err().copied()),
            ("note", note.as_ref().err().copied()),
        ])?;
        let (Ok(kind), Ok(slot_id), Ok(street), Ok(postal_code), Ok(city), Ok(note)) =
            (kind, slot, street, postal_code, city, note)
        else {
            return Err(AppError::internal(
                "a field check_fields passed did not parse",
            ));
        };
        if repo::lock_customer_and_count(&mut tx, customer_id).await? >= MAX_OPEN {
            return Err(AppError::field("slot_id", FieldProblem::AppointmentLimit));
        }
        require_bookable(&mut tx, state.provider_id, slot_id, today).await?;
        let booked = repo::insert(
            &mut tx,
            &repo::NewAppointment {
                customer_id,
                slot_id,
                kind,
                street: &street,
                postal_code: &postal_code,
                city: &city,
                note: note.as_deref(),
                move_request_id: move_id,
            },
        )
        .await?;
        match booked {
            repo::Booked::Done => {}
            repo::Booked::SlotTaken => {
                return Err(AppError::field("slot_id", FieldProblem::SlotTaken));
            }
            repo::Booked::MoveBooked => return Err(AppError::Stale),
        }
        notices::appointment_message(&mut tx, customer_id, AppointmentEvent::Booked, slot_id)
            .await?;
        let data = appointment_event(&mut tx, slot_id, Some(kind.as_str()), move_id).await?;
        events::record(
            &mut tx,
            Subject::Customer(customer_id),
            EventKind::AppointmentBooked,
            data,
        )
        .await?;
        idempotency::remember(&mut tx, login_id, &idempotency_key, &Ok(())).await?;
        tx.commit().await?;
        state.mail_outbox.notify_one();
        tracing::info!(
            customer_id,
            slot_id,
            kind = kind.as_str(),
            "appointment booked"
        );
        crate::backend::flash::notice(&state, crate::domain::flash::Flash::AppointmentBooked).await;
        Ok(())
    })
    .await
}

/// Moves a booked appointment to another free window (until the day before).
#[server(endpoint = "reschedule_appointment")]
pub async fn reschedule_appointment(appointment_id: i64, slot_id: String) -> Result<(), AppError> {
    use crate::{
        backend::repo::appointments as repo,
        domain::{
            appointment::{changeable, parse_slot},
            validation::FieldProblem,
        },
    };
    entry::holder(|state, Holder { customer_id, .. }| async move {
        let today = state.clock.today();
        let slot_id = parse_slot(&slot_id).map_err(|p| AppError::field("slot_id", p))?;
        let mut tx = state.pool.begin().await?;
        let (current_slot, current_day) = repo::lock_booked(&mut tx, customer_id, appointment_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !changeable(current_day, today) {
            return Err(AppError::Stale);
        }
        if current_slot == slot_id {
            return Ok(());
        }
        require_bookable(&mut tx, state.provider_id, slot_id, today).await?;
        match repo::reschedule(&mut tx, appointment_id, slot_id).await? {
            repo::Booked::Done => {}
            repo::Booked::SlotTaken | repo::Booked::MoveBooked => {
                return Err(AppError::field("slot_id", FieldProblem::SlotTaken));
            }
        }
        notices::appointment_message(&mut tx, customer_id, AppointmentEvent::Moved, slot_id)
            .await?;
        let mut data = appointment_event(&mut tx, slot_id, None, None).await?;
        data["appointment"] = appointment_id.into();
        events::record(
            &mut tx,
            Subject::Customer(customer_id),
            EventKind::AppointmentChanged,
            data,
        )
        .await?;
        tx.commit().await?;
        state.mail_outbox.notify_one();
        tracing::info!(
            customer_id,
            appointment_id,
            slot_id,
            "appointment rescheduled"
        );
        crate::backend::flash::notice(&state, crate::domain::flash::Flash::AppointmentRescheduled)
            .await;
        Ok(())
    })
    .await
}

/// Cancels a booked appointment (until the day before); its window is free again.
#[server(endpoint = "cancel_appointment")]
pub async fn cancel_appointment(appointment_id: i64) -> Result<(), AppError> {
    use crate::{backend::repo::appointments as repo, domain::appointment::changeable};
    entry::holder(|state, Holder { customer_id, .. }| async move {
        let mut tx = state.pool.begin().await?;
        let (slot_id, day) = repo::lock_booked(&mut tx, customer_id, appointment_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !changeable(day, state.clock.today()) {
            return Err(AppError::Stale);
        }
        repo::cancel(&mut tx, appointment_id).await?;
        notices::appointment_message(&mut tx, customer_id, AppointmentEvent::Cancelled, slot_id)
            .await?;
        events::record(
            &mut tx,
            Subject::Customer(customer_id),
            EventKind::AppointmentCancelled,
            serde_json::json!({ "appointment": appointment_id }),
        )
        .await?;
        tx.commit().await?;
        state.mail_outbox.notify_one();
        tracing::info!(customer_id, appointment_id, "appointment cancelled");
        crate::backend::flash::notice(&state, crate::domain::flash::Flash::AppointmentCancelled)
            .await;
        Ok(())
    })
    .await
}
