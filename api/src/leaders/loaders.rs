//! DataLoader keys of leaders.

use std::collections::HashMap;

use crate::error::AppResult;
use crate::graphql::loaders::{DbLoader, loader};
use crate::leaders::service::LeaderRef;

loader!(
    /// A leader by id, kept across requests (`reference_cache`) as `LeaderOf`'s are.
    LeaderById(i64) => entity::leaders::Model,
    kept |this, id| this.kept()?.leaders.fresh(&LeaderRef::Id(*id)),
    |this, ids| async {
        let refs: Vec<LeaderRef> = ids.into_iter().map(LeaderRef::Id).collect();
        let found = resolved(this, &refs).await?;
        Ok(found
            .into_iter()
            .filter_map(|(key, leader)| match key {
                LeaderRef::Id(id) => Some((id, leader)),
                LeaderRef::Post(_) => None,
            })
            .collect())
    }
);
loader!(
    /// The person behind a task leader: named directly, or whoever holds the post now. One key
    /// type for both, so a level of task leaders is one statement, or none when every one is
    /// kept (`reference_cache`).
    LeaderOf(LeaderRef) => entity::leaders::Model,
    kept |this, reference| this.kept()?.leaders.fresh(reference),
    |this, refs| resolved(this, &refs)
);

/// `refs` resolved, through the reference cache.
async fn resolved(
    this: &DbLoader,
    refs: &[LeaderRef],
) -> AppResult<HashMap<LeaderRef, entity::leaders::Model>> {
    this.through(
        |cache| &cache.leaders,
        refs,
        |refs| async move { super::service::resolve_refs(&this.db, &refs).await },
    )
    .await
}
loader!(
    /// The units a leader supervises.
    SupervisedUnitsOf(i64) => Vec<entity::units::Model>,
    |this, ids| super::service::supervised_units_of(&this.db, &ids)
);
