//! `instructions`: A leader's instruction (批示) or a comment or reply on a task or report; threads hang off `parent_id`.

use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::enums::InstructionKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "instructions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub task_id: i64,
    pub report_id: Option<i64>,
    pub parent_id: Option<i64>,
    pub author_id: i64,
    pub kind: InstructionKind,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
