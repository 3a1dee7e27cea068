//! The relay from the `events` table to the subscribers of this instance.

use std::sync::Arc;
use std::time::Duration;

use entity::events;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use tokio::sync::broadcast;

use crate::error::AppResult;

/// The PostgreSQL channel the `events_notify` trigger sends on.
pub const CHANNEL: &str = "duban_events";

/// How many events a slow subscriber may fall behind before it skips ahead.
const BUFFER: usize = 1024;

/// The broadcast of committed events to this instance's subscribers.
#[derive(Clone, Debug)]
pub struct EventBus {
    sender: broadcast::Sender<Arc<events::Model>>,
}

impl Default for EventBus {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(BUFFER).0,
        }
    }
}

impl EventBus {
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<events::Model>> {
        self.sender.subscribe()
    }
}

/// Tails the table from the newest event at start until the process ends. `poll` is how often
/// SQLite is polled, and how often PostgreSQL is checked even without a notification (a missed
/// notification, during a reconnect, is then late but never lost).
pub async fn run(db: DatabaseConnection, bus: EventBus, poll: Duration) {
    let mut last = match newest(&db).await {
        Ok(id) => id,
        Err(err) => {
            tracing::error!(error = %err, "live updates are off: cannot read the events table");
            return;
        }
    };
    let mut wake = Wake::new(&db, poll).await;
    loop {
        wake.wait().await;
        match forward(&db, &bus, last).await {
            Ok(id) => last = id,
            Err(err) => tracing::warn!(error = %err, "cannot read new events; retrying"),
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

/// The events committed after `after`, oldest first, at most `limit`.
pub async fn since(
    db: &DatabaseConnection,
    after: i64,
    limit: u64,
) -> AppResult<Vec<events::Model>> {
    Ok(events::Entity::find()
        .filter(events::Column::Id.gt(after))
        .order_by_asc(events::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// Broadcasts the events after `last`, in id order; returns the last id sent.
async fn forward(db: &DatabaseConnection, bus: &EventBus, mut last: i64) -> AppResult<i64> {
    loop {
        let batch = events::Entity::find()
            .filter(events::Column::Id.gt(last))
            .order_by_asc(events::Column::Id)
            .limit(500)
            .all(db)
            .await?;
        let done = batch.len() < 500;
        for event in batch {
            last = event.id;
            // No receiver is fine: nobody is subscribed right now.
            let _ = bus.sender.send(Arc::new(event));
        }
        if done {
            return Ok(last);
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
