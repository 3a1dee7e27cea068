//! User accounts: people of the bureau, leaders and units, and machine accounts of other
//! systems. The bureau manages them; everyone can read their own.

pub mod loaders;
pub mod names;
pub mod schema;
pub mod service;
