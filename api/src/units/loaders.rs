//! DataLoader keys of units.

use crate::graphql::loaders::loader;

loader!(
    /// A unit by id, kept across requests (`reference_cache`).
    UnitById(i64) => entity::units::Model,
    kept |this, id| this.kept()?.units.fresh(id),
    |this, ids| this.through(|cache| &cache.units, &ids, |ids| async move {
        super::service::by_ids(&this.db, &ids).await
    })
);
loader!(
    /// The aliases of a unit.
    AliasesOfUnit(i64) => Vec<entity::unit_aliases::Model>,
    |this, ids| super::service::aliases_of(&this.db, &ids)
);
