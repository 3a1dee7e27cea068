//! Tasks (事项): the numbered items of a document, with their leaders and units.
//!
//! - `access`: which tasks a principal may see; every read of tasks goes through it.
//! - `query`: listing, filtering and the batch reads behind the DataLoaders; `order`: the
//!   list's orders and their keyset cursors; `search`: the words of `filter: { search }`, as
//!   PostgreSQL's trigram index can serve them.
//! - `counts`: live tasks counted by document and status as they change (triggers), the
//!   totals of the lists whose rows are every live task.
//! - `service`: creating, changing and soft-deleting tasks, with optimistic locking.
//! - `assignments`: replacing a task's leaders and units.
//! - `store`: the versioned write every change of a task goes through (invariant 8).
//! - `progress`: the derived status and warning level; `decisions`: completing, cancelling and
//!   reopening a task (the bureau's).
//! - `types`: the GraphQL output types; `schema`: the queries; `mutations`: the mutations.

pub mod access;
pub mod assignments;
pub mod counts;
pub mod decisions;
pub mod loaders;
pub mod mutations;
pub mod order;
pub mod progress;
pub mod query;
pub mod schema;
mod search;
pub mod service;
pub mod store;
pub mod types;
