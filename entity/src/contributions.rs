//! `contributions`: A cooperating unit's part of a task's report for a period, sent to the lead unit before the lead's due date (配合单位函告牵头单位) and consolidated into the lead's submitted version.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "contributions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub task_id: i64,
    pub period_id: i64,
    pub unit_id: i64,
    pub due_on: Date,
    #[sea_orm(column_type = "Text")]
    pub text: String,
    pub submitted_by: i64,
    /// The first submission, which lateness is measured from.
    pub submitted_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub late: bool,
    /// The lead's version it was consolidated into; fixed from then on.
    pub version_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
