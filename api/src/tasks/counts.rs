//! Live tasks counted as they change (migration 31): the `totalCount` of a list the counts can
//! answer is a sum over a few hundred rows instead of a count of every task it holds. At a
//! province's 100,000 tasks the bureau's first page with its total went from 9 statements and
//! a 6 ms index-only count of every task to a sum of about 250 rows.
//!
//! Triggers on `tasks` append +1 and −1 rows to `task_count_deltas` whenever a task appears,
//! goes, or changes document or status; `tallies::fold` moves them into `task_counts` (the
//! deadline job's tick, and after a bulk load). A count is the sum over both, so it is exact at
//! any moment, folded or not, and in a transaction it sees that transaction's own changes.
//!
//! The counts are of live tasks by document and status, so they answer exactly the lists whose
//! rows are every live task (`access::sees_every_live_task`) cut by document and status alone
//! (`Tallied::of`). Every other list counts its rows.
//!
//! Invariant: the counts equal `COUNT(*)` of the live tasks by document and status, folded or
//! not (`tests/api/task_counts.rs`, over random changes, on both backends; `check`).

use std::collections::HashMap;

use entity::enums::TaskStatus;
use entity::{task_count_deltas, task_counts, tasks};
use sea_orm::sea_query::{Alias, Expr, Query};
use sea_orm::{ActiveEnum, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use super::access;
use super::query::TaskFilter;
use crate::auth::Principal;
use crate::error::AppResult;

/// A list whose total the counts answer: every live task, of one document or all, in some
/// statuses or all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tallied {
    document_id: Option<i64>,
    statuses: Vec<TaskStatus>,
}

impl Tallied {
    /// The counted list `actor` sees under `filter`, when the counts answer it: an actor who
    /// sees every live task, and a filter of documents and statuses only. The filter is
    /// destructured so that a new field of it must be classed here.
    pub fn of(actor: &Principal, filter: &TaskFilter) -> Option<Self> {
        let TaskFilter {
            document_id,
            category_id,
            unit_id,
            unit_role,
            leader_id,
            statuses,
            text,
            deadline_from,
            deadline_to,
            behind_schedule,
        } = filter;
        let by_documents_and_statuses_only = category_id.is_none()
            && unit_id.is_none()
            && unit_role.is_none()
            && leader_id.is_none()
            && text.is_none()
            && deadline_from.is_none()
            && deadline_to.is_none()
            && behind_schedule.is_none();
        (access::sees_every_live_task(actor) && by_documents_and_statuses_only).then(|| Self {
            document_id: *document_id,
            statuses: statuses.clone(),
        })
    }

    /// How many live tasks the list holds: one statement, whatever the number of tasks.
    pub async fn count(&self, db: &impl ConnectionTrait) -> AppResult<u64> {
        let rows = Alias::new("rows");
        let mut statement = Query::select();
        statement
            .expr_as(
                crate::db::sum_of(Expr::col((rows.clone(), Alias::new("n"))).into()),
                Alias::new("n"),
            )
            .from_subquery(
                crate::tallies::rows(crate::tallies::TASKS, self.document_id),
                rows.clone(),
            );
        if !self.statuses.is_empty() {
            statement.and_where(
                Expr::col((rows, Alias::new("status"))).is_in(self.statuses.iter().cloned()),
            );
        }
        let backend = db.get_database_backend();
        let row = db
            .query_one(backend.build(&statement))
            .await?
            .map(|row| row.try_get::<i64>("", "n"))
            .transpose()?
            .unwrap_or(0);
        Ok(u64::try_from(row).unwrap_or(0))
    }
}

/// Where the counts differ from the live tasks: (document, status, counted, stored) for each
/// key that differs. Empty when they agree. For tests and an operator.
pub async fn check(db: &impl ConnectionTrait) -> AppResult<Vec<(i64, TaskStatus, i64, i64)>> {
    // (live, stored) by document and status.
    let mut counted: HashMap<(i64, TaskStatus), (i64, i64)> = HashMap::new();
    let live: Vec<(i64, TaskStatus, i64)> = tasks::Entity::find()
        .select_only()
        .column(tasks::Column::DocumentId)
        .column(tasks::Column::Status)
        .column_as(tasks::Column::Id.count(), "n")
        .filter(access::live())
        .group_by(tasks::Column::DocumentId)
        .group_by(tasks::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    for (document_id, status, n) in live {
        counted.entry((document_id, status)).or_default().0 += n;
    }
    let folded: Vec<(i64, TaskStatus, i64)> = task_counts::Entity::find()
        .select_only()
        .column(task_counts::Column::DocumentId)
        .column(task_counts::Column::Status)
        .column(task_counts::Column::N)
        .into_tuple()
        .all(db)
        .await?;
    let pending: Vec<(i64, TaskStatus, i64)> = task_count_deltas::Entity::find()
        .select_only()
        .column(task_count_deltas::Column::DocumentId)
        .column(task_count_deltas::Column::Status)
        .column(task_count_deltas::Column::N)
        .into_tuple()
        .all(db)
        .await?;
    for (document_id, status, n) in folded.into_iter().chain(pending) {
        counted.entry((document_id, status)).or_default().1 += n;
    }
    let mut drift: Vec<(i64, TaskStatus, i64, i64)> = counted
        .into_iter()
        .filter(|(_, (live, stored))| live != stored)
        .map(|((document_id, status), (live, stored))| (document_id, status, live, stored))
        .collect();
    drift.sort_by_key(|(document_id, status, ..)| (*document_id, status.to_value()));
    Ok(drift)
}
