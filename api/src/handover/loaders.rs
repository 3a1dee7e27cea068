//! DataLoader keys of receipts and hand-back requests.

use crate::graphql::loaders::loader;

loader!(
    /// The current receipts of a task the principal may read (a unit: its own).
    ReceiptsOfTask(i64) => Vec<entity::task_receipts::Model>,
    signed in |this, actor, ids| super::receipts::readable_of_tasks(actor, &this.db, &ids)
);

loader!(
    /// A receipt by id, if the principal may read it.
    ReceiptReadableById(i64) => entity::task_receipts::Model,
    signed in |this, actor, ids| super::receipts::readable_by_ids(actor, &this.db, &ids)
);

loader!(
    /// A hand-back request by id, if the principal may read it.
    HandbackReadableById(i64) => entity::handback_requests::Model,
    signed in |this, actor, ids| super::handbacks::readable_by_ids(actor, &this.db, &ids)
);
