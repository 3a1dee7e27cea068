//! Business rules of reminders.
//!
//! The bureau sends a reminder to a unit assigned to the task (any role); the period, if given,
//! must belong to the task's document. Only the addressed unit acknowledges it, once (a second
//! acknowledgement changes nothing). Units read the reminders addressed to them; leaders those
//! of their tasks; the bureau and machine accounts all.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{reminders, reporting_periods};
use itertools::Itertools;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};

use crate::audit::service::{self as audit, Change};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::events::EntityType;
use crate::events::EventKind;
use crate::events::{self, Event};
use crate::obligations::part_of;
use crate::pagination::{Page, PageRequest};
use crate::reminders::ReminderRule;
use crate::tasks::query as tasks;
use crate::validation::{TEXT_MAX, required_text};

/// A reminder to send.
#[derive(Debug)]
pub struct NewReminder {
    pub task_id: i64,
    pub period_id: Option<i64>,
    pub unit_id: i64,
    pub message: String,
}

/// Sends a reminder. Bureau only.
pub async fn send(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    input: NewReminder,
) -> AppResult<reminders::Model> {
    actor.require_bureau()?;
    let message = required_text("message", &input.message, TEXT_MAX)?;
    let txn = db.begin().await?;
    let task = tasks::get(actor, &txn, input.task_id)
        .await
        .map_err(|_| AppError::bad_field("taskId", "no such task"))?;
    if part_of(&txn, &task, input.unit_id).await?.is_none() {
        return Err(AppError::bad_field(
            "unitId",
            "the unit has no part in this task",
        ));
    }
    if let Some(period_id) = input.period_id {
        reporting_periods::Entity::find_by_id(period_id)
            .one(&txn)
            .await?
            .filter(|p| p.document_id == task.document_id)
            .ok_or_else(|| {
                AppError::bad_field(
                    "periodId",
                    "no such reporting period of the task's document",
                )
            })?;
    }
    let reminder = reminders::ActiveModel {
        task_id: Set(task.id),
        period_id: Set(input.period_id),
        unit_id: Set(input.unit_id),
        sender_id: Set(actor.user_id),
        rule: Set(ReminderRule::Manual.as_str().to_owned()),
        dedup_key: Set(None),
        message: Set(message),
        created_at: Set(now),
        acknowledged_at: Set(None),
        acknowledged_by: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        now,
        Change::after(
            EventKind::ReminderSent,
            EntityType::Reminder,
            Some(reminder.id),
            &reminder,
        ),
    )
    .await?;
    events::record(
        &txn,
        now,
        Event {
            kind: EventKind::ReminderSent,
            entity_type: EntityType::Reminder,
            entity_id: reminder.id,
            task_id: Some(reminder.task_id),
            unit_id: Some(reminder.unit_id),
            payload: &reminder,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(reminder)
}

/// Acknowledges a reminder addressed to the actor's unit. Acknowledging twice changes nothing.
pub async fn acknowledge(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    id: i64,
) -> AppResult<reminders::Model> {
    let txn = db.begin().await?;
    let reminder = get(actor, &txn, id).await?;
    if actor.unit_id() != Some(reminder.unit_id) {
        return Err(AppError::forbidden(
            "only the unit the reminder is addressed to acknowledges it",
        ));
    }
    if reminder.acknowledged_at.is_some() {
        txn.commit().await?;
        return Ok(reminder);
    }
    let mut active = reminder.clone().into_active_model();
    active.acknowledged_at = Set(Some(now));
    active.acknowledged_by = Set(actor.user_id);
    let after = active.update(&txn).await?;
    audit::record(
        &txn,
        actor,
        now,
        Change::diff(
            EventKind::ReminderAcknowledged,
            EntityType::Reminder,
            Some(id),
            &reminder,
            &after,
        ),
    )
    .await?;
    events::record(
        &txn,
        now,
        Event {
            kind: EventKind::ReminderAcknowledged,
            entity_type: EntityType::Reminder,
            entity_id: id,
            task_id: Some(after.task_id),
            unit_id: Some(after.unit_id),
            payload: &after,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// The condition for the reminders `actor` may read.
fn readable(actor: &Principal) -> Condition {
    let visible_tasks = crate::tasks::query::visible_ids(actor);
    let mut condition = Condition::all().add(reminders::Column::TaskId.in_subquery(visible_tasks));
    if let Some(unit_id) = actor.unit_id() {
        condition = condition.add(reminders::Column::UnitId.eq(unit_id));
    }
    condition
}

/// One reminder, if `actor` may read it.
pub async fn get(
    actor: &Principal,
    db: &impl ConnectionTrait,
    id: i64,
) -> AppResult<reminders::Model> {
    reminders::Entity::find_by_id(id)
        .filter(readable(actor))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("reminder"))
}

/// The reminders `actor` may read, newest first.
pub async fn list(
    actor: &Principal,
    db: &impl ConnectionTrait,
    unacknowledged_only: bool,
    page: PageRequest,
) -> AppResult<Page<reminders::Model>> {
    let mut query = reminders::Entity::find().filter(readable(actor));
    if unacknowledged_only {
        query = query.filter(reminders::Column::AcknowledgedAt.is_null());
    }
    let total = page.total_of(&query, db).await?;
    let items = query
        .order_by_desc(reminders::Column::CreatedAt)
        .order_by_desc(reminders::Column::Id)
        .offset(page.offset)
        .limit(page.fetch_limit())
        .all(db)
        .await?;
    Ok(Page::new(items, total, page))
}

/// The reminders among `ids` that `actor` may read (their tasks visible too), for `nodes`.
pub async fn readable_by_ids(
    actor: &Principal,
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, reminders::Model>> {
    Ok(reminders::Entity::find()
        .filter(reminders::Column::Id.is_in(ids.iter().copied()))
        .filter(readable(actor))
        .filter(reminders::Column::TaskId.in_subquery(crate::tasks::query::visible_ids(actor)))
        .all(db)
        .await?
        .into_iter()
        .map(|reminder| (reminder.id, reminder))
        .collect())
}

/// The reminders of each task that `actor` may read, for DataLoaders.
pub async fn readable_of_tasks(
    actor: &Principal,
    db: &impl ConnectionTrait,
    task_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<reminders::Model>>> {
    Ok(reminders::Entity::find()
        .filter(reminders::Column::TaskId.is_in(task_ids.iter().copied()))
        .filter(readable(actor))
        .order_by_asc(reminders::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .into_group_map_by(|reminder| reminder.task_id))
}
