//! DataLoader keys of units.

use crate::graphql::loaders::loader;

loader!(
    /// A unit by id.
    UnitById(i64) => entity::units::Model,
    |this, ids| {
        let cache = &this.references;
        cache.units.through(&cache.generation, &ids, |ids| async move {
            super::service::by_ids(&this.db, &ids).await
        })
    }
);
loader!(
    /// The aliases of a unit.
    AliasesOfUnit(i64) => Vec<entity::unit_aliases::Model>,
    |this, ids| super::service::aliases_of(&this.db, &ids)
);
