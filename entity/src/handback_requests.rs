//! `handback_requests`: A unit's request (退办) to hand back a task it believes is not its own, with the bureau's decision: refused, or transferred (转办) to another unit.

use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::enums::HandbackState;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "handback_requests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub task_id: i64,
    pub unit_id: i64,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    pub suggested_unit_id: Option<i64>,
    pub state: HandbackState,
    pub requested_by: i64,
    pub requested_at: DateTimeUtc,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text")]
    pub decision_comment: Option<String>,
    pub transferred_to_unit_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
