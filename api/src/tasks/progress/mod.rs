//! Where a task stands: its status follows from its reports and deadlines, its warning level from
//! how close or past a due date its open obligations are. Completion (办结) and cancellation are
//! the bureau's decisions; everything else is derived. `refresh` stores what is derived here.
//!
//! Rules:
//! - NOT_STARTED until some owing unit has submitted a report; IN_PROGRESS after; DELAYED while
//!   an obligation is overdue (its due day has ended with nothing submitted, or a returned report
//!   was not resubmitted in time) or the task's own deadline has passed. COMPLETED and CANCELLED
//!   are set only by the bureau (`tasks::decisions`) and stay until it reopens the task.
//! - The stored status is refreshed in the transaction of every change that can move it (a
//!   submission, a review, an extension decision, a reopening, a period moved, a task created
//!   or its deadline or units changed, a re-import) and by the deadline job, which
//!   catches the passing of time. A derived change does not bump the task's `version`: it is not
//!   an edit, and must not make a clerk's concurrent edit fail.
//! - The warning level is computed on read, so it is always current: RED when an open obligation
//!   (nothing submitted, or returned) is more than `red_days` past its due day, or the task's
//!   deadline has passed; YELLOW when one is due within `yellow_days`; GREEN otherwise, and for
//!   closed tasks.

mod refresh;

pub use refresh::{refresh, refresh_document, refreshed, restatus, restatus_read, sweep};

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::TaskStatus;
use entity::tasks;
use sea_orm::ConnectionTrait;

use crate::error::AppResult;
use crate::obligations::{self, ObligationState};

pub use crate::deadline::Thresholds;

/// How urgently a task needs attention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, async_graphql::Enum)]
pub enum WarningLevel {
    /// Nothing open is near its due date.
    Green,
    /// An open obligation is due soon.
    Yellow,
    /// An open obligation or the task's deadline has passed.
    Red,
}

/// What the derivation reads of one obligation.
#[derive(Debug, Clone, Copy)]
pub struct ObligationFacts {
    pub state: ObligationState,
    pub due_on: NaiveDate,
}

fn is_open(state: ObligationState) -> bool {
    matches!(
        state,
        ObligationState::NotStarted
            | ObligationState::Draft
            | ObligationState::Returned
            | ObligationState::Overdue
    )
}

pub(crate) fn is_closed(status: TaskStatus) -> bool {
    matches!(status, TaskStatus::Completed | TaskStatus::Cancelled)
}

/// The status a task has now, from its stored status, deadline and obligations.
pub fn derive_status(
    task: &tasks::Model,
    obligations: &[ObligationFacts],
    today: NaiveDate,
) -> TaskStatus {
    if is_closed(task.status) {
        return task.status;
    }
    let overdue = obligations
        .iter()
        .any(|o| is_open(o.state) && today > o.due_on);
    if overdue || task.deadline.is_some_and(|d| today > d) {
        return TaskStatus::Delayed;
    }
    let reported = obligations.iter().any(|o| {
        matches!(
            o.state,
            ObligationState::Submitted
                | ObligationState::Late
                | ObligationState::Returned
                | ObligationState::Accepted
        )
    });
    if reported {
        TaskStatus::InProgress
    } else {
        TaskStatus::NotStarted
    }
}

/// The warning level of a task now, from its obligations.
pub fn warning_level(
    task: &tasks::Model,
    obligations: &[ObligationFacts],
    today: NaiveDate,
    thresholds: Thresholds,
) -> WarningLevel {
    warning_level_by(task, earliest_open(obligations), today, thresholds)
}

/// The earliest due date among obligations still open: the one that decides the warning level
/// (the level only rises as a due date comes closer, so the earliest is the most pressing).
/// What the triggers of migration 32 keep in `tasks.earliest_open_due`.
pub fn earliest_open(obligations: &[ObligationFacts]) -> Option<NaiveDate> {
    obligations
        .iter()
        .filter(|o| is_open(o.state))
        .map(|o| o.due_on)
        .min()
}

/// The warning level of a task now, from the earliest due date of its open obligations (the
/// stored `tasks.earliest_open_due`, or `earliest_open`) and its own deadline.
pub fn warning_level_by(
    task: &tasks::Model,
    earliest_open_due: Option<NaiveDate>,
    today: NaiveDate,
    thresholds: Thresholds,
) -> WarningLevel {
    if is_closed(task.status) {
        return WarningLevel::Green;
    }
    let due_dates = earliest_open_due
        .map(|d| (d, thresholds.red_days))
        // The task's own deadline is passed as soon as its day ends.
        .into_iter()
        .chain(task.deadline.map(|d| (d, 0)));
    let mut level = WarningLevel::Green;
    for (due_on, red_days) in due_dates {
        let days_left = (due_on - today).num_days();
        let this = if -days_left > red_days {
            WarningLevel::Red
        } else if days_left <= thresholds.yellow_days {
            WarningLevel::Yellow
        } else {
            WarningLevel::Green
        };
        level = level.max(this);
    }
    level
}

/// The percent a task is expected to have reached by `today` (序时进度): a straight line from
/// the document's issue date (0%) to the task's deadline (100%). `None` without either, or when
/// the deadline is not after the issue date. `task_query::behind_schedule` applies the same
/// rule in SQL: change both together.
pub fn expected_percent(
    issued_on: Option<NaiveDate>,
    deadline: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<f64> {
    let (issued, deadline) = (issued_on?, deadline?);
    let total = (deadline - issued).num_days();
    if total <= 0 {
        return None;
    }
    let elapsed = (today - issued).num_days().clamp(0, total);
    #[allow(clippy::cast_precision_loss)]
    Some(100.0 * elapsed as f64 / total as f64)
}

/// Whether an open task's percent complete is more than `margin` points below what is
/// expected by now.
pub fn behind_schedule(task: &tasks::Model, expected: Option<f64>, margin: i64) -> bool {
    #[allow(clippy::cast_precision_loss)]
    let reached = (task.percent as f64) + margin as f64;
    !is_closed(task.status) && expected.is_some_and(|e| reached < e)
}

/// The obligations of each of `tasks`, keyed by task id (tasks with none are absent), from the
/// stored rows: one statement.
pub async fn facts_of(
    db: &impl ConnectionTrait,
    tasks: &[tasks::Model],
    now: DateTime<Utc>,
) -> AppResult<HashMap<i64, Vec<ObligationFacts>>> {
    let ids: Vec<i64> = tasks.iter().map(|t| t.id).collect();
    facts_of_ids(db, &ids, now).await
}

/// The obligations of the tasks with these ids, keyed by task id. Only the stored obligations
/// are read: they carry their task, so the tasks themselves are not (a task by id with its
/// warning level was four statements, one of them this task read again).
pub async fn facts_of_ids(
    db: &impl ConnectionTrait,
    ids: &[i64],
    now: DateTime<Utc>,
) -> AppResult<HashMap<i64, Vec<ObligationFacts>>> {
    let today = crate::deadline::today_in_china(now);
    let mut by_task: HashMap<i64, Vec<ObligationFacts>> = HashMap::new();
    for row in obligations::store::of_task_ids(db, ids, None).await? {
        by_task
            .entry(row.task_id)
            .or_default()
            .push(ObligationFacts {
                state: obligations::store::state_of(&row, today),
                due_on: row.due_on,
            });
    }
    Ok(by_task)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(status: TaskStatus, deadline: Option<NaiveDate>) -> tasks::Model {
        let at = DateTime::<Utc>::UNIX_EPOCH;
        tasks::Model {
            id: 1,
            document_id: 1,
            category_id: None,
            parent_task_id: None,
            seq: "1".into(),
            sort_order: 1,
            text: "事项".into(),
            deadline,
            deadline_as_written: None,
            status,
            percent: 0,
            version: 1,
            external_id: None,
            completed_at: None,
            deleted_at: None,
            created_at: at,
            updated_at: at,
        }
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 3, d).unwrap()
    }

    fn facts(state: ObligationState, due: u32) -> ObligationFacts {
        ObligationFacts {
            state,
            due_on: day(due),
        }
    }

    #[test]
    fn status_follows_reports_and_deadlines() {
        use ObligationState::*;
        let open = task(TaskStatus::NotStarted, None);
        assert_eq!(derive_status(&open, &[], day(10)), TaskStatus::NotStarted);
        assert_eq!(
            derive_status(&open, &[facts(NotStarted, 20)], day(10)),
            TaskStatus::NotStarted
        );
        assert_eq!(
            derive_status(
                &open,
                &[facts(Submitted, 20), facts(NotStarted, 25)],
                day(10)
            ),
            TaskStatus::InProgress
        );
        assert_eq!(
            derive_status(&open, &[facts(Accepted, 5), facts(Overdue, 9)], day(10)),
            TaskStatus::Delayed
        );
        // A returned report past its due day delays the task until it is resubmitted.
        assert_eq!(
            derive_status(&open, &[facts(Returned, 9)], day(10)),
            TaskStatus::Delayed
        );
        // A late submission is in, so the task moves on.
        assert_eq!(
            derive_status(&open, &[facts(Late, 9)], day(10)),
            TaskStatus::InProgress
        );
        let past_deadline = task(TaskStatus::InProgress, Some(day(9)));
        assert_eq!(
            derive_status(&past_deadline, &[], day(10)),
            TaskStatus::Delayed
        );
        let done = task(TaskStatus::Completed, Some(day(1)));
        assert_eq!(
            derive_status(&done, &[facts(Overdue, 2)], day(10)),
            TaskStatus::Completed
        );
    }

    #[test]
    fn the_expected_percent_is_a_straight_line_from_issue_to_deadline() {
        let d = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        // 22 February to 30 June is 128 days; 1 May is day 68.
        let e = expected_percent(Some(d(2, 22)), Some(d(6, 30)), d(5, 1)).unwrap();
        assert!((e - 53.125).abs() < 1e-9, "{e}");
        assert_eq!(
            expected_percent(Some(d(2, 22)), Some(d(6, 30)), d(1, 1)),
            Some(0.0)
        );
        assert_eq!(
            expected_percent(Some(d(2, 22)), Some(d(6, 30)), d(9, 1)),
            Some(100.0)
        );
        assert_eq!(expected_percent(None, Some(d(6, 30)), d(5, 1)), None);
        assert_eq!(
            expected_percent(Some(d(6, 30)), Some(d(6, 30)), d(5, 1)),
            None
        );
        let mut t = task(TaskStatus::InProgress, Some(d(6, 30)));
        t.percent = 44;
        assert!(
            !behind_schedule(&t, Some(53.125), 10),
            "44 + 10 is not below 53.125"
        );
        t.percent = 43;
        assert!(behind_schedule(&t, Some(53.125), 10));
        t.status = TaskStatus::Completed;
        assert!(
            !behind_schedule(&t, Some(53.125), 10),
            "a closed task is never behind"
        );
    }

    #[test]
    fn warning_levels_use_the_thresholds() {
        use ObligationState::*;
        let open = task(TaskStatus::InProgress, None);
        let default = Thresholds::default();
        let level = |facts: &[ObligationFacts], today: u32, t: Thresholds| {
            warning_level(&open, facts, day(today), t)
        };
        assert_eq!(level(&[], 10, default), WarningLevel::Green);
        assert_eq!(
            level(&[facts(NotStarted, 14)], 10, default),
            WarningLevel::Green
        );
        assert_eq!(
            level(&[facts(NotStarted, 13)], 10, default),
            WarningLevel::Yellow
        );
        assert_eq!(
            level(&[facts(Draft, 10)], 10, default),
            WarningLevel::Yellow
        );
        assert_eq!(level(&[facts(Overdue, 9)], 10, default), WarningLevel::Red);
        // Submitted obligations are not open, however near their date.
        assert_eq!(
            level(&[facts(Submitted, 10)], 10, default),
            WarningLevel::Green
        );
        assert_eq!(
            level(&[facts(Returned, 11), facts(Overdue, 5)], 10, default),
            WarningLevel::Red
        );
        let lenient = Thresholds {
            yellow_days: 7,
            red_days: 2,
            ..Thresholds::default()
        };
        assert_eq!(
            level(&[facts(NotStarted, 17)], 10, lenient),
            WarningLevel::Yellow
        );
        assert_eq!(
            level(&[facts(Overdue, 8)], 10, lenient),
            WarningLevel::Yellow
        );
        assert_eq!(level(&[facts(Overdue, 7)], 10, lenient), WarningLevel::Red);
        let closed = task(TaskStatus::Completed, None);
        assert_eq!(
            warning_level(&closed, &[facts(Overdue, 1)], day(10), default),
            WarningLevel::Green
        );
        let deadline = task(TaskStatus::InProgress, Some(day(12)));
        assert_eq!(
            warning_level(&deadline, &[], day(10), default),
            WarningLevel::Yellow
        );
        assert_eq!(
            warning_level(&deadline, &[], day(13), default),
            WarningLevel::Red
        );
    }
}
