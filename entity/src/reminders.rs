//! `reminders`: A prompt (催办) to a unit about a task and period, sent by the bureau or by the scheduler. `dedup_key` makes automatic reminders exactly-once.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "reminders")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub task_id: i64,
    pub period_id: Option<i64>,
    pub unit_id: i64,
    pub sender_id: Option<i64>,
    pub rule: String,
    #[sea_orm(unique)]
    pub dedup_key: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub message: String,
    pub created_at: DateTimeUtc,
    pub acknowledged_at: Option<DateTimeUtc>,
    pub acknowledged_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
