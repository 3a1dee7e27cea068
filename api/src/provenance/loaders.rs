//! DataLoader keys of task links and citations. The resolver holds a task the principal may
//! see; the other end of a link is loaded through `VisibleTaskById`.

use crate::graphql::loaders::loader;

loader!(
    /// The links of a task, in both directions.
    LinksOfTask(i64) => Vec<entity::task_links::Model>,
    |this, ids| super::service::links_of(&this.db, &ids)
);

loader!(
    /// The source passages a task cites.
    CitationsOfTask(i64) => Vec<entity::task_citations::Model>,
    |this, ids| super::service::citations_of(&this.db, &ids)
);
