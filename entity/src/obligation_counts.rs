//! `obligation_counts`: stored obligations by document, due dates, how their first version came in and their report's state (`''` for none), as folded from `obligation_count_deltas`. Written only by the fold (`tallies`); a count is this plus the deltas not yet folded.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "obligation_counts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub document_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub due_on: Date,
    #[sea_orm(primary_key, auto_increment = false)]
    pub original_due_on: Date,
    #[sea_orm(primary_key, auto_increment = false)]
    pub submitted: i16,
    #[sea_orm(primary_key, auto_increment = false)]
    pub on_time: i16,
    #[sea_orm(primary_key, auto_increment = false)]
    pub on_time_original: i16,
    #[sea_orm(primary_key, auto_increment = false)]
    pub report_state: String,
    pub n: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
