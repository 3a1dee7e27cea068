//! DataLoader keys of users.

use crate::graphql::loaders::loader;

loader!(
    /// A user by id (for audit entries; only the bureau reaches them).
    UserById(i64) => entity::users::Model,
    |this, ids| super::service::by_ids(&this.db, &ids)
);
