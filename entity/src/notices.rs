//! `notices`: A praise or criticism notice (通报): a draft of the bureau's until published with a number and date. The figures it states are computed once (`computed_at`, for the scope `document_id`, `due_from`, `due_to`, with `formula` and `weights`) and kept in `notice_figures` and `notice_evidence`.

use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::enums::NoticeKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "notices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: NoticeKind,
    #[sea_orm(column_type = "Text")]
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub document_id: Option<i64>,
    pub period_id: Option<i64>,
    /// Set when published; a draft has none.
    pub published_at: Option<DateTimeUtc>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    /// The notice's number (督查通报〔2026〕3号), unique, given when published.
    pub doc_number: Option<String>,
    pub issuer: Option<String>,
    pub issued_on: Option<Date>,
    /// Guards edits of the draft, as tasks' versions do.
    pub version: i32,
    pub updated_at: Option<DateTimeUtc>,
    /// When the figures were computed: `verifyNotice` recomputes them as of this time.
    pub computed_at: Option<DateTimeUtc>,
    pub due_from: Option<Date>,
    pub due_to: Option<Date>,
    #[sea_orm(column_type = "Text", nullable)]
    pub formula: Option<String>,
    pub weights: Option<Json>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
