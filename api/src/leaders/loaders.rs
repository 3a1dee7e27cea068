//! DataLoader keys of leaders.

use crate::graphql::loaders::loader;
use crate::leaders::service::LeaderRef;

loader!(
    /// A leader by id.
    LeaderById(i64) => entity::leaders::Model,
    |this, ids| super::service::by_ids(&this.db, &ids)
);
loader!(
    /// The person behind a task leader: named directly, or whoever holds the post now. One key
    /// type for both, so a level of task leaders is one statement.
    LeaderOf(LeaderRef) => entity::leaders::Model,
    |this, refs| super::service::resolve_refs(&this.db, &refs)
);
loader!(
    /// The units a leader supervises.
    SupervisedUnitsOf(i64) => Vec<entity::units::Model>,
    |this, ids| super::service::supervised_units_of(&this.db, &ids)
);
