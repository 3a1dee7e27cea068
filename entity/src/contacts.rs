//! `contacts`: A unit's or a leader's address on a channel (SMS, WeCom, DingTalk): where their notifications go besides the app.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "contacts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub unit_id: Option<i64>,
    pub leader_id: Option<i64>,
    /// `SMS`, `WECOM` or `DINGTALK`.
    pub channel: String,
    pub address: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
