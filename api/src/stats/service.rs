//! Counting reporting obligations and the tasks they belong to, in the database: the whole set
//! the actor may see (`reporting`) or one row per unit, leader, document, category or period
//! (`grouped`). Two aggregate statements either way, whatever the number of rows: one over the
//! obligations, one over the distinct tasks of each group (a task with many obligations counts
//! once in its group's task figures).

use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{ReportState, TaskStatus};
use entity::{indicators, obligations, tasks};
use sea_orm::sea_query::{Alias, Expr, Func, Query, SelectStatement, SimpleExpr};
use sea_orm::{
    ConnectionTrait, FromQueryResult, QuerySelect, QueryTrait, Select, StatementBuilder,
};

use super::groups::{self, Grouping};
use crate::auth::Principal;
use crate::deadline::{Thresholds, today_in_china};
use crate::error::AppResult;
use crate::obligations::ObligationFilter;
use crate::reports::targets::Verdict;
use crate::tasks::progress::WarningLevel;

/// Which due date on-time figures are measured against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, async_graphql::Enum)]
pub enum DueDateBasis {
    /// The period's due date as it stands, or the unit's approved extension.
    #[default]
    Current,
    /// The date first set for the period, ignoring moves and extensions.
    Original,
}

/// The counts over a set of obligations (one unit, one task, one period each) and their tasks.
#[derive(Debug, Default, Clone, PartialEq)]
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
    /// The distinct tasks of those obligations.
    pub tasks: u32,
    /// The same tasks by status (statuses with none left out).
    pub tasks_by_status: Vec<(TaskStatus, u32)>,
    /// The same tasks by warning level now (levels with none left out).
    pub tasks_by_warning: Vec<(WarningLevel, u32)>,
    /// The mean of those tasks' percent complete; `None` without tasks.
    pub average_percent: Option<f64>,
    /// The indicators (measurable targets) of those tasks, and how their latest reported values
    /// stand against them (`reports::targets`).
    pub targets: Targets,
}

/// Indicators by how their latest actual values stand against their targets.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Targets {
    pub indicators: u32,
    /// With a reported value.
    pub reported: u32,
    pub met: u32,
    pub not_met: u32,
    /// Reported, but with no number or in another unit than the target's.
    pub not_comparable: u32,
}

impl Figures {
    /// On-time submissions among those that were due or are in: `None` when there are none.
    pub fn on_time_rate(&self) -> Option<f64> {
        let counted = self.on_time + self.late + self.missing;
        (counted > 0).then(|| f64::from(self.on_time) / f64::from(counted))
    }
}

/// The figures of one group: its key (`None` for tasks without a category) and name.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupFigures {
    pub key: Option<i64>,
    pub name: String,
    pub figures: Figures,
}

/// Which figures beside the obligations' counts to compute: each is more work, so each is
/// computed only when asked for (the schema looks ahead at the selected fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts {
    /// The tasks' figures (`tasks`, by status and warning, mean percent): a statement more.
    pub tasks: bool,
    /// The indicators by target (`Figures::targets`), within the tasks' statement.
    pub targets: bool,
}

impl Parts {
    pub const ALL: Parts = Parts {
        tasks: true,
        targets: true,
    };
}

/// The figures of the obligations `actor` may see that match `filter`, at `now`, with the
/// `parts` asked for.
pub async fn reporting(
    actor: &Principal,
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    filter: ObligationFilter,
    basis: DueDateBasis,
    thresholds: Thresholds,
    parts: Parts,
) -> AppResult<Figures> {
    let rows = aggregate(actor, db, now, &filter, basis, thresholds, None, parts).await?;
    Ok(rows.into_iter().next().map(|(_, f)| f).unwrap_or_default())
}

/// The same figures, one row per group (units, leaders, documents, categories or periods that
/// have obligations in view), in the group's own order (`groups::names`). A leader's row counts
/// the tasks that name them in person or by the post they hold; tasks named only collectively
/// (各位副市长) are in no leader's row.
#[allow(clippy::too_many_arguments)] // the figures' scope, basis and parts, each needed
pub async fn grouped(
    actor: &Principal,
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    filter: ObligationFilter,
    basis: DueDateBasis,
    thresholds: Thresholds,
    grouping: Grouping,
    targets: bool,
) -> AppResult<Vec<GroupFigures>> {
    let parts = Parts {
        tasks: true,
        targets,
    };
    let rows = aggregate(
        actor,
        db,
        now,
        &filter,
        basis,
        thresholds,
        Some(grouping),
        parts,
    )
    .await?;
    let keys: Vec<i64> = rows.iter().filter_map(|(key, _)| *key).collect();
    let names = groups::names(db, grouping, &keys).await?;
    let mut out: Vec<GroupFigures> = rows
        .into_iter()
        .map(|(key, figures)| {
            let name = key
                .and_then(|k| names.get(&k).map(|n| n.name.clone()))
                .unwrap_or_else(|| groups::NO_CATEGORY.to_owned());
            GroupFigures { key, name, figures }
        })
        .collect();
    out.sort_by_key(|row| {
        (
            row.key.is_none(),
            row.key.and_then(|k| names.get(&k).map(|n| n.order.clone())),
        )
    });
    Ok(out)
}

/// Both statements, keyed by group (`None` when ungrouped, or for tasks without a category).
#[allow(clippy::too_many_arguments)] // the public functions' arguments, passed through
async fn aggregate(
    actor: &Principal,
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    filter: &ObligationFilter,
    basis: DueDateBasis,
    thresholds: Thresholds,
    grouping: Option<Grouping>,
    parts: Parts,
) -> AppResult<Vec<(Option<i64>, Figures)>> {
    let today = today_in_china(now);
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
    let counts = obligation_counts(query.clone(), key.clone(), grouping.is_some(), basis, today)
        .all(db)
        .await?;
    let task_rows = if parts.tasks {
        task_figures(
            db,
            query,
            key,
            grouping.is_some(),
            today,
            thresholds,
            parts.targets,
        )
        .await?
    } else {
        Vec::new()
    };
    let mut by_key: std::collections::BTreeMap<Option<i64>, Figures> = Default::default();
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
    Ok(by_key.into_iter().collect())
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

/// The obligations' counts by `key`. A report came in on time when its first version was
/// submitted by the end of the due day in China (`deadline::lateness`): the day of the first
/// submission against the due date, which SQL compares on both backends.
fn obligation_counts(
    query: Select<obligations::Entity>,
    key: SimpleExpr,
    grouped: bool,
    basis: DueDateBasis,
    today: NaiveDate,
) -> sea_orm::Selector<sea_orm::SelectModel<Counts>> {
    use obligations::Column as O;
    let deadline = match basis {
        DueDateBasis::Current => O::DueOn,
        DueDateBasis::Original => O::OriginalDueOn,
    };
    let first = Expr::col((obligations::Entity, O::FirstSubmittedOn));
    let due_on = Expr::col((obligations::Entity, deadline));
    let due = due_on.clone().lt(today);
    let state = |s: ReportState| Expr::col((obligations::Entity, O::ReportState)).eq(s);
    let mut query = query
        .select_only()
        .column_as(key.clone(), "key")
        .column_as(
            Expr::col((obligations::Entity, O::Id)).count(),
            "obligations",
        )
        .column_as(count_if(due.clone()), "due")
        .column_as(count_if(first.clone().lte(due_on.clone())), "on_time")
        .column_as(count_if(first.clone().gt(due_on)), "late")
        .column_as(count_if(first.is_null().and(due)), "missing")
        .column_as(count_if(state(ReportState::Submitted)), "awaiting_review")
        .column_as(count_if(state(ReportState::Returned)), "returned")
        .column_as(count_if(state(ReportState::Accepted)), "accepted");
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

/// The distinct tasks of each group's obligations, by status and warning level, with their
/// percent complete summed. The warning level is `tasks::progress::warning_level` in SQL: a
/// task's open obligation that is due first decides it (the rule only ever looks at the most
/// pressing one), with its own deadline. Change both together.
async fn task_figures(
    db: &impl ConnectionTrait,
    query: Select<obligations::Entity>,
    key: SimpleExpr,
    grouped: bool,
    today: NaiveDate,
    thresholds: Thresholds,
    targets: bool,
) -> AppResult<Vec<TaskCounts>> {
    use obligations::Column as O;
    let pairs = Alias::new("pairs");
    // Ungrouped, the pairs are the distinct tasks and the key a constant of the outer select
    // (PostgreSQL would not take an ungrouped column beside the aggregates).
    let mut inner = query.select_only();
    let outer_key: SimpleExpr = if grouped {
        inner = inner.column_as(key, "key");
        Expr::col((pairs.clone(), Alias::new("key"))).into()
    } else {
        key
    };
    // The task's own columns ride along (they depend on the task alone, so DISTINCT keeps one
    // row per pair): the outer statement then joins nothing, and no plan can pair a derived
    // table with a base table row by row (what a fresh table without statistics invites).
    let inner = inner
        .column_as(Expr::col((obligations::Entity, O::TaskId)), "task_id")
        .column_as(Expr::col((tasks::Entity, tasks::Column::Status)), "status")
        .column_as(
            Expr::col((tasks::Entity, tasks::Column::Deadline)),
            "deadline",
        )
        .column_as(
            Expr::col((tasks::Entity, tasks::Column::Percent)),
            "percent",
        )
        .distinct()
        .into_query();

    // Each task's earliest due date among its open obligations (nothing in, or returned), as a
    // subquery beside each (group, task) pair, on the task's own rows by the (task, period,
    // unit) index: never an aggregate over every obligation, and no join between derived
    // tables, whose plan depends on statistics a freshly loaded table lacks (a join of the
    // pairs with a per-task table ran for minutes on 70,000 fresh tasks). On PostgreSQL the
    // derived table is fenced (`OFFSET 0`) so that the planner does not copy the subquery into
    // each expression that reads its result.
    let distinct = Alias::new("distinct_pairs");
    let own = Alias::new("own");
    let earliest_open = Query::select()
        .expr(Expr::col((own.clone(), O::DueOn)).min())
        .from_as(obligations::Entity, own.clone())
        .and_where(
            Expr::col((own.clone(), O::TaskId)).equals((distinct.clone(), Alias::new("task_id"))),
        )
        .cond_where(
            sea_orm::Condition::any()
                .add(Expr::col((own.clone(), O::ReportState)).is_null())
                .add(
                    Expr::col((own, O::ReportState))
                        .is_in([ReportState::Draft, ReportState::Returned]),
                ),
        )
        .to_owned();
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
    if grouped {
        with_earliest.expr_as(
            Expr::col((distinct.clone(), Alias::new("key"))),
            Alias::new("key"),
        );
    }
    for column in ["task_id", "status", "deadline", "percent"] {
        with_earliest.expr_as(
            Expr::col((distinct.clone(), Alias::new(column))),
            Alias::new(column),
        );
    }
    with_earliest
        .expr_as(
            SimpleExpr::SubQuery(None, Box::new(earliest_open.into_sub_query_statement())),
            Alias::new("earliest"),
        )
        .from_subquery(inner, distinct.clone());
    if targets {
        with_earliest.expr_as(
            of_task((distinct, Alias::new("task_id")), None),
            Alias::new("indicators"),
        );
    }
    if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        with_earliest.offset(0);
    }

    let status = |s: TaskStatus| Expr::col((pairs.clone(), Alias::new("status"))).eq(s);
    let closed = Expr::col((pairs.clone(), Alias::new("status")))
        .is_in([TaskStatus::Completed, TaskStatus::Cancelled]);
    let deadline = Expr::col((pairs.clone(), Alias::new("deadline")));
    let earliest = Expr::col((pairs.clone(), Alias::new("earliest")));
    let red_before = today - chrono::Duration::days(thresholds.red_days);
    let yellow_until = today + chrono::Duration::days(thresholds.yellow_days);
    let red = closed.clone().not().and(
        deadline
            .clone()
            .lt(today)
            .or(earliest.clone().lt(red_before)),
    );
    let yellow = closed
        .not()
        .and(red.clone().not())
        .and(deadline.lte(yellow_until).or(earliest.lte(yellow_until)));

    let mut outer: SelectStatement = Query::select()
        .expr_as(outer_key, Alias::new("key"))
        .expr_as(
            Expr::col((pairs.clone(), Alias::new("task_id"))).count(),
            Alias::new("tasks"),
        )
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
        .expr_as(
            sum_of(Expr::col((pairs.clone(), Alias::new("percent"))).into()),
            Alias::new("percent_sum"),
        )
        .from_subquery(with_earliest, pairs.clone())
        .to_owned();
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
        let any = Expr::col((pairs.clone(), Alias::new("indicators"))).gt(0);
        outer.expr_as(
            sum_of(Expr::col((pairs.clone(), Alias::new("indicators"))).into()),
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
    let statement = StatementBuilder::build(&outer, &db.get_database_backend());
    Ok(TaskCounts::find_by_statement(statement).all(db).await?)
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
