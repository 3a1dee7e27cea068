//! `report_signoffs`: A unit clerk's draft put to the unit's head (审核签发), with its content as submitted, the head's decision and the report version it became.

use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::enums::SignoffState;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "report_signoffs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub task_id: i64,
    pub period_id: i64,
    pub unit_id: i64,
    pub idempotency_key: String,
    /// The submission as the clerk made it: text, percent, indicator values, attachments.
    pub content: Json,
    pub state: SignoffState,
    pub drafted_by: i64,
    pub drafted_at: DateTimeUtc,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub comment: Option<String>,
    pub version_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
