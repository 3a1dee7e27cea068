//! `task_counts`: live tasks by document and status, as folded from `task_count_deltas`. Written only by the fold (`tasks::counts`); a count is this plus the deltas not yet folded.

use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::enums::TaskStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "task_counts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub document_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub status: TaskStatus,
    pub n: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
