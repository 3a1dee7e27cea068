//! Reporting periods (季报 / 月报 / 节点): when progress is due for a document's tasks. They are
//! generated from the document's schedule and can be added, moved or removed until they are due.
//!
//! - `calendar` (pure): a schedule to labelled periods; `query`: reads by document and by id;
//!   `service`: generating, adding, moving and removing; `schema` and `loaders`: GraphQL.

pub mod calendar;
pub mod loaders;
pub mod query;
pub mod schema;
pub mod service;
