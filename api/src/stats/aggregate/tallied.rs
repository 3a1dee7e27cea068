//! The figures from the stored counts (`tallies::OBLIGATIONS`, `tallies::TASK_FIGURES`), for
//! the views that cover whole documents: an actor who sees every live task, a filter of at most
//! a document, and no groups or groups by document. Up to three statements, none of which reads
//! an obligation or a task row by row:
//!
//! - the obligations' counts: sums over their tally, the day's due dates a condition on its key;
//! - the tasks' figures: sums over theirs (the live tasks that owe anything, by status,
//!   deadline and earliest open due date), the warning rule (`task_sums::warning`) a condition
//!   on its key;
//! - their indicators, when asked for: one join of `indicators` to those tasks.
//!
//! Measured on a province (1.38 million obligations, 100,000 tasks): every obligation's
//! `reportingFigures` went from 386 ms to a few (see the README's figures).
//!
//! Invariant: the same figures as the rows' shapes (`check`, after every step of the stored
//! obligations' property test).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use entity::enums::{ReportState, TaskStatus};
use entity::{indicators, tasks};
use sea_orm::sea_query::{Alias, Expr, Query, SelectStatement, SimpleExpr};
use sea_orm::{ConnectionTrait, FromQueryResult, StatementBuilder};

use super::task_sums::warning;
use super::{COUNT_NAMES, Counts, TaskCounts, count_if, sum_of, weighted};
use crate::auth::Principal;
use crate::deadline::Thresholds;
use crate::error::AppResult;
use crate::obligations::ObligationFilter;
use crate::reports::targets::Verdict;
use crate::stats::groups::Grouping;
use crate::stats::service::{DueDateBasis, Parts};
use crate::tallies::{OBLIGATIONS, TASK_FIGURES, Tally};

/// Whether the stored counts answer this view: everything they are kept by (documents), seen
/// by an actor who sees every live task (every obligation is of a live task: `obligations::store`
/// keeps none of a deleted one).
pub(super) fn answers(
    actor: &Principal,
    filter: &ObligationFilter,
    grouping: Option<Grouping>,
) -> bool {
    crate::tasks::access::sees_every_live_task(actor)
        && filter.is_of_documents_only()
        && matches!(grouping, None | Some(Grouping::Document))
}

/// The figures of the view from the stored counts, keyed like `aggregate`'s.
pub(super) async fn figures(
    db: &impl ConnectionTrait,
    today: NaiveDate,
    document_id: Option<i64>,
    basis: DueDateBasis,
    thresholds: Thresholds,
    grouped: bool,
    parts: Parts,
) -> AppResult<(Vec<Counts>, Vec<TaskCounts>)> {
    let backend = db.get_database_backend();
    let counts = Counts::find_by_statement(StatementBuilder::build(
        &obligation_counts(document_id, basis, today, grouped),
        &backend,
    ))
    .all(db)
    .await?;
    if !parts.tasks {
        return Ok((counts, Vec::new()));
    }
    let mut tasks = TaskCounts::find_by_statement(StatementBuilder::build(
        &task_counts(document_id, today, thresholds, grouped),
        &backend,
    ))
    .all(db)
    .await?;
    if parts.targets {
        let targets = Targets::find_by_statement(StatementBuilder::build(
            &targets(document_id, grouped),
            &backend,
        ))
        .all(db)
        .await?;
        let by_key: BTreeMap<Option<i64>, Targets> =
            targets.into_iter().map(|t| (t.key, t)).collect();
        for row in &mut tasks {
            if let Some(t) = by_key.get(&row.key) {
                row.indicators = t.indicators;
                row.reported = t.reported;
                row.met = t.met;
                row.not_met = t.not_met;
            }
        }
    }
    Ok((counts, tasks))
}

/// The obligations' counts (`COUNT_NAMES`) from the tally: its folded rows and its deltas,
/// each row counting `n` obligations.
fn obligation_counts(
    document_id: Option<i64>,
    basis: DueDateBasis,
    today: NaiveDate,
    grouped: bool,
) -> SelectStatement {
    let rows = Alias::new("rows");
    let column = |name: &str| Expr::col((rows.clone(), Alias::new(name)));
    let (due_on, on_time) = match basis {
        DueDateBasis::Current => ("due_on", "on_time"),
        DueDateBasis::Original => ("original_due_on", "on_time_original"),
    };
    let n: SimpleExpr = column("n").into();
    let weighted = |condition: SimpleExpr| weighted(&n, condition);
    let submitted = column("submitted").eq(1);
    let due = column(due_on).lt(today);
    let state = |s: ReportState| column("report_state").eq(Expr::val(s));
    let columns = [
        sum_of(n.clone()),
        weighted(due.clone()),
        weighted(submitted.clone().and(column(on_time).eq(1))),
        weighted(submitted.clone().and(column(on_time).eq(0))),
        weighted(submitted.not().and(due)),
        weighted(state(ReportState::Submitted)),
        weighted(state(ReportState::Returned)),
        weighted(state(ReportState::Accepted)),
    ];

    let mut outer = of_tally(OBLIGATIONS, document_id, grouped, &rows);
    for (name, expression) in COUNT_NAMES.into_iter().zip(columns) {
        outer.expr_as(expression, Alias::new(name));
    }
    outer
}

/// The tasks' counts (`TaskCounts` but the indicators) from their tally, each row counting `n`
/// tasks whose percent complete sums to `percent_sum`.
fn task_counts(
    document_id: Option<i64>,
    today: NaiveDate,
    thresholds: Thresholds,
    grouped: bool,
) -> SelectStatement {
    let rows = Alias::new("rows");
    let column = |name: &str| {
        // The tally keys the earliest open due date under the task's column name.
        let name = if name == "earliest" {
            "earliest_open_due"
        } else {
            name
        };
        Expr::col((rows.clone(), Alias::new(name)))
    };
    let n: SimpleExpr = column("n").into();
    let weighted = |condition: SimpleExpr| weighted(&n, condition);
    let status = |s: TaskStatus| column("status").eq(s);
    let (red, yellow) = warning(&column, today, thresholds);
    let columns = [
        ("tasks", sum_of(n.clone())),
        ("not_started", weighted(status(TaskStatus::NotStarted))),
        ("in_progress", weighted(status(TaskStatus::InProgress))),
        ("delayed", weighted(status(TaskStatus::Delayed))),
        ("completed", weighted(status(TaskStatus::Completed))),
        ("cancelled", weighted(status(TaskStatus::Cancelled))),
        ("red", weighted(red)),
        ("yellow", weighted(yellow)),
        ("percent_sum", sum_of(column("percent_sum").into())),
    ];
    let mut outer = of_tally(TASK_FIGURES, document_id, grouped, &rows);
    for (name, expression) in columns {
        outer.expr_as(expression, Alias::new(name));
    }
    for name in ["indicators", "reported", "met", "not_met"] {
        outer.expr_as(Expr::val(0_i64), Alias::new(name));
    }
    outer
}

/// `SELECT key … FROM (base UNION ALL deltas) AS rows`, of the document when one is given, one
/// row per document when grouped (those whose rows sum to no count left out, as when the rows
/// themselves are counted); the caller adds the sums.
fn of_tally(
    tally: Tally,
    document_id: Option<i64>,
    grouped: bool,
    rows: &Alias,
) -> SelectStatement {
    let union = crate::tallies::rows(tally, document_id);
    let document = Expr::col((rows.clone(), Alias::new("document_id")));
    let mut outer = Query::select();
    let key: SimpleExpr = if grouped {
        document.into()
    } else {
        Expr::val(0_i64).into()
    };
    outer
        .expr_as(key, Alias::new("key"))
        .from_subquery(union, rows.clone());
    if grouped {
        outer
            .group_by_col((rows.clone(), Alias::new("document_id")))
            .and_having(
                Expr::expr(sum_of(Expr::col((rows.clone(), Alias::new("n"))).into())).gt(0),
            );
    }
    outer
}

/// One row of the indicators' aggregate.
#[derive(Debug, FromQueryResult)]
struct Targets {
    key: Option<i64>,
    indicators: i64,
    reported: i64,
    met: i64,
    not_met: i64,
}

/// The indicators of the view's tasks, by how their latest values stand: one join.
fn targets(document_id: Option<i64>, grouped: bool) -> SelectStatement {
    use indicators::Column as I;
    let task = |name: &str| Expr::col((tasks::Entity, Alias::new(name)));
    let indicator = |column: I| Expr::col((indicators::Entity, column));
    let mut select = Query::select();
    let key: SimpleExpr = if grouped {
        task("document_id").into()
    } else {
        Expr::val(0_i64).into()
    };
    select
        .expr_as(key, Alias::new("key"))
        .expr_as(sum_of(Expr::val(1_i64).into()), Alias::new("indicators"))
        .expr_as(
            count_if(indicator(I::LatestValue).is_not_null()),
            Alias::new("reported"),
        )
        .expr_as(
            count_if(indicator(I::Verdict).eq(Verdict::Met.as_str())),
            Alias::new("met"),
        )
        .expr_as(
            count_if(indicator(I::Verdict).eq(Verdict::NotMet.as_str())),
            Alias::new("not_met"),
        )
        .from(indicators::Entity)
        .inner_join(
            tasks::Entity,
            task("id").equals((indicators::Entity, I::TaskId)),
        )
        .and_where(task("deleted_at").is_null())
        .and_where(task("obligations_owed").gt(0));
    if let Some(document_id) = document_id {
        select.and_where(task("document_id").eq(document_id));
    }
    if grouped {
        select.group_by_col((tasks::Entity, Alias::new("document_id")));
    }
    select
}
