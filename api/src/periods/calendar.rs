//! The calendar of a schedule: which periods it produces for a year, with their labels
//! (`2024-Q1`, `2022-03`, `节点1`) and due dates. Pure: no database, no clock.

use chrono::{Datelike, NaiveDate};

use crate::documents::schedule::{ReportingSchedule, ScheduleKind};

/// The periods a schedule produces for a year: (label, starts on, due on).
pub fn periods_of(
    schedule: &ReportingSchedule,
    year: i32,
) -> Vec<(String, Option<NaiveDate>, NaiveDate)> {
    match schedule.kind {
        ScheduleKind::Monthly => {
            let day = schedule.day_of_month.unwrap_or(28);
            let mut periods: Vec<_> = (1..=12)
                .filter_map(|month| {
                    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
                    // The month the report is due in: this one, or the next for a rule that
                    // reports the previous month.
                    let due_month = if schedule.previous_month {
                        first.checked_add_months(chrono::Months::new(1))?
                    } else {
                        first
                    };
                    // "By the 31st" in a 30-day month means its last day.
                    let last = due_month
                        .checked_add_months(chrono::Months::new(1))?
                        .pred_opt()?;
                    let due = due_month.with_day(day.clamp(1, last.day()))?;
                    Some((format!("{year}-{month:02}"), Some(first), due))
                })
                .collect();
            // Summary reports besides the months: 半年总结 and 全年总结 (a second one in the
            // same half is told apart by its date).
            for due in &schedule.dates {
                let label = match due.month() {
                    6 | 7 => format!("{}-半年总结", due.year()),
                    12 | 1 => format!("{}-全年总结", due.year()),
                    _ => format!("{}-总结{}", due.year(), due.format("%m%d")),
                };
                let label = if periods.iter().any(|(l, _, _)| *l == label) {
                    format!("{}-总结{}", due.year(), due.format("%m%d"))
                } else {
                    label
                };
                if !periods.iter().any(|(l, _, _)| *l == label) {
                    periods.push((label, None, *due));
                }
            }
            periods.sort_by_key(|(_, _, due)| *due);
            periods
        }
        ScheduleKind::Quarterly => schedule
            .dates
            .iter()
            .map(|due| {
                let quarter = (due.month() - 1) / 3 + 1;
                let first = NaiveDate::from_ymd_opt(due.year(), (quarter - 1) * 3 + 1, 1);
                (format!("{}-Q{quarter}", due.year()), first, *due)
            })
            .collect(),
        ScheduleKind::Dates | ScheduleKind::Once => schedule
            .dates
            .iter()
            .enumerate()
            .map(|(i, due)| (format!("节点{}", i + 1), None, *due))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn schedules_produce_labelled_periods() {
        let monthly = ReportingSchedule {
            kind: ScheduleKind::Monthly,
            previous_month: false,
            day_of_month: Some(31),
            dates: vec![],
            as_written: None,
        };
        let periods = periods_of(&monthly, 2022);
        assert_eq!(periods.len(), 12);
        assert_eq!(
            periods[1],
            (
                "2022-02".to_owned(),
                Some(date(2022, 2, 1)),
                date(2022, 2, 28)
            )
        );
        assert_eq!(periods[3].2, date(2022, 4, 30));

        // `每月5日前报送上月进展，6月30日前报送半年总结、12月20日前报送全年总结`.
        let previous = ReportingSchedule {
            kind: ScheduleKind::Monthly,
            previous_month: true,
            day_of_month: Some(5),
            dates: vec![date(2025, 6, 30), date(2025, 12, 20)],
            as_written: None,
        };
        let periods = periods_of(&previous, 2025);
        assert_eq!(periods.len(), 14);
        assert_eq!(
            periods[0],
            (
                "2025-01".to_owned(),
                Some(date(2025, 1, 1)),
                date(2025, 2, 5)
            )
        );
        assert_eq!(
            periods[13],
            (
                "2025-12".to_owned(),
                Some(date(2025, 12, 1)),
                date(2026, 1, 5)
            )
        );
        assert!(
            periods
                .iter()
                .any(|p| p.0 == "2025-半年总结" && p.2 == date(2025, 6, 30))
        );

        let quarterly = ReportingSchedule {
            kind: ScheduleKind::Quarterly,
            previous_month: false,
            day_of_month: None,
            dates: vec![
                date(2024, 3, 28),
                date(2024, 6, 28),
                date(2024, 9, 28),
                date(2024, 12, 28),
            ],
            as_written: None,
        };
        let labels: Vec<String> = periods_of(&quarterly, 2024)
            .into_iter()
            .map(|p| p.0)
            .collect();
        assert_eq!(labels, ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]);

        let nodes = ReportingSchedule {
            kind: ScheduleKind::Dates,
            previous_month: false,
            day_of_month: None,
            dates: vec![date(2023, 8, 31), date(2023, 9, 30)],
            as_written: None,
        };
        assert_eq!(periods_of(&nodes, 2023)[1].0, "节点2");
    }

    #[test]
    fn two_summaries_in_one_half_get_labels_of_their_own() {
        let schedule = ReportingSchedule {
            kind: ScheduleKind::Monthly,
            previous_month: false,
            day_of_month: Some(25),
            dates: vec![date(2025, 6, 30), date(2025, 7, 10)],
            as_written: None,
        };
        let labels: Vec<String> = periods_of(&schedule, 2025)
            .into_iter()
            .map(|p| p.0)
            .collect();
        let mut unique = labels.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), labels.len(), "{labels:?}");
        assert!(labels.contains(&"2025-总结0710".to_owned()));
    }
}
