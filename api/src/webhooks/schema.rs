//! GraphQL face of webhooks (the bureau's): `webhooks`, `createWebhook`, `pauseWebhook`,
//! `resumeWebhook`, `deleteWebhook`, each webhook with its delivery log.

use async_graphql::{ComplexObject, Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{webhook_deliveries, webhooks};

use crate::events::EventKind;
use crate::graphql::context::{ContextExt, load_all};
use crate::graphql::relay::{Kind, expect_id, global_id};
use crate::webhooks::loaders::{DeliveriesOfWebhook, KindsOfWebhook};
use crate::webhooks::service::{self, Switch};

/// A URL told of events of some kinds, by a POST signed with its secret (see the README for
/// the headers and how to verify them).
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct Webhook {
    pub id: ID,
    pub url: String,
    pub created_at: DateTime<Utc>,
    /// Set while paused: by the bureau, or after repeated failures. Deliveries keep being
    /// queued and are sent, in order, once it is resumed.
    pub paused_at: Option<DateTime<Utc>>,
    /// Failed attempts in a row.
    pub failures: i32,
    #[graphql(skip)]
    pub row_id: i64,
}

impl From<webhooks::Model> for Webhook {
    fn from(w: webhooks::Model) -> Self {
        Self {
            id: global_id(Kind::Webhook, w.id),
            url: w.url,
            created_at: w.created_at,
            paused_at: w.paused_at,
            failures: w.failures,
            row_id: w.id,
        }
    }
}

/// One event for one webhook: queued, attempted, delivered.
#[derive(SimpleObject, Debug, Clone)]
pub struct WebhookDelivery {
    /// Sent as `X-Duban-Delivery` (the same on a repeat): receivers drop what they have seen.
    pub delivery_id: String,
    /// The event's `sequence`.
    pub sequence: i64,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// The receiver's HTTP status at the last attempt, if it answered.
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
}

impl From<webhook_deliveries::Model> for WebhookDelivery {
    fn from(d: webhook_deliveries::Model) -> Self {
        Self {
            delivery_id: d.id.to_string(),
            sequence: d.event_id,
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            last_attempt_at: d.last_attempt_at,
            last_status: d.last_status,
            last_error: d.last_error,
            delivered_at: d.delivered_at,
        }
    }
}

#[ComplexObject]
impl Webhook {
    /// The event kinds it is told of.
    async fn kinds(&self, ctx: &Context<'_>) -> Result<Vec<EventKind>> {
        let rows = ctx
            .loader()
            .load_one(KindsOfWebhook(self.row_id))
            .await?
            .unwrap_or_default();
        Ok(rows
            .iter()
            .filter_map(|k| EventKind::parse(&k.kind))
            .collect())
    }

    /// The latest 100 deliveries, newest first.
    async fn deliveries(&self, ctx: &Context<'_>) -> Result<Vec<WebhookDelivery>> {
        load_all(ctx, DeliveriesOfWebhook(self.row_id)).await
    }
}

#[derive(InputObject, Debug)]
pub struct CreateWebhookInput {
    /// An http or https URL.
    pub url: String,
    pub kinds: Vec<EventKind>,
}

#[derive(SimpleObject, Debug)]
pub struct CreateWebhookPayload {
    pub webhook: Webhook,
    /// Signs every delivery; shown this once.
    pub secret: String,
}

#[derive(SimpleObject, Debug)]
pub struct WebhookPayload {
    pub webhook: Webhook,
}

#[derive(Default)]
pub struct WebhookQuery;

#[Object]
impl WebhookQuery {
    /// The registered webhooks, oldest first (BUREAU).
    async fn webhooks(&self, ctx: &Context<'_>) -> Result<Vec<Webhook>> {
        Ok(service::list(ctx.actor()?, ctx.db())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }
}

#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// Registers a webhook for events of `kinds` (BUREAU). Each event of those kinds committed
    /// from then on is delivered to it, in order.
    async fn create_webhook(
        &self,
        ctx: &Context<'_>,
        input: CreateWebhookInput,
    ) -> Result<CreateWebhookPayload> {
        let (webhook, secret) =
            service::create(ctx.actor()?, ctx.db(), ctx.now(), &input.url, &input.kinds).await?;
        Ok(CreateWebhookPayload {
            webhook: webhook.into(),
            secret,
        })
    }

    /// Stops deliveries to a webhook (BUREAU); they keep being queued.
    async fn pause_webhook(&self, ctx: &Context<'_>, id: ID) -> Result<WebhookPayload> {
        self.switch(ctx, id, Switch::Pause).await
    }

    /// Delivers again, from the oldest queued (BUREAU).
    async fn resume_webhook(&self, ctx: &Context<'_>, id: ID) -> Result<WebhookPayload> {
        self.switch(ctx, id, Switch::Resume).await
    }

    /// Removes a webhook with its queue and log (BUREAU).
    async fn delete_webhook(&self, ctx: &Context<'_>, id: ID) -> Result<WebhookPayload> {
        let id = expect_id("id", &id, Kind::Webhook)?;
        let removed = service::delete(ctx.actor()?, ctx.db(), ctx.now(), id).await?;
        Ok(WebhookPayload {
            webhook: removed.into(),
        })
    }
}

impl WebhookMutation {
    async fn switch(&self, ctx: &Context<'_>, id: ID, switch: Switch) -> Result<WebhookPayload> {
        let id = expect_id("id", &id, Kind::Webhook)?;
        let webhook = service::set_paused(ctx.actor()?, ctx.db(), ctx.now(), id, switch).await?;
        Ok(WebhookPayload {
            webhook: webhook.into(),
        })
    }
}
