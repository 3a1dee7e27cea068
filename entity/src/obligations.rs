//! `obligations`: one report a unit owes, for a task and a period, with its due date and where its report stands. Derived from tasks, their units, the documents' rules, periods, reports and approved extensions; stored so that lists, figures and reminders read it with indexes, and kept in the transaction of every change that moves it.

use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::enums::ReportState;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "obligations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub task_id: i64,
    pub period_id: i64,
    pub unit_id: i64,
    /// The task's document, so that a document's obligations are one index range.
    pub document_id: i64,
    /// The period's due date, or the unit's approved extension.
    pub due_on: Date,
    /// The period's due date as first planned (for figures against the original plan).
    pub original_due_on: Date,
    pub report_id: Option<i64>,
    pub report_state: Option<ReportState>,
    /// Whether the report's latest submitted version came in after its due day.
    pub late: bool,
    /// The day in China the first version was submitted: the report came in on time when this
    /// is not after the due date (`deadline::lateness`), which SQL can compare on both backends.
    pub first_submitted_on: Option<Date>,
    /// Whether the bureau returned the report at least once (a ranking takes points off for
    /// it, whatever the report's state now).
    pub was_returned: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
