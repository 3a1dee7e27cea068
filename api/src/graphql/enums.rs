//! GraphQL mirrors of the stored enums. async-graphql's `remote` derive generates the
//! conversions both ways, so the entity crate stays free of GraphQL.

use async_graphql::Enum;

/// The kind of organisation a unit is.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::UnitKind")]
pub enum UnitKind {
    CityDepartment,
    CountyDistrict,
    DevelopmentZone,
    StateCompany,
    PartyOrgan,
    Other,
}

/// Where a unit alias came from.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::AliasSource")]
pub enum AliasSource {
    Manual,
    Import,
    Merge,
}

/// What a signed-in principal may do; see ARCHITECTURE.md for the rules.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::Role")]
pub enum Role {
    Bureau,
    Leader,
    Unit,
    Service,
    Office,
}

/// The family a document belongs to; it decides how its tasks are worked.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::DocumentKind")]
pub enum DocumentKind {
    WorkReport,
    Livelihood,
    Proposal,
    Planning,
    Instruction,
    Other,
    /// The text tasks come from, with no task list of its own (the work report itself): tasks
    /// cite its passages (`citeSource`), none belong to it.
    Source,
}

/// A unit account's post in its unit, for the unit's own sign-off (审核签发).
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::UnitPost")]
pub enum UnitPost {
    /// 经办人: drafts the unit's reports.
    Clerk,
    /// 单位负责人: approves them before they go to the bureau.
    Head,
}

/// Which units of a task owe a progress report for each period.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::ObligationRule")]
pub enum ObligationRule {
    LeadElseResponsible,
    LeadAndResponsible,
    AllAssigned,
    /// The lead units report, consolidating the contributions (`submitContribution`) their
    /// partners send them a notice's `contributionLeadDays` working days before.
    LeadConsolidating,
    /// The unit listed first reports, whatever its role.
    FirstListed,
}

/// Where a task stands. COMPLETED (办结) is only ever set by the bureau.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::TaskStatus")]
pub enum TaskStatus {
    NotStarted,
    InProgress,
    Delayed,
    Completed,
    Cancelled,
}

/// How a reply to a People's Congress motion classifies it (A to D).
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::ReplyClass")]
pub enum ReplyClass {
    /// A类: solved or basically solved (已解决或基本解决).
    Solved,
    /// B类: being solved (正在解决).
    InProgress,
    /// C类: planned for solution (列入计划逐步解决).
    Planned,
    /// D类: cannot be solved now, explained (因条件限制留作参考).
    Explained,
}

/// The deputies' rating of a motion reply.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::Rating")]
pub enum Rating {
    /// 满意
    Satisfied,
    /// 基本满意
    BasicallySatisfied,
    /// 不满意: the motion is worked and answered again.
    Dissatisfied,
}

/// A leader's part in a task: 牵头领导 (LEAD) or 责任领导 (RESPONSIBLE).
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::LeaderRole")]
pub enum LeaderRole {
    Lead,
    Responsible,
}

/// A unit's part in a task: 牵头 (LEAD), 责任 (RESPONSIBLE), 配合 (COOPERATING).
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::UnitRole")]
pub enum UnitRole {
    Lead,
    Responsible,
    Cooperating,
}

/// How an indicator's target value is to be read.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::Comparator")]
pub enum Comparator {
    AtLeast,
    AtMost,
    About,
    Exactly,
}

/// The state of a unit's progress report for one task and period.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::ReportState")]
pub enum ReportState {
    Draft,
    Submitted,
    Returned,
    Accepted,
}

/// The bureau's decision on a submitted report version.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::ReviewDecision")]
pub enum ReviewDecision {
    Accepted,
    Returned,
}

/// The state of a ledger entry.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::LedgerState")]
pub enum LedgerState {
    Planned,
    InProgress,
    Done,
    Blocked,
}

/// What a message in a task's thread is.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::InstructionKind")]
pub enum InstructionKind {
    Instruction,
    Comment,
    Reply,
}

/// The state of an extension request.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::ExtensionState")]
pub enum ExtensionState {
    Pending,
    Approved,
    Rejected,
    Withdrawn,
}

/// Praise (通报表扬) or criticism (通报批评).
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::NoticeKind")]
pub enum NoticeKind {
    Praise,
    Criticism,
}

/// How an obligation counted in a notice came out when its figures were computed.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::EvidenceOutcome")]
pub enum EvidenceOutcome {
    /// First submitted by the end of the due day.
    OnTime,
    /// First submitted after it.
    Late,
    /// Due, with nothing submitted.
    Missing,
}
