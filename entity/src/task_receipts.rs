//! `task_receipts`: A unit's receipt (签收) of a task it was assigned: when the assignment appeared, by when it is to be acknowledged and until when it may be handed back, who acknowledged it, and when the unit left the task.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "task_receipts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub task_id: i64,
    pub unit_id: i64,
    pub assigned_at: DateTimeUtc,
    pub due_on: Date,
    pub handback_until: Date,
    pub acknowledged_at: Option<DateTimeUtc>,
    pub acknowledged_by: Option<i64>,
    pub withdrawn_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
