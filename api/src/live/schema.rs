//! The `events` subscription: committed events the subscriber may read, as they happen.

use std::collections::VecDeque;
use std::sync::Arc;

use async_graphql::{Context, ID, Json, Result, SimpleObject, Subscription};
use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};

use crate::error::AppError;
use crate::events::{self, EntityType, EventKind};
use crate::graphql::context::{ContextExt, load};
use crate::graphql::relay::{self, Kind, expect_id};
use crate::live::SessionEnd;
use crate::live::access::current;
use crate::live::relay::EventBus;
use crate::live::tail::{self, Filter, REPLAY_MAX, Tail};
use crate::tasks::loaders::VisibleTaskById;
use crate::tasks::schema::Task;
use crate::units::loaders::UnitById;
use crate::units::schema::Unit;

/// Something that happened: a report submitted or returned, a reminder sent, a task's status
/// changed, … `kind` names it (`REPORT_SUBMITTED`, `REPORT_RETURNED`, `REMINDER_SENT`,
/// `TASK_STATUS_CHANGED`, `TASK_COMPLETED`, `EXTENSION_APPROVED`, `INSTRUCTION_WRITTEN`, …).
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct LiveEvent {
    /// Increases with every event; a client that reconnects can tell what it has seen.
    pub sequence: i64,
    pub kind: EventKind,
    /// The kind of object it concerns, and its global ID.
    pub entity_type: EntityType,
    pub entity_id: Option<ID>,
    /// The change's details as recorded, with keys in camelCase and ids as global IDs (a row
    /// with no global ID of its own keeps its number as `id`).
    pub payload: Json<serde_json::Value>,
    pub occurred_at: DateTime<Utc>,
    #[graphql(skip)]
    pub task_id: Option<i64>,
    #[graphql(skip)]
    pub unit_id: Option<i64>,
}

impl LiveEvent {
    /// The event of a stored row, unless its kind is one this version does not know (written by
    /// a newer instance during a rolling upgrade): that one is skipped, and logged.
    fn read(e: &entity::events::Model) -> Option<Self> {
        let Some(kind) = EventKind::parse(&e.kind) else {
            tracing::warn!(sequence = e.id, kind = %e.kind, "skipped an event of an unknown kind");
            return None;
        };
        let Some(entity_type) = EntityType::parse(&e.entity_type) else {
            tracing::warn!(sequence = e.id, entity_type = %e.entity_type, "skipped an event about an unknown entity type");
            return None;
        };
        let row = Some(events::schema::kind_of(entity_type));
        Some(Self {
            sequence: e.id,
            kind,
            entity_type,
            entity_id: e
                .entity_id
                .map(|id| relay::global_id(events::schema::kind_of(entity_type), id)),
            payload: Json(events::schema::present(&e.payload, row)),
            occurred_at: e.created_at,
            task_id: e.task_id,
            unit_id: e.unit_id,
        })
    }
}

#[async_graphql::ComplexObject]
impl LiveEvent {
    /// The task it concerns, if any.
    async fn task(&self, ctx: &Context<'_>) -> Result<Option<Task>> {
        let Some(id) = self.task_id else {
            return Ok(None);
        };
        load(ctx, VisibleTaskById(id)).await
    }

    /// The unit it is addressed to or comes from, if any.
    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        let Some(id) = self.unit_id else {
            return Ok(None);
        };
        load(ctx, UnitById(id)).await
    }
}

/// A page of the change feed.
#[derive(SimpleObject, Debug)]
pub struct ChangePage {
    /// The events of the page the caller may read, oldest first.
    pub changes: Vec<LiveEvent>,
    /// Where the next page starts: pass it as `after`. Store it once the page is processed;
    /// it moves past events the caller may not read too, so it can be ahead of the last
    /// change's `sequence`.
    pub end_cursor: String,
    /// Whether more events are there now; when false, ask again later with `endCursor`.
    pub has_more: bool,
}

#[derive(Default)]
pub struct FeedQuery;

#[async_graphql::Object]
impl FeedQuery {
    /// The change feed: every committed event the caller may read, in sequence order, each
    /// once, after the cursor `after` (none: from the start). A system that keeps `endCursor`
    /// and asks again with it never misses or repeats a change, across restarts and with
    /// several server instances: a page only reaches as far as every earlier event has
    /// committed. The same events and rules as the `events` subscription. A page reads at most
    /// 5,000 events and returns at most `first` (1–500, default 100).
    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn changes(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        #[graphql(default = 100)] first: i32,
    ) -> Result<ChangePage> {
        let actor = ctx.actor()?;
        let after = match after.as_deref() {
            None | Some("") => 0,
            Some(cursor) => cursor
                .parse::<i64>()
                .map_err(|_| AppError::bad_field("after", "is not a cursor of this feed"))?,
        };
        let first = u64::try_from(first).unwrap_or(0);
        let bus = ctx.data_unchecked::<EventBus>();
        let page = crate::live::feed::changes(actor, ctx.db(), bus.horizon(), after, first).await?;
        Ok(ChangePage {
            changes: page.events.iter().filter_map(LiveEvent::read).collect(),
            end_cursor: page.end.to_string(),
            has_more: page.has_more,
        })
    }
}

#[derive(Default)]
pub struct LiveSubscription;

#[Subscription]
impl LiveSubscription {
    /// Events as they are committed, only those the subscriber may read: the bureau hears
    /// everything (submissions among them); a unit hears what is addressed to it (reminders,
    /// returns, decisions on its requests) and task-wide changes of its tasks; a leader hears
    /// the changes to their tasks. Optionally only some kinds, or one task's.
    ///
    /// `after`: the last `sequence` the client saw; the events committed since (up to 1000) are
    /// sent first, then the live ones, with none missed or repeated in between. A client that
    /// reconnects passes it to lose nothing.
    async fn events(
        &self,
        ctx: &Context<'_>,
        kinds: Option<Vec<EventKind>>,
        task_id: Option<ID>,
        after: Option<i64>,
    ) -> Result<impl Stream<Item = LiveEvent> + use<>> {
        // The socket's principal was read at `connection_init`; its session may have been
        // signed out since (a socket outlives its access token), which closes the socket.
        let session_end = ctx.data_opt::<SessionEnd>().cloned();
        // A subscription's root field does not pass the per-field hooks (`schema::fields`): an
        // API key's scope is checked here.
        ctx.actor()?
            .require_scope(crate::auth::scopes::ApiScope::EventsRead)?;
        let Some(actor) = current(ctx.db(), ctx.actor()?, ctx.now()).await? else {
            if let Some(end) = &session_end {
                end.ring();
            }
            return Err(AppError::Unauthenticated(
                "this session was signed out; sign in again".to_owned(),
            )
            .into());
        };
        let filter = Filter {
            kinds: kinds.unwrap_or_default(),
            task_id: task_id
                .map(|id| expect_id("taskId", &id, Kind::Task))
                .transpose()?,
        };
        let db = ctx.db().clone();
        // Subscribe before reading the backlog, so that nothing committed in between is lost;
        // what arrives twice is dropped by its sequence.
        let bus = ctx.data_unchecked::<EventBus>().clone();
        let receiver = bus.subscribe();
        let backlog: VecDeque<Arc<entity::events::Model>> = match after {
            Some(after) => crate::live::relay::since(&db, after, bus.horizon(), REPLAY_MAX)
                .await?
                .into_iter()
                .map(Arc::new)
                .collect(),
            None => VecDeque::new(),
        };
        let state = Tail {
            receiver,
            bus,
            backlog,
            last: after.unwrap_or(0),
            catching_up: false,
            actor,
            checked_at: ctx.now(),
            clock: ctx.app().clock.clone(),
            db,
            filter,
            session_end,
            _counted: crate::metrics::Subscriber::open(),
        };
        Ok(tail::events(state)
            .filter_map(|event| std::future::ready(LiveEvent::read(event.as_ref()))))
    }
}
