//! Counting reporting obligations and task statuses.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{ReportState, TaskStatus};
use entity::report_versions;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::auth::Principal;
use crate::deadline::{lateness, today_in_china};
use crate::error::AppResult;
use crate::obligations::{self, ObligationFilter};

/// Which due date on-time figures are measured against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, async_graphql::Enum)]
pub enum DueDateBasis {
    /// The period's due date as it stands, or the unit's approved extension.
    #[default]
    Current,
    /// The date first set for the period, ignoring moves and extensions.
    Original,
}

/// The counts over a set of obligations (one unit, one task, one period each).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Figures {
    pub obligations: u32,
    /// Whose due day (by the basis) has ended.
    pub due: u32,
    /// First submitted by the end of the due day.
    pub on_time: u32,
    /// First submitted after it.
    pub late: u32,
    /// Due, and nothing submitted.
    pub missing: u32,
    pub awaiting_review: u32,
    pub returned: u32,
    pub accepted: u32,
    /// The distinct tasks of those obligations, by status.
    pub tasks_by_status: Vec<(TaskStatus, u32)>,
}

impl Figures {
    /// On-time submissions among those that were due or are in: `None` when there are none.
    pub fn on_time_rate(&self) -> Option<f64> {
        let counted = self.on_time + self.late + self.missing;
        (counted > 0).then(|| f64::from(self.on_time) / f64::from(counted))
    }
}

/// The figures of the obligations `actor` may see that match `filter`, at `now`.
pub async fn reporting(
    actor: &Principal,
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    filter: ObligationFilter,
    basis: DueDateBasis,
) -> AppResult<Figures> {
    let owed = obligations::list(actor, db, now, filter).await?;
    let report_ids: Vec<i64> = owed
        .iter()
        .filter_map(|o| o.report.as_ref().map(|r| r.id))
        .collect();
    // The first submission decides whether a report came in on time; later versions are
    // revisions the bureau asked for.
    let first_submitted: HashMap<i64, DateTime<Utc>> = crate::db::in_chunks(&report_ids, |chunk| {
        report_versions::Entity::find()
            .filter(report_versions::Column::ReportId.is_in(chunk))
            .filter(report_versions::Column::Version.eq(1))
            .all(db)
    })
    .await?
    .into_iter()
    .map(|v| (v.report_id, v.submitted_at))
    .collect();
    let today = today_in_china(now);
    let mut figures = Figures::default();
    let mut statuses: HashMap<i64, TaskStatus> = HashMap::new();
    for obligation in &owed {
        statuses.insert(obligation.task.id, obligation.task.status);
        figures.obligations += 1;
        let deadline: NaiveDate = match basis {
            DueDateBasis::Current => obligation.due_on,
            DueDateBasis::Original => obligation.period.original_due_on,
        };
        let is_due = today > deadline;
        figures.due += u32::from(is_due);
        let submitted = obligation
            .report
            .as_ref()
            .and_then(|r| first_submitted.get(&r.id));
        match submitted {
            Some(at) if lateness(deadline, *at).is_some() => figures.late += 1,
            Some(_) => figures.on_time += 1,
            None if is_due => figures.missing += 1,
            None => {}
        }
        match obligation.report.as_ref().map(|r| r.state) {
            Some(ReportState::Submitted) => figures.awaiting_review += 1,
            Some(ReportState::Returned) => figures.returned += 1,
            Some(ReportState::Accepted) => figures.accepted += 1,
            Some(ReportState::Draft) | None => {}
        }
    }
    let mut by_status: HashMap<TaskStatus, u32> = HashMap::new();
    for status in statuses.into_values() {
        *by_status.entry(status).or_default() += 1;
    }
    let mut tasks_by_status: Vec<(TaskStatus, u32)> = by_status.into_iter().collect();
    tasks_by_status.sort_by_key(|(status, _)| format!("{status:?}"));
    figures.tasks_by_status = tasks_by_status;
    Ok(figures)
}
