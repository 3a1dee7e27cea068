//! Webhooks: another system is told of events as they happen, by a signed HTTP POST.
//!
//! - `service`: the bureau registers a URL with the event kinds it wants (and gets the secret
//!   once), pauses, resumes and removes it; deliveries are queued by the `events_webhooks`
//!   trigger (migration 35) in the statement that stores each event.
//! - `signature` (pure): HMAC-SHA256 of `timestamp.body` with the webhook's secret, the header
//!   that carries it, and its verification.
//! - `worker`: delivers the outbox: one instance per webhook at a time (a lease on its row), in
//!   event order, retried with exponential backoff and jitter, paused after repeated failure;
//!   a delivery cut short by a crash is sent again (at least once; `X-Duban-Delivery` lets the
//!   receiver drop the repeat).
//! - `retry`: the backoff between attempts (notifications use it too).
//! - `loaders`, `schema`: the GraphQL face, with each webhook's delivery log.

pub mod loaders;
pub mod retry;
pub mod schema;
pub mod service;
pub mod signature;
pub mod worker;
