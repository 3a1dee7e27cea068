//! Importing official documents: from a notice's text to a document with its categories,
//! tasks, leaders, units, indicators and reporting schedule.
//!
//! - `parse`: pure text analysis, no database. Given the text of a notice, it returns what the
//!   notice says (header, category tree, tasks with their role lines, indicators) and warnings
//!   with line numbers.

pub mod parse;
