//! `leader_units`: The units a leader supervises (分管单位).

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "leader_units")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub leader_id: i64,
    pub unit_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
