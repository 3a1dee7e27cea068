//! Progress reports (进展报告): one unit's report on one task for one period. Who owes which
//! report, by when, is `crate::obligations`'.
//!
//! - `service`: access, drafts and reads; `submit`: idempotent, versioned, late-aware
//!   submission; `review`: the bureau's decision; `values`: indicator values of a version and each
//!   indicator's latest; `targets` (pure): whether a value meets its target; `readings`:
//!   values posted by another system (`indicators:write`).
//! - `contributions`: partners' parts sent to the lead before its date, consolidated into the
//!   lead's version (`LEAD_CONSOLIDATING`).
//! - `signoff`: a unit's own sign-off (审核签发): a clerk puts a report to the unit's head, who
//!   approves it (it is submitted then) or returns it.
//! - `schema`, `version_schema` and `signoff_schema`: the GraphQL face; `loaders`: its DataLoader
//!   keys.

pub mod contribution_schema;
pub mod contributions;
pub mod loaders;
pub mod posts;
pub mod readings;
pub mod review;
pub mod schema;
pub mod service;
pub mod signoff;
pub mod signoff_schema;
pub mod submit;
pub mod targets;
pub mod values;
pub mod version_schema;
