//! What an API key may do: its scopes (`tasks:read`, `reports:read`, `reports:write`,
//! `indicators:write`, `events:read`, `admin`) and the one table that says which scope each
//! field needs (`required`), enforced for every field a key's request resolves by the
//! schema's per-field extension (`refusal`), and for every download and the `events` subscription (whose root
//! field passes no field hook) by `Principal::require_scope`.
//!
//! A scope only narrows: a key acts as its account (a SERVICE account reads everything and
//! changes nothing the bureau alone may change), limited to its scopes; a request signed in
//! with a password carries no key and is not narrowed. A field the table does not know needs
//! `admin`, so a field added without a line here is closed to keys, not open.

use std::collections::BTreeSet;

use async_graphql::extensions::{ExtensionContext, ResolveInfo};
use async_graphql::{PathSegment, ServerError};

use crate::auth::AuthState;
use crate::error::AppError;

/// One thing a key may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ApiScope {
    /// The registry, documents and tasks (with their periods and indicators).
    TasksRead,
    /// Reports, obligations, reminders, extensions, figures, rankings and notices.
    ReportsRead,
    /// A unit's own reporting: drafts, submissions, uploads, requests, replies.
    ReportsWrite,
    /// Actual values of indicators.
    IndicatorsWrite,
    /// The change feed and the `events` subscription.
    EventsRead,
    /// Everything the account may do.
    Admin,
}

impl ApiScope {
    pub const ALL: [ApiScope; 6] = [
        Self::TasksRead,
        Self::ReportsRead,
        Self::ReportsWrite,
        Self::IndicatorsWrite,
        Self::EventsRead,
        Self::Admin,
    ];

    /// The written form (`tasks:read`), stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TasksRead => "tasks:read",
            Self::ReportsRead => "reports:read",
            Self::ReportsWrite => "reports:write",
            Self::IndicatorsWrite => "indicators:write",
            Self::EventsRead => "events:read",
            Self::Admin => "admin",
        }
    }

    pub fn parse(written: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == written)
    }
}

/// The scopes a key's request carries: the key's, within its account's as they are now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyGrant {
    pub key_id: i64,
    pub scopes: BTreeSet<ApiScope>,
    /// The units the key may report for, with `reports:write` (`keys::on_behalf_of`).
    pub units: BTreeSet<i64>,
}

impl KeyGrant {
    pub fn allows(&self, needed: ApiScope) -> bool {
        self.scopes.contains(&ApiScope::Admin) || self.scopes.contains(&needed)
    }
}

/// Types whose fields are reporting data: reached from anywhere, they need `reports:read`.
const REPORT_TYPES: &[&str] = &[
    "ProgressReport",
    "ReportVersion",
    "ReportReview",
    "ReportDraft",
    "IndicatorActual",
    "Obligation",
    "Attachment",
    "Reminder",
    "ExtensionRequest",
    "LedgerEntry",
    "Instruction",
    "ProposalReply",
    "ReportingFigures",
    "FiguresRow",
    "Ranking",
    "RankingRow",
    "Notice",
    "NamedUnit",
    "CountedObligation",
    "NoticeVerification",
    "LeaderPage",
    "UnitPage",
    "Escalation",
    "EscalationFigures",
    "ReportSignoff",
    "Contribution",
    "CoveredTask",
    "CoveredReport",
    "FollowUp",
    "SatisfactionFigures",
    "EscalationCount",
    "NoticedUnit",
    "MaterialRequest",
    "MaterialSubmission",
    "MaterialFigures",
];

/// Types whose fields are documents and tasks: they need `tasks:read`.
const TASK_TYPES: &[&str] = &[
    "Document",
    "Category",
    "Task",
    "TaskLeader",
    "TaskUnit",
    "Indicator",
    "ReportingPeriod",
    "Proposal",
    "TaskReceipt",
    "HandbackRequest",
    "TaskLink",
    "SourceCitation",
    "CarriedTask",
    "CalendarDay",
];

/// The scope a field needs, by the type it belongs to and its name; `None`: any key.
pub fn required(parent_type: &str, field: &str) -> Option<ApiScope> {
    use ApiScope::*;
    match parent_type {
        "Query" => match field {
            "me" | "__schema" | "__type" | "__typename" => None,
            "node" | "nodes" | "units" | "unit" | "leaders" | "leader" | "documents"
            | "document" | "tasks" | "task" | "scoringWeights" | "taskReceipts"
            | "handbackRequests" | "calendarDays" => Some(TasksRead),
            "report" | "myObligations" | "obligations" | "reminders" | "extensionRequests"
            | "reportingFigures" | "figuresBy" | "ranking" | "notices" | "notice"
            | "verifyNotice" | "leaderPage" | "unitPage" | "escalations" | "escalationFigures"
            | "reportSignoffs" | "proposalFigures" | "contributions" | "materialRequests"
            | "materialFigures" => Some(ReportsRead),
            "changes" => Some(EventsRead),
            _ => Some(Admin),
        },
        "Mutation" => match field {
            "saveReportDraft"
            | "submitReport"
            | "uploadAttachment"
            | "discardAttachment"
            | "requestExtension"
            | "acknowledgeTask"
            | "requestHandback"
            | "replyToEscalation"
            | "submitForSignoff"
            | "submitContribution"
            | "approveSignoff"
            | "returnSignoff"
            | "acknowledgeReminder"
            | "addLedgerEntry"
            | "updateLedgerEntry"
            | "deleteLedgerEntry"
            | "replyToProposal"
            | "writeInstruction" => Some(ReportsWrite),
            "recordIndicatorValues" => Some(IndicatorsWrite),
            _ => Some(Admin),
        },
        "Subscription" => match field {
            "events" => Some(EventsRead),
            _ => Some(Admin),
        },
        parent if REPORT_TYPES.contains(&parent) => Some(ReportsRead),
        parent if TASK_TYPES.contains(&parent) => Some(TasksRead),
        _ => None,
    }
}

/// The refusal of a field to a key that lacks its scope, if it is refused: checked for every
/// field a request resolves, by the schema's per-field extension (`schema::fields`).
pub fn refusal(ctx: &ExtensionContext<'_>, info: &ResolveInfo<'_>) -> Option<ServerError> {
    let Some(AuthState::Authenticated(principal)) = ctx.data_opt::<AuthState>() else {
        return None;
    };
    let grant = principal.key.as_ref()?;
    let needed = required(info.parent_type, info.name)?;
    if grant.allows(needed) {
        return None;
    }
    let mut error = async_graphql::Error::from(AppError::forbidden(format!(
        "this API key does not carry the scope `{}`",
        needed.as_str()
    )))
    .into_server_error(async_graphql::Pos::default());
    error.locations.clear();
    error.path = info
        .path_node
        .to_string_vec()
        .into_iter()
        .map(|segment| match segment.parse::<usize>() {
            Ok(index) => PathSegment::Index(index),
            Err(_) => PathSegment::Field(segment),
        })
        .collect();
    Some(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_read_and_write_and_admin_covers_all() {
        for scope in ApiScope::ALL {
            assert_eq!(ApiScope::parse(scope.as_str()), Some(scope));
        }
        let grant = KeyGrant {
            key_id: 1,
            scopes: [ApiScope::TasksRead].into(),
            units: Default::default(),
        };
        assert!(grant.allows(ApiScope::TasksRead));
        assert!(!grant.allows(ApiScope::ReportsRead));
        let admin = KeyGrant {
            key_id: 1,
            scopes: [ApiScope::Admin].into(),
            units: Default::default(),
        };
        assert!(ApiScope::ALL.into_iter().all(|s| admin.allows(s)));
        assert_eq!(required("Task", "reports"), Some(ApiScope::TasksRead));
        assert_eq!(
            required("ProgressReport", "task"),
            Some(ApiScope::ReportsRead)
        );
        assert_eq!(required("Unit", "name"), None);
    }
}
