//! Follow-up reviews (回头看) of motions: once a motion is done (its task completed, or its
//! reply rated 满意 or 基本满意), the bureau schedules a review for a day and later records what
//! it found. Each step is audited and told to the task's units and leaders.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{Rating, TaskStatus};
use entity::{proposal_follow_ups, task_proposals};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};

use crate::audit::service::{self as audit, Change};
use crate::auth::Principal;
use crate::deadline::today_in_china;
use crate::error::{AppError, AppResult};
use crate::events::{EntityType, EventKind};
use crate::validation::{TEXT_MAX, optional_text, required_text};

/// Schedules a follow-up review of a done motion (BUREAU) for `due_on` (today or later).
pub async fn schedule(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    task_id: i64,
    due_on: NaiveDate,
    note: Option<String>,
) -> AppResult<proposal_follow_ups::Model> {
    actor.require_bureau()?;
    let note = optional_text("note", note.as_deref(), TEXT_MAX)?;
    if due_on < today_in_china(now) {
        return Err(AppError::bad_field("dueOn", "is in the past"));
    }
    let txn = db.begin().await?;
    let task = crate::tasks::query::get(actor, &txn, task_id)
        .await
        .map_err(|_| AppError::bad_field("taskId", "no such task"))?;
    let motion = task_proposals::Entity::find_by_id(task_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::bad_field("taskId", "the task carries no motion"))?;
    let done = task.status == TaskStatus::Completed
        || matches!(
            motion.rating,
            Some(Rating::Satisfied | Rating::BasicallySatisfied)
        );
    if !done {
        return Err(AppError::conflict(
            "a follow-up review comes after the motion is done (completed, or rated 满意 or 基本满意)",
        ));
    }
    let stored = proposal_follow_ups::ActiveModel {
        task_id: Set(task_id),
        due_on: Set(due_on),
        note: Set(note),
        scheduled_by: Set(actor.user_id),
        scheduled_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    record(
        &txn,
        actor,
        now,
        EventKind::ProposalFollowUpScheduled,
        None,
        &stored,
    )
    .await?;
    txn.commit().await?;
    Ok(stored)
}

/// Records a scheduled review as held on `held_on` with its findings (BUREAU), once.
pub async fn record_findings(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    id: i64,
    held_on: NaiveDate,
    findings: &str,
) -> AppResult<proposal_follow_ups::Model> {
    actor.require_bureau()?;
    let findings = required_text("findings", findings, TEXT_MAX)?;
    if held_on > today_in_china(now) {
        return Err(AppError::bad_field("heldOn", "is in the future"));
    }
    let txn = db.begin().await?;
    let before = proposal_follow_ups::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("follow-up review"))?;
    let updated = proposal_follow_ups::Entity::update_many()
        .col_expr(proposal_follow_ups::Column::HeldOn, Expr::value(held_on))
        .col_expr(proposal_follow_ups::Column::Findings, Expr::value(findings))
        .col_expr(
            proposal_follow_ups::Column::RecordedBy,
            Expr::value(actor.user_id),
        )
        .col_expr(proposal_follow_ups::Column::RecordedAt, Expr::value(now))
        .filter(proposal_follow_ups::Column::Id.eq(id))
        .filter(proposal_follow_ups::Column::RecordedAt.is_null())
        .exec(&txn)
        .await?;
    if updated.rows_affected == 0 {
        return Err(AppError::conflict(
            "the review's findings are already recorded",
        ));
    }
    let after = proposal_follow_ups::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("follow-up review"))?;
    record(
        &txn,
        actor,
        now,
        EventKind::ProposalFollowUpRecorded,
        Some(&before),
        &after,
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

async fn record(
    txn: &DatabaseTransaction,
    actor: &Principal,
    now: DateTime<Utc>,
    kind: EventKind,
    before: Option<&proposal_follow_ups::Model>,
    after: &proposal_follow_ups::Model,
) -> AppResult<()> {
    let change = Change::step(kind, EntityType::Task, Some(after.task_id), before, after);
    audit::record(txn, actor, now, change).await?;
    crate::tasks::store::changed(txn, now, kind, after.task_id, after).await
}

/// The reviews of each task, in the order they were scheduled (the caller has seen the task).
pub async fn of_tasks(
    db: &impl ConnectionTrait,
    task_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<proposal_follow_ups::Model>>> {
    let mut by_task: HashMap<i64, Vec<proposal_follow_ups::Model>> = HashMap::new();
    for row in proposal_follow_ups::Entity::find()
        .filter(proposal_follow_ups::Column::TaskId.is_in(task_ids.iter().copied()))
        .order_by_asc(proposal_follow_ups::Column::Id)
        .all(db)
        .await?
    {
        by_task.entry(row.task_id).or_default().push(row);
    }
    Ok(by_task)
}

/// The reviews among `ids` whose task `actor` may see, for `nodes`.
pub async fn readable_by_ids(
    actor: &Principal,
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, proposal_follow_ups::Model>> {
    Ok(proposal_follow_ups::Entity::find()
        .filter(proposal_follow_ups::Column::Id.is_in(ids.iter().copied()))
        .filter(
            proposal_follow_ups::Column::TaskId
                .in_subquery(crate::tasks::query::visible_ids(actor)),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|f| (f.id, f))
        .collect())
}
