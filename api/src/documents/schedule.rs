//! A document's reporting schedule, as stated in its body: monthly by a day (每月28日前),
//! quarterly dates (3月28日、6月28日…), a list of dates (8月底、9月底…) or a single deadline.
//! Stored as JSON in `documents.schedule`; reporting periods are generated from it later.

use async_graphql::Enum;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};

/// How often progress is due.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ScheduleKind {
    /// Every month by `dayOfMonth`.
    Monthly,
    /// On the listed quarterly dates.
    Quarterly,
    /// On the listed dates (节点).
    Dates,
    /// Once, by the single listed date.
    Once,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportingSchedule {
    pub kind: ScheduleKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day_of_month: Option<u32>,
    #[serde(default)]
    pub dates: Vec<NaiveDate>,
    /// For MONTHLY: the report due in a month is the previous month's (`每月5日前报送上月进展`),
    /// so the period of March is due on the day in April.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub previous_month: bool,
    /// The sentence of the document that states the rule, kept beside what was derived from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_written: Option<String>,
}

impl ReportingSchedule {
    /// Checks that the fields fit the kind; sorts and de-duplicates the dates.
    pub fn validated(mut self) -> AppResult<Self> {
        self.dates.sort_unstable();
        self.dates.dedup();
        match self.kind {
            // A monthly rule may list summary dates besides (半年总结, 全年总结).
            ScheduleKind::Monthly => match self.day_of_month {
                Some(1..=31) => {}
                _ => {
                    return Err(AppError::bad_field(
                        "schedule.dayOfMonth",
                        "MONTHLY needs a day between 1 and 31",
                    ));
                }
            },
            ScheduleKind::Quarterly | ScheduleKind::Dates => {
                if self.dates.is_empty() {
                    return Err(AppError::bad_field(
                        "schedule.dates",
                        "must list at least one date",
                    ));
                }
            }
            ScheduleKind::Once => {
                if self.dates.len() != 1 {
                    return Err(AppError::bad_field(
                        "schedule.dates",
                        "ONCE needs exactly one date",
                    ));
                }
            }
        }
        if self.kind != ScheduleKind::Monthly && self.previous_month {
            return Err(AppError::bad_field(
                "schedule.previousMonth",
                "is only for MONTHLY",
            ));
        }
        if self.kind != ScheduleKind::Monthly && self.day_of_month.is_some() {
            return Err(AppError::bad_field(
                "schedule.dayOfMonth",
                "is only for MONTHLY",
            ));
        }
        Ok(self)
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// Reads a stored schedule; a value that no longer parses is treated as absent.
    pub fn from_json(value: &serde_json::Value) -> Option<Self> {
        serde_json::from_value(value.clone()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, m, d).unwrap()
    }

    #[test]
    fn schedules_must_fit_their_kind() {
        let monthly = ReportingSchedule {
            kind: ScheduleKind::Monthly,
            previous_month: false,
            day_of_month: Some(28),
            dates: vec![],
            as_written: Some("每月28日前".to_owned()),
        };
        assert!(monthly.clone().validated().is_ok());
        let json = monthly.to_json();
        assert_eq!(ReportingSchedule::from_json(&json), Some(monthly.clone()));
        assert!(
            ReportingSchedule {
                day_of_month: None,
                ..monthly.clone()
            }
            .validated()
            .is_err()
        );
        assert!(
            ReportingSchedule {
                day_of_month: Some(0),
                ..monthly.clone()
            }
            .validated()
            .is_err()
        );
        // A monthly rule may list summary dates besides (半年总结, 全年总结).
        assert!(
            ReportingSchedule {
                dates: vec![date(6, 30)],
                ..monthly
            }
            .validated()
            .is_ok()
        );

        let quarterly = ReportingSchedule {
            kind: ScheduleKind::Quarterly,
            previous_month: false,
            day_of_month: None,
            dates: vec![
                date(9, 28),
                date(3, 28),
                date(6, 28),
                date(3, 28),
                date(12, 28),
            ],
            as_written: None,
        }
        .validated()
        .unwrap();
        assert_eq!(
            quarterly.dates,
            vec![date(3, 28), date(6, 28), date(9, 28), date(12, 28)]
        );

        let once = ReportingSchedule {
            kind: ScheduleKind::Once,
            previous_month: false,
            day_of_month: None,
            dates: vec![date(3, 28), date(4, 1)],
            as_written: None,
        };
        assert!(once.validated().is_err());
    }
}
