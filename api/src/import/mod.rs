//! Importing official documents: from a notice's text to a document with its categories,
//! tasks, leaders, units, indicators and reporting schedule.
//!
//! - `parse`: pure text analysis, no database. Given the text of a notice, it returns what the
//!   notice says (header, category tree, tasks with their role lines, indicators) and warnings
//!   with line numbers.
//! - `extract`: text out of uploaded `.txt`, `.md` and `.docx` files.
//! - `normalize` and `resolve`: matching written names against the registry.
//! - `preview`: the parse with every name's resolution; `commit`: storing it.
//! - `seed`: the default registry of the bundled notices.
//! - `service`: the use cases (preview, commit) with authorization and audit; `schema`: GraphQL
//!   (inputs and mutations), `types`: its output types.

pub mod commit;
pub mod extract;
pub mod normalize;
pub mod parse;
pub mod preview;
pub mod resolve;
pub mod schema;
pub mod seed;
pub mod service;
pub mod types;

#[cfg(test)]
mod corpus;
