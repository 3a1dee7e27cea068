//! The GraphQL toolkit every domain's schema part builds on: global IDs, cursors and
//! connections (`relay`), the request budget checked before anything runs (`budget`), typed access to the context (`context`), the request's DataLoader and
//! the `loader!` macro with which each domain declares its own keys (`loaders`), the batching
//! that drives the loader (`batching`), null propagation as the spec says it (`nulls`), and the
//! GraphQL mirrors of stored enums (`enums`).
//!
//! This is the bottom of the GraphQL side: it imports no domain. The schema as served is
//! composed above every domain, in the top-level `schema` module.

pub mod batching;
pub mod budget;
pub mod context;
pub mod enums;
pub mod loaders;
pub mod nulls;
pub mod relay;
