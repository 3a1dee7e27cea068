//! `task_units`: A unit's part in a task: LEAD (牵头), RESPONSIBLE (责任) or COOPERATING (配合), in the order written.

use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::enums::UnitRole;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "task_units")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub task_id: i64,
    pub unit_id: i64,
    pub role: UnitRole,
    pub position: i32,
    pub name_as_written: String,
    pub is_local: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
