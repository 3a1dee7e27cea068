//! Praise and criticism notices (通报): drafted by the bureau from a ranking, edited,
//! published with a number and date, read by everyone signed in once published; every figure
//! they state is kept with the rows it was computed from, and can be checked against the
//! history at any time.
//!
//! - `service`: drafting (one snapshot of the ranking and the evidence), editing, publishing
//!   (an event to each named unit), discarding, reading, verification by row.
//! - `evidence`: the obligations counted for each named unit (`collect`) and the recomputation
//!   of the figures from the append-only history as of when they were computed (`verify`).
//! - `document`: a published notice as a `.docx` in the usual layout (`GET
//!   /exports/notice.docx?id=`).
//! - `loaders`, `schema`: the GraphQL face (`notices`, `notice`, `verifyNotice`,
//!   `draftNotice`, `updateNotice`, `publishNotice`, `discardNotice`).

pub mod document;
pub mod evidence;
pub mod loaders;
pub mod schema;
pub mod service;
