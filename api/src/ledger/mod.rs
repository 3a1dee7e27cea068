//! Ledgers (工作台账): a unit's own breakdown of a task into entries with a time node, the
//! unit's responsible leader and a named responsible person.

pub mod loaders;
pub mod schema;
pub mod service;
