//! The bureau's decisions on a task: completion (办结), cancellation, reopening. Everything else
//! about a task's status is derived (see `progress`); these are the only ways a person sets it.

use chrono::{DateTime, Utc};
use entity::enums::TaskStatus;
use entity::tasks;
use sea_orm::{ConnectionTrait, EntityTrait, TransactionTrait};
use serde::Serialize;

use crate::audit::service::{self as audit, Change};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::events::EntityType;
use crate::events::EventKind;
use crate::events::{self, Event};
use crate::tasks::progress::{is_closed, refresh};

/// What the bureau decides about a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// 办结: the task is done.
    Complete,
    /// The task is dropped.
    Cancel,
    /// A closed task is opened again; its status is derived anew.
    Reopen,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Decided<'a> {
    from: TaskStatus,
    to: TaskStatus,
    comment: Option<&'a str>,
}

/// Completes, cancels or reopens a task. Bureau only; guarded by the version the client read.
/// Reopening needs a reason.
pub async fn decide(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    id: i64,
    version: i32,
    decision: Decision,
    comment: Option<&str>,
) -> AppResult<tasks::Model> {
    actor.require_bureau()?;
    if actor.user_id.is_none() {
        return Err(AppError::forbidden("completion is confirmed by a person"));
    }
    let comment =
        crate::validation::optional_text("comment", comment, crate::validation::TEXT_MAX)?;
    if decision == Decision::Reopen && comment.is_none() {
        return Err(AppError::bad_field(
            "comment",
            "say why the task is reopened",
        ));
    }
    let txn = db.begin().await?;
    let before = crate::tasks::query::get(actor, &txn, id).await?;
    let target = match (decision, before.status) {
        (Decision::Complete, TaskStatus::Completed) | (Decision::Cancel, TaskStatus::Cancelled) => {
            return Err(AppError::conflict(format!(
                "the task is already {:?}",
                before.status
            )));
        }
        (Decision::Reopen, status) if !is_closed(status) => {
            return Err(AppError::conflict(
                "only a completed or cancelled task is reopened",
            ));
        }
        (Decision::Complete, _) => TaskStatus::Completed,
        (Decision::Cancel, _) => TaskStatus::Cancelled,
        // Provisional: `refresh` below derives the real one.
        (Decision::Reopen, _) => TaskStatus::NotStarted,
    };
    let active = tasks::ActiveModel {
        status: sea_orm::Set(target),
        // The day a task was closed ends its obligations (see `obligations::store::derive`).
        completed_at: sea_orm::Set(is_closed(target).then_some(now)),
        ..Default::default()
    };
    crate::tasks::store::write_versioned(&txn, id, version, active, now).await?;
    if decision == Decision::Reopen {
        refresh(&txn, now, &[id]).await?;
    } else {
        // Closing ends the obligations due after today that nothing was reported for.
        crate::obligations::sync(&txn, &[id]).await?;
    }
    let after = tasks::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("task"))?;
    let (action, kind) = match decision {
        Decision::Complete => (EventKind::TaskCompleted, EventKind::TaskCompleted),
        Decision::Cancel => (EventKind::TaskCancelled, EventKind::TaskCancelled),
        Decision::Reopen => (EventKind::TaskReopened, EventKind::TaskReopened),
    };
    let summary = Decided {
        from: before.status,
        to: after.status,
        comment: comment.as_deref(),
    };
    audit::record(
        &txn,
        actor,
        now,
        Change::diff(action, EntityType::Task, Some(id), &before, &after),
    )
    .await?;
    events::record(
        &txn,
        now,
        Event {
            kind,
            entity_type: EntityType::Task,
            entity_id: id,
            task_id: Some(id),
            unit_id: None,
            payload: &summary,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}
