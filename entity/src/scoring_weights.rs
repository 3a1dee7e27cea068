//! `scoring_weights`: a document's ranking weights (考核), set by the bureau: the points an on-time report earns and a late, missing or returned one costs. A document without a row is ranked with the defaults.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "scoring_weights")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub document_id: i64,
    pub on_time: i32,
    /// Points taken off per late report (a positive number).
    pub late: i32,
    /// Points taken off per missing report.
    pub missing: i32,
    /// Points taken off per report returned at least once.
    pub returned: i32,
    pub updated_by: Option<i64>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
