//! The pages a leader and a unit open first, each in one GraphQL query (`leaderPage`,
//! `unitPage`): nothing new is stored here, each part is a question put to the domain that owns
//! it, with the signed-in principal, so the row rules are theirs.
//!
//! - `service`: who has which page, and the parts no other domain asks for (a leader's
//!   instructions still waiting for a reply, the latest reports on their tasks).
//! - `schema`: `LeaderPage` and `UnitPage`; each field is computed only when selected.

pub mod schema;
pub mod service;
