//! Where a task comes from and where it goes: carry-over of unfinished tasks into the next
//! year's notice (结转), with a link both ways and the reports kept with the old task; links
//! between tasks drafted together (与…合并起草) or related; and the passages of a source
//! document (kind `SOURCE`, the work report itself) that a task cites, quoted exactly.

pub mod loaders;
pub mod schema;
pub mod service;
