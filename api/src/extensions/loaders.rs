//! DataLoader keys of extension requests.

use crate::graphql::loaders::loader;

loader!(
    /// An extension request by id, if the principal may read it.
    ExtensionReadableById(i64) => entity::extension_requests::Model,
    signed in |this, actor, ids| super::service::readable_by_ids(actor, &this.db, &ids)
);
