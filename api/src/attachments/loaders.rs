//! DataLoader keys of attachments.

use crate::graphql::loaders::loader;

loader!(
    /// The principal's own uploads for a task, not yet submitted.
    MyPendingUploads(i64) => Vec<entity::attachments::Model>,
    signed in |this, actor, ids| super::service::pending_of_tasks(&this.db, actor.user_id, &ids)
);
loader!(
    /// The attachments submitted with a report version. The version has passed the report's
    /// access check.
    AttachmentsOfVersion(i64) => Vec<entity::attachments::Model>,
    |this, ids| super::service::of_versions(&this.db, &ids)
);

loader!(
    /// An attachment by id, if the principal may read it.
    AttachmentReadableById(i64) => entity::attachments::Model,
    signed in |this, actor, ids| super::service::readable_by_ids(actor, &this.db, &ids)
);
