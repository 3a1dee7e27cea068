//! Sending an automatic reminder exactly once: the row with its unique key, its audit row as
//! the system's and its event, in the caller's transaction. Used by every automatic rule (the
//! reports' due dates in `rules`, receipts, motions' reply deadlines in `proposals::deadlines`).

use chrono::{DateTime, Utc};
use entity::reminders;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};

use crate::audit::service::{self as audit, Change};
use crate::auth::Principal;
use crate::error::AppResult;
use crate::events::EntityType;
use crate::events::EventKind;
use crate::events::{self, Event};

/// One automatic reminder the rules call for.
pub struct Due {
    /// The reminder's unique key (`rule:task:period:unit`, …): the database decides races.
    pub key: String,
    pub row: reminders::ActiveModel,
}

/// Inserts one reminder unless another instance just did, with its audit row (as the system)
/// and its event; true if this one stored it.
pub async fn send(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    reminder: &Due,
) -> AppResult<bool> {
    let inserted = reminders::Entity::insert(reminder.row.clone())
        .on_conflict(
            OnConflict::column(reminders::Column::DedupKey)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    if inserted == 0 {
        return Ok(false);
    }
    let stored = reminders::Entity::find()
        .filter(reminders::Column::DedupKey.eq(reminder.key.as_str()))
        .one(txn)
        .await?
        .ok_or_else(|| crate::error::AppError::not_found("reminder"))?;
    audit::record(
        txn,
        &Principal::system(),
        now,
        Change::after(
            EventKind::ReminderSent,
            EntityType::Reminder,
            Some(stored.id),
            &stored,
        ),
    )
    .await?;
    events::record(
        txn,
        now,
        Event {
            kind: EventKind::ReminderSent,
            entity_type: EntityType::Reminder,
            entity_id: stored.id,
            task_id: Some(stored.task_id),
            unit_id: Some(stored.unit_id),
            payload: &stored,
        },
    )
    .await?;
    Ok(true)
}
