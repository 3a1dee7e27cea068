//! The (group, task) pairs the tasks' figures are counted over, in both shapes (`super`): the
//! distinct pairs of the rows in view, or each task's obligations counted first and joined to
//! the tasks in view.

use chrono::NaiveDate;
use entity::enums::ReportState;
use entity::{obligations, tasks};
use sea_orm::sea_query::{Alias, Expr, Query, SelectStatement, SimpleExpr};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, QuerySelect, QueryTrait, Select};

use super::{COUNT_NAMES, count_columns};
use crate::auth::Principal;
use crate::error::AppResult;
use crate::obligations::ObligationFilter;
use crate::stats::groups::Grouping;
use crate::stats::service::DueDateBasis;

/// The names of the (group, task) pairs' columns: the group's key when grouped, then these.
pub(super) const TASK_COLUMNS: [&str; 4] = ["task_id", "status", "deadline", "percent"];

/// Open: nothing in yet, or returned.
pub(super) fn open(report_state: Expr) -> Condition {
    Condition::any()
        .add(report_state.clone().is_null())
        .add(report_state.is_in([ReportState::Draft, ReportState::Returned]))
}

/// `MIN` of the due dates of open rows of `obligations` (a CASE without ELSE is NULL for the
/// others, which MIN skips).
fn earliest_open_due() -> SimpleExpr {
    use obligations::Column as O;
    let open_due = Expr::case(
        open(Expr::col((obligations::Entity, O::ReportState))),
        Expr::col((obligations::Entity, O::DueOn)),
    );
    Expr::expr(open_due).min()
}

/// The distinct (group, task) pairs of the rows of `query`. The task's own columns ride along
/// (they depend on the task alone, so DISTINCT or the grouping keeps one row per pair): the
/// outer statement then joins nothing, and no plan can pair a derived table with a base table
/// row by row (what a fresh table without statistics invites). With `whole_tasks` the pairs are
/// grouped, each with the earliest due date of its open rows, which are all of its task's.
pub(super) fn pairs_of_rows(
    query: Select<obligations::Entity>,
    key: SimpleExpr,
    grouped: bool,
    whole_tasks: bool,
) -> SelectStatement {
    use obligations::Column as O;
    let mut inner = query.select_only();
    if grouped {
        inner = inner.column_as(key.clone(), "key");
    }
    let task_columns = [
        Expr::col((obligations::Entity, O::TaskId)),
        Expr::col((tasks::Entity, tasks::Column::Status)),
        Expr::col((tasks::Entity, tasks::Column::Deadline)),
        Expr::col((tasks::Entity, tasks::Column::Percent)),
    ];
    for (column, name) in task_columns.iter().zip(TASK_COLUMNS) {
        inner = inner.column_as(column.clone(), name);
    }
    if !whole_tasks {
        return inner.distinct().into_query();
    }
    inner = inner.column_as(earliest_open_due(), "earliest");
    if grouped {
        inner = inner.group_by(key);
    }
    for column in task_columns {
        inner = inner.group_by(column);
    }
    inner.into_query()
}

/// The key of `grouping` as a column of the task, for the one-pass shape: `Some(None)`
/// ungrouped, `Some(Some(column))` for documents and categories; `None` for groups that are not
/// the task's (units, periods, and leaders, under each of whom an obligation counts).
pub(super) fn task_key(grouping: Option<Grouping>) -> Option<Option<tasks::Column>> {
    match grouping {
        None => Some(None),
        Some(Grouping::Document) => Some(Some(tasks::Column::DocumentId)),
        Some(Grouping::Category) => Some(Some(tasks::Column::CategoryId)),
        Some(Grouping::Unit | Grouping::Period | Grouping::Leader) => None,
    }
}

/// The pairs of the one-pass shape: each task's obligations counted (the counts of `Counts`
/// and the earliest open due date), by the obligations' own index (the document's, or a scan
/// of all), then joined to the tasks in view, which carry the actor's rule and the group's key
/// (`task_key`).
pub(super) async fn whole_task_pairs(
    actor: &Principal,
    db: &impl ConnectionTrait,
    filter: &ObligationFilter,
    key: Option<tasks::Column>,
    basis: DueDateBasis,
    today: NaiveDate,
) -> AppResult<SelectStatement> {
    use obligations::Column as O;
    let per_task = Alias::new("per_task");
    let mut counted = Query::select();
    counted
        .expr_as(
            Expr::col((obligations::Entity, O::TaskId)),
            Alias::new("task_id"),
        )
        .from(obligations::Entity)
        .group_by_col((obligations::Entity, O::TaskId));
    for (name, column) in count_columns(basis, today) {
        counted.expr_as(column, Alias::new(name));
    }
    counted.expr_as(earliest_open_due(), Alias::new("earliest"));
    if let Some(document_id) = filter.document_id {
        counted.and_where(O::DocumentId.eq(document_id));
    }

    let mut pairs = Query::select();
    if let Some(key) = key {
        pairs.expr_as(Expr::col((tasks::Entity, key)), Alias::new("key"));
    }
    let of_task = |column: tasks::Column| Expr::col((tasks::Entity, column));
    let of_count = |name: &str| Expr::col((per_task.clone(), Alias::new(name)));
    let columns = [
        ("task_id", of_count("task_id")),
        ("status", of_task(tasks::Column::Status)),
        ("deadline", of_task(tasks::Column::Deadline)),
        ("percent", of_task(tasks::Column::Percent)),
        ("earliest", of_count("earliest")),
    ];
    for (name, column) in columns
        .into_iter()
        .chain(COUNT_NAMES.map(|name| (name, of_count(name))))
    {
        pairs.expr_as(column, Alias::new(name));
    }
    pairs
        .from_subquery(counted, per_task.clone())
        .inner_join(
            tasks::Entity,
            Expr::col((tasks::Entity, tasks::Column::Id)).equals((per_task, Alias::new("task_id"))),
        )
        .cond_where(crate::obligations::list::tasks_in_view(actor, db, filter).await?);
    Ok(pairs)
}
