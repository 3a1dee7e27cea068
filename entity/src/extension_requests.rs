//! `extension_requests`: A unit's request (延期申请) for a later due date, with the bureau's decision. The original due date is kept.

use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::enums::ExtensionState;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "extension_requests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub task_id: i64,
    pub unit_id: i64,
    pub period_id: Option<i64>,
    pub original_due_on: Date,
    pub requested_due_on: Date,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    pub state: ExtensionState,
    pub requested_by: i64,
    pub requested_at: DateTimeUtc,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text")]
    pub decision_comment: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
