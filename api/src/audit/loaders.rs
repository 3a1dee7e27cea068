//! DataLoader keys of audit rows.

use crate::graphql::loaders::loader;

loader!(
    /// An audit row by id, for the bureau.
    AuditEntryReadableById(i64) => entity::audit_log::Model,
    signed in |this, actor, ids| super::service::readable_by_ids(actor, &this.db, &ids)
);
