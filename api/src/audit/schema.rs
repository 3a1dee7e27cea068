//! GraphQL face of the audit trail (bureau only).

use async_graphql::{ComplexObject, Context, ID, InputObject, Json, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::audit_log;

use crate::audit::service::{self, AuditFilter};
use crate::graphql::context::{ContextExt, load};
use crate::graphql::relay::{self, Conn, Kind, expect_optional_id};
use crate::users::loaders::UserById;
use crate::users::schema::User;

/// One recorded change.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct AuditEntry {
    pub id: ID,
    /// The username at the time, or `system`.
    pub actor_name: String,
    /// What was done, e.g. `task.update`.
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<i64>,
    pub before: Option<Json<serde_json::Value>>,
    pub after: Option<Json<serde_json::Value>>,
    pub created_at: DateTime<Utc>,
    #[graphql(skip)]
    pub actor_user_id: Option<i64>,
}

impl From<audit_log::Model> for AuditEntry {
    fn from(a: audit_log::Model) -> Self {
        Self {
            id: relay::global_id(Kind::AuditEntry, a.id),
            actor_name: a.actor,
            action: a.action,
            entity_type: a.entity_type,
            entity_id: a.entity_id,
            before: a.before.map(Json),
            after: a.after.map(Json),
            created_at: a.created_at,
            actor_user_id: a.actor_user_id,
        }
    }
}

#[ComplexObject]
impl AuditEntry {
    async fn actor(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Some(id) = self.actor_user_id else {
            return Ok(None);
        };
        load(ctx, UserById(id)).await
    }
}

#[derive(InputObject, Debug, Default)]
#[graphql(name = "AuditFilter")]
pub struct AuditFilterInput {
    /// `task`, `unit`, `leader`, `document`, `category`, `user`.
    pub entity_type: Option<String>,
    pub entity_id: Option<i64>,
    pub actor_id: Option<ID>,
    pub action: Option<String>,
}

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// Recorded changes, newest first. Bureau only.
    #[graphql(complexity = "relay::connection_complexity(first, child_complexity)")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        filter: Option<AuditFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<AuditEntry>> {
        let actor = ctx.actor()?;
        let page = relay::page_request(first, after.as_deref())?;
        let filter = filter.unwrap_or_default();
        let filter = AuditFilter {
            entity_type: filter.entity_type,
            entity_id: filter.entity_id,
            actor_user_id: expect_optional_id(
                "filter.actorId",
                filter.actor_id.as_ref(),
                Kind::User,
            )?,
            action: filter.action,
        };
        Ok(relay::connection(
            service::list(actor, ctx.db(), filter, page).await?,
        ))
    }
}
