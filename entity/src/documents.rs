//! `documents`: An official notice carrying a task list (文件), with its reporting schedule and original text.

use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::enums::{DocumentKind, ObligationRule};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "documents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub doc_number: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub title: String,
    pub issuer: Option<String>,
    pub issued_on: Option<Date>,
    pub year: i32,
    pub kind: DocumentKind,
    pub schedule: Option<Json>,
    pub obligation_rule: ObligationRule,
    pub declared_total: Option<i32>,
    /// Working days a unit has to acknowledge (签收) a task of this notice.
    pub receipt_working_days: i32,
    /// Working days after an assignment in which a unit may ask to hand the task back.
    pub handback_working_days: i32,
    /// Days overdue that take an obligation to 催办 automatically (None: the bureau decides).
    pub urge_after_days: Option<i32>,
    /// Days overdue that issue a 督办单 automatically.
    pub notice_after_days: Option<i32>,
    /// Days overdue that schedule a 约谈 automatically.
    pub interview_after_days: Option<i32>,
    /// Of a PROPOSAL document: the share of motions to be rated 满意 or 基本满意, in percent.
    pub satisfaction_target: i32,
    /// Under `LEAD_CONSOLIDATING`: how many working days before the lead's due date the
    /// partners' contributions are due.
    pub contribution_lead_days: i32,
    /// The office (a unit) that reviews this document's reports beside the bureau.
    pub reviewing_office_id: Option<i64>,
    pub contacts: Option<Json>,
    #[sea_orm(column_type = "Text")]
    pub original_text: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
