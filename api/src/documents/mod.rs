//! Documents (文件): official notices that carry task lists, with their category tree and
//! reporting schedule.

pub mod categories;
pub mod loaders;
pub mod schedule;
pub mod schema;
pub mod service;
