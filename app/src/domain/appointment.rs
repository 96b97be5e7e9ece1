//! Technician appointments (A1–A2): which windows can be booked and until when a booking can
//! be changed. "Today" is a value (P5).

use chrono::{Days, NaiveDate};

use crate::domain::validation::FieldProblem;

/// How far ahead windows are offered.
pub const HORIZON_DAYS: u64 = 42;

/// How many booked appointments one customer number may hold at once (a repair and the
/// installations of a move, with room to spare); more is a mistake or abuse.
pub const MAX_OPEN: i64 = 3;

/// The longest note for the technician.
pub const NOTE_MAX_CHARS: usize = 500;

/// The days whose windows can be booked: from tomorrow to the horizon. A technician's day is
/// planned the evening before, so today's windows are no longer offered.
pub fn bookable_days(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    (today + Days::new(1), today + Days::new(HORIZON_DAYS))
}

/// Whether a window on `day` can be booked as of `today`.
pub fn bookable(day: NaiveDate, today: NaiveDate) -> bool {
    let (first, last) = bookable_days(today);
    (first..=last).contains(&day)
}

/// Whether a booked appointment on `day` can still be moved or cancelled in the portal: up to
/// the day before (on the day itself the technician is already on the way).
pub fn changeable(day: NaiveDate, today: NaiveDate) -> bool {
    day > today
}

/// The window chosen in a form (its id).
pub fn parse_slot(raw: &str) -> Result<i64, FieldProblem> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(FieldProblem::SlotRequired);
    }
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(FieldProblem::SlotUnavailable)
}

/// The note for the technician: trimmed, empty means none, at most [`NOTE_MAX_CHARS`]
/// characters and no control characters other than line breaks.
pub fn check_note(raw: &str) -> Result<Option<String>, FieldProblem> {
    let note = raw.trim();
    if note.is_empty() {
        return Ok(None);
    }
    let printable = note
        .chars()
        .all(|c| !c.is_control() || c == '\n' || c == '\r' || c == '\t');
    if note.chars().count() > NOTE_MAX_CHARS || !printable {
        return Err(FieldProblem::NoteTooLong);
    }
    Ok(Some(note.replace("\r\n", "\n")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::d;

    #[test]
    fn windows_from_tomorrow_to_the_horizon() {
        let today = d(2026, 11, 22);
        assert!(!bookable(today, today));
        assert!(bookable(d(2026, 11, 23), today));
        assert!(bookable(d(2027, 1, 3), today));
        assert!(!bookable(d(2027, 1, 4), today));
        assert!(!bookable(d(2026, 11, 1), today));
    }

    #[test]
    fn changes_until_the_day_before() {
        let today = d(2026, 11, 22);
        assert!(changeable(d(2026, 11, 23), today));
        assert!(!changeable(today, today));
        assert!(!changeable(d(2026, 11, 20), today));
    }

    #[test]
    fn slot_ids() {
        assert_eq!(parse_slot(" 12 "), Ok(12));
        assert_eq!(parse_slot(""), Err(FieldProblem::SlotRequired));
        assert_eq!(parse_slot("abc"), Err(FieldProblem::SlotUnavailable));
        assert_eq!(parse_slot("-3"), Err(FieldProblem::SlotUnavailable));
    }

    #[test]
    fn notes() {
        assert_eq!(check_note("  "), Ok(None));
        assert_eq!(
            check_note(" 3rd floor\r\nbell: Dupont "),
            Ok(Some("3rd floor\nbell: Dupont".into()))
        );
        assert_eq!(check_note(&"x".repeat(501)), Err(FieldProblem::NoteTooLong));
        assert_eq!(check_note("a\u{0}b"), Err(FieldProblem::NoteTooLong));
        assert!(check_note(&"é".repeat(500)).is_ok());
    }
}
