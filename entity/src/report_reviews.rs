//! `report_reviews`: The bureau's decision on one submitted version: accepted or returned with a comment. At most one per version.

use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::enums::ReviewDecision;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "report_reviews")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub report_id: i64,
    #[sea_orm(unique)]
    pub version_id: i64,
    pub reviewer_id: i64,
    pub decision: ReviewDecision,
    #[sea_orm(column_type = "Text")]
    pub comment: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
