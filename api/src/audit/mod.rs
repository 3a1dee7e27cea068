//! The audit trail: every change writes who did what, with the state before and after, in the
//! same transaction as the change itself. The table is append-only (database triggers refuse
//! updates and deletes). Only the bureau reads it.
//!
//! - `action`: the typed action of a row (an event kind's, or a private one); `service`:
//!   writing (`record`, with the change's transaction) and listing; `schema`: `auditLog`.

pub mod action;
pub mod loaders;
pub mod schema;
pub mod service;

pub use action::AuditAction;
