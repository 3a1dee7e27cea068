//! Documents (文件): official notices that carry task lists, with their category tree and
//! reporting schedule, and its contact lines (`contacts`, pure: names, telephones, e-mail read
//! out of each line as written).

pub mod categories;
pub mod contacts;
pub mod loaders;
pub mod schedule;
pub mod schema;
pub mod service;
