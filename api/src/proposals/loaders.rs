//! DataLoader keys of motions.

use crate::graphql::loaders::loader;

loader!(
    /// The motion of a task of a PROPOSAL document, with its replies.
    ProposalOfTask(i64) => super::service::ProposalWithReplies,
    |this, ids| super::service::of_tasks(&this.db, &ids)
);

loader!(
    /// The follow-up reviews of a motion's task.
    FollowUpsOfTask(i64) => Vec<entity::proposal_follow_ups::Model>,
    |this, ids| super::follow_ups::of_tasks(&this.db, &ids)
);

loader!(
    /// A follow-up review by id, if the principal may see its task.
    FollowUpReadableById(i64) => entity::proposal_follow_ups::Model,
    signed in |this, actor, ids| super::follow_ups::readable_by_ids(actor, &this.db, &ids)
);

loader!(
    /// The tasks a motion covers, with their latest reports, as the principal may read them.
    CoveredOfMotion(i64) => Vec<super::covered::Covered>,
    signed in |this, actor, ids| super::covered::of_motions(actor, &this.db, &ids)
);
