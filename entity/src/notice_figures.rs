//! `notice_figures`: one ranked unit's counts and place as a notice states them, for every unit ranked when the notice's figures were computed.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "notice_figures")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub notice_id: i64,
    pub unit_id: i64,
    pub rank: i32,
    pub on_time: i32,
    pub late: i32,
    pub missing: i32,
    pub returned: i32,
    pub points: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
