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
//! - `schema`: the `events` subscription.

pub mod access;
pub mod relay;
pub mod schema;
mod tail;
