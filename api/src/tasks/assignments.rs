//! Who answers for a task: its leaders (in person, by post, or collectively) and its units
//! (lead, responsible, cooperating). Setting either replaces the whole list, in the given order.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use entity::enums::{LeaderRole, UnitRole};
use entity::{task_leaders, task_units, tasks};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, TransactionTrait,
};
use serde::Serialize;

use crate::audit::service::{self as audit, Change};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::events::EntityType;
use crate::events::EventKind;
use crate::tasks::store::{changed, write_versioned};
use crate::validation::{NAME_MAX, optional_text};

/// One leader of a task. Exactly one of `leader_id`, `post` and `collective` is given.
#[derive(Clone, Debug)]
pub struct NewTaskLeader {
    pub leader_id: Option<i64>,
    /// A post such as 常务副市长, resolved to whoever holds it at the time of reading.
    pub post: Option<String>,
    /// A collective reference such as 各位市长.
    pub collective: Option<String>,
    pub role: LeaderRole,
    /// The text of the document, if it differs from the registry name.
    pub name_as_written: Option<String>,
}

/// One unit of a task.
#[derive(Clone, Debug)]
pub struct NewTaskUnit {
    pub unit_id: i64,
    pub role: UnitRole,
    /// A county or district taking part (listed after `，` in the documents).
    pub is_local: bool,
    pub name_as_written: Option<String>,
}

/// Replaces a task's leaders. Bureau only.
pub async fn set_leaders(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    id: i64,
    version: Option<i32>,
    leaders: Vec<NewTaskLeader>,
) -> AppResult<tasks::Model> {
    reassign(actor, db, now, id, version, leaders.as_slice()).await
}

/// Replaces a task's units. Bureau only.
pub async fn set_units(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    id: i64,
    version: Option<i32>,
    units: Vec<NewTaskUnit>,
) -> AppResult<tasks::Model> {
    reassign(actor, db, now, id, version, units.as_slice()).await
}

/// A complete list of one kind of assignee, which replaces the task's current one.
trait Assignees {
    /// The stored row, as the audit log and the event show it.
    type Row: Serialize + Send + Sync;
    /// What a replacement is (its event kind, and so its audit action).
    const EVENT: EventKind;
    /// Whether the list decides who owes reports, and so the task's status.
    const OWES_REPORTS: bool;

    async fn current(db: &impl ConnectionTrait, task_id: i64) -> AppResult<Vec<Self::Row>>;
    async fn replace(&self, db: &impl ConnectionTrait, task_id: i64) -> AppResult<Vec<Self::Row>>;
}

impl Assignees for [NewTaskLeader] {
    type Row = task_leaders::Model;
    const EVENT: EventKind = EventKind::TaskLeadersChanged;
    const OWES_REPORTS: bool = false;

    async fn current(db: &impl ConnectionTrait, task_id: i64) -> AppResult<Vec<Self::Row>> {
        let mut by_task = crate::tasks::query::leaders_of(db, &[task_id]).await?;
        Ok(by_task.remove(&task_id).unwrap_or_default())
    }

    async fn replace(&self, db: &impl ConnectionTrait, task_id: i64) -> AppResult<Vec<Self::Row>> {
        replace_leaders(db, task_id, self).await
    }
}

impl Assignees for [NewTaskUnit] {
    type Row = task_units::Model;
    const EVENT: EventKind = EventKind::TaskUnitsChanged;
    const OWES_REPORTS: bool = true;

    async fn current(db: &impl ConnectionTrait, task_id: i64) -> AppResult<Vec<Self::Row>> {
        let mut by_task = crate::tasks::query::units_of(db, &[task_id]).await?;
        Ok(by_task.remove(&task_id).unwrap_or_default())
    }

    async fn replace(&self, db: &impl ConnectionTrait, task_id: i64) -> AppResult<Vec<Self::Row>> {
        replace_units(db, task_id, self).await
    }
}

/// Replaces one list of a task's assignees in one transaction, with the audit row (before and
/// after), the event and the task's new version. Bureau only.
async fn reassign<A: Assignees + ?Sized>(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    id: i64,
    version: Option<i32>,
    assignees: &A,
) -> AppResult<tasks::Model> {
    actor.require_bureau()?;
    let txn = db.begin().await?;
    let task = crate::tasks::query::get(actor, &txn, id).await?;
    let before = A::current(&txn, id).await?;
    let after = assignees.replace(&txn, id).await?;
    // The assignments are part of the task: changing them bumps its version too.
    let task = write_versioned(
        &txn,
        id,
        version.unwrap_or(task.version),
        <tasks::ActiveModel as Default>::default(),
        now,
    )
    .await?;
    audit::record(
        &txn,
        actor,
        now,
        Change::diff(A::EVENT, EntityType::Task, Some(id), &before, &after),
    )
    .await?;
    changed(&txn, now, A::EVENT, id, &after).await?;
    // Who owes reports follows the units' roles: a new lead unit may owe an overdue one; a new
    // unit has a task to acknowledge.
    let task = if A::OWES_REPORTS {
        crate::handover::receipts::sync(&txn, now, &[id]).await?;
        crate::tasks::progress::refreshed(&txn, now, task).await?
    } else {
        task
    };
    txn.commit().await?;
    Ok(task)
}

/// Checks the leader list and replaces the task's leaders with it. Returns the stored rows.
pub async fn replace_leaders(
    db: &impl ConnectionTrait,
    task_id: i64,
    leaders: &[NewTaskLeader],
) -> AppResult<Vec<task_leaders::Model>> {
    let ids: Vec<i64> = leaders.iter().filter_map(|l| l.leader_id).collect();
    let known = crate::leaders::service::by_ids(db, &ids).await?;
    let mut rows = Vec::new();
    let mut seen = HashSet::new();
    let mut positions = [0i32; 2];
    for (i, leader) in leaders.iter().enumerate() {
        let field = format!("leaders[{i}]");
        let post = optional_text(&format!("{field}.post"), leader.post.as_deref(), NAME_MAX)?;
        let collective = optional_text(
            &format!("{field}.collective"),
            leader.collective.as_deref(),
            NAME_MAX,
        )?;
        let given = [
            leader.leader_id.is_some(),
            post.is_some(),
            collective.is_some(),
        ];
        if given.iter().filter(|g| **g).count() != 1 {
            return Err(AppError::bad_field(
                &field,
                "give exactly one of leaderId, post and collective",
            ));
        }
        let registry_name = match leader.leader_id {
            Some(id) => Some(
                known
                    .get(&id)
                    .ok_or_else(|| {
                        AppError::bad_field(&format!("{field}.leaderId"), "no such leader")
                    })?
                    .name
                    .clone(),
            ),
            None => None,
        };
        let key = (
            leader.leader_id,
            post.clone(),
            collective.clone(),
            leader.role,
        );
        if !seen.insert(key) {
            return Err(AppError::bad_field(
                &field,
                "is listed twice with the same role",
            ));
        }
        let name_as_written = optional_text(
            &format!("{field}.nameAsWritten"),
            leader.name_as_written.as_deref(),
            NAME_MAX,
        )?
        .or(registry_name)
        .or_else(|| post.clone())
        .or_else(|| collective.clone())
        .unwrap_or_default();
        let slot = &mut positions[usize::from(leader.role == LeaderRole::Responsible)];
        *slot += 1;
        rows.push(task_leaders::ActiveModel {
            task_id: Set(task_id),
            leader_id: Set(leader.leader_id),
            post: Set(post),
            collective: Set(collective),
            name_as_written: Set(name_as_written),
            role: Set(leader.role),
            position: Set(*slot),
            ..Default::default()
        });
    }
    task_leaders::Entity::delete_many()
        .filter(task_leaders::Column::TaskId.eq(task_id))
        .exec(db)
        .await?;
    let mut stored = Vec::with_capacity(rows.len());
    for row in rows {
        stored.push(row.insert(db).await?);
    }
    Ok(stored)
}

/// Checks the unit list and replaces the task's units with it. Returns the stored rows.
pub async fn replace_units(
    db: &impl ConnectionTrait,
    task_id: i64,
    units: &[NewTaskUnit],
) -> AppResult<Vec<task_units::Model>> {
    let ids: Vec<i64> = units.iter().map(|u| u.unit_id).collect();
    let known = crate::units::service::by_ids(db, &ids).await?;
    let mut rows = Vec::new();
    let mut seen = HashSet::new();
    let mut positions = [0i32; 3];
    for (i, unit) in units.iter().enumerate() {
        let field = format!("units[{i}]");
        let registry = known
            .get(&unit.unit_id)
            .ok_or_else(|| AppError::bad_field(&format!("{field}.unitId"), "no such unit"))?;
        if let Some(target) = registry.merged_into_id {
            return Err(AppError::bad_field(
                &format!("{field}.unitId"),
                format!(
                    "unit {} was merged into unit {target}; assign that one",
                    registry.id
                ),
            ));
        }
        if !seen.insert((unit.unit_id, unit.role)) {
            return Err(AppError::bad_field(
                &field,
                "is listed twice with the same role",
            ));
        }
        let name_as_written = optional_text(
            &format!("{field}.nameAsWritten"),
            unit.name_as_written.as_deref(),
            NAME_MAX,
        )?
        .unwrap_or_else(|| registry.name.clone());
        let slot = &mut positions[usize::from(super::query::role_rank(unit.role))];
        *slot += 1;
        rows.push(task_units::ActiveModel {
            task_id: Set(task_id),
            unit_id: Set(unit.unit_id),
            role: Set(unit.role),
            position: Set(*slot),
            name_as_written: Set(name_as_written),
            is_local: Set(unit.is_local),
            ..Default::default()
        });
    }
    task_units::Entity::delete_many()
        .filter(task_units::Column::TaskId.eq(task_id))
        .exec(db)
        .await?;
    let mut stored = Vec::with_capacity(rows.len());
    for row in rows {
        stored.push(row.insert(db).await?);
    }
    Ok(stored)
}
