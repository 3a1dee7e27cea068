//! Listing obligations: the stored rows a principal may see, filtered, ordered and paged in the
//! database (a unit's, a document's and a period's views each have their index), then the page's
//! tasks, periods and reports read in one statement each.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::ReportState;
use entity::{leader_units, obligations, progress_reports, tasks};
use sea_orm::sea_query::{Alias, Expr, SimpleExpr};
use sea_orm::{
    ActiveEnum, ColumnTrait, Condition, ConnectionTrait, EntityTrait, JoinType, QueryFilter,
    QueryOrder, QuerySelect, RelationDef, Select,
};

use super::{Obligation, ObligationFilter, ObligationState, store};
use crate::auth::Principal;
use crate::auth::principal::Scope;
use crate::error::AppResult;
use crate::pagination::{Page, PageRequest, SortKey, key_value};

/// The obligations `actor` may see: a unit its own; a leader those of their tasks; the bureau
/// and machine accounts all. Ordered by due date, then document, the tasks' written order
/// (task, unit and period breaking ties); paged by keyset (`after`: the sort key of the previous page's last row).
pub async fn list(
    actor: &Principal,
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    filter: ObligationFilter,
    page: PageRequest,
    after: Option<&SortKey>,
) -> AppResult<Page<Obligation>> {
    let today = crate::deadline::today_in_china(now);
    let query = visible(actor, db, &filter, today).await?;
    // The total counts the whole list, not what follows the cursor.
    let total = page.total_of(&query, db).await?;
    let query = match after {
        Some(key) => query.filter(after_key(key)?),
        None => query,
    };
    let rows = query
        .order_by_asc(obligations::Column::DueOn)
        .order_by_asc(obligations::Column::DocumentId)
        .order_by_asc(task_order())
        .order_by_asc(obligations::Column::TaskId)
        .order_by_asc(obligations::Column::UnitId)
        .order_by_asc(obligations::Column::PeriodId)
        .offset(page.offset)
        .limit(page.fetch_limit())
        .all(db)
        .await?;
    let rows = Page::new(rows, total, page);
    let items = hydrate(db, &rows.items, today).await?;
    Ok(rows.with_items(items).keyed(after.is_some(), key_of))
}

/// The task's written order as the obligation's copy of it (migration 36), so that the indexes
/// `(document_id, due_on, sort_order, task_id)` and `(due_on, document_id, sort_order, task_id)`
/// serve a page without sorting every obligation of its first due date. Triggers keep it equal
/// to the task's; `api check-obligations` says if it is not.
fn task_order() -> sea_orm::sea_query::SimpleExpr {
    Expr::col((obligations::Entity, Alias::new("sort_order"))).into()
}

/// The name a cursor of this list carries.
const ORDER: &str = "OBLIGATION_DUE";

/// The sort key of an obligation, column for column the list's `ORDER BY`; task, unit and
/// period together are unique.
fn key_of(obligation: &Obligation) -> SortKey {
    SortKey::new(
        ORDER,
        vec![
            obligation.due_on.to_string().into(),
            obligation.task.document_id.into(),
            obligation.task.sort_order.into(),
            obligation.task.id.into(),
            obligation.unit_id.into(),
            obligation.period.id.into(),
        ],
    )
}

/// The rows after `key` in the list's order: one row-value comparison.
fn after_key(key: &SortKey) -> AppResult<Condition> {
    let [due, document, sort, task, unit, period] = key.expect(ORDER)?;
    let columns = Expr::tuple([
        Expr::col((obligations::Entity, obligations::Column::DueOn)).into(),
        Expr::col((obligations::Entity, obligations::Column::DocumentId)).into(),
        task_order(),
        Expr::col((obligations::Entity, obligations::Column::TaskId)).into(),
        Expr::col((obligations::Entity, obligations::Column::UnitId)).into(),
        Expr::col((obligations::Entity, obligations::Column::PeriodId)).into(),
    ]);
    let values = Expr::tuple([
        key_value::<NaiveDate>(due)?.into(),
        key_value::<i64>(document)?.into(),
        key_value::<i32>(sort)?.into(),
        key_value::<i64>(task)?.into(),
        key_value::<i64>(unit)?.into(),
        key_value::<i64>(period)?.into(),
    ]);
    Ok(Condition::all().add(columns.gt(values)))
}

/// The stored rows `actor` may see that match `filter`, as a query to count, aggregate or page.
/// Joined to `tasks`, which carries the row-level rule (`tasks::access`) and the written order.
pub async fn visible(
    actor: &Principal,
    db: &impl ConnectionTrait,
    filter: &ObligationFilter,
    today: NaiveDate,
) -> AppResult<Select<obligations::Entity>> {
    // A unit sees its own, whatever the filter says.
    let unit_scope = actor.unit_id().or(filter.unit_id);
    let mut query = obligations::Entity::find()
        .join(JoinType::InnerJoin, to_task())
        .filter(tasks_in_view(actor, db, filter).await?);
    if let Some(unit_id) = unit_scope {
        query = query.filter(obligations::Column::UnitId.eq(unit_id));
    }
    if let Some(leader_id) = filter.supervised_by {
        query = query.filter(
            obligations::Column::UnitId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(leader_units::Column::UnitId)
                    .from(leader_units::Entity)
                    .and_where(leader_units::Column::LeaderId.eq(leader_id))
                    .to_owned(),
            ),
        );
    }
    if let Some(document_id) = filter.document_id {
        query = query.filter(obligations::Column::DocumentId.eq(document_id));
    }
    if let Some(period_id) = filter.period_id {
        query = query.filter(obligations::Column::PeriodId.eq(period_id));
    }
    if !filter.states.is_empty() {
        let mut any = Condition::any();
        for state in &filter.states {
            any = any.add(state_condition(*state, today));
        }
        query = query.filter(any);
    }
    Ok(query)
}

/// What `visible` says of the tasks, as a condition on `tasks`: the actor's rule, the
/// filter's leader and its document. Whole-task figures (`stats`) apply it to tasks joined to
/// their obligations' counts.
pub async fn tasks_in_view(
    actor: &Principal,
    db: &impl ConnectionTrait,
    filter: &ObligationFilter,
) -> AppResult<Condition> {
    let task_filter = crate::tasks::query::TaskFilter {
        leader_id: filter.leader_id,
        ..Default::default()
    };
    // A unit's rows are filtered to its own (`visible`), and a stored obligation of a unit
    // exists only on a task that assigns the unit (what its task set would add): reading that
    // set too cost a province's unit its index order (a first page of 51 rows: 37 ms, 7 ms with
    // the set fenced, 2.3 ms without it).
    let rule = match actor.scope {
        Scope::Unit { .. } => crate::tasks::access::live(),
        _ => crate::tasks::access::visible_in_order(actor, db.get_database_backend()),
    };
    let mut condition = Condition::all()
        .add(rule)
        .add(crate::tasks::query::filter_condition(db, task_filter).await?);
    if let Some(document_id) = filter.document_id {
        // Said of the task too (a stored obligation carries its task's document, and a task
        // never changes document): the planner then reads the document's tasks by their index
        // instead of hashing every task for the join. Measured at a province's scale, a
        // document's figures went from 34 + 46 ms to 10 + 21 ms.
        condition = condition.add(tasks::Column::DocumentId.eq(document_id));
    }
    Ok(condition)
}

/// `obligations.task_id = tasks.id`, for the join that applies the tasks' access rule.
fn to_task() -> RelationDef {
    obligations::Entity::belongs_to(tasks::Entity)
        .from(obligations::Column::TaskId)
        .to(tasks::Column::Id)
        .into()
}

/// `report_state = 'SUBMITTED'`, the value written into the statement rather than bound: the
/// partial index of the reports awaiting review (migration 38) serves only a plan that can see
/// the value, which PostgreSQL's generic plans (chosen after five runs of a prepared statement
/// on a connection) and SQLite's planner cannot with a bound one. On the bench's province, a
/// generic plan of the review queue's first page took 634 ms with the value bound, 2 ms
/// written. The value is the enum's own, never the client's.
fn awaiting_review() -> SimpleExpr {
    Expr::col((obligations::Entity, obligations::Column::ReportState)).eq(Expr::cust(format!(
        "'{}'",
        ReportState::Submitted.to_value()
    )))
}

/// The rows in `state` on `today`: `super::state_from` in SQL. Change both together.
pub fn state_condition(state: ObligationState, today: NaiveDate) -> Condition {
    let report = obligations::Column::ReportState;
    let nothing_in = Condition::any()
        .add(report.is_null())
        .add(report.eq(ReportState::Draft));
    match state {
        ObligationState::Late => Condition::all()
            .add(awaiting_review())
            .add(obligations::Column::Late.eq(true)),
        ObligationState::Submitted => Condition::all()
            .add(awaiting_review())
            .add(obligations::Column::Late.eq(false)),
        ObligationState::Returned => Condition::all().add(report.eq(ReportState::Returned)),
        ObligationState::Accepted => Condition::all().add(report.eq(ReportState::Accepted)),
        ObligationState::Overdue => Condition::all()
            .add(nothing_in)
            .add(obligations::Column::DueOn.lt(today)),
        ObligationState::Draft => Condition::all()
            .add(report.eq(ReportState::Draft))
            .add(obligations::Column::DueOn.gte(today)),
        ObligationState::NotStarted => Condition::all()
            .add(report.is_null())
            .add(obligations::Column::DueOn.gte(today)),
    }
}

/// Rows with their tasks, periods and reports: one statement each (a page or a slice, whose
/// ids stay under the bind limit).
pub async fn hydrate(
    db: &impl ConnectionTrait,
    rows: &[obligations::Model],
    today: NaiveDate,
) -> AppResult<Vec<Obligation>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let task_ids: Vec<i64> = rows.iter().map(|r| r.task_id).collect();
    let period_ids: Vec<i64> = rows.iter().map(|r| r.period_id).collect();
    let report_ids: Vec<i64> = rows.iter().filter_map(|r| r.report_id).collect();
    let tasks: HashMap<i64, tasks::Model> = tasks::Entity::find()
        .filter(tasks::Column::Id.is_in(task_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let periods = crate::periods::query::by_ids(db, &period_ids).await?;
    let reports: HashMap<i64, progress_reports::Model> = if report_ids.is_empty() {
        HashMap::new()
    } else {
        progress_reports::Entity::find()
            .filter(progress_reports::Column::Id.is_in(report_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect()
    };
    Ok(rows
        .iter()
        .filter_map(|row| {
            Some(Obligation {
                task: tasks.get(&row.task_id)?.clone(),
                period: periods.get(&row.period_id)?.clone(),
                due_on: row.due_on,
                unit_id: row.unit_id,
                state: store::state_of(row, today),
                report: row.report_id.and_then(|id| reports.get(&id).cloned()),
            })
        })
        .collect())
}
