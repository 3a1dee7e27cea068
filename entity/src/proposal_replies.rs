//! `proposal_replies`: One reply to a People's Congress motion per round, with the deputies' rating once given.

use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::enums::{Rating, ReplyClass};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "proposal_replies")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub task_id: i64,
    pub round: i32,
    #[sea_orm(column_type = "Text")]
    pub reply_text: String,
    pub reply_class: ReplyClass,
    pub replied_on: Date,
    pub replied_by: Option<i64>,
    pub rating: Option<Rating>,
    pub rated_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
