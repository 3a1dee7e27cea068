//! Progress reports (进展报告): one unit's report on one task for one period.
//!
//! - `obligations`: who owes a report for a task and period.
//! - `service`: drafts, submission (idempotent, versioned, late-aware) and review.
//! - `schema` and `obligation_schema`: the GraphQL face.

pub mod obligation_schema;
pub mod obligations;
pub mod schema;
pub mod service;
