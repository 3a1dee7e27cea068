//! `escalations`: A step of the escalation ladder (三色督办) taken with a unit about an overdue report: 催办, a numbered 督办单 or a 约谈, with who took it (NULL: the deadline job), the unit's reply and the bureau's recorded outcome.

use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::enums::EscalationLevel;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "escalations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub task_id: i64,
    pub period_id: i64,
    pub unit_id: i64,
    pub level: EscalationLevel,
    /// A 督办单's number (督办〔2026〕3号).
    #[sea_orm(unique)]
    pub number: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    pub days_overdue: i32,
    pub issued_by: Option<i64>,
    pub issued_at: DateTimeUtc,
    #[sea_orm(column_type = "Text", nullable)]
    pub reply: Option<String>,
    pub replied_by: Option<i64>,
    pub replied_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub outcome: Option<String>,
    pub interviewee: Option<String>,
    pub held_on: Option<Date>,
    pub outcome_by: Option<i64>,
    pub outcome_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
