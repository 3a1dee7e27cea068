//! Receipts (签收): every unit assigned to a task acknowledges it within its notice's window.
//!
//! A receipt is kept per task and unit, whatever the unit's roles on it. `sync` is the one
//! writer of their existence: every change of a task's units calls it in the change's
//! transaction (creating a task, setting its units, an import, a merge, a transfer), and it
//! opens a receipt for a unit that arrived, withdraws the receipt of a unit that left and
//! reopens one for a unit that came back. Acknowledging is the unit's; nothing else moves
//! `acknowledged_at`.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use entity::{calendar_days, documents, task_receipts, task_units, tasks};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};

use crate::audit::service::{self as audit, Change};
use crate::auth::Principal;
use crate::calendar::WorkCalendar;
use crate::db::in_chunks;
use crate::deadline::today_in_china;
use crate::error::{AppError, AppResult};
use crate::events::{self, EntityType, Event, EventKind};
use crate::pagination::{Page, PageRequest};

/// The working-day calendar from `from` on: Monday to Friday with the recorded exceptions.
pub async fn calendar_from(db: &impl ConnectionTrait, from: NaiveDate) -> AppResult<WorkCalendar> {
    let days = calendar_days::Entity::find()
        .filter(calendar_days::Column::Day.gte(from))
        .all(db)
        .await?;
    Ok(WorkCalendar::new(
        days.into_iter().map(|d| (d.day, d.working)),
    ))
}

/// Brings the receipts of `task_ids` in line with their units (see the module's comment).
/// Statements: two reads, and writes only for what changed.
pub async fn sync(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    task_ids: &[i64],
) -> AppResult<()> {
    if task_ids.is_empty() {
        return Ok(());
    }
    let assigned: BTreeSet<(i64, i64)> = in_chunks(task_ids, |chunk| {
        task_units::Entity::find()
            .filter(task_units::Column::TaskId.is_in(chunk))
            .all(txn)
    })
    .await?
    .into_iter()
    .map(|row| (row.task_id, row.unit_id))
    .collect();
    let receipts: HashMap<(i64, i64), task_receipts::Model> = in_chunks(task_ids, |chunk| {
        task_receipts::Entity::find()
            .filter(task_receipts::Column::TaskId.is_in(chunk))
            .all(txn)
    })
    .await?
    .into_iter()
    .map(|row| ((row.task_id, row.unit_id), row))
    .collect();

    let left: Vec<i64> = receipts
        .iter()
        .filter(|(pair, r)| r.withdrawn_at.is_none() && !assigned.contains(pair))
        .map(|(_, r)| r.id)
        .collect();
    for chunk in left.chunks(crate::db::MAX_BINDS) {
        task_receipts::Entity::update_many()
            .col_expr(task_receipts::Column::WithdrawnAt, Expr::value(now))
            .filter(task_receipts::Column::Id.is_in(chunk.iter().copied()))
            .exec(txn)
            .await?;
    }
    let arrived: Vec<(i64, i64)> = assigned
        .iter()
        .filter(|pair| receipts.get(pair).is_none_or(|r| r.withdrawn_at.is_some()))
        .copied()
        .collect();
    if arrived.is_empty() {
        return Ok(());
    }
    let windows = windows_of(txn, now, &arrived).await?;
    let mut fresh = Vec::new();
    for pair in arrived {
        let (due_on, handback_until) = windows[&pair.0];
        match receipts.get(&pair) {
            // Back on a task it had left: a new assignment, received anew.
            Some(old) => {
                let mut row = old.clone().into_active_model();
                row.assigned_at = Set(now);
                row.due_on = Set(due_on);
                row.handback_until = Set(handback_until);
                row.acknowledged_at = Set(None);
                row.acknowledged_by = Set(None);
                row.withdrawn_at = Set(None);
                row.update(txn).await?;
            }
            None => fresh.push(task_receipts::ActiveModel {
                task_id: Set(pair.0),
                unit_id: Set(pair.1),
                assigned_at: Set(now),
                due_on: Set(due_on),
                handback_until: Set(handback_until),
                acknowledged_at: Set(None),
                acknowledged_by: Set(None),
                withdrawn_at: Set(None),
                ..Default::default()
            }),
        }
    }
    // Seven values a row: well below the bind limit at a thousand rows a statement.
    let mut rows = fresh.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(1000).collect();
        task_receipts::Entity::insert_many(chunk)
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// `sync` for every task of a document (an import).
pub async fn sync_document(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    document_id: i64,
) -> AppResult<()> {
    let ids: Vec<i64> = tasks::Entity::find()
        .select_only()
        .column(tasks::Column::Id)
        .filter(tasks::Column::DocumentId.eq(document_id))
        .filter(tasks::Column::DeletedAt.is_null())
        .into_tuple()
        .all(txn)
        .await?;
    sync(txn, now, &ids).await
}

/// The acknowledgement and hand-back windows of each task among `pairs`, from its notice's
/// working days counted from today in Beijing.
async fn windows_of(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    pairs: &[(i64, i64)],
) -> AppResult<HashMap<i64, (NaiveDate, NaiveDate)>> {
    let mut task_ids: Vec<i64> = pairs.iter().map(|(task, _)| *task).collect();
    task_ids.dedup();
    let rows: Vec<(i64, i32, i32)> = in_chunks(&task_ids, |chunk| {
        tasks::Entity::find()
            .select_only()
            .column(tasks::Column::Id)
            .column(documents::Column::ReceiptWorkingDays)
            .column(documents::Column::HandbackWorkingDays)
            .join(
                sea_orm::JoinType::InnerJoin,
                tasks::Entity::belongs_to(documents::Entity)
                    .from(tasks::Column::DocumentId)
                    .to(documents::Column::Id)
                    .into(),
            )
            .filter(tasks::Column::Id.is_in(chunk))
            .into_tuple()
            .all(txn)
    })
    .await?;
    let today = today_in_china(now);
    let calendar = calendar_from(txn, today).await?;
    Ok(rows
        .into_iter()
        .map(|(task, receipt_days, handback_days)| {
            let days = |n: i32| calendar.add_working_days(today, n.max(0).unsigned_abs());
            (task, (days(receipt_days), days(handback_days)))
        })
        .collect())
}

/// Records every assignment without a receipt as received when its task was created: the
/// generator's province, whose assignments are a year old. The migration did the same for the
/// assignments made before receipts were kept.
pub async fn record_all_received(db: &impl ConnectionTrait) -> AppResult<u64> {
    let china_date = match db.get_database_backend() {
        sea_orm::DatabaseBackend::Sqlite => "date(t.created_at, '+8 hours')",
        _ => "CAST(t.created_at AT TIME ZONE 'Asia/Shanghai' AS DATE)",
    };
    let result = db
        .execute_unprepared(&format!(
            "INSERT INTO task_receipts (task_id, unit_id, assigned_at, due_on, handback_until, \
             acknowledged_at) \
             SELECT t.id, u.unit_id, t.created_at, {china_date}, {china_date}, t.created_at \
             FROM tasks t JOIN (SELECT DISTINCT task_id, unit_id FROM task_units) u \
             ON u.task_id = t.id \
             WHERE NOT EXISTS (SELECT 1 FROM task_receipts r \
             WHERE r.task_id = u.task_id AND r.unit_id = u.unit_id)"
        ))
        .await?;
    Ok(result.rows_affected())
}

/// Acknowledges (签收) a task for the signed-in unit. A second acknowledgement changes nothing
/// and returns the receipt as it is.
pub async fn acknowledge(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    task_id: i64,
) -> AppResult<task_receipts::Model> {
    let unit_id = actor
        .unit_id()
        .ok_or_else(|| AppError::forbidden("only a unit's account acknowledges its tasks"))?;
    let user_id = actor
        .user_id
        .ok_or_else(|| AppError::forbidden("the system does not acknowledge tasks"))?;
    let txn = db.begin().await?;
    let receipt = open_receipt(&txn, task_id, unit_id).await?;
    if receipt.acknowledged_at.is_some() {
        return Ok(receipt);
    }
    // Conditional: of two acknowledgements racing, one records it.
    let updated = task_receipts::Entity::update_many()
        .col_expr(task_receipts::Column::AcknowledgedAt, Expr::value(now))
        .col_expr(task_receipts::Column::AcknowledgedBy, Expr::value(user_id))
        .filter(task_receipts::Column::Id.eq(receipt.id))
        .filter(task_receipts::Column::AcknowledgedAt.is_null())
        .exec(&txn)
        .await?;
    let after = task_receipts::Entity::find_by_id(receipt.id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("receipt"))?;
    if updated.rows_affected == 0 {
        return Ok(after);
    }
    audit::record(
        &txn,
        actor,
        now,
        Change::diff(
            EventKind::TaskAcknowledged,
            EntityType::Receipt,
            Some(after.id),
            &receipt,
            &after,
        ),
    )
    .await?;
    events::record(
        &txn,
        now,
        Event {
            kind: EventKind::TaskAcknowledged,
            entity_type: EntityType::Receipt,
            entity_id: after.id,
            task_id: Some(task_id),
            unit_id: Some(unit_id),
            payload: &after,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// The unit's current receipt of the task: NOT_FOUND when the unit has no part in it (the same
/// answer whether the task exists or not, so that a unit learns nothing of other units' tasks).
pub async fn open_receipt(
    db: &impl ConnectionTrait,
    task_id: i64,
    unit_id: i64,
) -> AppResult<task_receipts::Model> {
    task_receipts::Entity::find()
        .filter(task_receipts::Column::TaskId.eq(task_id))
        .filter(task_receipts::Column::UnitId.eq(unit_id))
        .filter(task_receipts::Column::WithdrawnAt.is_null())
        .filter(
            task_receipts::Column::TaskId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(tasks::Column::Id)
                    .from(tasks::Entity)
                    .and_where(tasks::Column::DeletedAt.is_null())
                    .to_owned(),
            ),
        )
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("task"))
}

/// Which receipts a list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReceiptState {
    /// Not yet acknowledged, the window still open.
    Awaiting,
    /// Not acknowledged and the window has passed.
    Overdue,
    Acknowledged,
}

/// What a list of receipts is narrowed to.
#[derive(Clone, Debug, Default)]
pub struct ReceiptFilter {
    pub task_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub state: Option<ReceiptState>,
    /// Not acknowledged, whether its last day has passed or not.
    pub unacknowledged: bool,
}

/// The condition of `state` at `today`: the same rule `is_overdue` applies to one row.
fn state_condition(state: ReceiptState, today: NaiveDate) -> Condition {
    use task_receipts::Column as C;
    match state {
        ReceiptState::Awaiting => Condition::all()
            .add(C::AcknowledgedAt.is_null())
            .add(C::DueOn.gte(today)),
        ReceiptState::Overdue => Condition::all()
            .add(C::AcknowledgedAt.is_null())
            .add(C::DueOn.lt(today)),
        ReceiptState::Acknowledged => Condition::all().add(C::AcknowledgedAt.is_not_null()),
    }
}

/// Whether a receipt is past its window unacknowledged at `today`.
pub fn is_overdue(receipt: &task_receipts::Model, today: NaiveDate) -> bool {
    receipt.acknowledged_at.is_none() && receipt.withdrawn_at.is_none() && receipt.due_on < today
}

/// What `actor` may read of receipts: a unit its own, a leader those of its tasks, the bureau
/// and machine accounts all; withdrawn ones are history, read through the audit log.
fn readable(actor: &Principal) -> Condition {
    let mut condition = Condition::all()
        .add(task_receipts::Column::WithdrawnAt.is_null())
        .add(task_receipts::Column::TaskId.in_subquery(crate::tasks::query::visible_ids(actor)));
    if let Some(unit_id) = actor.unit_id() {
        condition = condition.add(task_receipts::Column::UnitId.eq(unit_id));
    }
    condition
}

/// Receipts `actor` may read, the earliest window first.
pub async fn list(
    actor: &Principal,
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    filter: &ReceiptFilter,
    page: PageRequest,
) -> AppResult<Page<task_receipts::Model>> {
    let mut condition = readable(actor);
    if let Some(task_id) = filter.task_id {
        condition = condition.add(task_receipts::Column::TaskId.eq(task_id));
    }
    if let Some(unit_id) = filter.unit_id {
        condition = condition.add(task_receipts::Column::UnitId.eq(unit_id));
    }
    if let Some(state) = filter.state {
        condition = condition.add(state_condition(state, today_in_china(now)));
    }
    if filter.unacknowledged {
        condition = condition.add(task_receipts::Column::AcknowledgedAt.is_null());
    }
    let query = task_receipts::Entity::find().filter(condition);
    let total = page.total_of(&query, db).await?;
    let items = query
        .order_by_asc(task_receipts::Column::DueOn)
        .order_by_asc(task_receipts::Column::Id)
        .offset(page.offset)
        .limit(page.fetch_limit())
        .all(db)
        .await?;
    Ok(Page::new(items, total, page))
}

/// The receipts among `ids` that `actor` may read, for `nodes`.
pub async fn readable_by_ids(
    actor: &Principal,
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, task_receipts::Model>> {
    Ok(task_receipts::Entity::find()
        .filter(readable(actor).add(task_receipts::Column::Id.is_in(ids.iter().copied())))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect())
}

/// The current receipts of `task_ids` that `actor` may read, by task, for `Task.receipts`.
pub async fn readable_of_tasks(
    actor: &Principal,
    db: &impl ConnectionTrait,
    task_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<task_receipts::Model>>> {
    let rows = task_receipts::Entity::find()
        .filter(readable(actor).add(task_receipts::Column::TaskId.is_in(task_ids.iter().copied())))
        .order_by_asc(task_receipts::Column::Id)
        .all(db)
        .await?;
    let mut by_task: HashMap<i64, Vec<task_receipts::Model>> = HashMap::new();
    for row in rows {
        by_task.entry(row.task_id).or_default().push(row);
    }
    Ok(by_task)
}
