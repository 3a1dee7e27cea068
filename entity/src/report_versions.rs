//! `report_versions`: A submitted version of a progress report. Append-only: a resubmission adds a version, nothing is overwritten.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "report_versions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub report_id: i64,
    pub version: i32,
    #[sea_orm(column_type = "Text")]
    pub progress: String,
    #[sea_orm(column_type = "Text")]
    pub problems: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub next_steps: Option<String>,
    pub percent: Option<i32>,
    pub submitted_by: i64,
    pub submitted_at: DateTimeUtc,
    pub due_on: Date,
    pub late_seconds: Option<i64>,
    pub idempotency_key: String,
    /// The clerk who drafted the version, when the unit's head signed it off.
    pub drafted_by: Option<i64>,
    /// The unit's head who approved it (审核签发).
    pub approved_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
