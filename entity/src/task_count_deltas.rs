//! `task_count_deltas`: append-only changes of the live tasks' counts, +1 or −1 by document and status, inserted by triggers on `tasks` (migration 31) and moved into `task_counts` by the fold.

use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::enums::TaskStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "task_count_deltas")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub document_id: i64,
    pub status: TaskStatus,
    pub n: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
