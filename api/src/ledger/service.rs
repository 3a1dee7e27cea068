//! Business rules of ledger entries.
//!
//! A unit with any part in a task keeps its own ledger for it and changes only its own entries,
//! guarded by `version`. The bureau, the task's leaders and machine accounts read every unit's
//! entries; a unit reads only its own. Deletion is soft.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::LedgerState;
use entity::ledger_entries;
use itertools::Itertools;
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};

use crate::audit::service::{self as audit, Change};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::events::EntityType;
use crate::events::EventKind;
use crate::events::{self, Event};
use crate::obligations::assigned_unit;
use crate::tasks::query as tasks;
use crate::validation::{NAME_MAX, TEXT_MAX, optional_text, required_text};

/// The fields of an entry; on update, `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct EntryFields {
    pub title: Option<String>,
    pub detail: Option<String>,
    pub time_node: Option<NaiveDate>,
    pub responsible_leader: Option<String>,
    pub responsible_person: Option<String>,
    pub phone: Option<String>,
    pub state: Option<LedgerState>,
}

fn validate_phone(phone: Option<&str>) -> AppResult<Option<String>> {
    let phone = optional_text("phone", phone, 30)?;
    if let Some(phone) = &phone
        && !phone
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | ' ' | '(' | ')' | '转'))
    {
        return Err(AppError::bad_field(
            "phone",
            "may hold only digits, spaces and + - ( ) 转",
        ));
    }
    Ok(phone)
}

/// The actor's unit, if it has a part in the task.
async fn own_unit(actor: &Principal, db: &impl ConnectionTrait, task_id: i64) -> AppResult<i64> {
    let task = tasks::get(actor, db, task_id).await?;
    Ok(assigned_unit(actor, db, &task).await?.unit_id)
}

/// Adds an entry to the actor's unit's ledger for a task.
pub async fn add(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    task_id: i64,
    fields: EntryFields,
) -> AppResult<ledger_entries::Model> {
    let title = required_text(
        "title",
        fields.title.as_deref().unwrap_or_default(),
        TEXT_MAX,
    )?;
    let txn = db.begin().await?;
    let unit_id = own_unit(actor, &txn, task_id).await?;
    let position = ledger_entries::Entity::find()
        .filter(ledger_entries::Column::TaskId.eq(task_id))
        .filter(ledger_entries::Column::UnitId.eq(unit_id))
        .count(&txn)
        .await?;
    let entry = ledger_entries::ActiveModel {
        task_id: Set(task_id),
        unit_id: Set(unit_id),
        title: Set(title),
        detail: Set(optional_text("detail", fields.detail.as_deref(), TEXT_MAX)?),
        time_node: Set(fields.time_node),
        responsible_leader: Set(optional_text(
            "responsibleLeader",
            fields.responsible_leader.as_deref(),
            NAME_MAX,
        )?),
        responsible_person: Set(optional_text(
            "responsiblePerson",
            fields.responsible_person.as_deref(),
            NAME_MAX,
        )?),
        phone: Set(validate_phone(fields.phone.as_deref())?),
        state: Set(fields.state.unwrap_or(LedgerState::Planned)),
        position: Set(i32::try_from(position + 1).unwrap_or(i32::MAX)),
        version: Set(1),
        created_by: Set(actor.user_id),
        created_at: Set(now),
        updated_at: Set(now),
        deleted_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        now,
        Change::after(
            EventKind::LedgerEntryAdded,
            EntityType::LedgerEntry,
            Some(entry.id),
            &entry,
        ),
    )
    .await?;
    events::record(
        &txn,
        now,
        Event {
            kind: EventKind::LedgerEntryAdded,
            entity_type: EntityType::LedgerEntry,
            entity_id: entry.id,
            task_id: Some(task_id),
            unit_id: Some(unit_id),
            payload: &entry,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(entry)
}

/// Changes one of the actor's unit's entries at `version`.
pub async fn update(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    id: i64,
    version: i32,
    fields: EntryFields,
) -> AppResult<ledger_entries::Model> {
    let mut changes: Vec<(ledger_entries::Column, SimpleExpr)> = Vec::new();
    if let Some(title) = &fields.title {
        changes.push((
            ledger_entries::Column::Title,
            Expr::value(required_text("title", title, TEXT_MAX)?),
        ));
    }
    if let Some(detail) = &fields.detail {
        changes.push((
            ledger_entries::Column::Detail,
            Expr::value(optional_text("detail", Some(detail), TEXT_MAX)?),
        ));
    }
    if let Some(time_node) = fields.time_node {
        changes.push((
            ledger_entries::Column::TimeNode,
            Expr::value(Some(time_node)),
        ));
    }
    if let Some(leader) = &fields.responsible_leader {
        changes.push((
            ledger_entries::Column::ResponsibleLeader,
            Expr::value(optional_text("responsibleLeader", Some(leader), NAME_MAX)?),
        ));
    }
    if let Some(person) = &fields.responsible_person {
        changes.push((
            ledger_entries::Column::ResponsiblePerson,
            Expr::value(optional_text("responsiblePerson", Some(person), NAME_MAX)?),
        ));
    }
    if let Some(phone) = &fields.phone {
        changes.push((
            ledger_entries::Column::Phone,
            Expr::value(validate_phone(Some(phone))?),
        ));
    }
    if let Some(state) = fields.state {
        changes.push((ledger_entries::Column::State, Expr::value(state)));
    }
    write(
        actor,
        db,
        now,
        (id, version),
        EventKind::LedgerEntryUpdated,
        changes,
    )
    .await
}

/// Soft-deletes one of the actor's unit's entries at `version`: it leaves every listing and
/// stays in the database.
pub async fn delete(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    id: i64,
    version: i32,
) -> AppResult<ledger_entries::Model> {
    let changes = vec![(ledger_entries::Column::DeletedAt, Expr::value(Some(now)))];
    write(
        actor,
        db,
        now,
        (id, version),
        EventKind::LedgerEntryDeleted,
        changes,
    )
    .await
}

/// Writes `changes` to the entry if it is the actor's unit's and still at `version`, bumping the
/// version, with its audit row and event.
async fn write(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    (id, version): (i64, i32),
    kind: EventKind,
    changes: Vec<(ledger_entries::Column, SimpleExpr)>,
) -> AppResult<ledger_entries::Model> {
    let txn = db.begin().await?;
    let before = ledger_entries::Entity::find_by_id(id)
        .filter(ledger_entries::Column::DeletedAt.is_null())
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("ledger entry"))?;
    let unit_id = own_unit(actor, &txn, before.task_id)
        .await
        .map_err(|_| AppError::not_found("ledger entry"))?;
    if unit_id != before.unit_id {
        return Err(AppError::not_found("ledger entry"));
    }
    let update = changes.into_iter().fold(
        ledger_entries::Entity::update_many()
            .col_expr(
                ledger_entries::Column::Version,
                Expr::col(ledger_entries::Column::Version).add(1),
            )
            .col_expr(ledger_entries::Column::UpdatedAt, Expr::value(now)),
        |update, (column, value)| update.col_expr(column, value),
    );
    let updated = update
        .filter(ledger_entries::Column::Id.eq(id))
        .filter(ledger_entries::Column::Version.eq(version))
        .exec(&txn)
        .await?;
    if updated.rows_affected == 0 {
        return Err(AppError::conflict(format!(
            "the entry has changed since version {version}; reload it"
        )));
    }
    let after = ledger_entries::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("ledger entry"))?;
    audit::record(
        &txn,
        actor,
        now,
        Change::diff(kind, EntityType::LedgerEntry, Some(id), &before, &after),
    )
    .await?;
    events::record(
        &txn,
        now,
        Event {
            kind,
            entity_type: EntityType::LedgerEntry,
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

/// The live entries among `ids` that `actor` may read (their tasks visible too), for `nodes`.
pub async fn readable_by_ids(
    actor: &Principal,
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, ledger_entries::Model>> {
    let mut query = ledger_entries::Entity::find()
        .filter(ledger_entries::Column::Id.is_in(ids.iter().copied()))
        .filter(ledger_entries::Column::DeletedAt.is_null())
        .filter(
            ledger_entries::Column::TaskId.in_subquery(crate::tasks::query::visible_ids(actor)),
        );
    if let Some(unit_id) = actor.unit_id() {
        query = query.filter(ledger_entries::Column::UnitId.eq(unit_id));
    }
    Ok(query
        .all(db)
        .await?
        .into_iter()
        .map(|entry| (entry.id, entry))
        .collect())
}

/// The live entries of each task that `actor` may read, for DataLoaders (the tasks have passed
/// the access check): a unit its own unit's, everyone else all.
pub async fn readable_of_tasks(
    actor: &Principal,
    db: &impl ConnectionTrait,
    task_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<ledger_entries::Model>>> {
    let mut query = ledger_entries::Entity::find()
        .filter(ledger_entries::Column::TaskId.is_in(task_ids.iter().copied()))
        .filter(ledger_entries::Column::DeletedAt.is_null());
    if let Some(unit_id) = actor.unit_id() {
        query = query.filter(ledger_entries::Column::UnitId.eq(unit_id));
    }
    Ok(query
        .order_by_asc(ledger_entries::Column::UnitId)
        .order_by_asc(ledger_entries::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .into_group_map_by(|entry| entry.task_id))
}
