//! `obligation_count_deltas`: append-only changes of the obligations' counts, +1 or −1 by the keys of `obligation_counts`, inserted by triggers on `obligations` (migration 32) and moved into `obligation_counts` by the fold (`tallies`).

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "obligation_count_deltas")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub document_id: i64,
    pub due_on: Date,
    pub original_due_on: Date,
    /// 1 when a first version came in.
    pub submitted: i16,
    /// 1 when it came in by the due date.
    pub on_time: i16,
    /// 1 when it came in by the original due date.
    pub on_time_original: i16,
    pub report_state: String,
    pub n: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
