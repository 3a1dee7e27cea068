//! Working days (工作日). Notices count their windows in working days ("2个工作日内签收"): Monday
//! to Friday, except the holidays the State Council moves onto weekdays and the weekend days it
//! makes up as working days, which the bureau records (`calendar_days`, `setCalendarDays`).
//! Pure: the exceptions are read by the caller.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};

/// A working week of Monday to Friday with recorded exceptions.
#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    /// Days whose status differs from their weekday's: `false` a holiday, `true` a working day.
    exceptions: BTreeMap<NaiveDate, bool>,
}

impl WorkCalendar {
    pub fn new(exceptions: impl IntoIterator<Item = (NaiveDate, bool)>) -> Self {
        Self {
            exceptions: exceptions.into_iter().collect(),
        }
    }

    /// Whether `day` is a working day.
    pub fn is_working(&self, day: NaiveDate) -> bool {
        self.exceptions
            .get(&day)
            .copied()
            .unwrap_or(!matches!(day.weekday(), Weekday::Sat | Weekday::Sun))
    }

    /// The last day of a window of `n` working days that starts the day after `from` (the day
    /// a task arrives does not count, as in "收到后2个工作日内"). `n = 0`: `from` itself.
    ///
    /// Terminates for any calendar: only finitely many days are exceptions, and every week past
    /// them has five working days.
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> NaiveDate {
        let mut day = from;
        let mut left = n;
        while left > 0 {
            let Some(next) = day.succ_opt() else {
                return day;
            };
            day = next;
            if self.is_working(day) {
                left -= 1;
            }
        }
        day
    }

    /// The day `n` working days before `to`, counted back from the day before it ("提前5个工作日
    /// 函告牵头单位": due by the fifth working day before the lead's date). `n = 0`: `to`.
    pub fn sub_working_days(&self, to: NaiveDate, n: u32) -> NaiveDate {
        let mut day = to;
        let mut left = n;
        while left > 0 {
            let Some(previous) = day.pred_opt() else {
                return day;
            };
            day = previous;
            if self.is_working(day) {
                left -= 1;
            }
        }
        day
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn weekends_are_skipped() {
        let week = WorkCalendar::default();
        // Assigned on a Thursday: Friday and Monday are the two working days.
        assert_eq!(week.add_working_days(d(2026, 3, 5), 2), d(2026, 3, 9));
        // Assigned on a Sunday: Monday and Tuesday.
        assert_eq!(week.add_working_days(d(2026, 3, 1), 2), d(2026, 3, 3));
        assert_eq!(week.add_working_days(d(2026, 3, 1), 0), d(2026, 3, 1));
    }

    #[test]
    fn holidays_and_make_up_days_count_as_recorded() {
        // A National Day week: 1–7 October off, Saturday the 10th worked.
        let calendar = WorkCalendar::new(
            (1..=7)
                .map(|day| (d(2026, 10, day), false))
                .chain([(d(2026, 10, 10), true)]),
        );
        // Assigned on 30 September: the 8th (Thursday) and 9th (Friday).
        assert_eq!(calendar.add_working_days(d(2026, 9, 30), 2), d(2026, 10, 9));
        // Three days: the make-up Saturday is the third.
        assert_eq!(
            calendar.add_working_days(d(2026, 9, 30), 3),
            d(2026, 10, 10)
        );
        assert!(!calendar.is_working(d(2026, 10, 5)));
        assert!(calendar.is_working(d(2026, 10, 10)));
    }

    #[test]
    fn counting_back_skips_weekends() {
        let week = WorkCalendar::default();
        // Five working days before Saturday 28 March 2026: 27, 26, 25, 24, 23 March.
        assert_eq!(week.sub_working_days(d(2026, 3, 28), 5), d(2026, 3, 23));
        // Before a Monday: the Friday.
        assert_eq!(week.sub_working_days(d(2026, 3, 30), 1), d(2026, 3, 27));
    }

    proptest! {
        /// Counting back lands on a working day with exactly `n` working days from it to the
        /// day before `to`.
        #[test]
        fn counting_back_holds_exactly_n_working_days(
            start in 0i64..3650,
            n in 0u32..40,
        ) {
            let calendar = WorkCalendar::default();
            let to = d(2024, 1, 1) + chrono::Days::new(start as u64);
            let from = calendar.sub_working_days(to, n);
            let counted = from
                .iter_days()
                .take_while(|day| *day < to)
                .filter(|day| calendar.is_working(*day))
                .count();
            prop_assert_eq!(counted, n as usize);
        }

        /// The window ends on a working day, after exactly `n` working days.
        #[test]
        fn the_window_holds_exactly_n_working_days(
            start in 0i64..3650,
            n in 0u32..40,
            off in proptest::collection::vec((0i64..3700, any::<bool>()), 0..60),
        ) {
            let base = d(2024, 1, 1);
            let calendar = WorkCalendar::new(
                off.into_iter().map(|(offset, working)| (base + chrono::Days::new(offset as u64), working)),
            );
            let from = base + chrono::Days::new(start as u64);
            let end = calendar.add_working_days(from, n);
            let counted = from
                .iter_days()
                .skip(1)
                .take_while(|day| *day <= end)
                .filter(|day| calendar.is_working(*day))
                .count();
            prop_assert_eq!(counted, n as usize);
            prop_assert!(n == 0 || calendar.is_working(end));
        }
    }
}
