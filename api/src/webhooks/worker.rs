//! Delivering the outbox (`webhook_deliveries`). Each run, for every webhook with a delivery
//! due, the instance takes the webhook's lease (a conditional update of its row: one instance
//! at a time, and another takes over once a lease lapses, after a crash), then sends that
//! webhook's deliveries oldest event first. A failure (no answer, or not 2xx) stops the
//! webhook's run, so that nothing overtakes it: its next attempt waits an exponential backoff
//! with jitter, and after `PAUSE_AFTER` failures in a row the webhook is paused until the bureau
//! resumes it. The request that caused an event never waits for any of this.
//!
//! A delivery is marked delivered after its 2xx answer: a crash in between sends it again
//! (at least once), with the same `X-Duban-Delivery` id.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use entity::{events, webhook_deliveries, webhooks};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::signature;
use crate::clock::SharedClock;
use crate::error::AppResult;
use crate::events::EntityType;
use crate::graphql::relay::{Kind, global_id};

/// Failures in a row after which a webhook is paused.
pub const PAUSE_AFTER: i32 = 8;

/// How long a lease lasts: longer than a delivery's timeout, renewed at each delivery.
const LEASE: Duration = Duration::seconds(60);

/// How long a receiver has to answer.
const TIMEOUT: StdDuration = StdDuration::from_secs(10);

/// Deliveries sent per webhook in one run, so that one busy webhook does not hold the others.
const PER_RUN: usize = 200;

/// Runs the worker every `interval` for as long as the server runs.
pub async fn schedule(
    db: DatabaseConnection,
    clock: SharedClock,
    interval: StdDuration,
    gateway: Option<(String, String)>,
) {
    let owner = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4());
    let client = match reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Duban-Webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
    {
        Ok(client) => client,
        Err(err) => {
            tracing::error!(error = %err, "webhooks are not delivered: no HTTP client");
            return;
        }
    };
    // Notifications to other channels leave on the same runs, through the gateway if one is
    // configured.
    let notifier = gateway.map(|(url, secret)| crate::notify::gateway::HttpGateway {
        url,
        secret,
        client: client.clone(),
    });
    loop {
        if let Err(err) = run(&db, &client, &clock, &owner).await {
            tracing::warn!(error = %err, "webhook deliveries failed; retrying at the next run");
        }
        let notifier = notifier
            .as_ref()
            .map(|n| n as &dyn crate::notify::gateway::Notifier);
        if let Err(err) = crate::notify::worker::run(&db, notifier, &clock).await {
            tracing::warn!(error = %err, "notifications failed; retrying at the next run");
        }
        tokio::time::sleep(interval).await;
    }
}

/// One run: every webhook with a delivery due whose lease this instance gets.
pub async fn run(
    db: &DatabaseConnection,
    client: &reqwest::Client,
    clock: &SharedClock,
    owner: &str,
) -> AppResult<usize> {
    let now = clock.now();
    let due: Vec<i64> = webhook_deliveries::Entity::find()
        .select_only()
        .column(webhook_deliveries::Column::WebhookId)
        .filter(webhook_deliveries::Column::DeliveredAt.is_null())
        .filter(webhook_deliveries::Column::NextAttemptAt.lte(now))
        .distinct()
        .limit(100)
        .into_tuple()
        .all(db)
        .await?;
    let mut sent = 0;
    for webhook_id in due {
        let Some(webhook) = lease(db, webhook_id, owner, now).await? else {
            continue;
        };
        let outcome = deliver(db, client, clock, owner, &webhook).await;
        release(db, webhook_id, owner).await?;
        sent += outcome?;
    }
    Ok(sent)
}

/// Takes the webhook's lease if it is free (or already ours) and it is not paused.
async fn lease(
    db: &DatabaseConnection,
    id: i64,
    owner: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<webhooks::Model>> {
    let taken = webhooks::Entity::update_many()
        .col_expr(webhooks::Column::LeaseOwner, Expr::value(owner))
        .col_expr(webhooks::Column::LeaseUntil, Expr::value(now + LEASE))
        .filter(webhooks::Column::Id.eq(id))
        .filter(webhooks::Column::PausedAt.is_null())
        .filter(
            Condition::any()
                .add(webhooks::Column::LeaseUntil.is_null())
                .add(webhooks::Column::LeaseUntil.lt(now))
                .add(webhooks::Column::LeaseOwner.eq(owner)),
        )
        .exec(db)
        .await?;
    if taken.rows_affected == 0 {
        return Ok(None);
    }
    Ok(webhooks::Entity::find_by_id(id).one(db).await?)
}

async fn release(db: &DatabaseConnection, id: i64, owner: &str) -> AppResult<()> {
    webhooks::Entity::update_many()
        .col_expr(
            webhooks::Column::LeaseOwner,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            webhooks::Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(webhooks::Column::Id.eq(id))
        .filter(webhooks::Column::LeaseOwner.eq(owner))
        .exec(db)
        .await?;
    Ok(())
}

/// Sends the webhook's due deliveries in event order until one fails or none is due.
async fn deliver(
    db: &DatabaseConnection,
    client: &reqwest::Client,
    clock: &SharedClock,
    owner: &str,
    webhook: &webhooks::Model,
) -> AppResult<usize> {
    let mut sent = 0;
    let mut failures = webhook.failures;
    while sent < PER_RUN {
        let now = clock.now();
        let Some(delivery) = webhook_deliveries::Entity::find()
            .filter(webhook_deliveries::Column::WebhookId.eq(webhook.id))
            .filter(webhook_deliveries::Column::DeliveredAt.is_null())
            .order_by_asc(webhook_deliveries::Column::EventId)
            .one(db)
            .await?
        else {
            break;
        };
        // The oldest waits for its next attempt: nothing after it may overtake it.
        if delivery.next_attempt_at > now {
            break;
        }
        let Some(event) = events::Entity::find_by_id(delivery.event_id)
            .one(db)
            .await?
        else {
            break;
        };
        let body = serde_json::to_vec(&body(&delivery, &event)).unwrap_or_default();
        let signed = signature::sign(&webhook.secret, now.timestamp(), &body);
        let answer = client
            .post(&webhook.url)
            .header("content-type", "application/json")
            .header(signature::HEADER, signed)
            .header("x-duban-delivery", delivery.id.to_string())
            .header("x-duban-event", event.kind.clone())
            .body(body)
            .send()
            .await;
        let now = clock.now();
        let (status, error) = match &answer {
            Ok(response) => (Some(i32::from(response.status().as_u16())), None),
            Err(err) => (None, Some(err.to_string())),
        };
        let ok = status.is_some_and(|s| (200..300).contains(&s));
        let mut update = webhook_deliveries::Entity::update_many()
            .col_expr(
                webhook_deliveries::Column::Attempts,
                Expr::value(delivery.attempts + 1),
            )
            .col_expr(webhook_deliveries::Column::LastAttemptAt, Expr::value(now))
            .col_expr(webhook_deliveries::Column::LastStatus, Expr::value(status))
            .col_expr(webhook_deliveries::Column::LastError, Expr::value(error))
            .filter(webhook_deliveries::Column::Id.eq(delivery.id));
        if ok {
            update = update.col_expr(webhook_deliveries::Column::DeliveredAt, Expr::value(now));
        } else {
            update = update.col_expr(
                webhook_deliveries::Column::NextAttemptAt,
                Expr::value(now + super::retry::backoff(delivery.attempts)),
            );
        }
        update.exec(db).await?;
        failures = if ok { 0 } else { failures + 1 };
        let mut row = webhooks::Entity::update_many()
            .col_expr(webhooks::Column::Failures, Expr::value(failures))
            .col_expr(webhooks::Column::LeaseUntil, Expr::value(now + LEASE))
            .filter(webhooks::Column::Id.eq(webhook.id))
            .filter(webhooks::Column::LeaseOwner.eq(owner));
        if failures >= PAUSE_AFTER {
            row = row.col_expr(webhooks::Column::PausedAt, Expr::value(now));
            tracing::warn!(
                webhook = webhook.id,
                failures,
                "webhook paused after repeated failures"
            );
        }
        row.exec(db).await?;
        if !ok {
            crate::metrics::webhook_failed();
            break;
        }
        sent += 1;
    }
    Ok(sent)
}

/// What a delivery carries: its id (the same on a repeat) and the event as the API shows
/// events (global IDs, camelCase payload).
fn body(delivery: &webhook_deliveries::Model, event: &events::Model) -> serde_json::Value {
    let entity_type = EntityType::parse(&event.entity_type);
    let kind_of = entity_type.map(crate::events::schema::kind_of);
    // Kinds and types by their names in the schema (`REMINDER_SENT`, `REMINDER`).
    let name = |value: async_graphql::Value, stored: &str| match value {
        async_graphql::Value::Enum(name) => name.to_string(),
        _ => stored.to_owned(),
    };
    let kind = crate::events::EventKind::parse(&event.kind).map_or_else(
        || event.kind.clone(),
        |k| name(async_graphql::InputType::to_value(&k), &event.kind),
    );
    let shown_type = entity_type.map_or_else(
        || event.entity_type.clone(),
        |t| name(async_graphql::InputType::to_value(&t), &event.entity_type),
    );
    serde_json::json!({
        "deliveryId": delivery.id.to_string(),
        "event": {
            "sequence": event.id,
            "kind": kind,
            "entityType": shown_type,
            "entityId": match (kind_of, event.entity_id) {
                (Some(kind), Some(id)) => Some(global_id(kind, id).0),
                _ => None,
            },
            "taskId": event.task_id.map(|id| global_id(Kind::Task, id).0),
            "unitId": event.unit_id.map(|id| global_id(Kind::Unit, id).0),
            "occurredAt": event.created_at,
            "payload": crate::events::schema::present(&event.payload, kind_of),
        },
    })
}
