//! DataLoader keys of escalations.

use crate::graphql::loaders::loader;

loader!(
    /// An escalation by id, if the principal may read it.
    EscalationReadableById(i64) => entity::escalations::Model,
    signed in |this, actor, ids| super::service::readable_by_ids(actor, &this.db, &ids)
);
