//! DataLoader keys of instructions.

use crate::graphql::loaders::loader;

loader!(
    /// The instructions of a task the principal may read (a unit: not other units' reports').
    InstructionsOfTask(i64) => Vec<entity::instructions::Model>,
    signed in |this, actor, ids| super::service::readable_of_tasks(actor, &this.db, &ids)
);

loader!(
    /// An instruction by id, if the principal may read it.
    InstructionReadableById(i64) => entity::instructions::Model,
    signed in |this, actor, ids| super::service::readable_by_ids(actor, &this.db, &ids)
);
