//! Reading reporting periods: by document and by id, for the DataLoaders and for the
//! obligations, which sit below `periods::service` (that one refreshes task statuses, which
//! read obligations).

use std::collections::HashMap;

use entity::reporting_periods;
use itertools::Itertools;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::error::AppResult;

/// The periods of each document, by due date.
pub async fn of_documents(
    db: &impl ConnectionTrait,
    document_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<reporting_periods::Model>>> {
    Ok(crate::db::in_chunks(document_ids, |chunk| {
        reporting_periods::Entity::find()
            .filter(reporting_periods::Column::DocumentId.is_in(chunk))
            .order_by_asc(reporting_periods::Column::DueOn)
            .order_by_asc(reporting_periods::Column::Position)
            .all(db)
    })
    .await?
    .into_iter()
    .into_group_map_by(|period| period.document_id))
}

/// Reporting periods by id.
pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, reporting_periods::Model>> {
    Ok(reporting_periods::Entity::find()
        .filter(reporting_periods::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect())
}
