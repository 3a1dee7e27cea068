//! `task_citations`: A passage of a document (usually a `SOURCE` document, the work report itself) that a task comes from, quoted exactly, with where it starts in the document's original text (in characters).

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "task_citations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub task_id: i64,
    pub document_id: i64,
    #[sea_orm(column_type = "Text")]
    pub passage: String,
    pub char_offset: i32,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
