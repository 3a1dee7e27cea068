//! Changing tasks. All writes are bureau-only here, run in one transaction with their audit
//! row, and bump `version`: a client must send the version it read, and a stale one gets
//! CONFLICT instead of silently overwriting someone else's edit.

use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::TaskStatus;
use entity::{categories, task_leaders, task_units, tasks};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};
use serde::Serialize;

use crate::audit::service::{self as audit, Change};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::events::EntityType;
use crate::events::EventKind;
use crate::tasks::assignments::{NewTaskLeader, NewTaskUnit, replace_leaders, replace_units};
use crate::tasks::query;
use crate::tasks::store::{changed, stale, write_versioned};
use crate::validation::{NAME_MAX, TEXT_MAX, in_range, optional_text, required_text};

/// Longest sequence number as written (`52`, `（三）`, `12之一`).
const SEQ_MAX: usize = 20;

/// A new task.
#[derive(Debug)]
pub struct NewTask {
    pub document_id: i64,
    pub category_id: Option<i64>,
    pub parent_task_id: Option<i64>,
    pub seq: String,
    pub text: String,
    pub deadline: Option<NaiveDate>,
    pub external_id: Option<String>,
    pub leaders: Vec<NewTaskLeader>,
    pub units: Vec<NewTaskUnit>,
    pub indicators: Vec<NewIndicator>,
}

/// A measurable target of a new task.
#[derive(Debug)]
pub struct NewIndicator {
    pub phrase: String,
    pub target: Option<String>,
    pub measure_unit: Option<String>,
    pub comparator: entity::enums::Comparator,
}

/// Changes to a task, guarded by the version the client read. `Some(None)` clears a field.
#[derive(Debug, Default)]
pub struct TaskChanges {
    pub version: i32,
    pub category_id: Option<Option<i64>>,
    pub seq: Option<String>,
    pub text: Option<String>,
    pub deadline: Option<Option<NaiveDate>>,
    pub percent: Option<i32>,
    pub external_id: Option<Option<String>>,
    pub sort_order: Option<i32>,
}

/// A task with its assignments, as written to the audit log.
#[derive(Serialize)]
struct Snapshot<'a> {
    task: &'a tasks::Model,
    #[serde(skip_serializing_if = "Option::is_none")]
    leaders: Option<&'a [task_leaders::Model]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    units: Option<&'a [task_units::Model]>,
}

async fn ensure_category(
    db: &impl ConnectionTrait,
    document_id: i64,
    category_id: i64,
) -> AppResult<()> {
    categories::Entity::find_by_id(category_id)
        .one(db)
        .await?
        .filter(|category| category.document_id == document_id)
        .map(|_| ())
        .ok_or_else(|| AppError::bad_field("categoryId", "no such category in the task's document"))
}

async fn ensure_seq_free(
    db: &impl ConnectionTrait,
    document_id: i64,
    seq: &str,
    except: Option<i64>,
) -> AppResult<()> {
    let clash = tasks::Entity::find()
        .filter(tasks::Column::DocumentId.eq(document_id))
        .filter(tasks::Column::Seq.eq(seq))
        .filter(tasks::Column::DeletedAt.is_null())
        .one(db)
        .await?;
    match clash {
        Some(task) if Some(task.id) != except => Err(AppError::conflict(format!(
            "seq: the document already has a task numbered `{seq}`"
        ))),
        _ => Ok(()),
    }
}

async fn ensure_external_id_free(
    db: &impl ConnectionTrait,
    external_id: &str,
    except: Option<i64>,
) -> AppResult<()> {
    let clash = tasks::Entity::find()
        .filter(tasks::Column::ExternalId.eq(external_id))
        .one(db)
        .await?;
    match clash {
        Some(task) if Some(task.id) != except => Err(AppError::conflict(format!(
            "externalId: `{external_id}` already belongs to another task"
        ))),
        _ => Ok(()),
    }
}

/// Creates a task with its leaders and units. Bureau only.
pub async fn create(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    input: NewTask,
) -> AppResult<tasks::Model> {
    actor.require_bureau()?;
    let seq = required_text("seq", &input.seq, SEQ_MAX)?;
    let text = required_text("text", &input.text, TEXT_MAX)?;
    let external_id = optional_text("externalId", input.external_id.as_deref(), NAME_MAX)?;
    let txn = db.begin().await?;
    let document = crate::documents::service::get(actor, &txn, input.document_id)
        .await
        .map_err(|_| AppError::bad_field("documentId", "no such document"))?;
    if document.kind == entity::enums::DocumentKind::Source {
        return Err(AppError::bad_field(
            "documentId",
            "a source document has no tasks; cite its passages from the tasks (citeSource)",
        ));
    }
    if let Some(category_id) = input.category_id {
        ensure_category(&txn, input.document_id, category_id).await?;
    }
    if let Some(parent_id) = input.parent_task_id {
        let parent = query::get(actor, &txn, parent_id)
            .await
            .map_err(|_| AppError::bad_field("parentTaskId", "no such task"))?;
        if parent.document_id != input.document_id {
            return Err(AppError::bad_field(
                "parentTaskId",
                "belongs to another document",
            ));
        }
    }
    ensure_seq_free(&txn, input.document_id, &seq, None).await?;
    if let Some(external_id) = &external_id {
        ensure_external_id_free(&txn, external_id, None).await?;
    }
    // New tasks go after the last one of their document.
    let last: Option<i32> = tasks::Entity::find()
        .select_only()
        .column(tasks::Column::SortOrder)
        .filter(tasks::Column::DocumentId.eq(input.document_id))
        .order_by_desc(tasks::Column::SortOrder)
        .into_tuple()
        .one(&txn)
        .await?;
    let task = tasks::ActiveModel {
        document_id: Set(input.document_id),
        category_id: Set(input.category_id),
        parent_task_id: Set(input.parent_task_id),
        seq: Set(seq),
        sort_order: Set(last.unwrap_or(0) + 1),
        text: Set(text),
        deadline: Set(input.deadline),
        status: Set(TaskStatus::NotStarted),
        percent: Set(0),
        version: Set(1),
        external_id: Set(external_id),
        completed_at: Set(None),
        deleted_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let leaders = replace_leaders(&txn, task.id, &input.leaders).await?;
    let units = replace_units(&txn, task.id, &input.units).await?;
    crate::handover::receipts::sync(&txn, now, &[task.id]).await?;
    for (position, indicator) in input.indicators.iter().enumerate() {
        entity::indicators::ActiveModel {
            task_id: Set(task.id),
            phrase: Set(required_text(
                "indicators.phrase",
                &indicator.phrase,
                NAME_MAX,
            )?),
            value: Set(optional_text(
                "indicators.target",
                indicator.target.as_deref(),
                NAME_MAX,
            )?),
            measure_unit: Set(optional_text(
                "indicators.measureUnit",
                indicator.measure_unit.as_deref(),
                NAME_MAX,
            )?),
            comparator: Set(indicator.comparator),
            position: Set(i32::try_from(position + 1).unwrap_or(i32::MAX)),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    audit::record(
        &txn,
        actor,
        now,
        Change::after(
            EventKind::TaskCreated,
            EntityType::Task,
            Some(task.id),
            &Snapshot {
                task: &task,
                leaders: Some(&leaders),
                units: Some(&units),
            },
        ),
    )
    .await?;
    changed(&txn, now, EventKind::TaskCreated, task.id, &task).await?;
    // Added after a period's due day, it may owe an overdue report from the start.
    let task = crate::tasks::progress::refreshed(&txn, now, task).await?;
    txn.commit().await?;
    Ok(task)
}

/// Changes a task. Bureau only.
pub async fn update(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    id: i64,
    changes: TaskChanges,
) -> AppResult<tasks::Model> {
    actor.require_bureau()?;
    let txn = db.begin().await?;
    let before = query::get(actor, &txn, id).await?;
    if before.version != changes.version {
        return Err(stale(changes.version));
    }
    // Only the fields that change are set; `write_versioned` adds the version and timestamp.
    let mut active = <tasks::ActiveModel as Default>::default();
    if let Some(seq) = &changes.seq {
        let seq = required_text("seq", seq, SEQ_MAX)?;
        ensure_seq_free(&txn, before.document_id, &seq, Some(id)).await?;
        active.seq = Set(seq);
    }
    if let Some(text) = &changes.text {
        active.text = Set(required_text("text", text, TEXT_MAX)?);
    }
    if let Some(category_id) = changes.category_id {
        if let Some(category_id) = category_id {
            ensure_category(&txn, before.document_id, category_id).await?;
        }
        active.category_id = Set(category_id);
    }
    if let Some(deadline) = changes.deadline {
        active.deadline = Set(deadline);
    }
    if let Some(percent) = changes.percent {
        active.percent = Set(in_range("percent", percent, 0, 100)?);
    }
    if let Some(external_id) = &changes.external_id {
        let external_id = optional_text("externalId", external_id.as_deref(), NAME_MAX)?;
        if let Some(external_id) = &external_id {
            ensure_external_id_free(&txn, external_id, Some(id)).await?;
        }
        active.external_id = Set(external_id);
    }
    if let Some(sort_order) = changes.sort_order {
        active.sort_order = Set(sort_order);
    }
    let after = write_versioned(&txn, id, changes.version, active, now).await?;
    audit::record(
        &txn,
        actor,
        now,
        Change::diff(
            EventKind::TaskUpdated,
            EntityType::Task,
            Some(id),
            &before,
            &after,
        ),
    )
    .await?;
    changed(&txn, now, EventKind::TaskUpdated, id, &after).await?;
    // A new deadline can make the task late, or no longer late.
    let after = if changes.deadline.is_some() {
        crate::tasks::progress::refreshed(&txn, now, after).await?
    } else {
        after
    };
    txn.commit().await?;
    Ok(after)
}

/// Soft-deletes a task: it disappears from every listing but stays in the database with its
/// reports. `version`, when given, guards against deleting a task someone just changed.
pub async fn delete(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    id: i64,
    version: Option<i32>,
) -> AppResult<tasks::Model> {
    actor.require_bureau()?;
    let txn = db.begin().await?;
    let before = query::get(actor, &txn, id).await?;
    let expected = version.unwrap_or(before.version);
    let active = tasks::ActiveModel {
        deleted_at: Set(Some(now)),
        ..Default::default()
    };
    let after = write_versioned(&txn, id, expected, active, now).await?;
    audit::record(
        &txn,
        actor,
        now,
        Change::diff(
            EventKind::TaskDeleted,
            EntityType::Task,
            Some(id),
            &before,
            &after,
        ),
    )
    .await?;
    changed(&txn, now, EventKind::TaskDeleted, id, &after).await?;
    // A deleted task owes nothing.
    crate::obligations::sync(&txn, &[id]).await?;
    txn.commit().await?;
    Ok(after)
}
