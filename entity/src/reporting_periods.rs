//! `reporting_periods`: When progress is due for a document's tasks (季报 / 月报 / 节点). `original_due_on` keeps the first due date when the bureau moves it.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "reporting_periods")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub document_id: i64,
    pub label: String,
    pub starts_on: Option<Date>,
    pub due_on: Date,
    pub original_due_on: Date,
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
