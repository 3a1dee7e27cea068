//! What an audit row says was done (`audit_log.action`): the action of an event kind, for every
//! change others hear of, or one of the private actions nobody is told about (sign-ins, user
//! accounts, a unit's own drafts and uploads, seeding). Both are typed, so a typo is a compile
//! error rather than a row that no filter finds.

use crate::events::EventKind;

/// Declares `Private` from one table: variant and stored action.
macro_rules! private_actions {
    ($($(#[$doc:meta])* $action:ident => $stored:literal;)*) => {
        /// An action audited without an event (invariant 7 lists which).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Private {
            $($(#[$doc])* $action,)*
        }

        impl Private {
            /// The string stored in `audit_log.action`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Private::$action => $stored,)*
                }
            }
        }
    };
}

private_actions! {
    /// Sign-ins, sign-outs, lockouts and a reused refresh token.
    AuthLogin => "auth.login";
    AuthLogout => "auth.logout";
    AuthRefreshReuse => "auth.refresh_reuse";
    /// User accounts.
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
}

/// The action of an audit row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// A change recorded with this event (the row's action is the kind's `audit_action`).
    Published(EventKind),
    Private(Private),
}

impl Action {
    /// The string stored in `audit_log.action`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Published(kind) => kind.audit_action(),
            Action::Private(action) => action.as_str(),
        }
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
