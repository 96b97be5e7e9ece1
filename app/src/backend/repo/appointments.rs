//! Technician appointments (A1–A2): the published windows, the bookings of a customer, and the
//! writes of the booking forms. A window is booked at most once: the partial unique index
//! `appointments_one_per_slot` decides races, and its violation is reported as "taken".

use chrono::{NaiveDate, NaiveTime};
use sqlx::{PgConnection, PgPool};

use crate::{domain::account::AppointmentKind, error::AppError};

/// A technician window.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SlotRow {
    #[sqlx(rename = "slot_id")]
    pub id: i64,
    pub day: NaiveDate,
    pub starts_at: NaiveTime,
    pub ends_at: NaiveTime,
}

/// A booked appointment of a customer.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BookedRow {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub kind: AppointmentKind,
    #[sqlx(flatten)]
    pub slot: SlotRow,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub note: Option<String>,
    pub move_request_id: Option<i64>,
}

/// An open move request without its installation appointment.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MoveToBook {
    pub id: i64,
    pub contract_number: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub wished_date: NaiveDate,
}

const SLOT_TAKEN: &str = "appointments_one_per_slot";
const MOVE_BOOKED: &str = "appointments_one_per_move";

/// What a booking write ran into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Booked {
    Done,
    /// Another booking holds the window.
    SlotTaken,
    /// The move request already has its installation.
    MoveBooked,
}

/// The booked appointments of a customer, soonest first.
pub async fn booked(pool: &PgPool, customer_id: i64) -> Result<Vec<BookedRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT a.id, a.kind, a.street, a.postal_code, a.city, a.note, a.move_request_id,
                s.id AS slot_id, s.day, s.starts_at, s.ends_at
           FROM appointments a JOIN appointment_slots s ON s.id = a.slot_id
          WHERE a.customer_id = $1 AND a.status = 'booked'
          ORDER BY s.day, s.starts_at",
    )
    .bind(customer_id)
    .fetch_all(pool)
    .await?)
}

/// The free windows of the provider between two days, in order.
pub async fn free_slots(
    pool: &PgPool,
    provider_id: i64,
    (first, last): (NaiveDate, NaiveDate),
) -> Result<Vec<SlotRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT s.id AS slot_id, s.day, s.starts_at, s.ends_at
           FROM appointment_slots s
          WHERE s.provider_id = $1 AND s.day BETWEEN $2 AND $3 AND NOT s.withdrawn
            AND NOT EXISTS (SELECT 1 FROM appointments a
                             WHERE a.slot_id = s.id AND a.status = 'booked')
          ORDER BY s.day, s.starts_at",
    )
    .bind(provider_id)
    .bind(first)
    .bind(last)
    .fetch_all(pool)
    .await?)
}

/// The open move requests of a customer's lines that have no installation booked yet.
pub async fn moves_to_book(pool: &PgPool, customer_id: i64) -> Result<Vec<MoveToBook>, AppError> {
    Ok(sqlx::query_as(
        "SELECT m.id, c.contract_number, m.street, m.postal_code, m.city, m.wished_date
           FROM move_requests m JOIN contracts c ON c.id = m.contract_id
          WHERE c.customer_id = $1 AND m.status IN ('requested', 'confirmed')
            AND NOT EXISTS (SELECT 1 FROM appointments a
                             WHERE a.move_request_id = m.id AND a.status = 'booked')
          ORDER BY m.wished_date, m.id",
    )
    .bind(customer_id)
    .fetch_all(pool)
    .await?)
}

/// Locks the customer row, so that the count of open appointments and the booking that
/// follows it cannot interleave with another booking of the same customer.
pub async fn lock_customer_and_count(
    conn: &mut PgConnection,
    customer_id: i64,
) -> Result<i64, AppError> {
    sqlx::query("SELECT 1 FROM customers WHERE id = $1 FOR UPDATE")
        .bind(customer_id)
        .execute(&mut *conn)
        .await?;
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM appointments WHERE customer_id = $1 AND status = 'booked'",
    )
    .bind(customer_id)
    .fetch_one(&mut *conn)
    .await?)
}

/// The day and window of slot `slot_id`.
pub async fn slot_window(
    conn: &mut PgConnection,
    slot_id: i64,
) -> Result<(NaiveDate, NaiveTime, NaiveTime), AppError> {
    Ok(
        sqlx::query_as("SELECT day, starts_at, ends_at FROM appointment_slots WHERE id = $1")
            .bind(slot_id)
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// The day of a window this provider offers, if it exists and is not withdrawn; the row is
/// share-locked, so the provider cannot withdraw it while the booking is written.
pub async fn slot_day(
    conn: &mut PgConnection,
    provider_id: i64,
    slot_id: i64,
) -> Result<Option<NaiveDate>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT day FROM appointment_slots WHERE id = $1 AND provider_id = $2 AND NOT withdrawn
                FOR SHARE",
    )
    .bind(slot_id)
    .bind(provider_id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// The new address of an open move request of this customer, locked: (street, postal code,
/// city).
pub async fn lock_open_move(
    conn: &mut PgConnection,
    customer_id: i64,
    move_id: i64,
) -> Result<Option<(String, String, String)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT m.street, m.postal_code, m.city
           FROM move_requests m JOIN contracts c ON c.id = m.contract_id
          WHERE m.id = $1 AND c.customer_id = $2 AND m.status IN ('requested', 'confirmed')
            FOR UPDATE OF m",
    )
    .bind(move_id)
    .bind(customer_id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// A booked appointment of this customer, locked: (slot id, day).
pub async fn lock_booked(
    conn: &mut PgConnection,
    customer_id: i64,
    appointment_id: i64,
) -> Result<Option<(i64, NaiveDate)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT a.slot_id, s.day
           FROM appointments a JOIN appointment_slots s ON s.id = a.slot_id
          WHERE a.id = $1 AND a.customer_id = $2 AND a.status = 'booked'
            FOR UPDATE OF a",
    )
    .bind(appointment_id)
    .bind(customer_id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// A new booking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAppointment<'a> {
    pub customer_id: i64,
    pub slot_id: i64,
    pub kind: AppointmentKind,
    pub street: &'a str,
    pub postal_code: &'a str,
    pub city: &'a str,
    pub note: Option<&'a str>,
    pub move_request_id: Option<i64>,
}

/// Maps the unique violations that decide booking races; other errors stay errors.
fn booking_outcome(result: Result<(), sqlx::Error>) -> Result<Booked, AppError> {
    match result {
        Ok(()) => Ok(Booked::Done),
        Err(sqlx::Error::Database(db)) if db.constraint() == Some(SLOT_TAKEN) => {
            Ok(Booked::SlotTaken)
        }
        Err(sqlx::Error::Database(db)) if db.constraint() == Some(MOVE_BOOKED) => {
            Ok(Booked::MoveBooked)
        }
        Err(err) => Err(err.into()),
    }
}

/// Books a window. A race for the same window is lost with `SlotTaken`; the transaction is
/// then aborted and must be dropped.
pub async fn insert(conn: &mut PgConnection, a: &NewAppointment<'_>) -> Result<Booked, AppError> {
    let result = sqlx::query(
        "INSERT INTO appointments (customer_id, slot_id, kind, status, street, postal_code,
                                   city, note, move_request_id)
         VALUES ($1, $2, $3, 'booked', $4, $5, $6, $7, $8)",
    )
    .bind(a.customer_id)
    .bind(a.slot_id)
    .bind(a.kind.as_str())
    .bind(a.street)
    .bind(a.postal_code)
    .bind(a.city)
    .bind(a.note)
    .bind(a.move_request_id)
    .execute(&mut *conn)
    .await
    .map(drop);
    booking_outcome(result)
}

/// Moves a booking to another window.
pub async fn reschedule(
    conn: &mut PgConnection,
    appointment_id: i64,
    slot_id: i64,
) -> Result<Booked, AppError> {
    let result = sqlx::query(
        "UPDATE appointments SET slot_id = $2, updated_at = now()
          WHERE id = $1 AND status = 'booked'",
    )
    .bind(appointment_id)
    .bind(slot_id)
    .execute(&mut *conn)
    .await
    .map(drop);
    booking_outcome(result)
}

/// Cancels a booking; its window is free again.
pub async fn cancel(conn: &mut PgConnection, appointment_id: i64) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE appointments SET status = 'cancelled', updated_at = now()
          WHERE id = $1 AND status = 'booked'",
    )
    .bind(appointment_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Cancels the installation booked for a move request that is withdrawn.
pub async fn cancel_for_move(conn: &mut PgConnection, contract_id: i64) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE appointments a SET status = 'cancelled', updated_at = now()
           FROM move_requests m
          WHERE a.move_request_id = m.id AND m.contract_id = $1
            AND m.status = 'cancelled' AND a.status = 'booked'",
    )
    .bind(contract_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The customer's own address and country: (street, postal code, city, country).
pub async fn home_address(
    conn: &mut PgConnection,
    customer_id: i64,
) -> Result<(String, String, String, String), AppError> {
    Ok(sqlx::query_as(
        "SELECT street, postal_code, city, trim(country) FROM customers WHERE id = $1",
    )
    .bind(customer_id)
    .fetch_one(&mut *conn)
    .await?)
}
