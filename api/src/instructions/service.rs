//! Business rules of instructions.
//!
//! - A leader of the task or the bureau starts a thread (kind INSTRUCTION); anyone who may read
//!   the thread replies to it (kind REPLY), units only by replying. Machine accounts do not write.
//! - An instruction on the task is read by everyone who sees the task; one on a report by those
//!   who may read that report (so never by another unit).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::enums::InstructionKind;
use entity::{instructions, progress_reports};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};

use crate::audit::service::{self as audit, Change};
use crate::auth::principal::{Principal, Scope};
use crate::error::{AppError, AppResult};
use crate::events::EntityType;
use crate::events::EventKind;
use crate::events::{self, Event};
use crate::tasks::query as tasks;
use crate::validation::{TEXT_MAX, required_text};

/// Something to write in a task's thread.
#[derive(Debug)]
pub struct NewInstruction {
    pub task_id: i64,
    pub report_id: Option<i64>,
    pub parent_id: Option<i64>,
    pub body: String,
}

/// Writes an instruction or a reply.
pub async fn write(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    input: NewInstruction,
) -> AppResult<instructions::Model> {
    let author = actor
        .user_id
        .filter(|_| !matches!(actor.scope, Scope::Service | Scope::Office { .. }))
        .ok_or_else(|| {
            AppError::forbidden(
                "instructions are written by leaders, the bureau and the task's units; \
                 machine accounts and reviewing offices read them",
            )
        })?;
    let body = required_text("body", &input.body, TEXT_MAX)?;
    let txn = db.begin().await?;
    let task = tasks::get(actor, &txn, input.task_id).await?;
    let (report_id, kind) = match input.parent_id {
        Some(parent_id) => {
            let parent = readable_of_tasks(actor, &txn, &[task.id])
                .await?
                .remove(&task.id)
                .unwrap_or_default()
                .into_iter()
                .find(|i| i.id == parent_id)
                .ok_or_else(|| {
                    AppError::bad_field("parentId", "no such instruction on this task")
                })?;
            (parent.report_id, InstructionKind::Reply)
        }
        None => {
            if actor.unit_id().is_some() {
                return Err(AppError::forbidden(
                    "a unit replies to instructions; it does not start them",
                ));
            }
            if let Some(report_id) = input.report_id {
                crate::reports::service::get(actor, &txn, report_id)
                    .await
                    .ok()
                    .filter(|r| r.task_id == task.id)
                    .ok_or_else(|| {
                        AppError::bad_field("reportId", "no such report on this task")
                    })?;
            }
            (input.report_id, InstructionKind::Instruction)
        }
    };
    let stored = instructions::ActiveModel {
        task_id: Set(task.id),
        report_id: Set(report_id),
        parent_id: Set(input.parent_id),
        author_id: Set(author),
        kind: Set(kind),
        body: Set(body),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        now,
        Change::after(
            EventKind::InstructionWritten,
            EntityType::Instruction,
            Some(stored.id),
            &stored,
        ),
    )
    .await?;
    // A thread on a report is that report's unit's business: its event is addressed to it, so
    // that live updates reach no other unit.
    let addressed = match report_id {
        Some(report_id) => entity::progress_reports::Entity::find_by_id(report_id)
            .one(&txn)
            .await?
            .map(|r| r.unit_id),
        None => None,
    };
    events::record(
        &txn,
        now,
        Event {
            kind: EventKind::InstructionWritten,
            entity_type: EntityType::Instruction,
            entity_id: stored.id,
            task_id: Some(task.id),
            unit_id: addressed,
            payload: &stored,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(stored)
}

/// The instructions among `ids` that `actor` may read (their tasks visible too), for `nodes`.
pub async fn readable_by_ids(
    actor: &Principal,
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, instructions::Model>> {
    Ok(instructions::Entity::find()
        .filter(instructions::Column::Id.is_in(ids.iter().copied()))
        .filter(readable(actor))
        .filter(instructions::Column::TaskId.in_subquery(tasks::visible_ids(actor)))
        .all(db)
        .await?
        .into_iter()
        .map(|instruction| (instruction.id, instruction))
        .collect())
}

/// Which instructions of visible tasks `actor` may read: a unit not the threads of other
/// units' reports.
fn readable(actor: &Principal) -> Condition {
    let mut condition = Condition::all();
    if let Some(unit_id) = actor.unit_id() {
        let own_reports = sea_orm::sea_query::Query::select()
            .column(progress_reports::Column::Id)
            .from(progress_reports::Entity)
            .and_where(progress_reports::Column::UnitId.eq(unit_id))
            .to_owned();
        condition = condition.add(
            Condition::any()
                .add(instructions::Column::ReportId.is_null())
                .add(instructions::Column::ReportId.in_subquery(own_reports)),
        );
    }
    condition
}

/// The instructions of each task that `actor` may read, oldest first, for DataLoaders. The
/// tasks have passed the access check; report threads follow the reports' rule.
pub async fn readable_of_tasks(
    actor: &Principal,
    db: &impl ConnectionTrait,
    task_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<instructions::Model>>> {
    let condition =
        readable(actor).add(instructions::Column::TaskId.is_in(task_ids.iter().copied()));
    let mut map: HashMap<i64, Vec<instructions::Model>> = HashMap::new();
    for instruction in instructions::Entity::find()
        .filter(condition)
        .order_by_asc(instructions::Column::CreatedAt)
        .order_by_asc(instructions::Column::Id)
        .all(db)
        .await?
    {
        map.entry(instruction.task_id)
            .or_default()
            .push(instruction);
    }
    Ok(map)
}
