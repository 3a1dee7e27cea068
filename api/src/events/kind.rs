//! What can happen, as one list: each `EventKind` with the string stored in `events.kind`. The
//! API exposes the kinds as a GraphQL enum (`REPORT_SUBMITTED`), so a subscriber's filter cannot
//! name a kind that does not exist. The audit action each is recorded under is the audit's
//! business (`audit::action::of_event`): events know nothing of the audit trail.
//!
//! The stored strings are the ones written since the first release (`report.submitted`).

/// Declares `EventKind` from one table: variant and stored kind.
macro_rules! event_kinds {
    ($($(#[$doc:meta])* $kind:ident => $stored:literal;)*) => {
        /// Something that happened, as recorded in `events` and heard by subscribers.
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
            async_graphql::Enum,
        )]
        pub enum EventKind {
            $($(#[$doc])* #[serde(rename = $stored)] $kind,)*
        }

        impl EventKind {
            /// Every kind, in the order of the table.
            pub const ALL: &[EventKind] = &[$(EventKind::$kind,)*];

            /// The string stored in `events.kind`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(EventKind::$kind => $stored,)*
                }
            }

            /// The kind a stored string names, if it names one.
            pub fn parse(stored: &str) -> Option<Self> {
                match stored {
                    $($stored => Some(EventKind::$kind),)*
                    // Before ledger events were told apart (one kind for all three).
                    "ledger.changed" => Some(EventKind::LedgerEntryUpdated),
                    _ => None,
                }
            }
        }
    };
}

event_kinds! {
    /// A unit was added to the registry.
    UnitCreated => "unit.created";
    /// A unit was renamed or changed.
    UnitUpdated => "unit.updated";
    /// A unit got another name it is known by.
    UnitAliasAdded => "unit.alias_added";
    /// A duplicate unit was merged into another.
    UnitMerged => "unit.merged";
    /// A leader was added to the registry.
    LeaderCreated => "leader.created";
    /// A leader's name, post or supervised units changed.
    LeaderUpdated => "leader.updated";
    /// A document was created by hand.
    DocumentCreated => "document.created";
    /// A notice was imported, or re-imported in place.
    DocumentImported => "document.imported";
    /// A document's details or obligation rule changed.
    DocumentUpdated => "document.updated";
    /// A category was added to a document.
    CategoryCreated => "category.created";
    /// A document's reporting periods were generated from its schedule.
    PeriodsGenerated => "period.generated";
    /// A reporting period was added.
    PeriodAdded => "period.added";
    /// A reporting period's due date or label changed.
    PeriodMoved => "period.moved";
    /// A reporting period was removed before it was due.
    PeriodRemoved => "period.removed";
    /// A task was created.
    TaskCreated => "task.created";
    /// A task was edited (a new `version`).
    TaskUpdated => "task.updated";
    /// A task was removed (soft-deleted).
    TaskDeleted => "task.deleted";
    /// A task's leaders were replaced.
    TaskLeadersChanged => "task.leaders_changed";
    /// A task's units were replaced.
    TaskUnitsChanged => "task.units_changed";
    /// A task's derived status changed (reports, deadlines, the passing of time).
    TaskStatusChanged => "task.status_changed";
    /// The bureau confirmed a task complete (办结).
    TaskCompleted => "task.completed";
    /// The bureau cancelled a task.
    TaskCancelled => "task.cancelled";
    /// The bureau reopened a completed or cancelled task.
    TaskReopened => "task.reopened";
    /// A unit submitted a version of a progress report.
    ReportSubmitted => "report.submitted";
    /// The bureau accepted a submitted version.
    ReportAccepted => "report.accepted";
    /// The bureau returned a submitted version for revision.
    ReportReturned => "report.returned";
    /// A reminder (催办) was sent, by the bureau or the deadline job.
    ReminderSent => "reminder.sent";
    /// The unit acknowledged a reminder.
    ReminderAcknowledged => "reminder.acknowledged";
    /// An unfinished task was carried into the next year's notice (结转): the new task's event.
    TaskCarriedOver => "task.carried_over";
    /// The bureau linked two tasks (drafted together, related).
    TaskLinked => "task.linked";
    /// The bureau removed a link between two tasks.
    TaskUnlinked => "task.unlinked";
    /// The bureau recorded the source passage a task comes from.
    TaskSourceCited => "task.source_cited";
    /// A partner unit sent the lead its contribution for a period (told to the lead units).
    ContributionSubmitted => "contribution.submitted";
    /// A unit's clerk put a report to the unit's head (审核签发).
    SignoffRequested => "signoff.requested";
    /// The unit's head approved a draft: it went to the bureau.
    SignoffApproved => "signoff.approved";
    /// The unit's head returned a draft to the clerk.
    SignoffReturned => "signoff.returned";
    /// A unit acknowledged (签收) a task it was assigned.
    TaskAcknowledged => "task.acknowledged";
    /// A unit asked to hand a task back (退办).
    HandbackRequested => "handback.requested";
    /// The bureau transferred the unit's part of a task to another unit (转办).
    HandbackTransferred => "handback.transferred";
    /// The bureau kept the task with the unit that asked to hand it back.
    HandbackRefused => "handback.refused";
    /// The bureau or the deadline job took a step of the escalation ladder (催办, 督办单, 约谈).
    EscalationIssued => "escalation.issued";
    /// The unit replied to a step.
    EscalationReplied => "escalation.replied";
    /// The bureau recorded a step's outcome.
    EscalationConcluded => "escalation.concluded";
    /// The bureau asked a leader for material (领导材料).
    MaterialRequested => "material.requested";
    /// A leader (or their secretary) sent the material asked of them.
    MaterialSubmitted => "material.submitted";
    /// A unit asked for a later due date (延期申请).
    ExtensionRequested => "extension.requested";
    /// The bureau approved an extension.
    ExtensionApproved => "extension.approved";
    /// The bureau rejected an extension.
    ExtensionRejected => "extension.rejected";
    /// An instruction (批示), comment or reply was written in a task's thread.
    InstructionWritten => "instruction.written";
    /// A unit added an entry to its ledger (工作台账) for a task.
    LedgerEntryAdded => "ledger.added";
    /// A unit changed a ledger entry.
    LedgerEntryUpdated => "ledger.updated";
    /// A unit removed a ledger entry.
    LedgerEntryDeleted => "ledger.deleted";
    /// A motion's proposers or reply deadline were recorded.
    ProposalUpdated => "proposal.updated";
    /// The handling unit replied to a motion.
    ProposalReplied => "proposal.replied";
    /// The deputies rated a reply (满意 or 基本满意).
    ProposalRated => "proposal.rated";
    /// The deputies were not satisfied (不满意): the motion is worked and answered again.
    ProposalReopened => "proposal.reopened";
    /// The bureau scheduled a follow-up review (回头看) of a done motion.
    ProposalFollowUpScheduled => "proposal.follow_up_scheduled";
    /// The bureau recorded a follow-up review's findings.
    ProposalFollowUpRecorded => "proposal.follow_up_recorded";
    /// The bureau published a praise or criticism notice (通报) naming the unit.
    NoticePublished => "notice.published";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_kinds_are_distinct_and_read_back() {
        let mut seen = std::collections::HashSet::new();
        for &kind in EventKind::ALL {
            assert!(seen.insert(kind.as_str()), "{} twice", kind.as_str());
            assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::json!(kind.as_str())
            );
        }
        assert_eq!(EventKind::parse("report.submit"), None);
    }
}
