//! DataLoader keys of tasks: their relations, and the task lists of units, leaders and
//! documents, which apply the principal's row-level access (invariant 4).

use std::collections::HashMap;

use chrono::NaiveDate;
use entity::enums::UnitRole;
use entity::{task_leaders, task_units, tasks};
use itertools::Itertools;

use crate::graphql::loaders::loader;
use crate::reference_cache::TaskVersion;
use crate::tasks::query;

loader!(
    /// The leaders of a task (the task itself has passed the access check), kept across
    /// requests (`reference_cache`): they carry no rule of their own. Keyed by the task's id and
    /// version (`TaskVersion`).
    LeadersOfTask(TaskVersion) => Vec<task_leaders::Model>,
    kept |this, key| this.kept()?.task_leaders.fresh(key),
    |this, keys| this.through(|cache| &cache.task_leaders, &keys, |keys| async move {
        let rows = query::leaders_of(&this.db, &ids_of(&keys)).await?;
        Ok(by_version(keys, &rows))
    })
);
loader!(
    /// The units of a task (the task itself has passed the access check), kept across requests
    /// (`reference_cache`): they carry no rule of their own. Keyed by the task's id and version
    /// (`TaskVersion`).
    UnitsOfTask(TaskVersion) => Vec<task_units::Model>,
    kept |this, key| this.kept()?.task_units.fresh(key),
    |this, keys| this.through(|cache| &cache.task_units, &keys, |keys| async move {
        let rows = query::units_of(&this.db, &ids_of(&keys)).await?;
        Ok(by_version(keys, &rows))
    })
);

/// The tasks of `keys`, each once (two versions of a task can meet in one batch).
fn ids_of(keys: &[TaskVersion]) -> Vec<i64> {
    keys.iter().map(|key| key.id).sorted().dedup().collect()
}

/// Each key with its task's rows, an empty list for a task that has none: a task without
/// leaders (or units) is kept as such and not read again on every request.
fn by_version<V: Clone>(
    keys: Vec<TaskVersion>,
    rows: &HashMap<i64, Vec<V>>,
) -> HashMap<TaskVersion, Vec<V>> {
    keys.into_iter()
        .map(|key| {
            let found = rows.get(&key.id).cloned().unwrap_or_default();
            (key, found)
        })
        .collect()
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
