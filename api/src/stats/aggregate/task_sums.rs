//! The tasks' aggregate over the (group, task) pairs (`pairs`): the tasks by status and warning
//! level, their percent complete and indicators, and, in the one-pass shape, the obligations'
//! counts the pairs carry.

use chrono::NaiveDate;
use entity::enums::TaskStatus;
use entity::{indicators, obligations};
use sea_orm::sea_query::{Alias, Expr, Query, SelectStatement, SimpleExpr};
use sea_orm::{ConnectionTrait, StatementBuilder};

use super::pairs::{TASK_COLUMNS, open};
use super::{COUNT_NAMES, count_if, sum_of};
use crate::deadline::Thresholds;
use crate::reports::targets::Verdict;

/// What the (group, task) pairs carry beside the key and the task's columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Carried {
    Nothing,
    /// The task's earliest open due date (`pairs_of_rows` of whole tasks).
    Earliest,
    /// That and the task's obligations' counts (`whole_task_pairs`).
    Counts,
}

/// Whether a task is red, and whether it is yellow, on `today`, as conditions on the columns
/// `status`, `deadline` and `earliest` (its earliest open due date) that `column` names:
/// `tasks::progress::warning_level` in SQL. Change both together.
pub(super) fn warning(
    column: &dyn Fn(&str) -> Expr,
    today: NaiveDate,
    thresholds: Thresholds,
) -> (SimpleExpr, SimpleExpr) {
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
    (red, yellow)
}

/// The tasks' aggregate over `pairs` (`pairs_of_rows` or `whole_task_pairs`): the tasks of each
/// group by status and warning level, with their percent complete summed; the obligations'
/// counts summed too when the pairs carry them. The warning level is
/// `tasks::progress::warning_level` in SQL: a task's open obligation that is due first decides
/// it (the rule only ever looks at the most pressing one), with its own deadline. Change both
/// together.
pub(super) fn task_figures(
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
    if carried == Carried::Counts {
        columns.extend(COUNT_NAMES);
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
    let (red, yellow) = warning(&column, today, thresholds);

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
        for name in COUNT_NAMES {
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
