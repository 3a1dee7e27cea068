//! Writing and reading audit rows.

use chrono::{DateTime, Utc};
use entity::audit_log;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::Serialize;

pub use crate::audit::action::{Action, AuditAction, Private};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::events::EntityType;
use crate::pagination::{Page, PageRequest};

/// One change to record. `before` is `None` for a creation, `after` for a deletion.
#[derive(Debug)]
pub struct Change<'a, B: Serialize, A: Serialize> {
    pub action: Action,
    pub entity_type: EntityType,
    pub entity_id: Option<i64>,
    pub before: Option<&'a B>,
    pub after: Option<&'a A>,
}

impl<'a> Change<'a, (), ()> {
    /// Something happened (a sign-in); no state to record.
    pub fn event(
        action: impl Into<Action>,
        entity_type: EntityType,
        entity_id: Option<i64>,
    ) -> Self {
        Self {
            action: action.into(),
            entity_type,
            entity_id,
            before: None,
            after: None,
        }
    }
}

impl<'a, A: Serialize> Change<'a, (), A> {
    /// A creation, or an event with details: only the state after.
    pub fn after(
        action: impl Into<Action>,
        entity_type: EntityType,
        entity_id: Option<i64>,
        after: &'a A,
    ) -> Self {
        Self {
            action: action.into(),
            entity_type,
            entity_id,
            before: None,
            after: Some(after),
        }
    }
}

impl<'a, T: Serialize> Change<'a, T, T> {
    /// A step of a workflow row: its creation when there is no `before`, else the change.
    pub fn step(
        action: impl Into<Action>,
        entity_type: EntityType,
        entity_id: Option<i64>,
        before: Option<&'a T>,
        after: &'a T,
    ) -> Self {
        Self {
            action: action.into(),
            entity_type,
            entity_id,
            before,
            after: Some(after),
        }
    }
}

impl<'a, B: Serialize, A: Serialize> Change<'a, B, A> {
    /// A change: the state before and after.
    pub fn diff(
        action: impl Into<Action>,
        entity_type: EntityType,
        entity_id: Option<i64>,
        before: &'a B,
        after: &'a A,
    ) -> Self {
        Self {
            action: action.into(),
            entity_type,
            entity_id,
            before: Some(before),
            after: Some(after),
        }
    }
}

/// Who did it, as an audit row names them: a request's principal, or (for sign-ins, before any
/// principal exists) the account itself.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub user_id: Option<i64>,
    pub username: &'a str,
}

impl<'a> From<&'a Principal> for Actor<'a> {
    fn from(principal: &'a Principal) -> Self {
        Self {
            user_id: principal.user_id,
            username: &principal.username,
        }
    }
}

impl<'a> From<&'a entity::users::Model> for Actor<'a> {
    fn from(user: &'a entity::users::Model) -> Self {
        Self {
            user_id: Some(user.id),
            username: &user.username,
        }
    }
}

/// Writes one audit row. Call it with the transaction of the change, never with the pool, so the
/// row and the change commit or roll back together.
pub async fn record<'a, B: Serialize, A: Serialize>(
    txn: &DatabaseTransaction,
    actor: impl Into<Actor<'a>>,
    now: DateTime<Utc>,
    change: Change<'_, B, A>,
) -> AppResult<()> {
    let actor = actor.into();
    let to_json = |value: serde_json::Result<serde_json::Value>| {
        value.map_err(|err| AppError::Internal(err.into()))
    };
    let before = change
        .before
        .map(serde_json::to_value)
        .map(to_json)
        .transpose()?;
    let after = change
        .after
        .map(serde_json::to_value)
        .map(to_json)
        .transpose()?;
    audit_log::ActiveModel {
        actor_user_id: Set(actor.user_id),
        actor: Set(actor.username.to_owned()),
        action: Set(change.action.as_str().to_owned()),
        entity_type: Set(change.entity_type.as_str().to_owned()),
        entity_id: Set(change.entity_id),
        before: Set(before),
        after: Set(after),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// Which audit rows to list.
#[derive(Debug, Default)]
pub struct AuditFilter {
    pub entity_type: Option<EntityType>,
    pub entity_id: Option<i64>,
    pub actor_user_id: Option<i64>,
    pub action: Option<AuditAction>,
}

/// Lists audit rows, newest first. Bureau only.
pub async fn list(
    actor: &Principal,
    db: &impl ConnectionTrait,
    filter: AuditFilter,
    page: PageRequest,
) -> AppResult<Page<audit_log::Model>> {
    actor.require_bureau()?;
    let mut query = audit_log::Entity::find();
    if let Some(entity_type) = filter.entity_type {
        query = query.filter(audit_log::Column::EntityType.eq(entity_type.as_str()));
    }
    if let Some(entity_id) = filter.entity_id {
        query = query.filter(audit_log::Column::EntityId.eq(entity_id));
    }
    if let Some(user_id) = filter.actor_user_id {
        query = query.filter(audit_log::Column::ActorUserId.eq(user_id));
    }
    if let Some(action) = filter.action {
        query = query.filter(audit_log::Column::Action.eq(action.as_str()));
    }
    let total = page.total_of(&query, db).await?;
    let items = query
        .order_by_desc(audit_log::Column::Id)
        .offset(page.offset)
        .limit(page.fetch_limit())
        .all(db)
        .await?;
    Ok(Page::new(items, total, page))
}

/// Audit rows by id, for `nodes`: the bureau's only.
pub async fn readable_by_ids(
    actor: &Principal,
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<std::collections::HashMap<i64, audit_log::Model>> {
    if !actor.is_bureau() {
        return Ok(std::collections::HashMap::new());
    }
    Ok(audit_log::Entity::find()
        .filter(audit_log::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect())
}
