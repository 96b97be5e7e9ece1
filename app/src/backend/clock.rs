//! The clock (P5): every date rule gets "today" from here, never from the system directly.

use chrono::NaiveDate;

/// Tells today's date: the system's, or a pinned one (`SELFCARE_TODAY`) for demos and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pinned: Option<NaiveDate>,
}

impl Clock {
    /// Today's date from the system clock (UTC).
    pub fn system() -> Clock {
        Clock { pinned: None }
    }

    /// Always answers `day`.
    pub fn pinned(day: NaiveDate) -> Clock {
        Clock { pinned: Some(day) }
    }

    /// Today.
    pub fn today(&self) -> NaiveDate {
        self.pinned
            .unwrap_or_else(|| chrono::Utc::now().date_naive())
    }

    /// Seconds since the Unix epoch by the wall clock, never pinned: one-time codes must
    /// match the customer's authenticator app, which follows real time.
    pub fn unix_seconds(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }

    /// Whether today is pinned.
    pub fn is_pinned(&self) -> bool {
        self.pinned.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinned_clock_answers_the_pinned_day() {
        let day = NaiveDate::from_ymd_opt(2024, 8, 20).expect("date");
        let clock = Clock::pinned(day);
        assert_eq!(clock.today(), day);
        assert!(clock.is_pinned());
        assert!(!Clock::system().is_pinned());
    }
}
