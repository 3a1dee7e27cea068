//! DataLoader keys of reminders.

use crate::graphql::loaders::loader;

loader!(
    /// The reminders of a task the principal may read (a unit: those addressed to it).
    RemindersOfTask(i64) => Vec<entity::reminders::Model>,
    signed in |this, actor, ids| super::service::readable_of_tasks(actor, &this.db, &ids)
);

loader!(
    /// A reminder by id, if the principal may read it.
    ReminderReadableById(i64) => entity::reminders::Model,
    signed in |this, actor, ids| super::service::readable_by_ids(actor, &this.db, &ids)
);
