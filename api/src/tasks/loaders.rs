//! DataLoader keys of tasks: their relations, and the task lists of units, leaders and
//! documents, which apply the principal's row-level access (invariant 4).

use chrono::NaiveDate;
use entity::enums::UnitRole;
use entity::{task_leaders, task_units, tasks};

use crate::graphql::loaders::loader;
use crate::tasks::query;

loader!(
    /// The leaders of a task (the task itself has passed the access check).
    LeadersOfTask(i64) => Vec<task_leaders::Model>,
    |this, ids| query::leaders_of(&this.db, &ids)
);
loader!(
    /// The units of a task (the task itself has passed the access check).
    UnitsOfTask(i64) => Vec<task_units::Model>,
    |this, ids| query::units_of(&this.db, &ids)
);
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
