//! B1 Billing cycles: monthly, anchored on the day of month of the activation date, clamped to
//! the last day of shorter months, without drift.

use chrono::{Months, NaiveDate};

use crate::domain::calendar::DateRange;

/// B1: the first day of cycle `n` (n = 0 is the activation day): the n-th month after
/// activation on the anchor day, clamped to the month's last day. Computed from the activation
/// date each time, so a clamp never carries over (31 → Feb 29 → Mar 31).
pub fn cycle_start(activation: NaiveDate, n: u32) -> Option<NaiveDate> {
    activation.checked_add_months(Months::new(n))
}

/// B1: cycle `n`: from its start to the day before cycle `n + 1` starts.
pub fn cycle(activation: NaiveDate, n: u32) -> Option<DateRange> {
    let start = cycle_start(activation, n)?;
    let next = cycle_start(activation, n.checked_add(1)?)?;
    DateRange::new(start, next.pred_opt()?)
}

/// B1: the index and range of the cycle that contains `day`; `None` before activation.
pub fn cycle_containing(activation: NaiveDate, day: NaiveDate) -> Option<(u32, DateRange)> {
    if day < activation {
        return None;
    }
    // Months between the two dates is an estimate at most one too high.
    let months = chrono::Datelike::year(&day) * 12 + chrono::Datelike::month0(&day) as i32
        - (chrono::Datelike::year(&activation) * 12 + chrono::Datelike::month0(&activation) as i32);
    let mut n = u32::try_from(months).ok()?;
    loop {
        let range = cycle(activation, n)?;
        if range.contains(day) {
            return Some((n, range));
        }
        n = n.checked_sub(1)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::d;

    #[test]
    fn seed_example() {
        let a = d(2024, 6, 28);
        assert_eq!(cycle(a, 0), DateRange::new(d(2024, 6, 28), d(2024, 7, 27)));
        assert_eq!(cycle(a, 1), DateRange::new(d(2024, 7, 28), d(2024, 8, 27)));
    }

    #[test]
    fn month_end_anchors_never_drift() {
        // (activation, n, expected start)
        let table = [
            (d(2024, 1, 31), 1, d(2024, 2, 29)),
            (d(2024, 1, 31), 2, d(2024, 3, 31)),
            (d(2024, 1, 31), 3, d(2024, 4, 30)),
            (d(2024, 1, 31), 4, d(2024, 5, 31)),
            (d(2023, 1, 31), 1, d(2023, 2, 28)),
            (d(2023, 1, 31), 2, d(2023, 3, 31)),
            (d(2024, 1, 30), 1, d(2024, 2, 29)),
            (d(2023, 1, 30), 1, d(2023, 2, 28)),
            (d(2024, 1, 29), 1, d(2024, 2, 29)),
            (d(2023, 1, 29), 1, d(2023, 2, 28)),
            (d(2023, 1, 29), 2, d(2023, 3, 29)),
            (d(2024, 1, 28), 1, d(2024, 2, 28)),
            (d(2024, 2, 29), 12, d(2025, 2, 28)),
            (d(2024, 2, 29), 48, d(2028, 2, 29)),
            (d(2024, 8, 31), 1, d(2024, 9, 30)),
            (d(2024, 8, 31), 2, d(2024, 10, 31)),
        ];
        for (activation, n, start) in table {
            assert_eq!(
                cycle_start(activation, n),
                Some(start),
                "{activation} cycle {n}"
            );
        }
        // The cycle before a clamped start ends the day before it.
        assert_eq!(
            cycle(d(2024, 1, 31), 0),
            DateRange::new(d(2024, 1, 31), d(2024, 2, 28))
        );
        assert_eq!(
            cycle(d(2023, 1, 31), 1),
            DateRange::new(d(2023, 2, 28), d(2023, 3, 30))
        );
    }

    #[test]
    fn finds_the_cycle_of_a_day() {
        let a = d(2024, 6, 28);
        assert_eq!(cycle_containing(a, d(2024, 6, 27)), None);
        assert_eq!(cycle_containing(a, d(2024, 6, 28)).map(|c| c.0), Some(0));
        assert_eq!(cycle_containing(a, d(2024, 7, 27)).map(|c| c.0), Some(0));
        assert_eq!(cycle_containing(a, d(2024, 7, 28)).map(|c| c.0), Some(1));
        assert_eq!(cycle_containing(a, d(2024, 8, 20)).map(|c| c.0), Some(1));
        let b = d(2024, 1, 31);
        assert_eq!(cycle_containing(b, d(2024, 2, 28)).map(|c| c.0), Some(0));
        assert_eq!(cycle_containing(b, d(2024, 2, 29)).map(|c| c.0), Some(1));
        assert_eq!(cycle_containing(b, d(2024, 3, 30)).map(|c| c.0), Some(1));
        assert_eq!(cycle_containing(b, d(2024, 3, 31)).map(|c| c.0), Some(2));
    }
}
