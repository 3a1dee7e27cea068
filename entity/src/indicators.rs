//! `indicators`: A measurable target inside a task's text (城镇新增就业6.24万人). The value is kept exactly as written.

use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::enums::Comparator;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "indicators")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub task_id: i64,
    #[sea_orm(column_type = "Text")]
    pub phrase: String,
    pub value: Option<String>,
    pub measure_unit: Option<String>,
    pub comparator: Comparator,
    pub position: i32,
    /// The report version whose value is the latest (a copy of its `report_indicator_values` row).
    pub latest_version_id: Option<i64>,
    /// That latest actual value, as written.
    pub latest_value: Option<String>,
    /// `MET`, `NOT_MET` or `NOT_COMPARABLE`: the latest value against the target
    /// (`reports::targets`); `None` while nothing is reported.
    pub verdict: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
