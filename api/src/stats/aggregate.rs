//! The statements behind the figures (`service`). Two shapes, each a fixed number of statements
//! whatever the number of rows:
//!
//! - **Rows, then tasks.** One aggregate over the obligations in view, and one over the
//!   distinct (group, task) pairs of those rows (a task with many obligations counts once in
//!   its group's task figures). Used when a unit, a period or a state cuts a task's rows apart,
//!   and for leaders' rows (an obligation counts under each leader of its task).
//! - **Whole tasks, one pass.** When the rows in view hold every obligation of each task they
//!   touch (the actor's rule and the filter are said of tasks, and so are the groups: the
//!   document, the category), each task's obligations are counted first, by the task index of
//!   the obligations alone, and the tasks in view are then joined to those counts and summed:
//!   one statement, one read of the rows. A province's document (2,935 tasks, 28,834
//!   obligations): 7.0 + 14.5 ms of SQL in two statements, 12 ms in one.
//!
//! Invariant: both shapes give the same figures (`figures.rs` checks the tasks' warning levels
//! against `Task.warningLevel` under both, and the hand count under both).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use entity::enums::{ReportState, TaskStatus};
use entity::{indicators, obligations, tasks};
use sea_orm::sea_query::{Alias, Expr, Func, Query, SelectStatement, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, FromQueryResult, QueryResult, QuerySelect, QueryTrait,
    Select, StatementBuilder,
};

use super::groups::{self, Grouping};
use super::service::{DueDateBasis, Figures, Parts, Targets};
use crate::auth::Principal;
use crate::deadline::Thresholds;
use crate::error::AppResult;
use crate::obligations::ObligationFilter;
use crate::reports::targets::Verdict;
use crate::tasks::progress::WarningLevel;

/// The figures keyed by group (`None` when ungrouped, or for tasks without a category).
#[allow(clippy::too_many_arguments)] // the public functions' arguments, passed through
pub(super) async fn aggregate(
    actor: &Principal,
    db: &impl ConnectionTrait,
    today: NaiveDate,
    filter: &ObligationFilter,
    basis: DueDateBasis,
    thresholds: Thresholds,
    grouping: Option<Grouping>,
    parts: Parts,
) -> AppResult<Vec<(Option<i64>, Figures)>> {
    // The rows in view hold every obligation of each task they touch when the actor's rule, the
    // filter and the groups are all said of tasks (a unit sees only its own rows; units and
    // periods cut a task's rows apart).
    let whole_tasks = actor.unit_id().is_none()
        && filter.is_of_whole_tasks()
        && !matches!(grouping, Some(Grouping::Unit | Grouping::Period));
    let grouped = grouping.is_some();
    if whole_tasks && parts.tasks && grouping != Some(Grouping::Leader) {
        let pairs = whole_task_pairs(actor, db, filter, grouping, basis, today).await?;
        let statement = task_figures(
            db,
            pairs,
            Carried::Counts,
            grouped,
            today,
            thresholds,
            parts.targets,
        );
        let rows = OnePass::find_by_statement(statement).all(db).await?;
        let (counts, tasks) = rows.into_iter().map(|OnePass(c, t)| (c, t)).unzip();
        return Ok(fold(counts, tasks));
    }

    let mut query = crate::obligations::list::visible(actor, db, filter, today).await?;
    let key: SimpleExpr = match grouping {
        None => Expr::val(0_i64).into(),
        Some(grouping) => {
            if grouping == Grouping::Leader {
                query = groups::join_task_leaders(query);
            }
            groups::key(grouping)
        }
    };
    let counts = obligation_counts(query.clone(), key.clone(), grouped, basis, today)
        .all(db)
        .await?;
    let task_rows = if parts.tasks {
        let pairs = pairs_of_rows(query, key, grouped, whole_tasks);
        let carried = if whole_tasks {
            Carried::Earliest
        } else {
            Carried::Nothing
        };
        let statement = task_figures(
            db,
            pairs,
            carried,
            grouped,
            today,
            thresholds,
            parts.targets,
        );
        TaskCounts::find_by_statement(statement).all(db).await?
    } else {
        Vec::new()
    };
    Ok(fold(counts, task_rows))
}

/// The rows of both aggregates, as figures by key.
fn fold(counts: Vec<Counts>, task_rows: Vec<TaskCounts>) -> Vec<(Option<i64>, Figures)> {
    let mut by_key: BTreeMap<Option<i64>, Figures> = BTreeMap::new();
    let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
    for c in counts {
        by_key.insert(
            c.key,
            Figures {
                obligations: count(c.obligations),
                due: count(c.due),
                on_time: count(c.on_time),
                late: count(c.late),
                missing: count(c.missing),
                awaiting_review: count(c.awaiting_review),
                returned: count(c.returned),
                accepted: count(c.accepted),
                ..Figures::default()
            },
        );
    }
    for t in task_rows {
        let figures = by_key.entry(t.key).or_default();
        figures.tasks = count(t.tasks);
        figures.tasks_by_status = [
            (TaskStatus::Cancelled, t.cancelled),
            (TaskStatus::Completed, t.completed),
            (TaskStatus::Delayed, t.delayed),
            (TaskStatus::InProgress, t.in_progress),
            (TaskStatus::NotStarted, t.not_started),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(status, n)| (status, count(n)))
        .collect();
        let green = t.tasks - t.red - t.yellow;
        figures.tasks_by_warning = [
            (WarningLevel::Green, green),
            (WarningLevel::Yellow, t.yellow),
            (WarningLevel::Red, t.red),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(level, n)| (level, count(n)))
        .collect();
        #[allow(clippy::cast_precision_loss)]
        let mean = (t.tasks > 0).then(|| t.percent_sum as f64 / t.tasks as f64);
        figures.average_percent = mean;
        figures.targets = Targets {
            indicators: count(t.indicators),
            reported: count(t.reported),
            met: count(t.met),
            not_met: count(t.not_met),
            not_comparable: count(t.reported - t.met - t.not_met),
        };
    }
    by_key.into_iter().collect()
}

/// One row of the obligations' aggregate.
#[derive(Debug, Default, FromQueryResult)]
struct Counts {
    key: Option<i64>,
    obligations: i64,
    due: i64,
    on_time: i64,
    late: i64,
    missing: i64,
    awaiting_review: i64,
    returned: i64,
    accepted: i64,
}

/// The obligations' counts, named as in `Counts`, as aggregates over rows of `obligations`. A
/// report came in on time when its first version was submitted by the end of the due day in
/// China (`deadline::lateness`): the day of the first submission against the due date, which
/// SQL compares on both backends.
fn count_columns(basis: DueDateBasis, today: NaiveDate) -> [(&'static str, SimpleExpr); 8] {
    use obligations::Column as O;
    let deadline = match basis {
        DueDateBasis::Current => O::DueOn,
        DueDateBasis::Original => O::OriginalDueOn,
    };
    let first = Expr::col((obligations::Entity, O::FirstSubmittedOn));
    let due_on = Expr::col((obligations::Entity, deadline));
    let due = due_on.clone().lt(today);
    let state = |s: ReportState| Expr::col((obligations::Entity, O::ReportState)).eq(s);
    [
        (
            "obligations",
            Expr::col((obligations::Entity, O::Id)).count(),
        ),
        ("due", count_if(due.clone())),
        ("on_time", count_if(first.clone().lte(due_on.clone()))),
        ("late", count_if(first.clone().gt(due_on))),
        ("missing", count_if(first.is_null().and(due))),
        ("awaiting_review", count_if(state(ReportState::Submitted))),
        ("returned", count_if(state(ReportState::Returned))),
        ("accepted", count_if(state(ReportState::Accepted))),
    ]
}

/// The obligations' counts by `key`, over the rows of `query`.
fn obligation_counts(
    query: Select<obligations::Entity>,
    key: SimpleExpr,
    grouped: bool,
    basis: DueDateBasis,
    today: NaiveDate,
) -> sea_orm::Selector<sea_orm::SelectModel<Counts>> {
    let mut query = query.select_only().column_as(key.clone(), "key");
    for (name, column) in count_columns(basis, today) {
        query = query.column_as(column, name);
    }
    if grouped {
        query = query.group_by(key);
    }
    query.into_model()
}

/// One row of the tasks' aggregate.
#[derive(Debug, FromQueryResult)]
struct TaskCounts {
    key: Option<i64>,
    tasks: i64,
    not_started: i64,
    in_progress: i64,
    delayed: i64,
    completed: i64,
    cancelled: i64,
    red: i64,
    yellow: i64,
    percent_sum: i64,
    indicators: i64,
    reported: i64,
    met: i64,
    not_met: i64,
}

/// A row of the one-pass statement: both aggregates' columns.
struct OnePass(Counts, TaskCounts);

impl FromQueryResult for OnePass {
    fn from_query_result(row: &QueryResult, pre: &str) -> Result<Self, sea_orm::DbErr> {
        Ok(Self(
            Counts::from_query_result(row, pre)?,
            TaskCounts::from_query_result(row, pre)?,
        ))
    }
}

/// The names of the (group, task) pairs' columns: the group's key when grouped, then these.
const TASK_COLUMNS: [&str; 4] = ["task_id", "status", "deadline", "percent"];

/// Open: nothing in yet, or returned.
fn open(report_state: Expr) -> Condition {
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
fn pairs_of_rows(
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

/// The pairs of the one-pass shape: each task's obligations counted (the counts of `Counts`
/// and the earliest open due date), by the obligations' own index (the document's, or a scan
/// of all), then joined to the tasks in view, which carry the actor's rule and the group's key
/// (the document or category, both the task's).
async fn whole_task_pairs(
    actor: &Principal,
    db: &impl ConnectionTrait,
    filter: &ObligationFilter,
    grouping: Option<Grouping>,
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
    match grouping {
        None => {}
        Some(Grouping::Document) => {
            pairs.expr_as(
                Expr::col((tasks::Entity, tasks::Column::DocumentId)),
                Alias::new("key"),
            );
        }
        Some(Grouping::Category) => {
            pairs.expr_as(
                Expr::col((tasks::Entity, tasks::Column::CategoryId)),
                Alias::new("key"),
            );
        }
        Some(other) => unreachable!("{other:?} rows are not whole tasks' (`aggregate`)"),
    }
    pairs
        .expr_as(
            Expr::col((per_task.clone(), Alias::new("task_id"))),
            Alias::new("task_id"),
        )
        .expr_as(
            Expr::col((tasks::Entity, tasks::Column::Status)),
            Alias::new("status"),
        )
        .expr_as(
            Expr::col((tasks::Entity, tasks::Column::Deadline)),
            Alias::new("deadline"),
        )
        .expr_as(
            Expr::col((tasks::Entity, tasks::Column::Percent)),
            Alias::new("percent"),
        )
        .expr_as(
            Expr::col((per_task.clone(), Alias::new("earliest"))),
            Alias::new("earliest"),
        );
    for (name, _) in count_columns(basis, today) {
        pairs.expr_as(
            Expr::col((per_task.clone(), Alias::new(name))),
            Alias::new(name),
        );
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

/// What the (group, task) pairs carry beside the key and the task's columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Carried {
    Nothing,
    /// The task's earliest open due date (`pairs_of_rows` of whole tasks).
    Earliest,
    /// That and the task's obligations' counts (`whole_task_pairs`).
    Counts,
}

/// The tasks' aggregate over `pairs` (`pairs_of_rows` or `whole_task_pairs`): the tasks of each
/// group by status and warning level, with their percent complete summed; the obligations'
/// counts summed too when the pairs carry them. The warning level is
/// `tasks::progress::warning_level` in SQL: a task's open obligation that is due first decides
/// it (the rule only ever looks at the most pressing one), with its own deadline. Change both
/// together.
fn task_figures(
    db: &impl ConnectionTrait,
    pairs: SelectStatement,
    carried: Carried,
    grouped: bool,
    today: NaiveDate,
    thresholds: Thresholds,
    targets: bool,
) -> sea_orm::Statement {
    use obligations::Column as O;
    let distinct = Alias::new("distinct_pairs");

    // Each task's earliest due date among its open obligations, unless the pairs carry it: a
    // subquery beside each (group, task) pair, on the task's own rows by the (task, period,
    // unit) index: never an aggregate over every obligation, and no join between derived
    // tables, whose plan depends on statistics a freshly loaded table lacks (a join of the
    // pairs with a per-task table ran for minutes on 70,000 fresh tasks). On PostgreSQL the
    // derived table is fenced (`OFFSET 0`) so that the planner does not copy the subquery into
    // each expression that reads its result.
    let earliest: SimpleExpr = if carried != Carried::Nothing {
        Expr::col((distinct.clone(), Alias::new("earliest"))).into()
    } else {
        let own = Alias::new("own");
        let subquery = Query::select()
            .expr(Expr::col((own.clone(), O::DueOn)).min())
            .from_as(obligations::Entity, own.clone())
            .and_where(
                Expr::col((own.clone(), O::TaskId))
                    .equals((distinct.clone(), Alias::new("task_id"))),
            )
            .cond_where(open(Expr::col((own, O::ReportState))))
            .to_owned();
        SimpleExpr::SubQuery(None, Box::new(subquery.into_sub_query_statement()))
    };
    // Each task's indicators, the same way: a count beside each pair by the indicators' task
    // index; how many of them were reported, met and not met is read only for pairs whose task
    // has any (a subquery in a CASE branch runs only when the branch is taken), in the outer
    // statement.
    let of_task = |task: (Alias, Alias), condition: Option<SimpleExpr>| {
        let mut count = Query::select();
        count
            .expr(Expr::col((indicators::Entity, indicators::Column::Id)).count())
            .from(indicators::Entity)
            .and_where(Expr::col((indicators::Entity, indicators::Column::TaskId)).equals(task));
        if let Some(condition) = condition {
            count.and_where(condition);
        }
        SimpleExpr::SubQuery(None, Box::new(count.into_sub_query_statement()))
    };
    let mut with_earliest = Query::select();
    let mut columns: Vec<&str> = Vec::new();
    if grouped {
        columns.push("key");
    }
    columns.extend(TASK_COLUMNS);
    let count_names = count_columns(DueDateBasis::Current, today).map(|(name, _)| name);
    if carried == Carried::Counts {
        columns.extend(count_names);
    }
    for column in columns {
        with_earliest.expr_as(
            Expr::col((distinct.clone(), Alias::new(column))),
            Alias::new(column),
        );
    }
    with_earliest
        .expr_as(earliest, Alias::new("earliest"))
        .from_subquery(pairs, distinct.clone());
    if targets {
        with_earliest.expr_as(
            of_task((distinct, Alias::new("task_id")), None),
            Alias::new("indicators"),
        );
    }
    if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        with_earliest.offset(0);
    }

    let pairs = Alias::new("pairs");
    let column = |name: &str| Expr::col((pairs.clone(), Alias::new(name)));
    let status = |s: TaskStatus| column("status").eq(s);
    let closed = column("status").is_in([TaskStatus::Completed, TaskStatus::Cancelled]);
    let red_before = today - chrono::Duration::days(thresholds.red_days);
    let yellow_until = today + chrono::Duration::days(thresholds.yellow_days);
    // Each date may be NULL (a task without a deadline, or with nothing open): each comparison
    // says so first, so that it is false rather than NULL, and NOT red stays true. Without the
    // guard a task without a deadline could never be yellow (NOT NULL is NULL).
    let before = |name: &str, day: NaiveDate| column(name).is_not_null().and(column(name).lt(day));
    let by = |name: &str, day: NaiveDate| column(name).is_not_null().and(column(name).lte(day));
    let red = closed
        .clone()
        .not()
        .and(before("deadline", today).or(before("earliest", red_before)));
    let yellow = closed
        .not()
        .and(red.clone().not())
        .and(by("deadline", yellow_until).or(by("earliest", yellow_until)));

    // Ungrouped, the key is a constant of the outer select (PostgreSQL would not take an
    // ungrouped column beside the aggregates).
    let key: SimpleExpr = if grouped {
        column("key").into()
    } else {
        Expr::val(0_i64).into()
    };
    let mut outer: SelectStatement = Query::select()
        .expr_as(key, Alias::new("key"))
        .expr_as(column("task_id").count(), Alias::new("tasks"))
        .expr_as(
            count_if(status(TaskStatus::NotStarted)),
            Alias::new("not_started"),
        )
        .expr_as(
            count_if(status(TaskStatus::InProgress)),
            Alias::new("in_progress"),
        )
        .expr_as(count_if(status(TaskStatus::Delayed)), Alias::new("delayed"))
        .expr_as(
            count_if(status(TaskStatus::Completed)),
            Alias::new("completed"),
        )
        .expr_as(
            count_if(status(TaskStatus::Cancelled)),
            Alias::new("cancelled"),
        )
        .expr_as(count_if(red), Alias::new("red"))
        .expr_as(count_if(yellow), Alias::new("yellow"))
        .expr_as(sum_of(column("percent").into()), Alias::new("percent_sum"))
        .from_subquery(with_earliest, pairs.clone())
        .to_owned();
    if carried == Carried::Counts {
        for name in count_names {
            outer.expr_as(sum_of(column(name).into()), Alias::new(name));
        }
    }
    let task = (pairs.clone(), Alias::new("task_id"));
    let counts: [(&str, Option<SimpleExpr>); 3] = [
        (
            "reported",
            Some(Expr::col((indicators::Entity, indicators::Column::LatestValue)).is_not_null()),
        ),
        (
            "met",
            Some(
                Expr::col((indicators::Entity, indicators::Column::Verdict))
                    .eq(Verdict::Met.as_str()),
            ),
        ),
        (
            "not_met",
            Some(
                Expr::col((indicators::Entity, indicators::Column::Verdict))
                    .eq(Verdict::NotMet.as_str()),
            ),
        ),
    ];
    if targets {
        let any = column("indicators").gt(0);
        outer.expr_as(
            sum_of(column("indicators").into()),
            Alias::new("indicators"),
        );
        for (name, condition) in counts {
            let when_any = Expr::case(any.clone(), of_task(task.clone(), condition)).finally(0);
            outer.expr_as(sum_of(when_any.into()), Alias::new(name));
        }
    } else {
        for name in ["indicators", "reported", "met", "not_met"] {
            outer.expr_as(Expr::val(0_i64), Alias::new(name));
        }
    }
    if grouped {
        outer.group_by_col((pairs, Alias::new("key")));
    }
    StatementBuilder::build(&outer, &db.get_database_backend())
}

/// `COALESCE(SUM(CASE WHEN condition THEN 1 ELSE 0 END), 0)`: how many rows meet `condition`,
/// as a 64-bit integer on both backends.
pub(crate) fn count_if(condition: SimpleExpr) -> SimpleExpr {
    sum_of(Expr::case(condition, 1).finally(0).into())
}

/// `COALESCE(SUM(value), 0)` as a 64-bit integer on both backends.
fn sum_of(value: SimpleExpr) -> SimpleExpr {
    let sum = Func::sum(value);
    SimpleExpr::from(Func::coalesce([sum.into(), Expr::val(0_i64).into()]))
        .cast_as(Alias::new("BIGINT"))
}
