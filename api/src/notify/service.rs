//! Contacts on other channels, and the log of what was sent. A unit's contacts are set by the
//! bureau or by the unit itself, a leader's by the bureau or the leader; each reads its own, the
//! bureau all. Setting replaces the list (audited as `contacts.set` on the unit or leader).

use chrono::{DateTime, Utc};
use entity::{contacts, notifications};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};

use super::Channel;
use crate::audit::action::Private;
use crate::audit::service::{self as audit, Change};
use crate::auth::Principal;
use crate::auth::principal::Scope;
use crate::error::{AppError, AppResult};
use crate::events::EntityType;
use crate::validation::required_text;

/// Whose contacts: a unit's or a leader's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Unit(i64),
    Leader(i64),
}

/// Whether `actor` may read and set `owner`'s contacts: the bureau, or the owner themselves.
fn may_manage(actor: &Principal, owner: Owner) -> bool {
    match (&actor.scope, owner) {
        (Scope::Bureau, _) => true,
        (Scope::Unit { unit_id }, Owner::Unit(id)) => *unit_id == id,
        (Scope::Leader { leader_id, .. }, Owner::Leader(id)) => *leader_id == id,
        _ => false,
    }
}

fn owned(owner: Owner) -> sea_orm::Condition {
    match owner {
        Owner::Unit(id) => sea_orm::Condition::all().add(contacts::Column::UnitId.eq(id)),
        Owner::Leader(id) => sea_orm::Condition::all().add(contacts::Column::LeaderId.eq(id)),
    }
}

/// `owner`'s contacts.
pub async fn contacts_of(
    actor: &Principal,
    db: &impl ConnectionTrait,
    owner: Owner,
) -> AppResult<Vec<contacts::Model>> {
    if !may_manage(actor, owner) {
        return Err(AppError::forbidden(
            "contacts are read by the bureau and by their unit or leader",
        ));
    }
    Ok(contacts::Entity::find()
        .filter(owned(owner))
        .order_by_asc(contacts::Column::Id)
        .all(db)
        .await?)
}

/// Replaces `owner`'s contacts: at most one address per channel.
pub async fn set(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    owner: Owner,
    given: &[(Channel, String)],
) -> AppResult<Vec<contacts::Model>> {
    if !may_manage(actor, owner) {
        return Err(AppError::forbidden(
            "contacts are set by the bureau and by their unit or leader",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    let mut rows = Vec::new();
    for (channel, address) in given {
        if !seen.insert(*channel) {
            return Err(AppError::bad_field("contacts", "one address per channel"));
        }
        let address = required_text("contacts.address", address, 200)?;
        rows.push(contacts::ActiveModel {
            unit_id: Set(match owner {
                Owner::Unit(id) => Some(id),
                Owner::Leader(_) => None,
            }),
            leader_id: Set(match owner {
                Owner::Leader(id) => Some(id),
                Owner::Unit(_) => None,
            }),
            channel: Set(channel.as_str().to_owned()),
            address: Set(address),
            created_at: Set(now),
            ..Default::default()
        });
    }
    let txn = db.begin().await?;
    let exists = match owner {
        Owner::Unit(id) => entity::units::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .is_some(),
        Owner::Leader(id) => entity::leaders::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .is_some(),
    };
    if !exists {
        return Err(AppError::not_found(match owner {
            Owner::Unit(_) => "unit",
            Owner::Leader(_) => "leader",
        }));
    }
    contacts::Entity::delete_many()
        .filter(owned(owner))
        .exec(&txn)
        .await?;
    if !rows.is_empty() {
        contacts::Entity::insert_many(rows)
            .exec_without_returning(&txn)
            .await?;
    }
    let after = contacts::Entity::find()
        .filter(owned(owner))
        .order_by_asc(contacts::Column::Id)
        .all(&txn)
        .await?;
    let (entity_type, id) = match owner {
        Owner::Unit(id) => (EntityType::Unit, id),
        Owner::Leader(id) => (EntityType::Leader, id),
    };
    audit::record(
        &txn,
        actor,
        now,
        Change::after(Private::ContactsSet, entity_type, Some(id), &after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// The latest notifications, newest first (BUREAU).
pub async fn log(
    actor: &Principal,
    db: &impl ConnectionTrait,
    limit: u64,
) -> AppResult<Vec<notifications::Model>> {
    actor.require_bureau()?;
    Ok(notifications::Entity::find()
        .order_by_desc(notifications::Column::Id)
        .limit(limit.clamp(1, 200))
        .all(db)
        .await?)
}
