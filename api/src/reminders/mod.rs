//! Reminders (催办): the bureau prompts a unit about a task and period; the unit sees and
//! acknowledges it. `rules` sends the automatic ones: before and after a report's due date, and
//! when an assigned task is not acknowledged (签收) in time.

pub mod automatic;
pub mod loaders;
pub mod rules;
pub mod schema;
pub mod service;

/// How many days before a due date (a report's, a motion's reply) the first automatic
/// reminder goes out.
pub const DUE_SOON_DAYS: i64 = 3;

/// Why a reminder was sent: the bureau's own, or the rule of the deadline job that sent it.
/// Stored in `reminders.rule` as the variant's name in capitals (`DUE_SOON`), which is also its
/// GraphQL name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, async_graphql::Enum)]
pub enum ReminderRule {
    /// Sent by the bureau (`sendReminder`).
    Manual,
    /// The report is due within a few days and not yet submitted.
    DueSoon,
    /// The report's due day has passed and it is not submitted.
    Overdue,
    /// A task assigned to the unit was not acknowledged (签收) within its window.
    Unacknowledged,
    /// A motion's reply is due within a few days.
    ReplyDueSoon,
    /// A motion's reply deadline has passed without a reply.
    ReplyOverdue,
    /// A partner's contribution to the lead is missing past its date.
    ContributionOverdue,
}

impl ReminderRule {
    /// The string stored in `reminders.rule`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReminderRule::Manual => "MANUAL",
            ReminderRule::DueSoon => "DUE_SOON",
            ReminderRule::Overdue => "OVERDUE",
            ReminderRule::Unacknowledged => "UNACKNOWLEDGED",
            ReminderRule::ReplyDueSoon => "REPLY_DUE_SOON",
            ReminderRule::ReplyOverdue => "REPLY_OVERDUE",
            ReminderRule::ContributionOverdue => "CONTRIBUTION_OVERDUE",
        }
    }

    /// The rule a stored string names, if it names one.
    pub fn parse(stored: &str) -> Option<Self> {
        [
            Self::Manual,
            Self::DueSoon,
            Self::Overdue,
            Self::Unacknowledged,
            Self::ReplyDueSoon,
            Self::ReplyOverdue,
            Self::ContributionOverdue,
        ]
        .into_iter()
        .find(|rule| rule.as_str() == stored)
    }
}
