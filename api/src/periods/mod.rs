//! Reporting periods (季报 / 月报 / 节点): when progress is due for a document's tasks. They are
//! generated from the document's schedule and can be added, moved or removed until they are due.

pub mod calendar;
pub mod schema;
pub mod service;
