//! Merging a duplicate unit into another (the registry grew two rows for one body).
//!
//! Every reference moves from the source to the target, the source's names become aliases of the
//! target, and the source stays, inactive, with `merged_into_id` set, so history stays readable.

use chrono::{DateTime, Utc};
use entity::enums::AliasSource;
use entity::{
    extension_requests, leader_units, ledger_entries, notice_units, progress_reports, reminders,
    task_units, unit_aliases, units, users,
};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set,
    TransactionTrait,
};
use serde::Serialize;

use crate::audit::service::{self as audit, Change};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::events::EntityType;
use crate::events::EventKind;
use crate::units::service::{get, insert_alias};

/// What a merge moved, for the client and the audit row.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MergeCounts {
    pub aliases: u64,
    pub task_assignments: u64,
    pub duplicate_assignments_dropped: u64,
    pub supervising_leaders: u64,
    pub users: u64,
    pub child_units: u64,
    pub reports: u64,
    pub reminders: u64,
    pub ledger_entries: u64,
    pub extension_requests: u64,
    pub notices: u64,
}

/// Merges `source_id` into `target_id`. Bureau only.
///
/// Every reference moves: aliases (and the source's own name, which becomes an alias), task
/// assignments, supervising leaders, users, child units, reports, reminders, ledger entries,
/// extension requests and notices. Where the target already holds the same role on a task or
/// the same leader link, the source's duplicate row is dropped (the target's stands for both)
/// and counted. Two reports of the two units for the same task and period cannot be merged
/// without losing one, so that case is refused with CONFLICT.
pub async fn merge(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    source_id: i64,
    target_id: i64,
) -> AppResult<(units::Model, MergeCounts)> {
    actor.require_bureau()?;
    if source_id == target_id {
        return Err(AppError::bad_field("targetId", "must differ from sourceId"));
    }
    let txn = db.begin().await?;
    let source = get(actor, &txn, source_id)
        .await
        .map_err(|_| AppError::not_found("source unit"))?;
    let target = get(actor, &txn, target_id)
        .await
        .map_err(|_| AppError::not_found("target unit"))?;
    if source.merged_into_id.is_some() {
        return Err(AppError::conflict(
            "the source unit has already been merged",
        ));
    }
    if target.merged_into_id.is_some() {
        return Err(AppError::conflict(
            "the target unit has itself been merged into another unit",
        ));
    }
    if is_ancestor(&txn, source_id, target_id).await? {
        return Err(AppError::bad_field(
            "targetId",
            "is a sub-unit of the source unit",
        ));
    }

    let report_key = |report: progress_reports::Model| (report.task_id, report.period_id);
    let target_reports: std::collections::HashSet<(i64, i64)> = progress_reports::Entity::find()
        .filter(progress_reports::Column::UnitId.eq(target_id))
        .all(&txn)
        .await?
        .into_iter()
        .map(report_key)
        .collect();
    let clashing_reports = progress_reports::Entity::find()
        .filter(progress_reports::Column::UnitId.eq(source_id))
        .all(&txn)
        .await?
        .into_iter()
        .map(report_key)
        .filter(|key| target_reports.contains(key))
        .count();
    if clashing_reports > 0 {
        return Err(AppError::conflict(format!(
            "both units reported on the same task and period {clashing_reports} time(s); \
             resolve those reports before merging"
        )));
    }

    let mut counts = MergeCounts::default();

    // Task assignments: drop the source's rows that duplicate a target row, move the rest.
    let source_rows = task_units::Entity::find()
        .filter(task_units::Column::UnitId.eq(source_id))
        .all(&txn)
        .await?;
    let target_rows: std::collections::HashSet<(i64, entity::enums::UnitRole)> =
        task_units::Entity::find()
            .filter(task_units::Column::UnitId.eq(target_id))
            .all(&txn)
            .await?
            .into_iter()
            .map(|row| (row.task_id, row.role))
            .collect();
    // The obligations of these tasks move to the target (synced at the end).
    let touched_tasks: Vec<i64> = source_rows.iter().map(|row| row.task_id).collect();
    let (dupes, moves): (Vec<_>, Vec<_>) = source_rows
        .into_iter()
        .partition(|row| target_rows.contains(&(row.task_id, row.role)));
    if !dupes.is_empty() {
        counts.duplicate_assignments_dropped = task_units::Entity::delete_many()
            .filter(task_units::Column::Id.is_in(dupes.iter().map(|row| row.id)))
            .exec(&txn)
            .await?
            .rows_affected;
    }
    if !moves.is_empty() {
        counts.task_assignments = task_units::Entity::update_many()
            .col_expr(task_units::Column::UnitId, Expr::value(target_id))
            .filter(task_units::Column::Id.is_in(moves.iter().map(|row| row.id)))
            .exec(&txn)
            .await?
            .rows_affected;
    }

    // Leader links: same approach.
    let target_leaders: Vec<i64> = leader_units::Entity::find()
        .filter(leader_units::Column::UnitId.eq(target_id))
        .all(&txn)
        .await?
        .into_iter()
        .map(|row| row.leader_id)
        .collect();
    leader_units::Entity::delete_many()
        .filter(leader_units::Column::UnitId.eq(source_id))
        .filter(leader_units::Column::LeaderId.is_in(target_leaders))
        .exec(&txn)
        .await?;
    counts.supervising_leaders = leader_units::Entity::update_many()
        .col_expr(leader_units::Column::UnitId, Expr::value(target_id))
        .filter(leader_units::Column::UnitId.eq(source_id))
        .exec(&txn)
        .await?
        .rows_affected;

    counts.aliases = unit_aliases::Entity::update_many()
        .col_expr(unit_aliases::Column::UnitId, Expr::value(target_id))
        .filter(unit_aliases::Column::UnitId.eq(source_id))
        .exec(&txn)
        .await?
        .rows_affected;
    insert_alias(
        &txn,
        target_id,
        source.name.clone(),
        AliasSource::Merge,
        now,
    )
    .await?;
    counts.aliases += 1;

    macro_rules! move_unit_refs {
        ($entity:ident, $column:expr) => {
            $entity::Entity::update_many()
                .col_expr($column, Expr::value(target_id))
                .filter($column.eq(source_id))
                .exec(&txn)
                .await?
                .rows_affected
        };
    }
    counts.users = move_unit_refs!(users, users::Column::UnitId);
    counts.child_units = move_unit_refs!(units, units::Column::ParentId);
    counts.reports = move_unit_refs!(progress_reports, progress_reports::Column::UnitId);
    counts.reminders = move_unit_refs!(reminders, reminders::Column::UnitId);
    counts.ledger_entries = move_unit_refs!(ledger_entries, ledger_entries::Column::UnitId);
    counts.extension_requests =
        move_unit_refs!(extension_requests, extension_requests::Column::UnitId);
    notice_units::Entity::delete_many()
        .filter(notice_units::Column::UnitId.eq(source_id))
        .filter(
            notice_units::Column::NoticeId.in_subquery(
                Query::select()
                    .column(notice_units::Column::NoticeId)
                    .from(notice_units::Entity)
                    .and_where(notice_units::Column::UnitId.eq(target_id))
                    .to_owned(),
            ),
        )
        .exec(&txn)
        .await?;
    counts.notices = move_unit_refs!(notice_units, notice_units::Column::UnitId);
    crate::obligations::sync(&txn, &touched_tasks).await?;
    // The surviving unit acknowledges the tasks it takes over, as any new assignment.
    crate::handover::receipts::sync(&txn, now, &touched_tasks).await?;

    let mut retired = source.clone().into_active_model();
    retired.is_active = Set(false);
    retired.merged_into_id = Set(Some(target_id));
    retired.parent_id = Set(None);
    retired.updated_at = Set(now);
    retired.update(&txn).await?;

    audit::record(
        &txn,
        actor,
        now,
        Change::diff(
            EventKind::UnitMerged,
            EntityType::Unit,
            Some(source_id),
            &source,
            &serde_json::json!({ "mergedInto": target_id, "moved": counts }),
        ),
    )
    .await?;
    crate::events::registry(
        &txn,
        now,
        EventKind::UnitMerged,
        (EntityType::Unit, source_id),
        &serde_json::json!({ "mergedInto": target_id }),
    )
    .await?;
    txn.commit().await?;
    Ok((target, counts))
}

/// Whether `ancestor` is above `unit` in the tree.
async fn is_ancestor(db: &impl ConnectionTrait, ancestor: i64, unit: i64) -> AppResult<bool> {
    let mut cursor = units::Entity::find_by_id(unit)
        .one(db)
        .await?
        .and_then(|u| u.parent_id);
    let mut steps = 0;
    while let Some(id) = cursor {
        if id == ancestor {
            return Ok(true);
        }
        cursor = units::Entity::find_by_id(id)
            .one(db)
            .await?
            .and_then(|u| u.parent_id);
        steps += 1;
        if steps > 64 {
            break;
        }
    }
    Ok(false)
}
