//! Leaders' material (领导材料): besides the units' reports, a notice can ask the city's leaders
//! themselves for material (a planning call asks each vice mayor for a report on their field and
//! a project list). The bureau asks each leader under a document by a date
//! (`service::request`); the leader sends it from their own account or their secretary's (an
//! account linked to the same leader), in numbered versions with lateness measured like
//! reports' (`service::submit`); the leader asked, the bureau and machine accounts read the
//! requests, their states and figures. Events are addressed to the leader (`live::access`).

pub mod loaders;
pub mod schema;
pub mod service;
