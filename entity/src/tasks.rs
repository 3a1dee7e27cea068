//! `tasks`: One numbered item (事项) of a document. `version` guards concurrent edits; `deleted_at` marks a soft delete. The table also has `obligations_owed` and `earliest_open_due`, kept by triggers on `obligations` (migration 32) and read by `stats`; they are left out of this model so that no write through it can overwrite them.

use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::enums::TaskStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "tasks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub document_id: i64,
    pub category_id: Option<i64>,
    pub parent_task_id: Option<i64>,
    pub seq: String,
    pub sort_order: i32,
    #[sea_orm(column_type = "Text")]
    pub text: String,
    pub deadline: Option<Date>,
    /// The deadline as the notice wrote it (`2025年6月底`, `长期坚持`), when imported.
    #[sea_orm(column_type = "Text", nullable)]
    pub deadline_as_written: Option<String>,
    pub status: TaskStatus,
    pub percent: i32,
    pub version: i32,
    #[sea_orm(unique)]
    pub external_id: Option<String>,
    pub completed_at: Option<DateTimeUtc>,
    pub deleted_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
