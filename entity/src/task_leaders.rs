//! `task_leaders`: A leader answerable for a task, named by person (`leader_id`), by post (`post`, resolved to its current holder) or collectively (各位市长).

use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::enums::LeaderRole;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "task_leaders")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub task_id: i64,
    pub leader_id: Option<i64>,
    pub post: Option<String>,
    pub collective: Option<String>,
    pub name_as_written: String,
    pub role: LeaderRole,
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
