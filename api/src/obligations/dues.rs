//! The due date of an obligation: the period's, unless the bureau approved a later one for the
//! unit (an extension request), the latest decision winning. The original date is kept on the
//! period for figures against the original plan.

use std::collections::HashMap;

use chrono::NaiveDate;
use entity::enums::ExtensionState;
use entity::{extension_requests, reporting_periods};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::error::AppResult;
use crate::obligations::ReportKey;

/// The due date of one unit's obligation: the latest approved extension, else the period's.
pub async fn effective_due(
    db: &impl ConnectionTrait,
    key: ReportKey,
    unit_id: i64,
    period: &reporting_periods::Model,
) -> AppResult<NaiveDate> {
    let approved = approved_dues(db, &[key.task_id]).await?;
    Ok(approved
        .get(&(key.task_id, period.id, unit_id))
        .copied()
        .unwrap_or(period.due_on))
}

/// The approved due dates by (task, period, unit), the latest decision winning.
pub async fn approved_dues(
    db: &impl ConnectionTrait,
    task_ids: &[i64],
) -> AppResult<HashMap<(i64, i64, i64), NaiveDate>> {
    let mut map = HashMap::new();
    let approved = crate::db::in_chunks(task_ids, |chunk| {
        extension_requests::Entity::find()
            .filter(extension_requests::Column::TaskId.is_in(chunk))
            .filter(extension_requests::Column::State.eq(ExtensionState::Approved))
            .order_by_asc(extension_requests::Column::DecidedAt)
            .order_by_asc(extension_requests::Column::Id)
            .all(db)
    })
    .await?;
    for request in approved {
        if let Some(period_id) = request.period_id {
            map.insert(
                (request.task_id, period_id, request.unit_id),
                request.requested_due_on,
            );
        }
    }
    Ok(map)
}
