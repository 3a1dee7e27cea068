//! The closed sets of values stored in string columns. Stored as their SCREAMING_CASE names so
//! that the database stays readable and an added variant needs no migration.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// The kind of organisation a unit is.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UnitKind {
    #[sea_orm(string_value = "CITY_DEPARTMENT")]
    CityDepartment,
    #[sea_orm(string_value = "COUNTY_DISTRICT")]
    CountyDistrict,
    #[sea_orm(string_value = "DEVELOPMENT_ZONE")]
    DevelopmentZone,
    #[sea_orm(string_value = "STATE_COMPANY")]
    StateCompany,
    #[sea_orm(string_value = "PARTY_ORGAN")]
    PartyOrgan,
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// Where a unit alias came from.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AliasSource {
    #[sea_orm(string_value = "MANUAL")]
    Manual,
    #[sea_orm(string_value = "IMPORT")]
    Import,
    #[sea_orm(string_value = "MERGE")]
    Merge,
}

/// What a signed-in principal may do; see ARCHITECTURE.md for the rules.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    #[sea_orm(string_value = "BUREAU")]
    Bureau,
    #[sea_orm(string_value = "LEADER")]
    Leader,
    #[sea_orm(string_value = "UNIT")]
    Unit,
    #[sea_orm(string_value = "SERVICE")]
    Service,
    /// Staff of a reviewing office (a leading group's office hosted by a unit): they review the
    /// reports of the documents that name their office, and see nothing of other documents.
    #[sea_orm(string_value = "OFFICE")]
    Office,
}

/// The family a document belongs to; it decides how its tasks are worked.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DocumentKind {
    #[sea_orm(string_value = "WORK_REPORT")]
    WorkReport,
    #[sea_orm(string_value = "LIVELIHOOD")]
    Livelihood,
    #[sea_orm(string_value = "PROPOSAL")]
    Proposal,
    #[sea_orm(string_value = "PLANNING")]
    Planning,
    #[sea_orm(string_value = "INSTRUCTION")]
    Instruction,
    #[sea_orm(string_value = "OTHER")]
    Other,
    /// The text tasks come from, with no task list of its own (the work report itself).
    #[sea_orm(string_value = "SOURCE")]
    Source,
}

/// Which units of a task owe a progress report for each period.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ObligationRule {
    #[sea_orm(string_value = "LEAD_ELSE_RESPONSIBLE")]
    LeadElseResponsible,
    #[sea_orm(string_value = "LEAD_AND_RESPONSIBLE")]
    LeadAndResponsible,
    #[sea_orm(string_value = "ALL_ASSIGNED")]
    AllAssigned,
    /// The lead units report, consolidating the contributions their partners send them first.
    #[sea_orm(string_value = "LEAD_CONSOLIDATING")]
    LeadConsolidating,
    /// The unit listed first reports (列第一位的责任单位为牵头单位或汇总单位).
    #[sea_orm(string_value = "FIRST_LISTED")]
    FirstListed,
}

/// Where a task stands. COMPLETED (办结) is only ever set by the bureau.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskStatus {
    #[sea_orm(string_value = "NOT_STARTED")]
    NotStarted,
    #[sea_orm(string_value = "IN_PROGRESS")]
    InProgress,
    #[sea_orm(string_value = "DELAYED")]
    Delayed,
    #[sea_orm(string_value = "COMPLETED")]
    Completed,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

/// How a reply to a People's Congress motion classifies it (A to D).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReplyClass {
    #[sea_orm(string_value = "SOLVED")]
    Solved,
    #[sea_orm(string_value = "IN_PROGRESS")]
    InProgress,
    #[sea_orm(string_value = "PLANNED")]
    Planned,
    #[sea_orm(string_value = "EXPLAINED")]
    Explained,
}

/// The deputies' rating of a motion reply.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Rating {
    #[sea_orm(string_value = "SATISFIED")]
    Satisfied,
    #[sea_orm(string_value = "BASICALLY_SATISFIED")]
    BasicallySatisfied,
    #[sea_orm(string_value = "DISSATISFIED")]
    Dissatisfied,
}

/// A leader's part in a task: 牵头领导 (LEAD) or 责任领导 (RESPONSIBLE).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LeaderRole {
    #[sea_orm(string_value = "LEAD")]
    Lead,
    #[sea_orm(string_value = "RESPONSIBLE")]
    Responsible,
}

/// A unit's part in a task: 牵头 (LEAD), 责任 (RESPONSIBLE), 配合 (COOPERATING).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UnitRole {
    #[sea_orm(string_value = "LEAD")]
    Lead,
    #[sea_orm(string_value = "RESPONSIBLE")]
    Responsible,
    #[sea_orm(string_value = "COOPERATING")]
    Cooperating,
}

/// How an indicator's target value is to be read.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Comparator {
    #[sea_orm(string_value = "AT_LEAST")]
    AtLeast,
    #[sea_orm(string_value = "AT_MOST")]
    AtMost,
    #[sea_orm(string_value = "ABOUT")]
    About,
    #[sea_orm(string_value = "EXACTLY")]
    Exactly,
}

/// The state of a unit's progress report for one task and period.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReportState {
    #[sea_orm(string_value = "DRAFT")]
    Draft,
    #[sea_orm(string_value = "SUBMITTED")]
    Submitted,
    #[sea_orm(string_value = "RETURNED")]
    Returned,
    #[sea_orm(string_value = "ACCEPTED")]
    Accepted,
}

/// The bureau's decision on a submitted report version.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReviewDecision {
    #[sea_orm(string_value = "ACCEPTED")]
    Accepted,
    #[sea_orm(string_value = "RETURNED")]
    Returned,
}

/// The state of a ledger entry.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LedgerState {
    #[sea_orm(string_value = "PLANNED")]
    Planned,
    #[sea_orm(string_value = "IN_PROGRESS")]
    InProgress,
    #[sea_orm(string_value = "DONE")]
    Done,
    #[sea_orm(string_value = "BLOCKED")]
    Blocked,
}

/// What a message in a task's thread is.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InstructionKind {
    #[sea_orm(string_value = "INSTRUCTION")]
    Instruction,
    #[sea_orm(string_value = "COMMENT")]
    Comment,
    #[sea_orm(string_value = "REPLY")]
    Reply,
}

/// The state of an extension request.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExtensionState {
    #[sea_orm(string_value = "PENDING")]
    Pending,
    #[sea_orm(string_value = "APPROVED")]
    Approved,
    #[sea_orm(string_value = "REJECTED")]
    Rejected,
    #[sea_orm(string_value = "WITHDRAWN")]
    Withdrawn,
}

/// A unit account's post in its unit, for the unit's own sign-off (审核签发).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UnitPost {
    /// 经办人: drafts the unit's reports.
    #[sea_orm(string_value = "CLERK")]
    Clerk,
    /// 单位负责人: approves them before they go to the bureau.
    #[sea_orm(string_value = "HEAD")]
    Head,
}

/// Where a draft put to the unit's head stands.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SignoffState {
    #[sea_orm(string_value = "PENDING")]
    Pending,
    /// The head approved it: it went to the bureau as a report version.
    #[sea_orm(string_value = "APPROVED")]
    Approved,
    /// The head returned it to the clerk, inside the unit.
    #[sea_orm(string_value = "RETURNED")]
    Returned,
}

/// How one task is linked to another.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskLinkKind {
    /// 结转: the unfinished task was carried into the next year's notice (old → new).
    #[sea_orm(string_value = "CARRIED_OVER")]
    CarriedOver,
    /// 与…合并起草: the tasks are drafted and reported together.
    #[sea_orm(string_value = "DRAFTED_TOGETHER")]
    DraftedTogether,
    /// Otherwise related.
    #[sea_orm(string_value = "RELATED")]
    Related,
}

/// A step of the escalation ladder (三色督办), after the automatic reminder (提醒).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EscalationLevel {
    /// 催办: a formal prompt.
    #[sea_orm(string_value = "URGE")]
    Urge,
    /// 督办单: a numbered supervision notice to the unit.
    #[sea_orm(string_value = "SUPERVISION_NOTICE")]
    SupervisionNotice,
    /// 约谈: an interview with the unit's head, recorded.
    #[sea_orm(string_value = "INTERVIEW")]
    Interview,
}

/// The state of a request to hand a task back (退办).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum HandbackState {
    /// Awaiting the bureau's decision.
    #[sea_orm(string_value = "PENDING")]
    Pending,
    /// The bureau moved the unit's part to another unit (转办).
    #[sea_orm(string_value = "TRANSFERRED")]
    Transferred,
    /// The bureau kept the task with the unit.
    #[sea_orm(string_value = "REFUSED")]
    Refused,
}

/// Praise (通报表扬) or criticism (通报批评).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum NoticeKind {
    #[sea_orm(string_value = "PRAISE")]
    Praise,
    #[sea_orm(string_value = "CRITICISM")]
    Criticism,
}

/// How an obligation counted in a notice's figures came out, as of the time they were computed.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EvidenceOutcome {
    /// First submitted by the end of the due day.
    #[sea_orm(string_value = "ON_TIME")]
    OnTime,
    /// First submitted after it.
    #[sea_orm(string_value = "LATE")]
    Late,
    /// Due, with nothing submitted.
    #[sea_orm(string_value = "MISSING")]
    Missing,
}
