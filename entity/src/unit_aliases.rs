//! `unit_aliases`: Another name under which a unit is written in documents (市发改委 for 市发展和改革委员会). Each alias names exactly one unit.

use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::enums::AliasSource;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "unit_aliases")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub unit_id: i64,
    #[sea_orm(unique)]
    pub alias: String,
    pub source: AliasSource,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
