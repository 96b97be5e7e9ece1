//! `PUT /provider/v1/appointment-windows/{day}`: the technician windows (A1) the provider
//! offers on a day, as a set. New windows are offered, windows left out are withdrawn (kept
//! for the appointments that name them, no longer bookable); a booked window stays as it is.

use chrono::{NaiveDate, NaiveTime};
use sqlx::PgConnection;

use super::{Outcome, Refused, Upserted};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub starts_at: NaiveTime,
    pub ends_at: NaiveTime,
}

#[derive(sqlx::FromRow)]
struct Stored {
    starts_at: NaiveTime,
    ends_at: NaiveTime,
    booked: bool,
}

/// Makes `windows` the windows offered on `day`.
pub async fn set_day(
    conn: &mut PgConnection,
    provider_id: i64,
    day: NaiveDate,
    windows: &[Window],
) -> Outcome {
    // Locked: a booking share-locks its window (`repo::appointments::slot_day`), so a window
    // is either booked before this reads it or withdrawn before the booking reads it.
    let stored: Vec<Stored> = sqlx::query_as(
        "SELECT s.starts_at, s.ends_at,
                EXISTS (SELECT 1 FROM appointments a
                         WHERE a.slot_id = s.id AND a.status = 'booked') AS booked
           FROM appointment_slots s
          WHERE s.provider_id = $1 AND s.day = $2 AND NOT s.withdrawn
            FOR UPDATE OF s",
    )
    .bind(provider_id)
    .bind(day)
    .fetch_all(&mut *conn)
    .await?;
    let keeps = |s: &Stored| {
        windows
            .iter()
            .any(|w| w.starts_at == s.starts_at && w.ends_at == s.ends_at)
    };
    if stored.iter().any(|s| s.booked && !keeps(s)) {
        return Ok(Err(Refused::Conflict(
            "a booked window stays as it is: the customer's appointment is in it",
        )));
    }
    let starts: Vec<NaiveTime> = windows.iter().map(|w| w.starts_at).collect();
    let ends: Vec<NaiveTime> = windows.iter().map(|w| w.ends_at).collect();
    let withdrawn = sqlx::query(
        "UPDATE appointment_slots SET withdrawn = TRUE
          WHERE provider_id = $1 AND day = $2 AND NOT withdrawn AND starts_at <> ALL($3)",
    )
    .bind(provider_id)
    .bind(day)
    .bind(&starts)
    .execute(&mut *conn)
    .await?;
    let offered = sqlx::query(
        "INSERT INTO appointment_slots AS s (provider_id, day, starts_at, ends_at)
         SELECT $1, $2, w.starts_at, w.ends_at FROM unnest($3::time[], $4::time[])
                AS w (starts_at, ends_at)
         ON CONFLICT (provider_id, day, starts_at) DO UPDATE
            SET ends_at = EXCLUDED.ends_at, withdrawn = FALSE
          WHERE (s.ends_at, s.withdrawn) IS DISTINCT FROM (EXCLUDED.ends_at, FALSE)",
    )
    .bind(provider_id)
    .bind(day)
    .bind(&starts)
    .bind(&ends)
    .execute(&mut *conn)
    .await?;
    let changed = withdrawn.rows_affected() + offered.rows_affected() > 0;
    Ok(Ok(Upserted::of(
        stored.is_empty() && !windows.is_empty(),
        changed,
    )))
}
