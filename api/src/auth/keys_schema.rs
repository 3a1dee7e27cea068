//! GraphQL face of API keys: `apiKeys`, `createApiKey`, `revokeApiKey` (the bureau's). A key is
//! named by its prefix, which is shown in lists and is not a secret.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::api_keys;

use crate::auth::keys::{self, NewKey};
use crate::graphql::context::{ContextExt, load};
use crate::graphql::relay::{Kind, expect_id};
use crate::users::loaders::UserById;
use crate::users::schema::User;

/// An API key of a machine account, without its secret.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct ApiKey {
    /// Names the key: the characters after `duban_` up to the next `_`.
    pub prefix: String,
    pub name: String,
    pub scopes: Vec<String>,
    pub created_at: DateTime<Utc>,
    /// Refused from then on; null: it does not expire.
    pub expires_at: Option<DateTime<Utc>>,
    /// The last request made with it (written at most once a minute).
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// The units the key may report for (with `reports:write`).
    pub unit_ids: Vec<ID>,
    #[graphql(skip)]
    pub user_id: i64,
}

impl From<api_keys::Model> for ApiKey {
    fn from(k: api_keys::Model) -> Self {
        Self {
            prefix: k.prefix,
            name: k.name,
            scopes: serde_json::from_value(k.scopes).unwrap_or_default(),
            created_at: k.created_at,
            expires_at: k.expires_at,
            last_used_at: k.last_used_at,
            revoked_at: k.revoked_at,
            unit_ids: k
                .unit_ids
                .and_then(|json| serde_json::from_value::<Vec<i64>>(json).ok())
                .unwrap_or_default()
                .into_iter()
                .map(|id| crate::graphql::relay::global_id(Kind::Unit, id))
                .collect(),
            user_id: k.user_id,
        }
    }
}

#[async_graphql::ComplexObject]
impl ApiKey {
    /// The machine account the key acts as.
    async fn user(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        load(ctx, UserById(self.user_id)).await
    }
}

#[derive(InputObject, Debug)]
pub struct CreateApiKeyInput {
    /// The machine account (role SERVICE).
    pub user_id: ID,
    /// What the key is for (`市统计局数据交换`).
    pub name: String,
    /// Among the account's scopes: `tasks:read`, `reports:read`, `reports:write`,
    /// `indicators:write`, `events:read`, `admin`.
    pub scopes: Vec<String>,
    pub expires_at: Option<DateTime<Utc>>,
    /// Units the key may write reports for (`onBehalfOfUnitId` of `submitReport` and
    /// `saveReportDraft`); it needs `reports:write`.
    #[graphql(default)]
    pub unit_ids: Vec<ID>,
}

/// A new key, and the key itself: shown this once, never again.
#[derive(SimpleObject, Debug)]
pub struct CreateApiKeyPayload {
    pub api_key: ApiKey,
    /// Send it as `Authorization: Bearer <key>`. Only its hash is kept.
    pub key: String,
}

#[derive(SimpleObject, Debug)]
pub struct RevokeApiKeyPayload {
    pub api_key: ApiKey,
}

#[derive(Default)]
pub struct ApiKeyQuery;

#[Object]
impl ApiKeyQuery {
    /// A machine account's API keys, newest first (BUREAU).
    async fn api_keys(&self, ctx: &Context<'_>, user_id: ID) -> Result<Vec<ApiKey>> {
        let actor = ctx.actor()?;
        let user_id = expect_id("userId", &user_id, Kind::User)?;
        Ok(keys::list(actor, ctx.db(), user_id)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }
}

#[derive(Default)]
pub struct ApiKeyMutation;

#[Object]
impl ApiKeyMutation {
    /// Issues an API key for a machine account (BUREAU). Its scopes must be among the
    /// account's (`User.scopes`); narrowing the account's narrows its keys at once.
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        input: CreateApiKeyInput,
    ) -> Result<CreateApiKeyPayload> {
        let actor = ctx.actor()?;
        let (stored, key) = keys::create(
            actor,
            ctx.db(),
            ctx.now(),
            NewKey {
                user_id: expect_id("input.userId", &input.user_id, Kind::User)?,
                name: input.name,
                scopes: input.scopes,
                expires_at: input.expires_at,
                unit_ids: crate::graphql::relay::expect_ids(
                    "input.unitIds",
                    &input.unit_ids,
                    Kind::Unit,
                )?,
            },
        )
        .await?;
        Ok(CreateApiKeyPayload {
            api_key: stored.into(),
            key,
        })
    }

    /// Revokes an API key at once (BUREAU): the next request with it is refused.
    async fn revoke_api_key(
        &self,
        ctx: &Context<'_>,
        prefix: String,
    ) -> Result<RevokeApiKeyPayload> {
        let actor = ctx.actor()?;
        let revoked = keys::revoke(actor, ctx.db(), ctx.now(), &prefix).await?;
        Ok(RevokeApiKeyPayload {
            api_key: revoked.into(),
        })
    }
}
