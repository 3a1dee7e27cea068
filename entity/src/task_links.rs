//! `task_links`: A link from one task to another: carried over into the next year's notice (结转, from the old task to the new), drafted together (与…合并起草), or related.

use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::enums::TaskLinkKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "task_links")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub task_id: i64,
    pub linked_task_id: i64,
    pub kind: TaskLinkKind,
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
