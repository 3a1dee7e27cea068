//! Listing obligations: those a principal may see, computed from tasks, their owing units, the
//! documents' periods, the reports and the approved extensions in a few statements whatever the
//! number of tasks.

use super::{Obligation, ObligationFilter, owing_units, state_of};
use entity::enums::ObligationRule;

/// The obligations `actor` may see: a unit its own; a leader those of their tasks; the bureau
/// and machine accounts all. Ordered by due date, then by the tasks' written order.
pub async fn list(
    actor: &crate::auth::Principal,
    db: &impl sea_orm::ConnectionTrait,
    now: chrono::DateTime<chrono::Utc>,
    filter: ObligationFilter,
) -> crate::error::AppResult<Vec<Obligation>> {
    use entity::tasks;

    // A unit sees its own, whatever the filter says.
    let unit_scope = actor.unit_id().or(filter.unit_id);
    let task_filter = crate::tasks::query::TaskFilter {
        document_id: filter.document_id,
        unit_id: unit_scope,
        leader_id: filter.leader_id,
        ..Default::default()
    };
    let page = crate::pagination::PageRequest::all();
    let order = crate::tasks::query::TaskOrder::default();
    let tasks: Vec<tasks::Model> = crate::tasks::query::list(actor, db, task_filter, order, page)
        .await?
        .items;
    let mut obligations = of_tasks(db, &tasks, now, unit_scope).await?;
    obligations.retain(|o| {
        filter.period_id.is_none_or(|p| p == o.period.id)
            && (filter.states.is_empty() || filter.states.contains(&o.state))
    });
    obligations.sort_by_key(|o| (o.due_on, o.task.document_id, o.task.sort_order, o.unit_id));
    Ok(obligations)
}

/// The obligations on `tasks` (already checked visible), of every owing unit or of `unit_scope`
/// only, in no particular order. A few statements whatever the number of tasks.
pub async fn of_tasks(
    db: &impl sea_orm::ConnectionTrait,
    tasks: &[entity::tasks::Model],
    now: chrono::DateTime<chrono::Utc>,
    unit_scope: Option<i64>,
) -> crate::error::AppResult<Vec<Obligation>> {
    use std::collections::{HashMap, HashSet};

    use entity::{documents, progress_reports, report_versions};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

    if tasks.is_empty() {
        return Ok(Vec::new());
    }
    let task_ids: Vec<i64> = tasks.iter().map(|t| t.id).collect();
    let document_ids: Vec<i64> = tasks
        .iter()
        .map(|t| t.document_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let rules: HashMap<i64, ObligationRule> = crate::db::in_chunks(&document_ids, |chunk| {
        documents::Entity::find()
            .filter(documents::Column::Id.is_in(chunk))
            .all(db)
    })
    .await?
    .into_iter()
    .map(|d| (d.id, d.obligation_rule))
    .collect();
    let periods = crate::periods::query::of_documents(db, &document_ids).await?;
    let assignments = crate::tasks::query::units_of(db, &task_ids).await?;
    let reports: HashMap<(i64, i64, i64), progress_reports::Model> =
        crate::db::in_chunks(&task_ids, |chunk| {
            progress_reports::Entity::find()
                .filter(progress_reports::Column::TaskId.is_in(chunk))
                .all(db)
        })
        .await?
        .into_iter()
        .map(|r| ((r.task_id, r.period_id, r.unit_id), r))
        .collect();
    let report_ids: Vec<i64> = reports.values().map(|r| r.id).collect();
    let late_versions: HashSet<(i64, i32)> = crate::db::in_chunks(&report_ids, |chunk| {
        report_versions::Entity::find()
            .filter(report_versions::Column::ReportId.is_in(chunk))
            .filter(report_versions::Column::LateSeconds.is_not_null())
            .all(db)
    })
    .await?
    .into_iter()
    .map(|v| (v.report_id, v.version))
    .collect();
    let extended = super::approved_dues(db, &task_ids).await?;
    let today = crate::deadline::today_in_china(now);
    let mut obligations = Vec::new();
    for task in tasks {
        let rule = rules
            .get(&task.document_id)
            .copied()
            .unwrap_or(ObligationRule::LeadElseResponsible);
        let owing = owing_units(
            rule,
            assignments.get(&task.id).map_or(&[][..], Vec::as_slice),
        );
        for unit_id in owing
            .into_iter()
            .filter(|u| unit_scope.is_none_or(|scope| scope == *u))
        {
            // A completed or cancelled task owes nothing due after the day it was closed,
            // except what was reported anyway.
            let closed_on = matches!(
                task.status,
                entity::enums::TaskStatus::Completed | entity::enums::TaskStatus::Cancelled
            )
            .then(|| crate::deadline::today_in_china(task.completed_at.unwrap_or(task.updated_at)));
            for period in periods.get(&task.document_id).into_iter().flatten() {
                let report = reports.get(&(task.id, period.id, unit_id));
                if report.is_none() && closed_on.is_some_and(|day| period.due_on > day) {
                    continue;
                }
                let late =
                    report.is_some_and(|r| late_versions.contains(&(r.id, r.current_version)));
                let due_on = extended
                    .get(&(task.id, period.id, unit_id))
                    .copied()
                    .unwrap_or(period.due_on);
                let state = state_of(report, late, due_on, today);
                obligations.push(Obligation {
                    task: task.clone(),
                    period: period.clone(),
                    due_on,
                    unit_id,
                    state,
                    report: report.cloned(),
                });
            }
        }
    }
    Ok(obligations)
}
