//! DataLoader keys of tasks: their relations, and the task lists of units, leaders and
//! documents, which apply the principal's row-level access (invariant 4).

use std::collections::HashMap;

use chrono::NaiveDate;
use entity::enums::UnitRole;
use entity::{task_leaders, task_units, tasks};

use crate::graphql::loaders::loader;
use crate::tasks::query;

loader!(
    /// The leaders of a task (the task itself has passed the access check), kept across
    /// requests (`reference_cache`): they carry no rule of their own.
    LeadersOfTask(i64) => Vec<task_leaders::Model>,
    kept |this, id| this.references.task_leaders.fresh(id),
    |this, ids| this.references.task_leaders.through(&ids, |ids| async move {
        query::leaders_of(&this.db, &ids).await.map(|rows| every_key(&ids, rows))
    })
);
loader!(
    /// The units of a task (the task itself has passed the access check), kept across requests
    /// (`reference_cache`): they carry no rule of their own.
    UnitsOfTask(i64) => Vec<task_units::Model>,
    kept |this, id| this.references.task_units.fresh(id),
    |this, ids| this.references.task_units.through(&ids, |ids| async move {
        query::units_of(&this.db, &ids).await.map(|rows| every_key(&ids, rows))
    })
);

/// `rows` with an empty list for each of `keys` that has none, so that a task without leaders
/// (or units) is kept as such and not read again on every request.
fn every_key<V>(keys: &[i64], mut rows: HashMap<i64, Vec<V>>) -> HashMap<i64, Vec<V>> {
    for key in keys {
        rows.entry(*key).or_default();
    }
    rows
}
loader!(
    /// A task by id, if the principal may see it.
    VisibleTaskById(i64) => tasks::Model,
    signed in |this, actor, ids| query::visible_by_ids(actor, &this.db, &ids)
);
loader!(
    /// What the warning level of a task read without it is derived from: the earliest due date
    /// of its open obligations, kept in the task's row (`query::TaskRow`). The resolver holds a
    /// task the principal may see, so the key needs no further check.
    EarliestOpenDue(i64) => Option<NaiveDate>,
    |this, ids| query::earliest_open_due_of(&this.db, &ids)
);
loader!(
    /// The visible tasks of a unit, with the unit's role in each.
    VisibleTasksOfUnit(i64) => Vec<(UnitRole, tasks::Model)>,
    signed in |this, actor, ids| query::visible_of_units(actor, &this.db, &ids)
);
loader!(
    /// The visible tasks naming a leader in person or by post.
    VisibleTasksOfLeader(i64) => Vec<tasks::Model>,
    signed in |this, actor, ids| query::visible_of_leaders(actor, &this.db, &ids)
);
loader!(
    /// The visible tasks of a document.
    VisibleTasksOfDocument(i64) => Vec<tasks::Model>,
    signed in |this, actor, ids| query::visible_of_documents(actor, &this.db, &ids)
);
