//! DataLoader keys of documents and their categories.

use crate::graphql::loaders::loader;

loader!(
    /// A document by id, if the principal may read it: kept across requests for those who may
    /// read every document (`reference_cache`).
    DocumentById(i64) => entity::documents::Model,
    kept |this, id| this
        .actor
        .as_ref()
        .filter(|actor| super::service::reads_every_document(actor))
        .and_then(|_| this.kept()?.documents.fresh(id)),
    signed in |this, actor, ids| async {
        if super::service::reads_every_document(actor) {
            this.through(|cache| &cache.documents, &ids, |ids| async move {
                super::service::readable_by_ids(actor, &this.db, &ids).await
            })
            .await
        } else {
            super::service::readable_by_ids(actor, &this.db, &ids).await
        }
    }
);
loader!(
    /// A category by id, kept across requests (`reference_cache`).
    CategoryById(i64) => entity::categories::Model,
    kept |this, id| this.kept()?.categories.fresh(id),
    |this, ids| this.through(|cache| &cache.categories, &ids, |ids| async move {
        super::categories::categories_by_ids(&this.db, &ids).await
    })
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
