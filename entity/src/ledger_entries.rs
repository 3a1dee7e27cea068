//! `ledger_entries`: A unit's own breakdown of a task (工作台账): sub-item, time node and named responsible people.

use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::enums::LedgerState;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "ledger_entries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub task_id: i64,
    pub unit_id: i64,
    #[sea_orm(column_type = "Text")]
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub detail: Option<String>,
    pub time_node: Option<Date>,
    pub responsible_leader: Option<String>,
    pub responsible_person: Option<String>,
    pub phone: Option<String>,
    pub state: LedgerState,
    pub position: i32,
    pub version: i32,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
