//! A motion spanning several tasks. The motion is recorded on one task, whose lead unit makes
//! the one reply per round; the bureau names the other tasks it covers (`set_covered`). To
//! write the reply, the motion's owing units read the covered tasks and their latest reports
//! here, whoever holds those tasks: a rule of its own, not the general one (a unit reads only
//! its own reports), so the covered tasks are shown as a summary, not as `Task` objects whose
//! other fields would answer by the general rule.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{progress_reports, proposal_tasks, report_versions, reporting_periods, tasks};
use itertools::Itertools;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};

use crate::audit::service::{self as audit, Change};
use crate::auth::Principal;
use crate::auth::principal::Scope;
use crate::error::{AppError, AppResult};
use crate::events::{EntityType, EventKind};

/// The most tasks one motion covers.
pub const MAX_COVERED: usize = 50;

/// Replaces the tasks a motion covers (BUREAU). The motion's task must carry the motion.
pub async fn set_covered(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    motion_task_id: i64,
    covered: Vec<i64>,
) -> AppResult<Vec<proposal_tasks::Model>> {
    actor.require_bureau()?;
    if covered.len() > MAX_COVERED {
        return Err(AppError::bad_field(
            "coveredTaskIds",
            format!("at most {MAX_COVERED} tasks"),
        ));
    }
    let mut ids = covered;
    ids.sort_unstable();
    ids.dedup();
    if ids.contains(&motion_task_id) {
        return Err(AppError::bad_field(
            "coveredTaskIds",
            "names the motion's own task",
        ));
    }
    let txn = db.begin().await?;
    entity::task_proposals::Entity::find_by_id(motion_task_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::bad_field("taskId", "the task carries no motion"))?;
    let visible = crate::tasks::query::visible_by_ids(actor, &txn, &ids).await?;
    if let Some(unknown) = ids.iter().find(|id| !visible.contains_key(id)) {
        return Err(AppError::bad_field(
            "coveredTaskIds",
            format!("no such task: {unknown}"),
        ));
    }
    let before = proposal_tasks::Entity::find()
        .filter(proposal_tasks::Column::MotionTaskId.eq(motion_task_id))
        .all(&txn)
        .await?;
    proposal_tasks::Entity::delete_many()
        .filter(proposal_tasks::Column::MotionTaskId.eq(motion_task_id))
        .exec(&txn)
        .await?;
    let mut after = Vec::with_capacity(ids.len());
    for task_id in ids {
        after.push(
            proposal_tasks::ActiveModel {
                motion_task_id: Set(motion_task_id),
                task_id: Set(task_id),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?,
        );
    }
    audit::record(
        &txn,
        actor,
        now,
        Change::diff(
            EventKind::ProposalUpdated,
            EntityType::Task,
            Some(motion_task_id),
            &before,
            &after,
        ),
    )
    .await?;
    crate::tasks::store::changed(
        &txn,
        now,
        EventKind::ProposalUpdated,
        motion_task_id,
        &after,
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// A covered task as the motion's readers see it, with its units' latest reports.
#[derive(Debug, Clone)]
pub struct Covered {
    pub task: tasks::Model,
    /// (unit, period label, the latest submitted version), newest period first.
    pub reports: Vec<(i64, String, report_versions::Model)>,
}

/// The tasks each motion among `motion_task_ids` covers, for `actor`: all of them for the
/// bureau and machine accounts, for the leaders who see the motion's task and for the units
/// that owe its reply; nothing for anyone else. The caller has seen the motions' tasks.
pub async fn of_motions(
    actor: &Principal,
    db: &impl ConnectionTrait,
    motion_task_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<Covered>>> {
    let links = proposal_tasks::Entity::find()
        .filter(proposal_tasks::Column::MotionTaskId.is_in(motion_task_ids.iter().copied()))
        .order_by_asc(proposal_tasks::Column::Id)
        .all(db)
        .await?;
    if links.is_empty() {
        return Ok(HashMap::new());
    }
    // A unit reads the covered tasks of the motions whose reply it owes.
    let allowed: Vec<i64> = match &actor.scope {
        Scope::Unit { unit_id } => {
            let motions = tasks::Entity::find()
                .filter(tasks::Column::Id.is_in(motion_task_ids.iter().copied()))
                .all(db)
                .await?;
            let mut owed = Vec::new();
            for motion in motions {
                let document =
                    crate::documents::service::get(actor, db, motion.document_id).await?;
                let part = crate::obligations::part_of(db, &motion, *unit_id).await?;
                if part.is_some_and(|p| p.owes(document.obligation_rule)) {
                    owed.push(motion.id);
                }
            }
            owed
        }
        Scope::Bureau | Scope::Service | Scope::Leader { .. } => motion_task_ids.to_vec(),
        // A reviewing office reads its documents' reports, not other tasks a motion covers.
        Scope::Office { .. } => Vec::new(),
    };
    let links: Vec<proposal_tasks::Model> = links
        .into_iter()
        .filter(|l| allowed.contains(&l.motion_task_id))
        .collect();
    let task_ids: Vec<i64> = links.iter().map(|l| l.task_id).unique().collect();
    if task_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let tasks: HashMap<i64, tasks::Model> = tasks::Entity::find()
        .filter(tasks::Column::Id.is_in(task_ids.iter().copied()))
        .filter(tasks::Column::DeletedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let reports = progress_reports::Entity::find()
        .filter(progress_reports::Column::TaskId.is_in(task_ids.iter().copied()))
        .filter(progress_reports::Column::CurrentVersion.gt(0))
        .all(db)
        .await?;
    let versions: HashMap<(i64, i32), report_versions::Model> = report_versions::Entity::find()
        .filter(report_versions::Column::ReportId.is_in(reports.iter().map(|r| r.id)))
        .all(db)
        .await?
        .into_iter()
        .map(|v| ((v.report_id, v.version), v))
        .collect();
    let periods: HashMap<i64, reporting_periods::Model> = reporting_periods::Entity::find()
        .filter(reporting_periods::Column::Id.is_in(reports.iter().map(|r| r.period_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut by_task: HashMap<i64, Vec<(i64, String, report_versions::Model)>> = HashMap::new();
    let mut ordered = reports;
    ordered.sort_by_key(|r| {
        let due = periods.get(&r.period_id).map(|p| p.due_on);
        (std::cmp::Reverse(due), r.unit_id)
    });
    for report in ordered {
        if let (Some(version), Some(period)) = (
            versions.get(&(report.id, report.current_version)),
            periods.get(&report.period_id),
        ) {
            by_task.entry(report.task_id).or_default().push((
                report.unit_id,
                period.label.clone(),
                version.clone(),
            ));
        }
    }
    let mut out: HashMap<i64, Vec<Covered>> = HashMap::new();
    for link in links {
        if let Some(task) = tasks.get(&link.task_id) {
            out.entry(link.motion_task_id).or_default().push(Covered {
                task: task.clone(),
                reports: by_task.get(&task.id).cloned().unwrap_or_default(),
            });
        }
    }
    Ok(out)
}
