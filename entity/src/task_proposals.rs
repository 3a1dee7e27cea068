//! `task_proposals`: The People's Congress motion part of a task of a PROPOSAL document: proposers, the reply and the deputies' rating.

use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::enums::{Rating, ReplyClass};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "task_proposals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub task_id: i64,
    #[sea_orm(column_type = "Text")]
    pub proposers: String,
    pub deputy_count: Option<i32>,
    pub reply_deadline: Option<Date>,
    #[sea_orm(column_type = "Text")]
    pub reply_text: Option<String>,
    pub replied_on: Option<Date>,
    pub reply_class: Option<ReplyClass>,
    pub rating: Option<Rating>,
    pub round: i32,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
