//! A motion's reply deadline drives reminders like any due date: the units that owe its reply
//! (the document's obligation rule over the task's units) are reminded when it is three days
//! away (`REPLY_DUE_SOON`) and once it has passed (`REPLY_OVERDUE`), once per round. The motions
//! awaiting a reply are few (a document's few hundred at most); the keys already sent are read
//! first, so a run with nothing to send only reads.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::enums::TaskStatus;
use entity::{reminders, task_proposals, tasks};
use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, Set, TransactionTrait,
};

use crate::deadline::today_in_china;
use crate::error::AppResult;
use crate::reminders::automatic::{Due, send};
use crate::reminders::{DUE_SOON_DAYS, ReminderRule};

/// Sends the reply reminders due at `now`; returns how many.
pub async fn remind(db: &DatabaseConnection, now: DateTime<Utc>) -> AppResult<u32> {
    let today = today_in_china(now);
    let soon = today + chrono::Days::new(DUE_SOON_DAYS.unsigned_abs());
    let open_tasks = Query::select()
        .column(tasks::Column::Id)
        .from(tasks::Entity)
        .and_where(tasks::Column::DeletedAt.is_null())
        .and_where(tasks::Column::Status.is_not_in([TaskStatus::Completed, TaskStatus::Cancelled]))
        .to_owned();
    let awaiting = task_proposals::Entity::find()
        .filter(task_proposals::Column::RepliedOn.is_null())
        .filter(task_proposals::Column::ReplyDeadline.lte(soon))
        .filter(task_proposals::Column::TaskId.in_subquery(open_tasks))
        .all(db)
        .await?;
    if awaiting.is_empty() {
        return Ok(0);
    }
    let ids: Vec<i64> = awaiting.iter().map(|m| m.task_id).collect();
    let tasks: HashMap<i64, tasks::Model> = tasks::Entity::find()
        .filter(tasks::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let document_ids: Vec<i64> = tasks
        .values()
        .map(|t| t.document_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let rules = crate::obligations::store::rules_of(db, &document_ids).await?;
    let units = crate::tasks::query::units_of(db, &ids).await?;
    let mut due = Vec::new();
    for motion in &awaiting {
        let (Some(task), Some(deadline)) = (tasks.get(&motion.task_id), motion.reply_deadline)
        else {
            continue;
        };
        let Some(rule) = rules.get(&task.document_id) else {
            continue;
        };
        let (reminder, message) = if deadline < today {
            (
                ReminderRule::ReplyOverdue,
                format!(
                    "【自动提醒】第{}项建议（提案）的答复已于{deadline}到期，尚未答复，请尽快答复。",
                    task.seq
                ),
            )
        } else {
            (
                ReminderRule::ReplyDueSoon,
                format!(
                    "【自动提醒】第{}项建议（提案）应于{deadline}前答复，请按时答复。",
                    task.seq
                ),
            )
        };
        let assigned = units.get(&task.id).map(Vec::as_slice).unwrap_or_default();
        for unit_id in crate::obligations::owing_units(*rule, assigned) {
            let key = format!(
                "{}:{}:-:{}:{}",
                reminder.as_str(),
                task.id,
                unit_id,
                motion.round
            );
            due.push(Due {
                key,
                row: reminders::ActiveModel {
                    task_id: Set(task.id),
                    period_id: Set(None),
                    unit_id: Set(unit_id),
                    sender_id: Set(None),
                    rule: Set(reminder.as_str().to_owned()),
                    dedup_key: Set(None),
                    message: Set(message.clone()),
                    created_at: Set(now),
                    acknowledged_at: Set(None),
                    acknowledged_by: Set(None),
                    ..Default::default()
                },
            });
        }
    }
    let sent: HashSet<String> = reminders::Entity::find()
        .select_only()
        .column(reminders::Column::DedupKey)
        .filter(reminders::Column::DedupKey.is_in(due.iter().map(|d| d.key.clone())))
        .into_tuple::<Option<String>>()
        .all(db)
        .await?
        .into_iter()
        .flatten()
        .collect();
    let mut missing: Vec<Due> = due.into_iter().filter(|d| !sent.contains(&d.key)).collect();
    if missing.is_empty() {
        return Ok(0);
    }
    missing.sort_unstable_by(|a, b| a.key.cmp(&b.key));
    let txn = db.begin().await?;
    let mut created = 0;
    for reminder in &mut missing {
        reminder.row.dedup_key = Set(Some(reminder.key.clone()));
        if send(&txn, now, reminder).await? {
            created += 1;
        }
    }
    txn.commit().await?;
    Ok(created)
}
