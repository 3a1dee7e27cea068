//! Counting reporting obligations and task statuses.

use chrono::{DateTime, Utc};
use entity::enums::{ReportState, TaskStatus};
use sea_orm::sea_query::{Alias, Expr, Func, SimpleExpr};
use sea_orm::{ConnectionTrait, QuerySelect};

use crate::auth::Principal;
use crate::deadline::today_in_china;
use crate::error::AppResult;
use crate::obligations::ObligationFilter;

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

/// The figures of the obligations `actor` may see that match `filter`, at `now`: two aggregate
/// statements over the stored obligations, whatever their number.
pub async fn reporting(
    actor: &Principal,
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    filter: ObligationFilter,
    basis: DueDateBasis,
) -> AppResult<Figures> {
    use entity::{obligations, tasks};
    use obligations::Column as O;

    let today = today_in_china(now);
    let deadline = match basis {
        DueDateBasis::Current => O::DueOn,
        DueDateBasis::Original => O::OriginalDueOn,
    };
    // A report came in on time when its first version was submitted by the end of the due day
    // in China (`deadline::lateness`): the day of the first submission against the due date.
    let first = Expr::col((obligations::Entity, O::FirstSubmittedOn));
    let due = Expr::col((obligations::Entity, deadline)).lt(today);
    let state = |s: ReportState| Expr::col((obligations::Entity, O::ReportState)).eq(s);
    let query = crate::obligations::list::visible(actor, db, &filter, today).await?;
    let counts: Option<Counts> = query
        .clone()
        .select_only()
        .column_as(
            Expr::col((obligations::Entity, O::Id)).count(),
            "obligations",
        )
        .column_as(count_if(due.clone()), "due")
        .column_as(
            count_if(
                first
                    .clone()
                    .lte(Expr::col((obligations::Entity, deadline))),
            ),
            "on_time",
        )
        .column_as(
            count_if(first.clone().gt(Expr::col((obligations::Entity, deadline)))),
            "late",
        )
        .column_as(count_if(first.is_null().and(due)), "missing")
        .column_as(count_if(state(ReportState::Submitted)), "awaiting_review")
        .column_as(count_if(state(ReportState::Returned)), "returned")
        .column_as(count_if(state(ReportState::Accepted)), "accepted")
        .into_model()
        .one(db)
        .await?;
    let Counts {
        obligations,
        due,
        on_time,
        late,
        missing,
        awaiting_review,
        returned,
        accepted,
    } = counts.unwrap_or_default();
    let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
    let by_status: Vec<(TaskStatus, i64)> = query
        .select_only()
        .column(tasks::Column::Status)
        .column_as(
            SimpleExpr::from(Func::count_distinct(Expr::col((
                obligations::Entity,
                O::TaskId,
            )))),
            "tasks",
        )
        .group_by(tasks::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    let mut tasks_by_status: Vec<(TaskStatus, u32)> = by_status
        .into_iter()
        .map(|(status, n)| (status, count(n)))
        .collect();
    tasks_by_status.sort_by_key(|(status, _)| format!("{status:?}"));
    Ok(Figures {
        obligations: count(obligations),
        due: count(due),
        on_time: count(on_time),
        late: count(late),
        missing: count(missing),
        awaiting_review: count(awaiting_review),
        returned: count(returned),
        accepted: count(accepted),
        tasks_by_status,
    })
}

/// One row of `reporting`'s aggregate statement.
#[derive(Debug, Default, sea_orm::FromQueryResult)]
struct Counts {
    obligations: i64,
    due: i64,
    on_time: i64,
    late: i64,
    missing: i64,
    awaiting_review: i64,
    returned: i64,
    accepted: i64,
}

/// `COALESCE(SUM(CASE WHEN condition THEN 1 ELSE 0 END), 0)`: how many rows meet `condition`,
/// as a 64-bit integer on both backends.
fn count_if(condition: SimpleExpr) -> SimpleExpr {
    let sum = Func::sum(Expr::case(condition, 1).finally(0));
    SimpleExpr::from(Func::coalesce([sum.into(), Expr::val(0_i64).into()]))
        .cast_as(Alias::new("BIGINT"))
}
