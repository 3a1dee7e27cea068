//! Instructions (批示): a leader or the bureau writes on a task or on a report; the task's units
//! see it and reply; each task's thread is ordered by time.

pub mod loaders;
pub mod schema;
pub mod service;
