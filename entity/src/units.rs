//! `units`: An organisation that receives tasks: a city department, a county or district, a development zone, a state company, a party organ.

use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::enums::UnitKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "units")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub name: String,
    pub kind: UnitKind,
    pub parent_id: Option<i64>,
    pub merged_into_id: Option<i64>,
    pub is_active: bool,
    pub sort_order: i32,
    /// Whether the unit's reports go through its head (审核签发) before the bureau.
    pub signoff_required: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
