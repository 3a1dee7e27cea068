//! Domain events: an append-only record of what happened, written in the same transaction as
//! the change, with the task and unit it concerns so that live updates can be filtered by what
//! each subscriber may read. `kind` is the list of what can happen (`EventKind`), with the audit
//! action each is recorded under. `outbox`: the notifications to a unit's contacts that some
//! events carry, queued in the same transaction; each event's webhook deliveries are queued by
//! the database, by the `events_webhooks` trigger (migration 35) in the statement that stores
//! the event (`webhooks` and `notify` deliver both).

mod entity_type;
mod kind;
pub mod outbox;
pub mod schema;

pub use entity_type::EntityType;
pub use kind::EventKind;

use chrono::{DateTime, Utc};
use entity::events;
use sea_orm::{ActiveModelTrait, DatabaseTransaction, Set};
use serde::Serialize;

use crate::error::{AppError, AppResult};

/// The stored kind of the signal that a session, or every session of an account, was signed
/// out. It is not an `EventKind` and nobody hears it: each instance's subscriptions of that
/// session end on reading it, in sequence order, so nothing committed after the sign-out
/// reaches them (`live::tail`).
pub const SESSION_ENDED: &str = "session.ended";

/// Which sessions a `SESSION_ENDED` signal ends: one (a refresh-token family), or every session
/// of the account older than `epoch` (the session epoch the sign-out moved the account to).
#[derive(Debug, Serialize, serde::Deserialize)]
pub struct SessionsEnded {
    pub session: Option<String>,
    pub epoch: Option<i32>,
}

/// Appends the signal that `user_id`'s sessions ended. Call it with the sign-out's transaction.
pub async fn sessions_ended(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    user_id: i64,
    ended: SessionsEnded,
) -> AppResult<()> {
    let payload = serde_json::to_value(&ended).map_err(|err| AppError::Internal(err.into()))?;
    signal(txn, now, SESSION_ENDED, user_id, payload).await
}

/// The stored kind of the signal that an account changed (its role, links, activity or
/// password): nobody hears it; every instance reads cached principals again on reading it
/// (`auth::cache`).
pub const ACCOUNT_CHANGED: &str = "account.changed";

/// Appends the signal that `user_id`'s account changed, for the other instances' caches
/// (`auth::cache`). Call it with the change's transaction.
pub async fn account_changed(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    user_id: i64,
) -> AppResult<()> {
    signal(txn, now, ACCOUNT_CHANGED, user_id, serde_json::json!({})).await
}

/// Appends a signal about `user_id`'s account: a row of `events` that is not a change (its kind
/// is no `EventKind`), heard by nobody, queued for no webhook.
async fn signal(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    kind: &str,
    user_id: i64,
    payload: serde_json::Value,
) -> AppResult<()> {
    events::ActiveModel {
        kind: Set(kind.to_owned()),
        entity_type: Set(EntityType::User.as_str().to_owned()),
        entity_id: Set(Some(user_id)),
        task_id: Set(None),
        unit_id: Set(None),
        payload: Set(payload),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// Whether a stored event can change a principal: a sign-out, an account's change, or anything
/// about a user, a leader (their post) or a unit (a merge moves accounts).
pub fn changes_principals(event: &events::Model) -> bool {
    event.kind == SESSION_ENDED
        || event.kind == ACCOUNT_CHANGED
        || [EntityType::User, EntityType::Leader, EntityType::Unit]
            .iter()
            .any(|entity| entity.as_str() == event.entity_type)
}

/// One event to record.
#[derive(Debug)]
pub struct Event<'a, P: Serialize> {
    /// What happened.
    pub kind: EventKind,
    pub entity_type: EntityType,
    pub entity_id: i64,
    pub task_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub payload: &'a P,
}

/// Appends the event of a change to the registry or to a document (no task, no unit): only the
/// bureau and machine accounts hear these. Call it with the transaction of the change.
pub async fn registry<P: Serialize>(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    kind: EventKind,
    (entity_type, entity_id): (EntityType, i64),
    payload: &P,
) -> AppResult<()> {
    record(
        txn,
        now,
        Event {
            kind,
            entity_type,
            entity_id,
            task_id: None,
            unit_id: None,
            payload,
        },
    )
    .await
}

/// Appends an event. Call it with the transaction of the change.
pub async fn record<P: Serialize>(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    event: Event<'_, P>,
) -> AppResult<()> {
    let stored = events::ActiveModel {
        kind: Set(event.kind.as_str().to_owned()),
        entity_type: Set(event.entity_type.as_str().to_owned()),
        entity_id: Set(Some(event.entity_id)),
        task_id: Set(event.task_id),
        unit_id: Set(event.unit_id),
        payload: Set(
            serde_json::to_value(event.payload).map_err(|err| AppError::Internal(err.into()))?
        ),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    outbox::enqueue(txn, stored.id, event.kind, event.unit_id, now).await
}
