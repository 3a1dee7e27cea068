//! DataLoader keys of leaders' material.

use crate::graphql::loaders::loader;

loader!(
    /// A request by id, if the principal may read it.
    MaterialRequestReadableById(i64) => entity::material_requests::Model,
    signed in |this, actor, ids| super::service::readable_by_ids(actor, &this.db, &ids)
);
loader!(
    /// The versions sent for a request, oldest first (the request was read through its rule).
    SubmissionsOfRequest(i64) => Vec<entity::material_submissions::Model>,
    |this, ids| super::service::submissions_of(&this.db, &ids)
);
