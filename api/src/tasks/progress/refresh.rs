//! Storing derived statuses: `refresh` syncs the given tasks' obligations and recomputes their
//! statuses in the caller's transaction and records each change (an audit row as the system, and a
//! `task.status_changed` event); `sweep` does it for every open task as time passes.

use chrono::{DateTime, Utc};
use entity::enums::TaskStatus;
use entity::tasks;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect,
    TransactionTrait,
};
use serde::Serialize;

use super::{derive_status, facts_of};
use crate::audit::service::{self as audit, Change};
use crate::auth::Principal;
use crate::deadline::today_in_china;
use crate::error::{AppError, AppResult};
use crate::events::EntityType;
use crate::events::EventKind;
use crate::events::{self, Event};

/// A derived change of status, for the audit log and the event.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StatusChange {
    from: TaskStatus,
    to: TaskStatus,
}

/// Brings the stored obligations of the given tasks up to date (`obligations::sync`), then
/// recomputes and stores their statuses; returns how many statuses changed. Call it with the
/// transaction of the change that may move them.
pub async fn refresh(
    db: &DatabaseTransaction,
    now: DateTime<Utc>,
    task_ids: &[i64],
) -> AppResult<u32> {
    // Read once, deleted ones too: a deleted task's obligations go.
    let tasks = crate::db::in_chunks(task_ids, |chunk| {
        tasks::Entity::find()
            .filter(tasks::Column::Id.is_in(chunk))
            .all(db)
    })
    .await?;
    crate::obligations::store::sync_tasks(db, &tasks).await?;
    let live: Vec<tasks::Model> = tasks
        .into_iter()
        .filter(|t| t.deleted_at.is_none())
        .collect();
    restatus_read(db, now, &live).await
}

/// Recomputes and stores the statuses of the given live tasks from their stored obligations,
/// which the caller has kept (a report's change moves its one row: `obligations::store`), or
/// which nothing changed (the passing of time).
pub async fn restatus(
    db: &DatabaseTransaction,
    now: DateTime<Utc>,
    task_ids: &[i64],
) -> AppResult<u32> {
    let tasks = crate::db::in_chunks(task_ids, |chunk| {
        tasks::Entity::find()
            .filter(tasks::Column::Id.is_in(chunk))
            .filter(tasks::Column::DeletedAt.is_null())
            .all(db)
    })
    .await?;
    restatus_read(db, now, &tasks).await
}

/// `restatus` for live tasks the caller has read in its transaction (a submission, which read
/// its task to check access, saves a statement). The status update stays conditional on the
/// status read, so a decision made meanwhile is never undone.
pub async fn restatus_read(
    db: &DatabaseTransaction,
    now: DateTime<Utc>,
    tasks: &[tasks::Model],
) -> AppResult<u32> {
    let facts = facts_of(db, tasks, now).await?;
    let today = today_in_china(now);
    let mut changed = 0;
    for task in tasks {
        let status = derive_status(
            task,
            facts.get(&task.id).map_or(&[][..], Vec::as_slice),
            today,
        );
        if status == task.status {
            continue;
        }
        // Conditional on the status read, so a bureau decision made meanwhile is never undone.
        let updated = tasks::Entity::update_many()
            .col_expr(tasks::Column::Status, Expr::value(status))
            .col_expr(tasks::Column::UpdatedAt, Expr::value(now))
            .filter(tasks::Column::Id.eq(task.id))
            .filter(tasks::Column::Status.eq(task.status))
            .exec(db)
            .await?;
        if updated.rows_affected == 0 {
            continue;
        }
        let change = StatusChange {
            from: task.status,
            to: status,
        };
        audit::record(
            db,
            &Principal::system(),
            now,
            Change::after(
                EventKind::TaskStatusChanged,
                EntityType::Task,
                Some(task.id),
                &change,
            ),
        )
        .await?;
        events::record(
            db,
            now,
            Event {
                kind: EventKind::TaskStatusChanged,
                entity_type: EntityType::Task,
                entity_id: task.id,
                task_id: Some(task.id),
                unit_id: None,
                payload: &change,
            },
        )
        .await?;
        changed += 1;
    }
    Ok(changed)
}

/// Refreshes one task's status in the caller's transaction and returns the task as stored
/// afterwards, so that a mutation's payload shows the status its change led to.
pub async fn refreshed(
    db: &DatabaseTransaction,
    now: DateTime<Utc>,
    task: tasks::Model,
) -> AppResult<tasks::Model> {
    if refresh(db, now, &[task.id]).await? == 0 {
        return Ok(task);
    }
    tasks::Entity::find_by_id(task.id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("task"))
}

/// Refreshes the statuses of a document's live tasks, after a change to the whole document (a
/// re-import that rewrote their units).
pub async fn refresh_document(
    db: &DatabaseTransaction,
    now: DateTime<Utc>,
    document_id: i64,
) -> AppResult<u32> {
    let ids: Vec<i64> = tasks::Entity::find()
        .select_only()
        .column(tasks::Column::Id)
        .filter(tasks::Column::DocumentId.eq(document_id))
        .filter(tasks::Column::DeletedAt.is_null())
        .into_tuple()
        .all(db)
        .await?;
    refresh(db, now, &ids).await
}

/// Recomputes the status of every open task, for the passing of time. Run by the deadline job;
/// safe to run on several instances at once (each change is conditional on the status read).
pub async fn sweep(
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
) -> AppResult<u32> {
    let open: Vec<i64> = tasks::Entity::find()
        .select_only()
        .column(tasks::Column::Id)
        .filter(tasks::Column::DeletedAt.is_null())
        .filter(tasks::Column::Status.is_not_in([TaskStatus::Completed, TaskStatus::Cancelled]))
        .into_tuple()
        .all(db)
        .await?;
    let mut changed = 0;
    // In slices, so that one transaction never holds the whole city's tasks.
    for chunk in open.chunks(200) {
        let txn = db.begin().await?;
        // Time moves states, not the stored obligations: no sync.
        changed += restatus(&txn, now, chunk).await?;
        txn.commit().await?;
    }
    Ok(changed)
}
