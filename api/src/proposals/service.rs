//! Recording motions, their replies and ratings. Each change runs in one transaction with its
//! audit row and its event.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{DocumentKind, Rating, ReplyClass, TaskStatus};
use entity::{documents, proposal_replies, task_proposals, tasks};
use itertools::Itertools;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};
use serde::Serialize;

use crate::audit::service::{self as audit, Change};
use crate::auth::Principal;
use crate::deadline::today_in_china;
use crate::error::{AppError, AppResult};
use crate::events::EntityType;
use crate::events::EventKind;
use crate::events::{self, Event};
use crate::obligations::assigned_unit;
use crate::tasks::query as task_query;
use crate::validation::{NAME_MAX, TEXT_MAX, required_text};

/// The motion data the bureau records.
#[derive(Debug)]
pub struct ProposalInput {
    /// As written: `张三等12名代表`.
    pub proposers: String,
    pub deputy_count: Option<i32>,
    pub reply_deadline: Option<NaiveDate>,
}

/// A motion's current state and every reply so far, oldest first.
pub type ProposalWithReplies = (task_proposals::Model, Vec<proposal_replies::Model>);

/// The proposal task, after checking the actor sees it and its document is a PROPOSAL one.
async fn proposal_task(
    actor: &Principal,
    db: &impl ConnectionTrait,
    task_id: i64,
) -> AppResult<(tasks::Model, documents::Model)> {
    let task = task_query::get(actor, db, task_id).await?;
    let document = documents::Entity::find_by_id(task.document_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("document"))?;
    if document.kind != DocumentKind::Proposal {
        return Err(AppError::bad_field(
            "taskId",
            "only tasks of a PROPOSAL document carry a motion",
        ));
    }
    Ok((task, document))
}

async fn current(db: &impl ConnectionTrait, task_id: i64) -> AppResult<task_proposals::Model> {
    task_proposals::Entity::find_by_id(task_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::bad_field("taskId", "the motion's proposers are not recorded yet"))
}

/// What a change is (its event kind, and so its audit action), and whom it concerns.
struct Names {
    kind: EventKind,
    task_id: i64,
    unit_id: Option<i64>,
}

async fn record_change<B: Serialize, A: Serialize>(
    txn: &DatabaseTransaction,
    actor: &Principal,
    now: DateTime<Utc>,
    names: Names,
    before: Option<&B>,
    after: &A,
) -> AppResult<()> {
    let Names {
        kind,
        task_id,
        unit_id,
    } = names;
    let change = Change {
        action: kind.into(),
        entity_type: EntityType::Task,
        entity_id: Some(task_id),
        before,
        after: Some(after),
    };
    audit::record(txn, actor, now, change).await?;
    events::record(
        txn,
        now,
        Event {
            kind,
            entity_type: EntityType::Task,
            entity_id: task_id,
            task_id: Some(task_id),
            unit_id,
            payload: after,
        },
    )
    .await
}

/// Records or corrects the proposers and the reply deadline. Bureau only.
pub async fn set(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    task_id: i64,
    input: ProposalInput,
) -> AppResult<task_proposals::Model> {
    actor.require_bureau()?;
    let proposers = required_text("proposers", &input.proposers, NAME_MAX * 4)?;
    if input
        .deputy_count
        .is_some_and(|n| !(1..=10_000).contains(&n))
    {
        return Err(AppError::bad_field(
            "deputyCount",
            "must be between 1 and 10000",
        ));
    }
    let txn = db.begin().await?;
    proposal_task(actor, &txn, task_id).await?;
    let before = task_proposals::Entity::find_by_id(task_id)
        .one(&txn)
        .await?;
    let after = match &before {
        Some(row) => {
            let mut active: task_proposals::ActiveModel = row.clone().into();
            active.proposers = Set(proposers);
            active.deputy_count = Set(input.deputy_count);
            active.reply_deadline = Set(input.reply_deadline);
            active.updated_at = Set(now);
            active.update(&txn).await?
        }
        None => {
            task_proposals::ActiveModel {
                task_id: Set(task_id),
                proposers: Set(proposers),
                deputy_count: Set(input.deputy_count),
                reply_deadline: Set(input.reply_deadline),
                reply_text: Set(None),
                replied_on: Set(None),
                reply_class: Set(None),
                rating: Set(None),
                round: Set(1),
                updated_at: Set(now),
            }
            .insert(&txn)
            .await?
        }
    };
    record_change(
        &txn,
        actor,
        now,
        Names {
            kind: EventKind::ProposalUpdated,
            task_id,
            unit_id: None,
        },
        before.as_ref(),
        &after,
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// Writes the reply of the current round: an owing unit of the task, or the bureau.
pub async fn reply(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    task_id: i64,
    text: &str,
    class: ReplyClass,
) -> AppResult<task_proposals::Model> {
    let user_id = actor
        .user_id
        .ok_or_else(|| AppError::forbidden("replies are written by people"))?;
    let text = required_text("text", text, TEXT_MAX)?;
    let txn = db.begin().await?;
    let (task, document) = proposal_task(actor, &txn, task_id).await?;
    if !actor.is_bureau() {
        let refusal = "the reply is written by the units that handle the motion";
        let part = assigned_unit(actor, &txn, &task)
            .await
            .map_err(|_| AppError::forbidden(refusal))?;
        if !part.owes(document.obligation_rule) {
            return Err(AppError::forbidden(refusal));
        }
    }
    let before = current(&txn, task_id).await?;
    if before.reply_text.is_some() {
        return Err(AppError::conflict(format!(
            "round {} is already answered; a 不满意 rating opens the next round",
            before.round
        )));
    }
    let today = today_in_china(now);
    // The unique (task, round) index settles two replies racing: one wins, the other CONFLICT.
    proposal_replies::ActiveModel {
        task_id: Set(task_id),
        round: Set(before.round),
        reply_text: Set(text.clone()),
        reply_class: Set(class),
        replied_on: Set(today),
        replied_by: Set(Some(user_id)),
        rating: Set(None),
        rated_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let mut active: task_proposals::ActiveModel = before.clone().into();
    active.reply_text = Set(Some(text));
    active.replied_on = Set(Some(today));
    active.reply_class = Set(Some(class));
    active.rating = Set(None);
    active.updated_at = Set(now);
    let after = active.update(&txn).await?;
    record_change(
        &txn,
        actor,
        now,
        Names {
            kind: EventKind::ProposalReplied,
            task_id,
            unit_id: actor.unit_id(),
        },
        Some(&before),
        &after,
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// Records the deputies' rating of the current reply. Bureau only. 不满意 opens the next round,
/// with a new reply deadline when given, and reopens a completed task.
pub async fn rate(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    task_id: i64,
    rating: Rating,
    next_deadline: Option<NaiveDate>,
) -> AppResult<task_proposals::Model> {
    actor.require_bureau()?;
    let today = today_in_china(now);
    if next_deadline.is_some_and(|d| d <= today) {
        return Err(AppError::bad_field(
            "nextReplyDeadline",
            "must be after today",
        ));
    }
    if next_deadline.is_some() && rating != Rating::Dissatisfied {
        return Err(AppError::bad_field(
            "nextReplyDeadline",
            "only a 不满意 rating opens a next round with a deadline",
        ));
    }
    let txn = db.begin().await?;
    let (task, _) = proposal_task(actor, &txn, task_id).await?;
    let before = current(&txn, task_id).await?;
    let reply = proposal_replies::Entity::find()
        .filter(proposal_replies::Column::TaskId.eq(task_id))
        .filter(proposal_replies::Column::Round.eq(before.round))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::conflict("the current round has no reply to rate yet"))?;
    if reply.rating.is_some() {
        return Err(AppError::conflict("this reply is already rated"));
    }
    let mut rated: proposal_replies::ActiveModel = reply.into();
    rated.rating = Set(Some(rating));
    rated.rated_at = Set(Some(now));
    rated.update(&txn).await?;
    let mut active: task_proposals::ActiveModel = before.clone().into();
    active.updated_at = Set(now);
    let kind = if rating == Rating::Dissatisfied {
        active.round = Set(before.round + 1);
        active.reply_text = Set(None);
        active.replied_on = Set(None);
        active.reply_class = Set(None);
        active.rating = Set(None);
        if next_deadline.is_some() {
            active.reply_deadline = Set(next_deadline);
        }
        if matches!(task.status, TaskStatus::Completed) {
            reopen(&txn, now, &task).await?;
        }
        EventKind::ProposalReopened
    } else {
        active.rating = Set(Some(rating));
        EventKind::ProposalRated
    };
    let after = active.update(&txn).await?;
    record_change(
        &txn,
        actor,
        now,
        Names {
            kind,
            task_id,
            unit_id: None,
        },
        Some(&before),
        &after,
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// Opens a completed task again after a 不满意 rating; its status is then derived anew.
async fn reopen(
    db: &DatabaseTransaction,
    now: DateTime<Utc>,
    task: &tasks::Model,
) -> AppResult<()> {
    let active = tasks::ActiveModel {
        status: Set(TaskStatus::InProgress),
        completed_at: Set(None),
        ..Default::default()
    };
    crate::tasks::store::write_versioned(db, task.id, task.version, active, now).await?;
    crate::tasks::progress::refresh(db, now, &[task.id]).await?;
    Ok(())
}

/// The motions of each task (tasks without one are absent), for the DataLoader.
pub async fn of_tasks(
    db: &impl ConnectionTrait,
    task_ids: &[i64],
) -> AppResult<HashMap<i64, ProposalWithReplies>> {
    let mut replies = proposal_replies::Entity::find()
        .filter(proposal_replies::Column::TaskId.is_in(task_ids.to_vec()))
        .order_by_asc(proposal_replies::Column::Round)
        .all(db)
        .await?
        .into_iter()
        .into_group_map_by(|reply| reply.task_id);
    Ok(task_proposals::Entity::find()
        .filter(task_proposals::Column::TaskId.is_in(task_ids.to_vec()))
        .all(db)
        .await?
        .into_iter()
        .map(|p| {
            let list = replies.remove(&p.task_id).unwrap_or_default();
            (p.task_id, (p, list))
        })
        .collect())
}
