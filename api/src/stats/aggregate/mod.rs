//! The statements behind the figures (`service`). Three shapes, each a fixed number of
//! statements whatever the number of rows:
//!
//! - **Stored counts** (`tallied`). For whole documents (everything, or a document; ungrouped
//!   or by document) seen by a role that sees every live task: sums over the counts kept with
//!   the rows (`tallies`), no obligation or task read. A province's every obligation: 4 ms.
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
//! `pairs` builds the (group, task) pairs of the last two shapes, `task_sums` the tasks'
//! aggregate over them.
//!
//! Invariant: every shape gives the same figures (`figures.rs` checks the tasks' warning levels
//! against `Task.warningLevel` and the hand count in each; `check` compares the stored counts
//! with the rows, after every step of the stored obligations' property test).

mod pairs;
mod tallied;
mod task_sums;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use entity::enums::{ReportState, TaskStatus};
use entity::obligations;
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{ConnectionTrait, FromQueryResult, QueryResult, QuerySelect, Select};

use self::pairs::{pairs_of_rows, task_key, whole_task_pairs};
use self::task_sums::{Carried, task_figures};
use super::groups::{self, Grouping};
use super::service::{DueDateBasis, Figures, Parts, Targets};
use crate::auth::Principal;
use crate::deadline::Thresholds;
use crate::error::AppResult;
use crate::obligations::ObligationFilter;
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
    let grouped = grouping.is_some();
    if tallied::answers(actor, filter, grouping) {
        let (counts, tasks) = tallied::figures(
            db,
            today,
            filter.document_id,
            basis,
            thresholds,
            grouped,
            parts,
        )
        .await?;
        return Ok(fold(counts, tasks));
    }
    by_rows(actor, db, today, filter, basis, thresholds, grouping, parts).await
}

/// The figures from the obligations' rows, in either shape (see the module's doc).
#[allow(clippy::too_many_arguments)] // `aggregate`'s arguments, passed through
async fn by_rows(
    actor: &Principal,
    db: &impl ConnectionTrait,
    today: NaiveDate,
    filter: &ObligationFilter,
    basis: DueDateBasis,
    thresholds: Thresholds,
    grouping: Option<Grouping>,
    parts: Parts,
) -> AppResult<Vec<(Option<i64>, Figures)>> {
    let whole_tasks = actor.unit_id().is_none()
        && filter.is_of_whole_tasks()
        && !matches!(grouping, Some(Grouping::Unit | Grouping::Period));
    let grouped = grouping.is_some();
    if whole_tasks
        && parts.tasks
        && let Some(key) = task_key(grouping)
    {
        let pairs = whole_task_pairs(actor, db, filter, key, basis, today).await?;
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

/// Where the figures from the stored counts differ from those counted from the rows, for the
/// views the counts answer (every obligation, and each document's, ungrouped and by document),
/// on both due date bases and with every part: a description of each difference. Empty when
/// they agree. `documents`: every document's id (`stats::check_counts` reads them once for
/// this check and the ranking's).
pub async fn check(
    db: &impl ConnectionTrait,
    today: NaiveDate,
    thresholds: Thresholds,
    documents: &[i64],
) -> AppResult<Vec<String>> {
    let actor = Principal::system();
    let mut views = vec![
        (ObligationFilter::default(), None),
        (ObligationFilter::default(), Some(Grouping::Document)),
    ];
    for &document_id in documents {
        let filter = || ObligationFilter {
            document_id: Some(document_id),
            ..ObligationFilter::default()
        };
        views.push((filter(), None));
        views.push((filter(), Some(Grouping::Document)));
    }
    let mut differences = Vec::new();
    for (filter, grouping) in views {
        for basis in [DueDateBasis::Current, DueDateBasis::Original] {
            let grouped = grouping.is_some();
            let (counts, tasks) = tallied::figures(
                db,
                today,
                filter.document_id,
                basis,
                thresholds,
                grouped,
                Parts::ALL,
            )
            .await?;
            let stored = fold(counts, tasks);
            let counted = by_rows(
                &actor,
                db,
                today,
                &filter,
                basis,
                thresholds,
                grouping,
                Parts::ALL,
            )
            .await?;
            // Ungrouped, an empty view is one row of zeros counted and none stored.
            let empty = |rows: &[(Option<i64>, Figures)]| {
                rows.iter().all(|(_, f)| *f == Figures::default())
            };
            if stored != counted && !(empty(&stored) && empty(&counted)) {
                differences.push(format!(
                    "{filter:?} by {grouping:?} ({basis:?}): stored {stored:?}, counted {counted:?}"
                ));
            }
        }
    }
    differences.extend(check_task_columns(db).await?);
    differences.extend(check_assignment_order(db).await?);
    differences.extend(check_obligation_order(db).await?);
    Ok(differences)
}

/// The copies of each task's order on its obligations (migration 36, what the obligations list
/// is read in order by) against the task's. At most 20 obligations are named.
async fn check_obligation_order(db: &impl ConnectionTrait) -> AppResult<Vec<String>> {
    let sql = "SELECT o.id, o.task_id FROM obligations o JOIN tasks t ON t.id = o.task_id \
               WHERE o.sort_order <> t.sort_order ORDER BY o.id LIMIT 20";
    described(db, sql, |row| {
        let id: i64 = row.try_get("", "id")?;
        let task: i64 = row.try_get("", "task_id")?;
        Ok(format!(
            "obligation {id}: its copy of task {task}'s order differs"
        ))
    })
    .await
}

/// The copies of each task's document and order on its assignments (migration 34, what a unit's
/// own list is read in order by) against the task's. At most 20 assignments are named.
async fn check_assignment_order(db: &impl ConnectionTrait) -> AppResult<Vec<String>> {
    let sql = "SELECT a.id, a.task_id FROM task_units a JOIN tasks t ON t.id = a.task_id \
               WHERE a.document_id <> t.document_id OR a.sort_order <> t.sort_order \
               ORDER BY a.id LIMIT 20";
    described(db, sql, |row| {
        let id: i64 = row.try_get("", "id")?;
        let task: i64 = row.try_get("", "task_id")?;
        Ok(format!(
            "assignment {id}: its copy of task {task}'s document and order differs"
        ))
    })
    .await
}

/// The two columns of `tasks` the obligations' triggers keep (migration 32) against the
/// obligations themselves: how many a task owes, and the earliest due date of those still open
/// (what its warning level is read from, `tasks::query::TaskRow`). At most 20 tasks are named.
/// Written in SQL of its own, as the triggers are, rather than with `pairs::open`: a check that
/// shared the code it checks would agree with it whatever it did.
async fn check_task_columns(db: &impl ConnectionTrait) -> AppResult<Vec<String>> {
    const NONE: &str = "'9999-12-31'";
    let open = "(o.report_state IS NULL OR o.report_state IN ('DRAFT', 'RETURNED'))";
    let sql = format!(
        "SELECT t.id, t.obligations_owed, t.earliest_open_due FROM tasks t \
         WHERE t.obligations_owed <> (SELECT COUNT(*) FROM obligations o WHERE o.task_id = t.id) \
         OR COALESCE(t.earliest_open_due, {NONE}) <> COALESCE((SELECT MIN(o.due_on) \
         FROM obligations o WHERE o.task_id = t.id AND {open}), {NONE}) \
         ORDER BY t.id LIMIT 20"
    );
    described(db, &sql, |row| {
        let id: i64 = row.try_get("", "id")?;
        let owed: i64 = row.try_get("", "obligations_owed")?;
        let earliest: Option<NaiveDate> = row.try_get("", "earliest_open_due")?;
        Ok(format!(
            "task {id}: stored obligations_owed {owed} and earliest_open_due {earliest:?} \
             differ from its obligations"
        ))
    })
    .await
}

/// Each row `sql` finds, as `describe` names it: the drifted rows a check reports.
async fn described(
    db: &impl ConnectionTrait,
    sql: &str,
    describe: impl Fn(&sea_orm::QueryResult) -> Result<String, sea_orm::DbErr>,
) -> AppResult<Vec<String>> {
    let statement = sea_orm::Statement::from_string(db.get_database_backend(), sql);
    let rows = db.query_all(statement).await?;
    Ok(rows.iter().map(describe).collect::<Result<_, _>>()?)
}

/// One row of the obligations' aggregate.
#[derive(Debug, Default, FromQueryResult)]
pub(super) struct Counts {
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

/// The names of the obligations' counts, as in `Counts`, in the order of `count_columns`.
pub(super) const COUNT_NAMES: [&str; 8] = [
    "obligations",
    "due",
    "on_time",
    "late",
    "missing",
    "awaiting_review",
    "returned",
    "accepted",
];

/// The obligations' counts, named by `COUNT_NAMES`, as aggregates over rows of `obligations`. A
/// report came in on time when its first version was submitted by the end of the due day in
/// China (`deadline::lateness`): the day of the first submission against the due date, which
/// SQL compares on both backends.
pub(super) fn count_columns(
    basis: DueDateBasis,
    today: NaiveDate,
) -> impl Iterator<Item = (&'static str, SimpleExpr)> {
    use obligations::Column as O;
    let deadline = match basis {
        DueDateBasis::Current => O::DueOn,
        DueDateBasis::Original => O::OriginalDueOn,
    };
    let first = Expr::col((obligations::Entity, O::FirstSubmittedOn));
    let due_on = Expr::col((obligations::Entity, deadline));
    let due = due_on.clone().lt(today);
    let state = |s: ReportState| Expr::col((obligations::Entity, O::ReportState)).eq(s);
    let columns = [
        Expr::col((obligations::Entity, O::Id)).count(),
        count_if(due.clone()),
        count_if(first.clone().lte(due_on.clone())),
        count_if(first.clone().gt(due_on)),
        count_if(first.is_null().and(due)),
        count_if(state(ReportState::Submitted)),
        count_if(state(ReportState::Returned)),
        count_if(state(ReportState::Accepted)),
    ];
    COUNT_NAMES.into_iter().zip(columns)
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
pub(super) struct TaskCounts {
    pub(super) key: Option<i64>,
    tasks: i64,
    not_started: i64,
    in_progress: i64,
    delayed: i64,
    completed: i64,
    cancelled: i64,
    red: i64,
    yellow: i64,
    percent_sum: i64,
    pub(super) indicators: i64,
    pub(super) reported: i64,
    pub(super) met: i64,
    pub(super) not_met: i64,
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

/// `COALESCE(SUM(CASE WHEN condition THEN 1 ELSE 0 END), 0)`: how many rows meet `condition`,
/// as a 64-bit integer on both backends.
pub(crate) fn count_if(condition: SimpleExpr) -> SimpleExpr {
    sum_of(Expr::case(condition, 1).finally(0).into())
}

/// `SUM(CASE WHEN condition THEN n ELSE 0 END)`: how many of what a tally's rows count meet
/// `condition`, each row counting `n`.
pub(crate) fn weighted(n: &SimpleExpr, condition: SimpleExpr) -> SimpleExpr {
    sum_of(
        Expr::case(condition, n.clone())
            .finally(Expr::val(0_i64))
            .into(),
    )
}

pub(super) use crate::db::sum_of;
