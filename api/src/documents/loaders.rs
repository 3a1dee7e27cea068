//! DataLoader keys of documents and their categories.

use crate::graphql::loaders::loader;

loader!(
    /// A document by id, if the principal may read it.
    DocumentById(i64) => entity::documents::Model,
    signed in |this, actor, ids| super::service::readable_by_ids(actor, &this.db, &ids)
);
loader!(
    /// A category by id.
    CategoryById(i64) => entity::categories::Model,
    |this, ids| super::categories::categories_by_ids(&this.db, &ids)
);
loader!(
    /// The top-level categories of a document.
    RootCategoriesOf(i64) => Vec<entity::categories::Model>,
    |this, ids| super::categories::root_categories_of(&this.db, &ids)
);
loader!(
    /// The sub-categories of a category.
    ChildCategoriesOf(i64) => Vec<entity::categories::Model>,
    |this, ids| super::categories::child_categories_of(&this.db, &ids)
);
