//! Inclusive date ranges with day counts (billing cycles, terms).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The days from `start` to `end`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct DateRange {
    start: NaiveDate,
    end: NaiveDate,
}

impl DateRange {
    /// The range `start..=end`; `None` when `end` is before `start`.
    pub fn new(start: NaiveDate, end: NaiveDate) -> Option<DateRange> {
        (start <= end).then_some(DateRange { start, end })
    }

    /// The single day `day`.
    pub fn day(day: NaiveDate) -> DateRange {
        DateRange {
            start: day,
            end: day,
        }
    }

    /// The first day.
    pub fn start(&self) -> NaiveDate {
        self.start
    }

    /// The last day.
    pub fn end(&self) -> NaiveDate {
        self.end
    }

    /// The number of days, both ends included (a one-day range has 1).
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }

    /// Whether `day` lies in the range.
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.start <= day && day <= self.end
    }

    /// The days from `day` to the end, both included; 0 when `day` is after the end, the whole
    /// range when `day` is before the start.
    pub fn days_from(&self, day: NaiveDate) -> i64 {
        if day > self.end {
            0
        } else if day < self.start {
            self.days()
        } else {
            (self.end - day).num_days() + 1
        }
    }

    /// The exact share of `amount` for the days from `day` to the end, both included:
    /// `amount × days_from(day) / days()`, multiplied before dividing so that the quotient is
    /// exact wherever a later rounding to cents can tell (BILLING.md: ratios stay exact).
    pub fn pro_rata(&self, amount: Decimal, day: NaiveDate) -> Decimal {
        amount * Decimal::from(self.days_from(day)) / Decimal::from(self.days())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::d;

    #[test]
    fn inclusive_day_counts() {
        let cycle = DateRange::new(d(2024, 7, 28), d(2024, 8, 27)).expect("range");
        assert_eq!(cycle.days(), 31);
        assert_eq!(cycle.days_from(d(2024, 8, 12)), 16);
        assert_eq!(cycle.days_from(d(2024, 8, 27)), 1);
        assert_eq!(cycle.days_from(d(2024, 8, 28)), 0);
        assert_eq!(cycle.days_from(d(2024, 7, 1)), 31);
        assert!(cycle.contains(d(2024, 7, 28)) && cycle.contains(d(2024, 8, 27)));
        assert!(!cycle.contains(d(2024, 8, 28)));
        let leap_year = DateRange::new(d(2024, 1, 1), d(2024, 12, 31)).expect("range");
        assert_eq!(leap_year.days(), 366);
        assert_eq!(DateRange::new(d(2024, 1, 2), d(2024, 1, 1)), None);
        assert_eq!(
            DateRange::new(d(2024, 1, 1), d(2024, 1, 1)).map(|r| r.days()),
            Some(1)
        );
    }
}
