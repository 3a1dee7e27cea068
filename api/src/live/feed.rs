//! The change feed: the events log as pages a consumer reads with a stored cursor (`changes`).
//! In sequence order, each event once, only those the caller may hear (`access::audible`), and
//! only up to the relay's horizon: on PostgreSQL a later sequence number can commit before an
//! earlier one, and the horizon is the point below which every number has committed (or been
//! given up as rolled back), so a cursor never passes an event that is still to appear. The
//! same holds with several instances on one database: each reads the one log, each only up to
//! its own horizon.
//!
//! A page reads at most `MAX_SCAN` events, whether the caller may hear them or not, and its
//! cursor is the last one *read*: a unit whose events are rare costs a bounded scan per
//! request and still moves on.

use entity::events;
use sea_orm::DatabaseConnection;

use super::access;
use crate::auth::Principal;
use crate::error::{AppError, AppResult};

/// The most events one page returns.
pub const MAX_FIRST: u64 = 500;

/// The most events one page reads, audible or not.
pub const MAX_SCAN: u64 = 5_000;

/// Events read at a time.
const BATCH: u64 = 500;

/// A page of the feed.
#[derive(Debug)]
pub struct Changes {
    pub events: Vec<events::Model>,
    /// The last sequence read: where the next page starts.
    pub end: i64,
    /// Whether events after `end` are there to read now.
    pub has_more: bool,
}

/// The events after sequence `after`, up to `horizon`, that `actor` may hear: at most `first`.
pub async fn changes(
    actor: &Principal,
    db: &DatabaseConnection,
    horizon: i64,
    after: i64,
    first: u64,
) -> AppResult<Changes> {
    if !(1..=MAX_FIRST).contains(&first) {
        return Err(AppError::bad_field(
            "first",
            format!("must be from 1 to {MAX_FIRST}"),
        ));
    }
    if after < 0 {
        return Err(AppError::bad_field("after", "is not a cursor of this feed"));
    }
    let mut out = Vec::new();
    let mut end = after;
    let mut scanned = 0;
    while scanned < MAX_SCAN {
        let batch = super::relay::since(db, end, horizon, BATCH.min(MAX_SCAN - scanned)).await?;
        if batch.is_empty() {
            break;
        }
        let audible = access::audible(actor, db, &batch).await?;
        for (event, hear) in batch.into_iter().zip(audible) {
            end = event.id;
            scanned += 1;
            if hear {
                out.push(event);
                if out.len() as u64 == first {
                    return Ok(Changes {
                        events: out,
                        end,
                        has_more: end < horizon,
                    });
                }
            }
        }
    }
    Ok(Changes {
        events: out,
        end,
        has_more: end < horizon,
    })
}
