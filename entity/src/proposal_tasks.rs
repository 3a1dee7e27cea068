//! `proposal_tasks`: Another task a motion covers (the motion is recorded on `motion_task_id`), whose reports its lead unit reads to write the one reply.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "proposal_tasks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub motion_task_id: i64,
    pub task_id: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
