//! `notice_evidence`: one obligation counted in a notice's figures for a unit it names: the due date used, the outcome, and the rows it came from (the report, its first version, a review that returned it).

use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::enums::EvidenceOutcome;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "notice_evidence")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub notice_id: i64,
    pub unit_id: i64,
    pub task_id: i64,
    pub period_id: i64,
    pub due_on: Date,
    pub outcome: EvidenceOutcome,
    pub report_id: Option<i64>,
    pub first_version_id: Option<i64>,
    pub returned_review_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
