//! `categories`: A numbered heading of a document (板块): a tree per document, with the item count the document declares, if any.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "categories")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub document_id: i64,
    pub parent_id: Option<i64>,
    pub ordinal: String,
    #[sea_orm(column_type = "Text")]
    pub title: String,
    pub position: i32,
    pub path: String,
    pub declared_count: Option<i32>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
