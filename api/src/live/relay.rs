//! The relay from the `events` table to the subscribers of this instance.
//!
//! Events are broadcast in sequence order with none missed. On PostgreSQL a transaction takes
//! its event's sequence number when it inserts the row, not when it commits, so a later number
//! can become visible first. The relay therefore keeps a *horizon*: every event up to it has
//! been broadcast, and it moves only over consecutive numbers. A missing number holds back the
//! events after it until its transaction commits (its notification wakes the relay) or, if it
//! never does (rolled back), for `GAP_TIMEOUT`. The timeout runs once for every number missing
//! when the gap was first seen: after a database crash, which aborts every transaction in
//! flight and leaves several gaps, the relay waits one timeout, not one per gap. Subscribers read their backlog from the
//! database only up to the horizon, so what they read and what they hear join without a seam.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use entity::events;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use tokio::sync::broadcast;

use crate::auth::cache::PrincipalCache;
use crate::error::AppResult;
use crate::reference_cache::ReferenceCache;

/// The PostgreSQL channel the `events_notify` trigger sends on.
pub const CHANNEL: &str = "duban_events";

/// How many events a slow subscriber may fall behind the broadcast before it catches up from
/// the database instead.
const BUFFER: usize = 1024;

/// How long a missing sequence number holds back the events after it. Transactions here last
/// milliseconds to a second or two (a slice of the deadline job's reminders), so a number still
/// missing after this was rolled back: it is given up, with a warning.
pub const GAP_TIMEOUT: Duration = Duration::from_secs(10);

/// The broadcast of committed events to this instance's subscribers.
#[derive(Clone, Debug)]
pub struct EventBus {
    sender: broadcast::Sender<Arc<events::Model>>,
    /// Every event up to this sequence has been broadcast (or given up as never committed).
    horizon: Arc<AtomicI64>,
}

impl Default for EventBus {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(BUFFER).0,
            horizon: Arc::new(AtomicI64::new(0)),
        }
    }
}

impl EventBus {
    /// Subscribe first, then read the horizon: every event is then either at or below the
    /// horizon read (in the database) or heard from the receiver, or both.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<events::Model>> {
        self.sender.subscribe()
    }

    pub fn horizon(&self) -> i64 {
        self.horizon.load(Ordering::Acquire)
    }

    /// Moves the horizon to `event`, then broadcasts it: in this order, a subscriber that reads
    /// the horizon before the move hears the event, and one that reads it after finds it in
    /// the database.
    fn publish(&self, event: events::Model) {
        self.horizon.store(event.id, Ordering::Release);
        // No receiver is fine: nobody is subscribed right now.
        let _ = self.sender.send(Arc::new(event));
    }

    /// Sets the horizon without broadcasting: at start, over the events already stored.
    fn skip_to(&self, id: i64) {
        self.horizon.store(id, Ordering::Release);
    }
}

/// Starts the relay: sets the horizon at the newest event, before the server accepts its first
/// subscriber (whose backlog stops at the horizon), then tails the table in a task of its own
/// until the process ends. `poll` is how often SQLite is polled, and how often PostgreSQL is
/// checked even without a notification (a missed notification, during a reconnect, is then
/// late but never lost).
pub async fn start(
    db: DatabaseConnection,
    bus: EventBus,
    poll: Duration,
    principals: PrincipalCache,
    references: ReferenceCache,
) {
    match newest(&db).await {
        Ok(id) => bus.skip_to(id),
        Err(err) => {
            tracing::error!(error = %err, "live updates are off: cannot read the events table");
            return;
        }
    }
    tokio::spawn(run(db, bus, poll, principals, references));
}

async fn run(
    db: DatabaseConnection,
    bus: EventBus,
    poll: Duration,
    principals: PrincipalCache,
    references: ReferenceCache,
) {
    let mut wake = Wake::new(&db, poll).await;
    let mut gap = Gap::default();
    loop {
        wake.wait().await;
        if let Err(err) = forward(&db, &bus, &mut gap, (&principals, &references)).await {
            tracing::warn!(error = %err, "cannot read new events; retrying");
        }
    }
}

async fn newest(db: &DatabaseConnection) -> AppResult<i64> {
    let id: Option<i64> = events::Entity::find()
        .select_only()
        .column(events::Column::Id)
        .order_by_desc(events::Column::Id)
        .into_tuple()
        .one(db)
        .await?;
    Ok(id.unwrap_or(0))
}

/// The events after `after` and up to `upto` (a horizon), oldest first, at most `limit`.
pub async fn since(
    db: &DatabaseConnection,
    after: i64,
    upto: i64,
    limit: u64,
) -> AppResult<Vec<events::Model>> {
    Ok(events::Entity::find()
        .filter(events::Column::Id.gt(after))
        .filter(events::Column::Id.lte(upto))
        .order_by_asc(events::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// Since when the number after the horizon has been missing, if it is, and the newest event
/// read at that moment: every number missing up to it had been taken by then, so all of them
/// are given up together once `GAP_TIMEOUT` has passed.
#[derive(Debug, Default)]
struct Gap {
    since: Option<Instant>,
    upto: i64,
}

/// What the relay does with the next event it read.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    /// It follows the horizon: broadcast it.
    Send,
    /// A number before it is missing, but not for long: wait for it.
    Wait,
    /// A number before it has been missing for `GAP_TIMEOUT`: give the numbers up, then send it.
    GiveUp,
}

/// What to do with event `id`, the next one read after the horizon; `newest` is the newest
/// event read so far.
fn step(horizon: i64, id: i64, newest: i64, gap: &mut Gap, now: Instant) -> Step {
    if id == horizon + 1 {
        if id >= gap.upto {
            gap.since = None;
        }
        return Step::Send;
    }
    match gap.since {
        // Numbers missing since before the timeout began, all taken before it began.
        Some(since) if now.duration_since(since) >= GAP_TIMEOUT && id <= gap.upto => Step::GiveUp,
        Some(since) if now.duration_since(since) < GAP_TIMEOUT => Step::Wait,
        // A first gap, or one past the window of an earlier one: its own timeout starts.
        _ => {
            gap.since = Some(now);
            gap.upto = newest;
            Step::Wait
        }
    }
}

/// Broadcasts the events after the horizon, in sequence order, as far as they run without a gap.
async fn forward(
    db: &DatabaseConnection,
    bus: &EventBus,
    gap: &mut Gap,
    (principals, references): (&PrincipalCache, &ReferenceCache),
) -> AppResult<()> {
    loop {
        let batch = events::Entity::find()
            .filter(events::Column::Id.gt(bus.horizon()))
            .order_by_asc(events::Column::Id)
            .limit(500)
            .all(db)
            .await?;
        let done = batch.len() < 500;
        let newest = batch.last().map_or(0, |event| event.id);
        for event in batch {
            match step(bus.horizon(), event.id, newest, gap, Instant::now()) {
                Step::Send => {}
                Step::Wait => return Ok(()),
                Step::GiveUp => tracing::warn!(
                    from = bus.horizon() + 1,
                    to = event.id - 1,
                    "event sequence numbers never committed; given up"
                ),
            }
            // Committed on some instance: what the caches hold of it is read again here too.
            if crate::events::changes_principals(&event) {
                principals.changed();
            }
            references.changed_by(&event);
            bus.publish(event);
        }
        if done {
            return Ok(());
        }
    }
}

/// What wakes the relay: a PostgreSQL notification or the poll interval.
enum Wake {
    Poll(tokio::time::Interval),
    Listen {
        listener: Box<sea_orm::sqlx::postgres::PgListener>,
        interval: tokio::time::Interval,
    },
}

impl Wake {
    async fn new(db: &DatabaseConnection, poll: Duration) -> Self {
        let mut interval = tokio::time::interval(poll);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        if db.get_database_backend() == DatabaseBackend::Postgres {
            let pool = db.get_postgres_connection_pool();
            match sea_orm::sqlx::postgres::PgListener::connect_with(pool).await {
                Ok(mut listener) => match listener.listen(CHANNEL).await {
                    Ok(()) => {
                        return Self::Listen {
                            listener: Box::new(listener),
                            interval,
                        };
                    }
                    Err(err) => tracing::warn!(error = %err, "cannot LISTEN; polling instead"),
                },
                Err(err) => tracing::warn!(error = %err, "cannot LISTEN; polling instead"),
            }
        }
        Self::Poll(interval)
    }

    async fn wait(&mut self) {
        match self {
            Self::Poll(interval) => {
                interval.tick().await;
            }
            Self::Listen { listener, interval } => {
                tokio::select! {
                    // The listener reconnects by itself after an error; the ids it carries are
                    // not needed, since the relay reads everything after the last id it sent.
                    received = listener.recv() => {
                        if let Err(err) = received {
                            tracing::warn!(error = %err, "event notifications interrupted");
                            tokio::time::sleep(Duration::from_millis(200)).await;
                        }
                        // A change that wrote many events sent as many notifications: one read
                        // serves them all.
                        while listener.next_buffered().is_some() {}
                    }
                    _ = interval.tick() => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_number_holds_back_the_events_after_it_until_it_commits_or_times_out() {
        let start = Instant::now();
        let mut gap = Gap::default();
        assert_eq!(step(9, 10, 10, &mut gap, start), Step::Send);
        // 11 is not committed yet; 12 waits for it.
        assert_eq!(step(10, 12, 12, &mut gap, start), Step::Wait);
        let later = start + Duration::from_secs(2);
        assert_eq!(step(10, 12, 12, &mut gap, later), Step::Wait);
        // 11 commits: both go, in order, and the gap is forgotten.
        assert_eq!(step(10, 11, 12, &mut gap, later), Step::Send);
        assert_eq!(step(11, 12, 12, &mut gap, later), Step::Send);
        assert_eq!(gap.since, None);
        // 13 never commits (rolled back): 14 waits GAP_TIMEOUT from when the gap was first
        // seen, then 13 is given up.
        assert_eq!(step(12, 14, 14, &mut gap, later), Step::Wait);
        let almost = later + GAP_TIMEOUT - Duration::from_millis(1);
        assert_eq!(step(12, 14, 14, &mut gap, almost), Step::Wait);
        assert_eq!(
            step(12, 14, 14, &mut gap, later + GAP_TIMEOUT),
            Step::GiveUp
        );
        assert_eq!(step(14, 15, 15, &mut gap, later + GAP_TIMEOUT), Step::Send);
        assert_eq!(gap.since, None);
    }

    #[test]
    fn the_gaps_a_crash_leaves_are_given_up_after_one_timeout_not_one_each() {
        // A crash aborted the transactions holding 21, 23 and 25; 22, 24 and 26 committed.
        let start = Instant::now();
        let mut gap = Gap::default();
        assert_eq!(step(20, 22, 26, &mut gap, start), Step::Wait);
        let after = start + GAP_TIMEOUT;
        assert_eq!(step(20, 22, 26, &mut gap, after), Step::GiveUp);
        assert_eq!(step(22, 24, 26, &mut gap, after), Step::GiveUp);
        assert_eq!(step(24, 26, 26, &mut gap, after), Step::GiveUp);
        // A number taken after the gap was first seen gets its own full timeout.
        assert_eq!(step(26, 28, 28, &mut gap, after), Step::Wait);
        assert_eq!(
            step(26, 28, 28, &mut gap, after + Duration::from_secs(1)),
            Step::Wait
        );
    }
}
