//! Automatic reminders: before a due date (no report submitted within `DUE_SOON_DAYS` days of
//! it), after it (nothing submitted by the end of the due day), and of a task not acknowledged
//! (签收) by the last day of its window; a motion's reply deadline (`proposals::deadlines`).
//!
//! Exactly once per obligation and rule, however many server instances run the job at the same
//! moment: each reminder carries a key (`rule:task:period:unit`) under a unique index and is
//! inserted with `ON CONFLICT DO NOTHING`, so the database, not a lock, decides who wrote it.

use chrono::{DateTime, Utc};
use entity::reminders;
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Set, TransactionTrait,
};

use crate::auth::Principal;
use crate::deadline::today_in_china;
use crate::error::AppResult;
use crate::obligations::{self, ObligationFilter, ObligationState};
use crate::reminders::ReminderRule;
use crate::reminders::automatic::{Due, send};

pub use super::DUE_SOON_DAYS;

/// Creates the automatic reminders that are due at `now`; returns how many this run created.
///
/// The obligations that call for a reminder not yet sent are read from the stored obligations
/// a slice at a time (`SLICE`, in id order), so a province's first run after a large import
/// holds one slice in memory, not a million reminders, and a run in the steady state (every
/// reminder sent) reads nothing but one empty slice. The unique index on the key decides races
/// between instances.
pub async fn run(db: &DatabaseConnection, now: DateTime<Utc>) -> AppResult<u32> {
    let mut created = 0;
    let mut after = 0;
    loop {
        let (mut missing, last) = due_after(db, now, after).await?;
        let Some(last) = last else {
            break;
        };
        after = last;
        // In key order, so that instances racing through the same keys take their locks in the
        // same order and never deadlock.
        missing.sort_unstable_by(|a, b| a.key.cmp(&b.key));
        // A transaction per slice, not per reminder, and each reminder with its event in it.
        let txn = db.begin().await?;
        for reminder in &missing {
            if send(&txn, now, reminder).await? {
                created += 1;
            }
        }
        txn.commit().await?;
    }
    let receipts = unacknowledged(db, now).await?;
    let replies = crate::proposals::deadlines::remind(db, now).await?;
    let parts = crate::reports::contributions::remind(db, now).await?;
    Ok(created + receipts + replies + parts)
}

/// Reminds each unit of the tasks it has not acknowledged (签收) by the last day of the window,
/// once per assignment (the key carries the assignment's time: a unit that leaves and comes
/// back is reminded of the new assignment). Open tasks only; a slice at a time as above.
async fn unacknowledged(db: &DatabaseConnection, now: DateTime<Utc>) -> AppResult<u32> {
    use entity::{task_receipts, tasks};
    use sea_orm::sea_query::{Expr, Query};

    let today = today_in_china(now);
    let mut created = 0;
    let mut after = 0;
    loop {
        let receipts = task_receipts::Entity::find()
            .filter(task_receipts::Column::Id.gt(after))
            .filter(task_receipts::Column::AcknowledgedAt.is_null())
            .filter(task_receipts::Column::WithdrawnAt.is_null())
            .filter(task_receipts::Column::DueOn.lt(today))
            .filter(
                Expr::exists(
                    Query::select()
                        .expr(Expr::val(1))
                        .from(reminders::Entity)
                        .and_where(
                            Expr::col((reminders::Entity, reminders::Column::TaskId))
                                .equals((task_receipts::Entity, task_receipts::Column::TaskId)),
                        )
                        .and_where(
                            Expr::col((reminders::Entity, reminders::Column::UnitId))
                                .equals((task_receipts::Entity, task_receipts::Column::UnitId)),
                        )
                        .and_where(
                            reminders::Column::Rule.eq(ReminderRule::Unacknowledged.as_str()),
                        )
                        .and_where(
                            Expr::col((reminders::Entity, reminders::Column::CreatedAt)).gte(
                                Expr::col((
                                    task_receipts::Entity,
                                    task_receipts::Column::AssignedAt,
                                )),
                            ),
                        )
                        .to_owned(),
                )
                .not(),
            )
            .filter(
                task_receipts::Column::TaskId.in_subquery(
                    Query::select()
                        .column(tasks::Column::Id)
                        .from(tasks::Entity)
                        .and_where(tasks::Column::DeletedAt.is_null())
                        .and_where(tasks::Column::Status.is_not_in([
                            entity::enums::TaskStatus::Completed,
                            entity::enums::TaskStatus::Cancelled,
                        ]))
                        .to_owned(),
                ),
            )
            .order_by_asc(task_receipts::Column::Id)
            .limit(SLICE)
            .all(db)
            .await?;
        let Some(last) = receipts.last() else {
            break;
        };
        after = last.id;
        let seqs: std::collections::HashMap<i64, String> = tasks::Entity::find()
            .select_only()
            .column(tasks::Column::Id)
            .column(tasks::Column::Seq)
            .filter(tasks::Column::Id.is_in(receipts.iter().map(|r| r.task_id)))
            .into_tuple::<(i64, String)>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        let mut missing: Vec<Due> = receipts
            .iter()
            .map(|receipt| {
                let rule = ReminderRule::Unacknowledged;
                let key = format!(
                    "{}:{}:-:{}:{}",
                    rule.as_str(),
                    receipt.task_id,
                    receipt.unit_id,
                    receipt.assigned_at.timestamp()
                );
                let seq = seqs.get(&receipt.task_id).map_or("", String::as_str);
                let row = reminders::ActiveModel {
                    task_id: Set(receipt.task_id),
                    period_id: Set(None),
                    unit_id: Set(receipt.unit_id),
                    sender_id: Set(None),
                    rule: Set(rule.as_str().to_owned()),
                    dedup_key: Set(Some(key.clone())),
                    message: Set(format!(
                        "【自动提醒】第{seq}项任务应于{}前签收，尚未签收，请及时签收；如非本单位职责，请在{}前申请退办。",
                        receipt.due_on, receipt.handback_until
                    )),
                    created_at: Set(now),
                    acknowledged_at: Set(None),
                    acknowledged_by: Set(None),
                    ..Default::default()
                };
                Due { key, row }
            })
            .collect();
        missing.sort_unstable_by(|a, b| a.key.cmp(&b.key));
        let txn = db.begin().await?;
        for reminder in &missing {
            if send(&txn, now, reminder).await? {
                created += 1;
            }
        }
        txn.commit().await?;
    }
    Ok(created)
}

/// How many obligations one slice of the reminder pass reads, and one transaction sends.
const SLICE: u64 = 500;

/// The reminders the rules call for at `now` among the stored obligations after id `after`
/// (a slice, in id order), with the last id read (`None` when there are no more). An
/// obligation that already has its reminder of that rule is not read at all.
async fn due_after(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    after: i64,
) -> AppResult<(Vec<Due>, Option<i64>)> {
    use entity::obligations as stored;
    use sea_orm::sea_query::{Expr, Query};

    let today = today_in_china(now);
    let soon = today + chrono::Days::new(DUE_SOON_DAYS.unsigned_abs());
    let without = |rule: ReminderRule| {
        Expr::exists(
            Query::select()
                .expr(Expr::val(1))
                .from(reminders::Entity)
                .and_where(
                    Expr::col((reminders::Entity, reminders::Column::TaskId))
                        .equals((stored::Entity, stored::Column::TaskId)),
                )
                .and_where(
                    Expr::col((reminders::Entity, reminders::Column::PeriodId))
                        .equals((stored::Entity, stored::Column::PeriodId)),
                )
                .and_where(
                    Expr::col((reminders::Entity, reminders::Column::UnitId))
                        .equals((stored::Entity, stored::Column::UnitId)),
                )
                .and_where(reminders::Column::Rule.eq(rule.as_str()))
                .to_owned(),
        )
        .not()
    };
    let overdue = obligations::list::state_condition(ObligationState::Overdue, today)
        .add(without(ReminderRule::Overdue));
    let due_soon = Condition::all()
        .add(
            Condition::any()
                .add(obligations::list::state_condition(
                    ObligationState::NotStarted,
                    today,
                ))
                .add(obligations::list::state_condition(
                    ObligationState::Draft,
                    today,
                )),
        )
        .add(stored::Column::DueOn.lte(soon))
        .add(without(ReminderRule::DueSoon));
    let rows = obligations::list::visible(
        &Principal::system(),
        db,
        &ObligationFilter::default(),
        today,
    )
    .await?
    .filter(stored::Column::Id.gt(after))
    .filter(Condition::any().add(overdue).add(due_soon))
    .order_by_asc(stored::Column::Id)
    .limit(SLICE)
    .all(db)
    .await?;
    let last = rows.last().map(|row| row.id);
    let mut due = Vec::new();
    for obligation in obligations::list::hydrate(db, &rows, today).await? {
        let days_left = (obligation.due_on - today).num_days();
        let (rule, message) = match obligation.state {
            ObligationState::Overdue => (
                ReminderRule::Overdue,
                format!(
                    "【自动提醒】第{}项 {} 的进展报告已于{}到期，尚未报送，请尽快报送。",
                    obligation.task.seq, obligation.period.label, obligation.due_on
                ),
            ),
            ObligationState::NotStarted | ObligationState::Draft
                if (0..=DUE_SOON_DAYS).contains(&days_left) =>
            {
                (
                    ReminderRule::DueSoon,
                    format!(
                        "【自动提醒】第{}项 {} 的进展报告将于{}到期，请按时报送。",
                        obligation.task.seq, obligation.period.label, obligation.due_on
                    ),
                )
            }
            _ => continue,
        };
        let key = format!(
            "{}:{}:{}:{}",
            rule.as_str(),
            obligation.task.id,
            obligation.period.id,
            obligation.unit_id
        );
        let row = reminders::ActiveModel {
            task_id: Set(obligation.task.id),
            period_id: Set(Some(obligation.period.id)),
            unit_id: Set(obligation.unit_id),
            sender_id: Set(None),
            rule: Set(rule.as_str().to_owned()),
            dedup_key: Set(Some(key.clone())),
            message: Set(message),
            created_at: Set(now),
            acknowledged_at: Set(None),
            acknowledged_by: Set(None),
            ..Default::default()
        };
        due.push(Due { key, row });
    }
    Ok((due, last))
}

/// The deadline job: runs the rules every `interval` until the process ends, and on the same
/// tick refreshes task statuses, removes abandoned uploads and folds the counts (`tallies`). Errors are logged, not fatal: the
/// next run catches up, and nothing is sent twice.
///
/// Every due date ends at midnight in Beijing, so that is when statuses and reminders change
/// through time alone: the job also runs just after each such midnight, so an obligation that
/// has just become overdue shows as DELAYED at once, not up to `interval` later.
pub async fn schedule(
    db: DatabaseConnection,
    clock: crate::clock::SharedClock,
    storage: crate::storage::Storage,
    interval: std::time::Duration,
    heartbeat: std::sync::Arc<crate::state::Heartbeat>,
) {
    loop {
        let now = clock.now();
        let mut ok = true;
        let mut sent = 0;
        match run(&db, now).await {
            Ok(0) => {}
            Ok(created) => {
                sent = created;
                tracing::info!(created, "automatic reminders sent");
            }
            Err(err) => {
                ok = false;
                tracing::warn!(error = %err, "automatic reminders failed; retrying at the next run");
            }
        }
        // The ladder's automatic steps (催办, 督办单, 约谈) at the days overdue each notice sets.
        match crate::escalations::rules::run(&db, now).await {
            Ok(0) => {}
            Ok(taken) => tracing::info!(taken, "escalation steps taken"),
            Err(err) => {
                ok = false;
                tracing::warn!(error = %err, "escalation steps failed; retrying at the next run");
            }
        }
        match crate::attachments::service::purge_abandoned(&db, &storage, now).await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, "abandoned uploads removed"),
            Err(err) => {
                ok = false;
                tracing::warn!(error = %err, "removing abandoned uploads failed; retrying at the next run");
            }
        }
        match crate::attachments::service::remove_orphans(&db, &storage).await {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "files without an attachment removed"),
            Err(err) => {
                ok = false;
                tracing::warn!(error = %err, "removing orphaned files failed; retrying at the next run");
            }
        }
        // The same passing of time moves task statuses (an obligation becomes overdue).
        match crate::tasks::progress::sweep(&db, now).await {
            Ok(0) => {}
            Ok(changed) => tracing::info!(changed, "task statuses refreshed"),
            Err(err) => {
                ok = false;
                tracing::warn!(error = %err, "refreshing task statuses failed; retrying at the next run");
            }
        }
        // The counts' deltas, folded so that a count sums a few thousand rows, not every change
        // since the last fold (`tallies`).
        if let Err(err) = crate::tallies::fold_all(&db).await {
            ok = false;
            tracing::warn!(error = %err, "folding the counts failed; retrying at the next run");
        }
        crate::metrics::deadline_job_run(ok, sent, now.timestamp());
        heartbeat.beat();
        tokio::time::sleep(until_next_run(clock.now(), interval)).await;
    }
}

/// How long the job waits after a run at `now`: `interval`, or less when a day ends in Beijing
/// sooner (plus a second, so the run falls clearly on the new day).
fn until_next_run(now: DateTime<Utc>, interval: std::time::Duration) -> std::time::Duration {
    let new_day = crate::deadline::due_end(today_in_china(now)) + chrono::Duration::seconds(1);
    (new_day - now)
        .to_std()
        .map_or(interval, |to_new_day| to_new_day.min(interval))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chrono::TimeZone;

    use super::*;

    #[test]
    fn the_job_wakes_just_after_midnight_in_beijing() {
        let ten_minutes = Duration::from_secs(600);
        // 23:55 in Beijing (15:55 UTC): the next run is at 00:00:01, not at 00:05.
        let before_midnight = Utc.with_ymd_and_hms(2026, 3, 28, 15, 55, 0).unwrap();
        assert_eq!(
            until_next_run(before_midnight, ten_minutes),
            Duration::from_secs(301)
        );
        // Midday: the interval is sooner.
        let midday = Utc.with_ymd_and_hms(2026, 3, 28, 4, 0, 0).unwrap();
        assert_eq!(until_next_run(midday, ten_minutes), ten_minutes);
        // The run at 00:00:01 waits a whole interval: that midnight has been dealt with.
        let just_after = Utc.with_ymd_and_hms(2026, 3, 28, 16, 0, 1).unwrap();
        assert_eq!(until_next_run(just_after, ten_minutes), ten_minutes);
    }
}
