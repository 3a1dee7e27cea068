//! A subscriber's stream of events: first the backlog it asked for (`after`), then the
//! broadcast, with nothing repeated, each event filtered by what the subscriber asked for and
//! may read. A subscriber too slow for the broadcast's buffer catches up from the database
//! rather than skipping what it missed.

use std::collections::VecDeque;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures_util::Stream;
use tokio::sync::broadcast::error::RecvError;

use crate::auth::Principal;
use crate::events::{EventKind, SESSION_ENDED, SessionsEnded};
use crate::live::SessionEnd;
use crate::live::access::{current, may_hear};
use crate::live::relay::EventBus;

/// What a subscriber listens for; all given conditions hold.
pub(super) struct Filter {
    pub kinds: Vec<EventKind>,
    pub task_id: Option<i64>,
}

impl Filter {
    fn matches(&self, event: &entity::events::Model) -> bool {
        (self.kinds.is_empty()
            || EventKind::parse(&event.kind).is_some_and(|kind| self.kinds.contains(&kind)))
            && self.task_id.is_none_or(|t| event.task_id == Some(t))
    }
}

/// How many missed events a reconnecting subscriber is sent at most.
pub(super) const REPLAY_MAX: u64 = 1000;

/// How many events a lagging subscriber reads from the database at a time.
const CATCH_UP_PAGE: u64 = 500;

/// How often a subscription re-reads its subscriber's account.
const RECHECK: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

/// A subscriber's position: the backlog still to send, then the broadcast.
pub(super) struct Tail {
    pub receiver: tokio::sync::broadcast::Receiver<Arc<entity::events::Model>>,
    pub bus: EventBus,
    pub backlog: VecDeque<Arc<entity::events::Model>>,
    /// The last sequence looked at, sent or not: nothing at or below it is looked at again.
    pub last: i64,
    /// Set when the subscriber fell too far behind the broadcast: its backlog is refilled from
    /// the database, a page at a time, until it has caught up with the horizon.
    pub catching_up: bool,
    pub actor: Principal,
    pub checked_at: DateTime<Utc>,
    pub clock: crate::clock::SharedClock,
    pub db: sea_orm::DatabaseConnection,
    pub filter: Filter,
    /// Rung when the subscriber's session is signed out (WebSocket subscriptions have one).
    pub session_end: Option<SessionEnd>,
    /// Counts this subscription in `duban_live_subscribers` while the stream lives.
    pub _counted: crate::metrics::Subscriber,
}

/// Whether a `SESSION_ENDED` signal ends `actor`'s session: its own session, or every session
/// of the account from before the sign-out (a replayed older signal ends nothing newer).
fn ends(actor: &Principal, signal: &entity::events::Model) -> bool {
    if actor.user_id.is_none() || signal.entity_id != actor.user_id {
        return false;
    }
    let Ok(ended) = serde_json::from_value::<SessionsEnded>(signal.payload.clone()) else {
        return false;
    };
    let this_session = ended.session.is_some() && ended.session == actor.session;
    let every_older = ended.epoch.is_some_and(|epoch| actor.session_epoch < epoch);
    this_session || every_older
}

/// The events `tail` is to hear, in sequence order; it ends when the account is deactivated or
/// its session signed out, the server shuts down, or a catch-up cannot read the database.
pub(super) fn events(tail: Tail) -> impl Stream<Item = Arc<entity::events::Model>> {
    futures_util::stream::unfold(tail, |mut tail| async move {
        loop {
            if tail.backlog.is_empty() && tail.catching_up {
                let horizon = tail.bus.horizon();
                match crate::live::relay::since(&tail.db, tail.last, horizon, CATCH_UP_PAGE).await {
                    Ok(page) => {
                        tail.catching_up = page.len() as u64 == CATCH_UP_PAGE;
                        tail.backlog.extend(page.into_iter().map(Arc::new));
                    }
                    Err(err) => {
                        // Ending the stream is honest: the client reconnects with `after`.
                        tracing::warn!(error = %err, "a lagging subscriber cannot catch up");
                        return None;
                    }
                }
            }
            let event = match tail.backlog.pop_front() {
                Some(event) => event,
                None => match tail.receiver.recv().await {
                    Ok(event) => event,
                    Err(RecvError::Lagged(skipped)) => {
                        tracing::info!(skipped, "a slow subscriber catches up from the database");
                        tail.catching_up = true;
                        continue;
                    }
                    Err(RecvError::Closed) => return None,
                },
            };
            if event.id <= tail.last {
                continue;
            }
            tail.last = event.id;
            if event.kind == SESSION_ENDED {
                if ends(&tail.actor, &event) {
                    if let Some(end) = &tail.session_end {
                        end.ring();
                    }
                    return None;
                }
                continue;
            }
            if !tail.filter.matches(&event) {
                continue;
            }
            if tail.clock.now() - tail.checked_at >= RECHECK {
                match current(&tail.db, &tail.actor, tail.clock.now()).await {
                    // A deactivated account hears nothing more: the stream ends.
                    Ok(None) => return None,
                    Ok(Some(actor)) => tail.actor = actor,
                    Err(err) => tracing::warn!(error = %err, "cannot re-read a subscriber"),
                }
                tail.checked_at = tail.clock.now();
            }
            match may_hear(&tail.actor, &tail.db, &event).await {
                Ok(true) => return Some((event, tail)),
                Ok(false) => {}
                Err(err) => {
                    tracing::warn!(error = %err, "cannot check an event's readers; skipped");
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use futures_util::StreamExt;
    use sea_orm::{EntityTrait, Set};

    use super::*;

    /// A subscriber that does not read while more events arrive than the broadcast holds
    /// (1024) still hears every one of them, in order: it catches up from the database.
    #[tokio::test]
    async fn a_subscriber_that_falls_behind_hears_every_event_in_order() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut config = crate::config::Config::from_defaults();
        config.database_url = format!("sqlite://{}/tail.db?mode=rwc", dir.path().display());
        let db = crate::db::connect(&config).await.expect("database opens");
        crate::db::migrate(&db).await.expect("migrations run");
        let bus = EventBus::default();
        let tail = Tail {
            receiver: bus.subscribe(),
            bus: bus.clone(),
            backlog: VecDeque::new(),
            last: 0,
            catching_up: false,
            actor: Principal::system(),
            checked_at: Utc::now(),
            clock: Arc::new(crate::clock::SystemClock),
            db: db.clone(),
            filter: Filter {
                kinds: vec![],
                task_id: None,
            },
            session_end: None,
            _counted: crate::metrics::Subscriber::open(),
        };
        crate::live::relay::start(
            db.clone(),
            bus.clone(),
            Duration::from_millis(10),
            crate::auth::cache::PrincipalCache::new(Duration::ZERO),
            crate::reference_cache::ReferenceCache::new(Duration::ZERO),
        )
        .await;

        const EVENTS: i64 = 1500;
        let rows: Vec<entity::events::ActiveModel> = (1..=EVENTS)
            .map(|i| entity::events::ActiveModel {
                kind: Set(format!("test.{i}")),
                entity_type: Set("document".to_owned()),
                entity_id: Set(None),
                task_id: Set(None),
                unit_id: Set(None),
                payload: Set(serde_json::json!({})),
                created_at: Set(Utc::now()),
                ..Default::default()
            })
            .collect();
        for chunk in rows.chunks(250) {
            entity::events::Entity::insert_many(chunk.to_vec())
                .exec(&db)
                .await
                .expect("events are stored");
        }
        // Until the relay has broadcast them all, so the unread receiver has overflowed.
        for _ in 0..3000 {
            if bus.horizon() == EVENTS {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(bus.horizon(), EVENTS, "the relay broadcast every event");

        // A stream that lost events would wait for more forever: the timeout turns that into a
        // failure (it is no timing assertion; a correct stream has them all at once).
        let heard: Vec<i64> = tokio::time::timeout(
            Duration::from_secs(60),
            events(tail)
                .take(EVENTS as usize)
                .map(|event| event.id)
                .collect(),
        )
        .await
        .expect("the subscriber heard all the events, not only the last 1024");
        assert_eq!(heard, (1..=EVENTS).collect::<Vec<_>>());
    }
}
