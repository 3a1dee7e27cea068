//! People's Congress motions (人大建议、政协提案): the part of a task of a PROPOSAL document that
//! records who proposed it, the reply, its classification (A–D) and the deputies' rating.
//!
//! - `service`: the rules; `schema`: `Task.proposal`, `proposalFigures` and the mutations;
//!   `figures`: a document's satisfaction rate against its target; `deadlines`: reminders of
//!   the reply deadline; `follow_ups`: follow-up reviews (回头看) after completion; `covered`:
//!   the other tasks a motion spans, read by the units that owe its reply.
//!
//! Rules:
//! - The bureau records the proposers and the reply deadline; only tasks of PROPOSAL documents
//!   carry them.
//! - The owing units of the task (or the bureau) write one reply per round.
//! - The bureau records the deputies' rating. 不满意 opens the next round: the task is worked and
//!   answered again (a completed task is reopened); earlier replies and ratings are kept.

pub mod covered;
pub mod deadlines;
pub mod figures;
pub mod follow_up_schema;
pub mod follow_ups;
pub mod loaders;
pub mod schema;
pub mod service;
