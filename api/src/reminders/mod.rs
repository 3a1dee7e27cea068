//! Reminders (催办): the bureau prompts a unit about a task and period; the unit sees and
//! acknowledges it.

pub mod schema;
pub mod service;
