//! Deadlines. A due date is a calendar date in China Standard Time: "by the 28th" means until the
//! end of the 28th in Beijing, whatever the server's own time zone. China has kept UTC+8 without
//! daylight saving since 1991, so a fixed offset is exact.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};

/// China Standard Time.
pub fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// The first instant after `date` ends in China: a submission at or after it is late.
pub fn due_end(date: NaiveDate) -> DateTime<Utc> {
    let next_midnight = date
        .succ_opt()
        .unwrap_or(date)
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_local_timezone(china())
        .single()
        .expect("a fixed offset has no gaps");
    next_midnight.with_timezone(&Utc)
}

/// Today's date in China at `now`.
pub fn today_in_china(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&china()).date_naive()
}

/// How late something done at `at` is for `date`, if it is late at all.
pub fn lateness(date: NaiveDate, at: DateTime<Utc>) -> Option<Duration> {
    let end = due_end(date);
    (at >= end).then(|| at - end)
}

/// The thresholds of the warning level, from configuration.
#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    /// YELLOW when an open obligation is due within this many days (today counts as 0).
    pub yellow_days: i64,
    /// RED when an open obligation is more than this many days past its due day (0: as soon as
    /// the due day has ended).
    pub red_days: i64,
    /// A task is behind schedule (序时进度) when its percent complete is more than this many
    /// points below the percent expected by today.
    pub schedule_margin: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            yellow_days: 3,
            red_days: 0,
            schedule_margin: 10,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn the_28th_ends_at_midnight_in_beijing() {
        let date = NaiveDate::from_ymd_opt(2024, 3, 28).unwrap();
        assert_eq!(
            due_end(date),
            Utc.with_ymd_and_hms(2024, 3, 28, 16, 0, 0).unwrap()
        );
        let just_in_time = Utc.with_ymd_and_hms(2024, 3, 28, 15, 59, 59).unwrap();
        assert_eq!(lateness(date, just_in_time), None);
        let late = Utc.with_ymd_and_hms(2024, 3, 28, 17, 0, 0).unwrap();
        assert_eq!(lateness(date, late), Some(Duration::hours(1)));
        // 23:30 UTC on the 27th is already the 28th in Beijing.
        assert_eq!(
            today_in_china(Utc.with_ymd_and_hms(2024, 3, 27, 23, 30, 0).unwrap()),
            date
        );
    }
}
