//! Reminders (催办): the bureau prompts a unit about a task and period; the unit sees and
//! acknowledges it. `rules` sends the automatic ones.

pub mod loaders;
pub mod rules;
pub mod schema;
pub mod service;
