//! `proposal_follow_ups`: A follow-up review (回头看) of a motion after completion: scheduled by the bureau for a day, then held and recorded with its findings.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "proposal_follow_ups")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub task_id: i64,
    pub due_on: Date,
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
    pub scheduled_by: Option<i64>,
    pub scheduled_at: DateTimeUtc,
    pub held_on: Option<Date>,
    #[sea_orm(column_type = "Text", nullable)]
    pub findings: Option<String>,
    pub recorded_by: Option<i64>,
    pub recorded_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
