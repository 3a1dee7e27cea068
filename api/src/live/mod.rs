//! Live updates: GraphQL subscriptions over WebSocket (graphql-transport-ws), fed by the events
//! table.
//!
//! - `relay`: tails the `events` table and broadcasts each new row to this instance's
//!   subscribers. On PostgreSQL it wakes on `NOTIFY duban_events` (sent by a trigger when an
//!   event commits, whichever instance wrote it); on SQLite it polls. Either way the table is
//!   the single source: what subscribers hear is exactly what was committed, in id order.
//! - `access`: which events a principal may hear; the same rules as reading the rows.
//! - `tail`: one subscriber's stream: its backlog, then the broadcast, filtered, caught up
//!   from the database when it falls behind.
//! - `feed`: the same events as pages read with a stored cursor (`changes`), for systems that
//!   poll rather than hold a socket.
//! - `schema`: the `events` subscription and the `changes` query.

pub mod access;
pub mod feed;
pub mod relay;
pub mod schema;
mod tail;

use std::sync::Arc;

/// Rung when the session of a socket's subscriber is signed out: the socket closes (4403), so
/// that no operation runs on it any more and the client signs in again. The WebSocket handler
/// puts one in each connection's data; the subscriptions on it ring it.
#[derive(Clone, Default)]
pub struct SessionEnd(Arc<(tokio::sync::Notify, std::sync::atomic::AtomicBool)>);

impl SessionEnd {
    /// Closes the socket (now, or as soon as its handler looks).
    pub fn ring(&self) {
        self.0.1.store(true, std::sync::atomic::Ordering::SeqCst);
        self.0.0.notify_one();
    }

    /// Resolves once rung.
    pub async fn rung(&self) {
        self.0.0.notified().await;
    }

    /// Whether it has been rung (a message about to go out must not).
    pub fn is_rung(&self) -> bool {
        self.0.1.load(std::sync::atomic::Ordering::SeqCst)
    }
}
