//! `indicator_readings`: An actual value of an indicator posted by another system (a machine account), with the period it is for and the request's idempotency key.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "indicator_readings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub indicator_id: i64,
    pub period_id: Option<i64>,
    pub value: String,
    #[sea_orm(column_type = "Text")]
    pub note: Option<String>,
    pub source_user_id: i64,
    pub idempotency_key: String,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
