//! DataLoader keys of ledgers.

use crate::graphql::loaders::loader;

loader!(
    /// The ledger entries of a task the principal may read (a unit: its own unit's).
    LedgerOfTask(i64) => Vec<entity::ledger_entries::Model>,
    signed in |this, actor, ids| super::service::readable_of_tasks(actor, &this.db, &ids)
);

loader!(
    /// A ledger entry by id, if the principal may read it.
    LedgerEntryReadableById(i64) => entity::ledger_entries::Model,
    signed in |this, actor, ids| super::service::readable_by_ids(actor, &this.db, &ids)
);
