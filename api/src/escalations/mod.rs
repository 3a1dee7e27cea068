//! The escalation ladder (三色督办): after the automatic reminder (提醒, `reminders`), the
//! bureau's steps with a unit whose report is overdue: 催办, a numbered 督办单, a 约谈 with the
//! unit's head. Each step is taken by the bureau (`service::issue`) or, at the days overdue its
//! notice sets, by the deadline job (`rules`); recorded with who, when and how overdue; replied
//! to by the unit; closed with an outcome the bureau records. The unit and its leaders read
//! them; `escalationFigures` counts a year's steps and the units that received a 督办单.

pub mod loaders;
pub mod rules;
pub mod schema;
pub mod service;
