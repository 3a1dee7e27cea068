//! DataLoader keys of users.

use crate::graphql::loaders::loader;

loader!(
    /// A user by id (for audit entries; only the bureau reaches them).
    UserById(i64) => entity::users::Model,
    |this, ids| super::service::by_ids(&this.db, &ids)
);

loader!(
    /// An account by id, if the principal may read it (the bureau any, others their own).
    UserReadableById(i64) => entity::users::Model,
    signed in |this, actor, ids| super::service::readable_by_ids(actor, &this.db, &ids)
);
