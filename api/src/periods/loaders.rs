//! DataLoader keys of reporting periods.

use crate::graphql::loaders::loader;

loader!(
    /// The reporting periods of a document, by due date.
    PeriodsOfDocument(i64) => Vec<entity::reporting_periods::Model>,
    |this, ids| super::query::of_documents(&this.db, &ids)
);
loader!(
    /// A reporting period by id, kept across requests (`reference_cache`).
    PeriodById(i64) => entity::reporting_periods::Model,
    kept |this, id| this.kept()?.periods.fresh(id),
    |this, ids| this.through(|cache| &cache.periods, &ids, |ids| async move {
        super::query::by_ids(&this.db, &ids).await
    })
);
