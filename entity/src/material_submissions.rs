//! `material_submissions`: a version of the material a leader (or their secretary) sent for a request, numbered from 1, with who sent it, when and whether after the due day.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "material_submissions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub request_id: i64,
    pub version: i32,
    #[sea_orm(column_type = "Text")]
    pub text: String,
    pub idempotency_key: String,
    pub is_late: bool,
    pub submitted_by: i64,
    pub submitted_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
