//! Progress reports (进展报告): one unit's report on one task for one period.
//!
//! - `obligations`: who owes a report for a task and period.
//! - `service`: access, drafts and reads; `submit`: idempotent, versioned, late-aware
//!   submission; `review`: the bureau's decision; `values`: indicator values of a version.
//! - `schema`, `version_schema` and `obligation_schema`: the GraphQL face.

pub mod obligation_schema;
pub mod obligations;
pub mod review;
pub mod schema;
pub mod service;
pub mod submit;
pub mod values;
pub mod version_schema;
