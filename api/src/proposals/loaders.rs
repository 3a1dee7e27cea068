//! DataLoader keys of motions.

use crate::graphql::loaders::loader;

loader!(
    /// The motion of a task of a PROPOSAL document, with its replies.
    ProposalOfTask(i64) => super::service::ProposalWithReplies,
    |this, ids| super::service::of_tasks(&this.db, &ids)
);
