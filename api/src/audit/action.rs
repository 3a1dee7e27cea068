//! What an audit row says was done (`audit_log.action`), as one typed list, `AuditAction`:
//! the actions of the event kinds (every change others hear of; `of_event`), and
//! the private actions nobody is told about (sign-ins, user accounts, a unit's own drafts and
//! uploads, seeding), which `Private` names. A typo is a compile error rather than a row that no
//! filter finds, and the API shows the action as an enum (`REPORT_REVIEW`).
//!
//! The stored strings are the ones written since the first release; two event kinds can share
//! an action (a review accepts or returns: `report.review`).

use crate::events::EventKind;

/// Declares `AuditAction` from one table (variant and stored action), and `Private`, the
/// actions audited without an event, each naming its `AuditAction` variant.
macro_rules! audit_actions {
    (
        published { $($(#[$pdoc:meta])* $published:ident => $pstored:literal;)* }
        private { $($(#[$doc:meta])* $private:ident => $stored:literal;)* }
    ) => {
        /// What an audit row says was done.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, async_graphql::Enum)]
        pub enum AuditAction {
            $($(#[$pdoc])* $published,)*
            $($(#[$doc])* $private,)*
        }

        impl AuditAction {
            /// Every action, in the order of the table.
            pub const ALL: &[AuditAction] =
                &[$(AuditAction::$published,)* $(AuditAction::$private,)*];

            /// The string stored in `audit_log.action`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(AuditAction::$published => $pstored,)*
                    $(AuditAction::$private => $stored,)*
                }
            }

            /// The action a stored string names, if it names one.
            pub fn parse(stored: &str) -> Option<Self> {
                match stored {
                    $($pstored => Some(AuditAction::$published),)*
                    $($stored => Some(AuditAction::$private),)*
                    _ => None,
                }
            }
        }

        /// An action audited without an event (invariant 7 lists which).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Private {
            $($(#[$doc])* $private,)*
        }

        impl Private {
            /// The audit action it is stored as.
            pub fn audit_action(self) -> AuditAction {
                match self {
                    $(Private::$private => AuditAction::$private,)*
                }
            }
        }
    };
}

audit_actions! {
    published {
        UnitCreate => "unit.create";
        UnitUpdate => "unit.update";
        UnitAddAlias => "unit.add_alias";
        UnitMerge => "unit.merge";
        LeaderCreate => "leader.create";
        LeaderUpdate => "leader.update";
        DocumentCreate => "document.create";
        DocumentImport => "document.import";
        DocumentUpdate => "document.update";
        CategoryCreate => "category.create";
        PeriodGenerate => "period.generate";
        PeriodAdd => "period.add";
        PeriodUpdate => "period.update";
        PeriodDelete => "period.delete";
        TaskCreate => "task.create";
        TaskUpdate => "task.update";
        TaskDelete => "task.delete";
        TaskSetLeaders => "task.set_leaders";
        TaskSetUnits => "task.set_units";
        TaskStatus => "task.status";
        TaskComplete => "task.complete";
        TaskCancel => "task.cancel";
        TaskReopen => "task.reopen";
        ReportSubmit => "report.submit";
        ReportReview => "report.review";
        ReminderSend => "reminder.send";
        ReminderAcknowledge => "reminder.acknowledge";
        ContributionSubmit => "contribution.submit";
        ReportSignoffRequest => "report.signoff_request";
        ReportSignoff => "report.signoff";
        TaskCarryOver => "task.carry_over";
        TaskLink => "task.link";
        TaskUnlink => "task.unlink";
        TaskCite => "task.cite";
        TaskAcknowledge => "task.acknowledge";
        HandbackRequest => "handback.request";
        HandbackDecide => "handback.decide";
        EscalationIssue => "escalation.issue";
        EscalationReply => "escalation.reply";
        EscalationConclude => "escalation.conclude";
        MaterialRequest => "material.request";
        MaterialSubmit => "material.submit";
        ExtensionRequest => "extension.request";
        ExtensionDecide => "extension.decide";
        InstructionWrite => "instruction.write";
        LedgerAdd => "ledger.add";
        LedgerUpdate => "ledger.update";
        LedgerDelete => "ledger.delete";
        ProposalSet => "proposal.set";
        ProposalReply => "proposal.reply";
        ProposalRate => "proposal.rate";
        ProposalFollowUp => "proposal.follow_up";
        NoticePublish => "notice.publish";
    }
    private {
        /// A sign-in, or a refused one (a lockout among them).
        AuthLogin => "auth.login";
        /// A sign-out, of one session or all.
        AuthLogout => "auth.logout";
        /// An account locked after failed sign-ins: no longer written (sign-ins are throttled
        /// instead, since the hostile-requests work), but found in older audit trails.
        AuthLockout => "auth.lockout";
        /// A refresh token used twice: its whole family was revoked.
        AuthRefreshReuse => "auth.refresh_reuse";
        UserCreate => "user.create";
        UserUpdate => "user.update";
        UserChangePassword => "user.change_password";
        /// A unit's private staging: a saved draft, an upload not yet submitted.
        ReportSaveDraft => "report.save_draft";
        AttachmentUpload => "attachment.upload";
        AttachmentDiscard => "attachment.discard";
        /// The deadline job removing uploads abandoned for 30 days.
        AttachmentPurge => "attachment.purge";
        /// Loading the default registry.
        RegistrySeed => "registry.seed";
        /// The bureau recording holidays and make-up working days.
        CalendarSet => "calendar.set";
        /// The bureau setting a document's ranking weights.
        ScoringSetWeights => "scoring.set_weights";
        /// The bureau's drafts of notices, theirs alone until published.
        NoticeDraft => "notice.draft";
        NoticeUpdate => "notice.update";
        NoticeDiscard => "notice.discard";
        /// API keys of machine accounts, issued and revoked by the bureau.
        ApiKeyCreate => "api_key.create";
        ApiKeyRevoke => "api_key.revoke";
        /// Webhooks: registered, paused, resumed and removed by the bureau.
        WebhookCreate => "webhook.create";
        WebhookPause => "webhook.pause";
        WebhookResume => "webhook.resume";
        WebhookDelete => "webhook.delete";
        /// Actual values of indicators posted by another system.
        IndicatorRecord => "indicator.record";
        /// A unit's or leader's addresses on other channels.
        ContactsSet => "contacts.set";
    }
}

/// The action each event kind is audited under (two kinds can share one: a review accepts or
/// returns). Exhaustive, so a new kind cannot be recorded without its action.
pub fn of_event(kind: EventKind) -> AuditAction {
    match kind {
        EventKind::UnitCreated => AuditAction::UnitCreate,
        EventKind::UnitUpdated => AuditAction::UnitUpdate,
        EventKind::UnitAliasAdded => AuditAction::UnitAddAlias,
        EventKind::UnitMerged => AuditAction::UnitMerge,
        EventKind::LeaderCreated => AuditAction::LeaderCreate,
        EventKind::LeaderUpdated => AuditAction::LeaderUpdate,
        EventKind::DocumentCreated => AuditAction::DocumentCreate,
        EventKind::DocumentImported => AuditAction::DocumentImport,
        EventKind::DocumentUpdated => AuditAction::DocumentUpdate,
        EventKind::CategoryCreated => AuditAction::CategoryCreate,
        EventKind::PeriodsGenerated => AuditAction::PeriodGenerate,
        EventKind::PeriodAdded => AuditAction::PeriodAdd,
        EventKind::PeriodMoved => AuditAction::PeriodUpdate,
        EventKind::PeriodRemoved => AuditAction::PeriodDelete,
        EventKind::TaskCreated => AuditAction::TaskCreate,
        EventKind::TaskUpdated => AuditAction::TaskUpdate,
        EventKind::TaskDeleted => AuditAction::TaskDelete,
        EventKind::TaskLeadersChanged => AuditAction::TaskSetLeaders,
        EventKind::TaskUnitsChanged => AuditAction::TaskSetUnits,
        EventKind::TaskStatusChanged => AuditAction::TaskStatus,
        EventKind::TaskCompleted => AuditAction::TaskComplete,
        EventKind::TaskCancelled => AuditAction::TaskCancel,
        EventKind::TaskReopened => AuditAction::TaskReopen,
        EventKind::ReportSubmitted => AuditAction::ReportSubmit,
        EventKind::ReportAccepted => AuditAction::ReportReview,
        EventKind::ReportReturned => AuditAction::ReportReview,
        EventKind::ReminderSent => AuditAction::ReminderSend,
        EventKind::ReminderAcknowledged => AuditAction::ReminderAcknowledge,
        EventKind::ContributionSubmitted => AuditAction::ContributionSubmit,
        EventKind::SignoffRequested => AuditAction::ReportSignoffRequest,
        EventKind::SignoffApproved => AuditAction::ReportSignoff,
        EventKind::SignoffReturned => AuditAction::ReportSignoff,
        EventKind::TaskCarriedOver => AuditAction::TaskCarryOver,
        EventKind::TaskLinked => AuditAction::TaskLink,
        EventKind::TaskUnlinked => AuditAction::TaskUnlink,
        EventKind::TaskSourceCited => AuditAction::TaskCite,
        EventKind::TaskAcknowledged => AuditAction::TaskAcknowledge,
        EventKind::HandbackRequested => AuditAction::HandbackRequest,
        EventKind::HandbackTransferred => AuditAction::HandbackDecide,
        EventKind::HandbackRefused => AuditAction::HandbackDecide,
        EventKind::EscalationIssued => AuditAction::EscalationIssue,
        EventKind::EscalationReplied => AuditAction::EscalationReply,
        EventKind::EscalationConcluded => AuditAction::EscalationConclude,
        EventKind::MaterialRequested => AuditAction::MaterialRequest,
        EventKind::MaterialSubmitted => AuditAction::MaterialSubmit,
        EventKind::ExtensionRequested => AuditAction::ExtensionRequest,
        EventKind::ExtensionApproved => AuditAction::ExtensionDecide,
        EventKind::ExtensionRejected => AuditAction::ExtensionDecide,
        EventKind::InstructionWritten => AuditAction::InstructionWrite,
        EventKind::LedgerEntryAdded => AuditAction::LedgerAdd,
        EventKind::LedgerEntryUpdated => AuditAction::LedgerUpdate,
        EventKind::LedgerEntryDeleted => AuditAction::LedgerDelete,
        EventKind::ProposalUpdated => AuditAction::ProposalSet,
        EventKind::ProposalReplied => AuditAction::ProposalReply,
        EventKind::ProposalRated => AuditAction::ProposalRate,
        EventKind::ProposalReopened => AuditAction::ProposalRate,
        EventKind::ProposalFollowUpScheduled => AuditAction::ProposalFollowUp,
        EventKind::ProposalFollowUpRecorded => AuditAction::ProposalFollowUp,
        EventKind::NoticePublished => AuditAction::NoticePublish,
    }
}

/// The action of an audit row, as the code that records it names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// A change recorded with this event (the row's action is `of_event(kind)`).
    Published(EventKind),
    Private(Private),
}

impl Action {
    /// The typed action stored.
    pub fn audit_action(self) -> AuditAction {
        match self {
            Action::Published(kind) => of_event(kind),
            Action::Private(action) => action.audit_action(),
        }
    }

    /// The string stored in `audit_log.action`.
    pub fn as_str(self) -> &'static str {
        self.audit_action().as_str()
    }
}

impl From<EventKind> for Action {
    fn from(kind: EventKind) -> Self {
        Action::Published(kind)
    }
}

impl From<Private> for Action {
    fn from(action: Private) -> Self {
        Action::Private(action)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_actions_are_distinct_and_read_back() {
        let mut seen = std::collections::HashSet::new();
        for &action in AuditAction::ALL {
            assert!(seen.insert(action.as_str()), "{} twice", action.as_str());
            assert_eq!(AuditAction::parse(action.as_str()), Some(action));
        }
        // Every event kind is audited under a published action.
        for &kind in EventKind::ALL {
            assert!(AuditAction::ALL.contains(&of_event(kind)));
        }
    }
}
