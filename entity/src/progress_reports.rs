//! `progress_reports`: One unit's report on one task for one period. The editable draft lives here; every submission is frozen in `report_versions`.

use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::enums::ReportState;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "progress_reports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub task_id: i64,
    pub period_id: i64,
    pub unit_id: i64,
    pub state: ReportState,
    pub current_version: i32,
    #[sea_orm(column_type = "Text")]
    pub draft_progress: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub draft_problems: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub draft_next_steps: Option<String>,
    pub draft_percent: Option<i32>,
    /// The indicator values entered so far, as `[{indicatorId, value, note}]`.
    pub draft_indicator_values: Option<Json>,
    pub draft_updated_by: Option<i64>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
