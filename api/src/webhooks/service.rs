//! The bureau's webhooks: registered with a URL and the event kinds wanted (the secret that
//! signs their deliveries shown once), paused and resumed, removed. Every change is audited
//! (`webhook.*`); webhooks are the bureau's alone to see.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use entity::{webhook_deliveries, webhook_kinds, webhooks};
use rand::Rng;
use rand::distr::Alphanumeric;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};

use crate::audit::action::Private;
use crate::audit::service::{self as audit, Change};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::events::{EntityType, EventKind};

/// The longest URL accepted.
const URL_MAX: usize = 2000;

/// Checks a webhook URL: absolute, `http` or `https`, with a host, no credentials.
pub fn validated_url(url: &str) -> AppResult<String> {
    let url = url.trim();
    if url.len() > URL_MAX {
        return Err(AppError::bad_field(
            "url",
            format!("at most {URL_MAX} characters"),
        ));
    }
    let parsed = reqwest::Url::parse(url)
        .map_err(|err| AppError::bad_field("url", format!("is not a URL ({err})")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return Err(AppError::bad_field(
            "url",
            "must be an http or https URL with a host",
        ));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(AppError::bad_field(
            "url",
            "must not carry credentials (the signature authenticates deliveries)",
        ));
    }
    Ok(parsed.to_string())
}

/// Registers a webhook (BUREAU); returns it with its secret, shown this once.
pub async fn create(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    url: &str,
    kinds: &[EventKind],
) -> AppResult<(webhooks::Model, String)> {
    actor.require_bureau()?;
    let url = validated_url(url)?;
    let kinds: BTreeSet<&'static str> = kinds.iter().map(|k| k.as_str()).collect();
    if kinds.is_empty() {
        return Err(AppError::bad_field("kinds", "name at least one event kind"));
    }
    let secret: String = format!(
        "whsec_{}",
        rand::rng()
            .sample_iter(&Alphanumeric)
            .take(40)
            .map(char::from)
            .collect::<String>()
    );
    let txn = db.begin().await?;
    let stored = webhooks::ActiveModel {
        url: Set(url),
        secret: Set(secret.clone()),
        failures: Set(0),
        paused_at: Set(None),
        lease_owner: Set(None),
        lease_until: Set(None),
        created_by: Set(actor.user_id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    webhook_kinds::Entity::insert_many(kinds.iter().map(|kind| webhook_kinds::ActiveModel {
        webhook_id: Set(stored.id),
        kind: Set((*kind).to_owned()),
        ..Default::default()
    }))
    .exec_without_returning(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        now,
        Change::after(
            Private::WebhookCreate,
            EntityType::Webhook,
            Some(stored.id),
            &serde_json::json!({ "webhook": stored, "kinds": kinds }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok((stored, secret))
}

/// What the bureau can do to a webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Switch {
    /// Stop delivering; deliveries keep being queued.
    Pause,
    /// Deliver again, everything queued meanwhile, in order, at once.
    Resume,
}

/// Pauses or resumes a webhook (BUREAU).
pub async fn set_paused(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    id: i64,
    switch: Switch,
) -> AppResult<webhooks::Model> {
    actor.require_bureau()?;
    let txn = db.begin().await?;
    let before = webhooks::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("webhook"))?;
    let mut row: webhooks::ActiveModel = before.clone().into();
    let action = match switch {
        Switch::Pause => {
            row.paused_at = Set(Some(before.paused_at.unwrap_or(now)));
            Private::WebhookPause
        }
        Switch::Resume => {
            row.paused_at = Set(None);
            row.failures = Set(0);
            // What waits for a later attempt is tried now.
            webhook_deliveries::Entity::update_many()
                .col_expr(webhook_deliveries::Column::NextAttemptAt, Expr::value(now))
                .filter(webhook_deliveries::Column::WebhookId.eq(id))
                .filter(webhook_deliveries::Column::DeliveredAt.is_null())
                .exec(&txn)
                .await?;
            Private::WebhookResume
        }
    };
    let after = row.update(&txn).await?;
    audit::record(
        &txn,
        actor,
        now,
        Change::diff(action, EntityType::Webhook, Some(id), &before, &after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// Removes a webhook and its queue and log (BUREAU).
pub async fn delete(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    id: i64,
) -> AppResult<webhooks::Model> {
    actor.require_bureau()?;
    let txn = db.begin().await?;
    let before = webhooks::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("webhook"))?;
    // Children first: SQLite's cascades need its foreign keys pragma, which is on, but the
    // order says what goes.
    webhook_deliveries::Entity::delete_many()
        .filter(webhook_deliveries::Column::WebhookId.eq(id))
        .exec(&txn)
        .await?;
    webhook_kinds::Entity::delete_many()
        .filter(webhook_kinds::Column::WebhookId.eq(id))
        .exec(&txn)
        .await?;
    webhooks::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(
        &txn,
        actor,
        now,
        Change::diff(
            Private::WebhookDelete,
            EntityType::Webhook,
            Some(id),
            &before,
            &(),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(before)
}

/// Every webhook, oldest first (BUREAU).
pub async fn list(actor: &Principal, db: &impl ConnectionTrait) -> AppResult<Vec<webhooks::Model>> {
    actor.require_bureau()?;
    Ok(webhooks::Entity::find()
        .order_by_asc(webhooks::Column::Id)
        .all(db)
        .await?)
}

/// The webhooks among `ids` that `actor` may read (the bureau all, others none), for `node`.
pub async fn readable_by_ids(
    actor: &Principal,
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, webhooks::Model>> {
    if !actor.is_bureau() {
        return Ok(HashMap::new());
    }
    Ok(webhooks::Entity::find()
        .filter(webhooks::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|w| (w.id, w))
        .collect())
}

/// The kinds each webhook wants, as stored, for its loader.
pub async fn kinds_of(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, Vec<webhook_kinds::Model>>> {
    let mut out: HashMap<i64, Vec<webhook_kinds::Model>> = HashMap::new();
    for row in webhook_kinds::Entity::find()
        .filter(webhook_kinds::Column::WebhookId.is_in(ids.iter().copied()))
        .order_by_asc(webhook_kinds::Column::Id)
        .all(db)
        .await?
    {
        out.entry(row.webhook_id).or_default().push(row);
    }
    Ok(out)
}

/// How many deliveries a webhook's log shows.
pub const DELIVERIES_SHOWN: u64 = 100;

/// The latest deliveries of each webhook, newest first, at most `DELIVERIES_SHOWN` each: a
/// statement per webhook, of which the bureau has a handful.
pub async fn deliveries_of(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, Vec<webhook_deliveries::Model>>> {
    let mut out = HashMap::new();
    for &id in ids {
        let rows = webhook_deliveries::Entity::find()
            .filter(webhook_deliveries::Column::WebhookId.eq(id))
            .order_by_desc(webhook_deliveries::Column::EventId)
            .limit(DELIVERIES_SHOWN)
            .all(db)
            .await?;
        out.insert(id, rows);
    }
    Ok(out)
}
