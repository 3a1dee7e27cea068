//! The one way a task row is written: conditionally on the version the writer read
//! (invariant 8), so that of two concurrent writers one gets CONFLICT instead of silently
//! overwriting the other, and no version number is ever given to two different contents.
//! Every module that changes tasks (`service`, `assignments`, `decisions`, `proposals`, the
//! importer) writes through here, and records the change's event with `changed`.

use chrono::{DateTime, Utc};
use entity::tasks;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue, ColumnTrait, Condition, DatabaseTransaction, EntityTrait, QueryFilter, Set,
};
use serde::Serialize;

use crate::error::{AppError, AppResult};
use crate::events::EntityType;
use crate::events::EventKind;

/// Writes `active` if the task is still at `expected` version, bumping the version. Returns the
/// task as stored, or CONFLICT when someone else changed it since the client read it. In the
/// transaction of the change, which also writes its audit row and event.
pub(crate) async fn write_versioned(
    db: &DatabaseTransaction,
    id: i64,
    expected: i32,
    mut active: tasks::ActiveModel,
    now: DateTime<Utc>,
) -> AppResult<tasks::Model> {
    active.version = ActiveValue::NotSet;
    active.updated_at = Set(now);
    let updated = tasks::Entity::update_many()
        .set(active)
        .col_expr(
            tasks::Column::Version,
            Expr::col(tasks::Column::Version).add(1),
        )
        .filter(tasks::Column::Id.eq(id))
        .filter(tasks::Column::Version.eq(expected))
        .exec(db)
        .await?;
    if updated.rows_affected == 0 {
        return Err(stale(expected));
    }
    tasks::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("task"))
}

/// Soft-deletes the tasks at the versions read, `(id, version)` each, bumping their versions:
/// all of them, or none and CONFLICT when any has changed since; their stored obligations go
/// (a deleted task owes nothing: `obligations::store`). A few statements however many tasks (a
/// replacing import can remove hundreds).
pub(crate) async fn soft_delete_versioned(
    txn: &DatabaseTransaction,
    read: &[(i64, i32)],
    now: DateTime<Utc>,
) -> AppResult<()> {
    // Two bind parameters a task; PostgreSQL takes at most 65,535 in a statement.
    for chunk in read.chunks(500) {
        let at_version_read = chunk.iter().fold(Condition::any(), |any, &(id, version)| {
            any.add(
                Condition::all()
                    .add(tasks::Column::Id.eq(id))
                    .add(tasks::Column::Version.eq(version)),
            )
        });
        let removed = tasks::Entity::update_many()
            .col_expr(tasks::Column::DeletedAt, Expr::value(now))
            .col_expr(tasks::Column::UpdatedAt, Expr::value(now))
            .col_expr(
                tasks::Column::Version,
                Expr::col(tasks::Column::Version).add(1),
            )
            .filter(tasks::Column::DeletedAt.is_null())
            .filter(at_version_read)
            .exec(txn)
            .await?;
        if removed.rows_affected != chunk.len() as u64 {
            return Err(AppError::conflict(
                "a task to be removed was changed since it was read; nothing was stored: try again",
            ));
        }
    }
    let ids: Vec<i64> = read.iter().map(|&(id, _)| id).collect();
    crate::obligations::sync(txn, &ids).await?;
    Ok(())
}

/// Records the event of a change to a task, in the change's transaction: the task's leaders and
/// units hear of it.
pub(crate) async fn changed<P: Serialize>(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    kind: EventKind,
    task_id: i64,
    payload: &P,
) -> AppResult<()> {
    crate::events::record(
        txn,
        now,
        crate::events::Event {
            kind,
            entity_type: EntityType::Task,
            entity_id: task_id,
            task_id: Some(task_id),
            unit_id: None,
            payload,
        },
    )
    .await
}

/// The refusal of a write at a version that is no longer current.
pub(crate) fn stale(expected: i32) -> AppError {
    AppError::conflict(format!(
        "the task has changed since version {expected} was read; reload it and try again"
    ))
}
