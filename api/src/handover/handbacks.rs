//! Handing a task back (退办) and passing it on (转办).
//!
//! A unit that believes a task is not its own asks, with a reason, within its notice's window
//! after the assignment (`task_receipts.handback_until`), and may name the unit it believes
//! should take it. The bureau decides once: it refuses (saying why), or transfers the unit's
//! part to another unit. A transfer replaces the unit in the task's unit list (same role, same
//! place) through `tasks::assignments::set_units`, so the task's version, its audit row, its
//! event, the stored obligations and the receipts move exactly as for any change of units; the
//! reports the first unit wrote stay with the task, and the request keeps who handed what to
//! whom.

use chrono::{DateTime, Utc};
use entity::enums::HandbackState;
use entity::handback_requests;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};

use crate::audit::service::{self as audit, Change};
use crate::auth::Principal;
use crate::deadline::today_in_china;
use crate::error::{AppError, AppResult};
use crate::events::{self, EntityType, Event, EventKind};
use crate::handover::receipts::open_receipt;
use crate::pagination::{Page, PageRequest};
use crate::tasks::assignments::NewTaskUnit;
use crate::validation::{TEXT_MAX, optional_text, required_text};

/// Asks to hand a task back (the signed-in UNIT, while its window is open).
pub async fn request(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    task_id: i64,
    reason: &str,
    suggested_unit_id: Option<i64>,
) -> AppResult<handback_requests::Model> {
    let unit_id = actor
        .unit_id()
        .ok_or_else(|| AppError::forbidden("only a unit's account hands a task back"))?;
    let user_id = actor
        .user_id
        .ok_or_else(|| AppError::forbidden("the system does not hand tasks back"))?;
    let reason = required_text("reason", reason, TEXT_MAX)?;
    let txn = db.begin().await?;
    let receipt = open_receipt(&txn, task_id, unit_id).await?;
    let task = crate::tasks::query::get(actor, &txn, task_id).await?;
    if crate::tasks::progress::is_closed(task.status) {
        return Err(AppError::conflict(
            "the task is closed; nothing is handed back",
        ));
    }
    if today_in_china(now) > receipt.handback_until {
        return Err(AppError::conflict(format!(
            "a task is handed back by {}; the window has closed",
            receipt.handback_until
        )));
    }
    if let Some(suggested) = suggested_unit_id {
        check_successor(&txn, "suggestedUnitId", task_id, suggested).await?;
    }
    let pending = handback_requests::Entity::find()
        .filter(handback_requests::Column::TaskId.eq(task_id))
        .filter(handback_requests::Column::UnitId.eq(unit_id))
        .filter(handback_requests::Column::State.eq(HandbackState::Pending))
        .count(&txn)
        .await?;
    if pending > 0 {
        return Err(AppError::conflict(
            "a request to hand this task back is already awaiting a decision",
        ));
    }
    let stored = handback_requests::ActiveModel {
        task_id: Set(task_id),
        unit_id: Set(unit_id),
        reason: Set(reason),
        suggested_unit_id: Set(suggested_unit_id),
        state: Set(HandbackState::Pending),
        requested_by: Set(user_id),
        requested_at: Set(now),
        decided_by: Set(None),
        decided_at: Set(None),
        decision_comment: Set(None),
        transferred_to_unit_id: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    record(
        &txn,
        actor,
        now,
        EventKind::HandbackRequested,
        None,
        &stored,
    )
    .await?;
    txn.commit().await?;
    Ok(stored)
}

/// The bureau's decision on a pending request: `transfer_to` another unit, or refuse (saying
/// why in `comment`).
pub async fn decide(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    id: i64,
    transfer_to: Option<i64>,
    comment: Option<String>,
) -> AppResult<handback_requests::Model> {
    actor.require_bureau()?;
    let comment = optional_text("comment", comment.as_deref(), TEXT_MAX)?;
    if transfer_to.is_none() && comment.is_none() {
        return Err(AppError::bad_field(
            "comment",
            "say why the task stays with the unit",
        ));
    }
    let txn = db.begin().await?;
    let before = handback_requests::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("handback request"))?;
    if before.state != HandbackState::Pending {
        return Err(AppError::conflict(format!(
            "the request has already been decided ({:?})",
            before.state
        )));
    }
    let state = match transfer_to {
        Some(successor) => {
            check_successor(&txn, "transferToUnitId", before.task_id, successor).await?;
            transfer(actor, &txn, now, &before, successor).await?;
            HandbackState::Transferred
        }
        None => HandbackState::Refused,
    };
    // Conditional on PENDING: of two concurrent decisions only one applies.
    let updated = handback_requests::Entity::update_many()
        .col_expr(handback_requests::Column::State, Expr::value(state))
        .col_expr(
            handback_requests::Column::DecidedBy,
            Expr::value(actor.user_id),
        )
        .col_expr(handback_requests::Column::DecidedAt, Expr::value(now))
        .col_expr(
            handback_requests::Column::DecisionComment,
            Expr::value(comment),
        )
        .col_expr(
            handback_requests::Column::TransferredToUnitId,
            Expr::value(transfer_to),
        )
        .filter(handback_requests::Column::Id.eq(id))
        .filter(handback_requests::Column::State.eq(HandbackState::Pending))
        .exec(&txn)
        .await?;
    if updated.rows_affected == 0 {
        return Err(AppError::conflict("the request has already been decided"));
    }
    let after = handback_requests::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("handback request"))?;
    let kind = match state {
        HandbackState::Transferred => EventKind::HandbackTransferred,
        _ => EventKind::HandbackRefused,
    };
    record(&txn, actor, now, kind, Some(&before), &after).await?;
    txn.commit().await?;
    Ok(after)
}

/// The unit that is to take the task over: a current, unmerged unit not already on the task.
async fn check_successor(
    db: &impl ConnectionTrait,
    field: &str,
    task_id: i64,
    unit_id: i64,
) -> AppResult<()> {
    let known = crate::units::service::by_ids(db, &[unit_id]).await?;
    let unit = known
        .get(&unit_id)
        .ok_or_else(|| AppError::bad_field(field, "no such unit"))?;
    if unit.merged_into_id.is_some() {
        return Err(AppError::bad_field(
            field,
            "the unit was merged into another",
        ));
    }
    let units = crate::tasks::query::units_of(db, &[task_id]).await?;
    if units
        .get(&task_id)
        .is_some_and(|rows| rows.iter().any(|row| row.unit_id == unit_id))
    {
        return Err(AppError::bad_field(
            field,
            "the unit is already on the task",
        ));
    }
    Ok(())
}

/// Replaces the requesting unit by `successor` in the task's units, in every role it held.
async fn transfer(
    actor: &Principal,
    txn: &sea_orm::DatabaseTransaction,
    now: DateTime<Utc>,
    request: &handback_requests::Model,
    successor: i64,
) -> AppResult<()> {
    let mut by_task = crate::tasks::query::units_of(txn, &[request.task_id]).await?;
    let current = by_task.remove(&request.task_id).unwrap_or_default();
    if !current.iter().any(|row| row.unit_id == request.unit_id) {
        return Err(AppError::conflict(
            "the unit is no longer on the task; nothing to transfer",
        ));
    }
    let units = current
        .into_iter()
        .map(|row| {
            let moved = row.unit_id == request.unit_id;
            NewTaskUnit {
                unit_id: if moved { successor } else { row.unit_id },
                role: row.role,
                is_local: row.is_local,
                // The successor's registry name: the notice never wrote it.
                name_as_written: (!moved).then_some(row.name_as_written),
            }
        })
        .collect();
    crate::tasks::assignments::set_units(actor, txn, now, request.task_id, None, units).await?;
    Ok(())
}

/// The audit row and the event of a step, addressed to the unit that asked.
async fn record(
    txn: &sea_orm::DatabaseTransaction,
    actor: &Principal,
    now: DateTime<Utc>,
    kind: EventKind,
    before: Option<&handback_requests::Model>,
    after: &handback_requests::Model,
) -> AppResult<()> {
    let change = Change::step(kind, EntityType::Handback, Some(after.id), before, after);
    audit::record(txn, actor, now, change).await?;
    events::record(
        txn,
        now,
        Event {
            kind,
            entity_type: EntityType::Handback,
            entity_id: after.id,
            task_id: Some(after.task_id),
            unit_id: Some(after.unit_id),
            payload: after,
        },
    )
    .await
}

/// What `actor` may read: a unit its own requests, a leader those of its tasks, the bureau and
/// machine accounts all. A unit that handed a task on no longer sees the task, but still reads
/// its request and the decision.
fn readable(actor: &Principal) -> Condition {
    match actor.unit_id() {
        Some(unit_id) => Condition::all().add(handback_requests::Column::UnitId.eq(unit_id)),
        None => Condition::all().add(
            handback_requests::Column::TaskId.in_subquery(crate::tasks::query::visible_ids(actor)),
        ),
    }
}

/// Requests `actor` may read, newest first.
pub async fn list(
    actor: &Principal,
    db: &impl ConnectionTrait,
    state: Option<HandbackState>,
    page: PageRequest,
) -> AppResult<Page<handback_requests::Model>> {
    let mut condition = readable(actor);
    if let Some(state) = state {
        condition = condition.add(handback_requests::Column::State.eq(state));
    }
    let query = handback_requests::Entity::find().filter(condition);
    let total = page.total_of(&query, db).await?;
    let items = query
        .order_by_desc(handback_requests::Column::RequestedAt)
        .order_by_desc(handback_requests::Column::Id)
        .offset(page.offset)
        .limit(page.fetch_limit())
        .all(db)
        .await?;
    Ok(Page::new(items, total, page))
}

/// The requests among `ids` that `actor` may read, for `nodes`.
pub async fn readable_by_ids(
    actor: &Principal,
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<std::collections::HashMap<i64, handback_requests::Model>> {
    Ok(handback_requests::Entity::find()
        .filter(readable(actor).add(handback_requests::Column::Id.is_in(ids.iter().copied())))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect())
}
