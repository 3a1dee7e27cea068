//! City leaders (责任领导 / 牵头领导): a name, the post held now (常务副市长) and the units they
//! supervise. A task may name a leader by post; the post resolves to whoever holds it now.

pub mod loaders;
pub mod schema;
pub mod service;
