//! The audit trail: every change writes who did what, with the state before and after, in the
//! same transaction as the change itself. The table is append-only (database triggers refuse
//! updates and deletes). Only the bureau reads it.

pub mod schema;
pub mod service;
