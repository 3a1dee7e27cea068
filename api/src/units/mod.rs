//! The unit registry: city departments, counties and districts, development zones, state
//! companies and party organs, with the many names each is written under (aliases), a parent,
//! and merging of duplicates without losing any assignment.

pub mod loaders;
pub mod merge;
pub mod schema;
pub mod service;
