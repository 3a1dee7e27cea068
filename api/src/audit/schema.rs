//! GraphQL face of the audit trail (bureau only). Rows show their action and entity type as
//! enums and their ids as global IDs; `before` and `after` are presented as events' payloads are
//! (`events::schema::present`), the stored record untouched.

use async_graphql::{ComplexObject, Context, ID, InputObject, Json, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::audit_log;

use crate::audit::service::{self, AuditAction, AuditFilter};
use crate::error::AppError;
use crate::events::{self, EntityType};
use crate::graphql::context::{ContextExt, load};
use crate::graphql::relay::{self, Conn, Kind, expect_optional_id, parse_global_id};
use crate::users::loaders::UserById;
use crate::users::schema::User;

/// One recorded change.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct AuditEntry {
    pub id: ID,
    /// The username at the time, or `system`.
    pub actor_name: String,
    /// What was done.
    pub action: AuditAction,
    /// The kind of object it was done to (none for a few system actions, such as seeding), and
    /// its global ID.
    pub entity_type: Option<EntityType>,
    pub entity_id: Option<ID>,
    /// The state before and after, with keys in camelCase and ids as global IDs.
    pub before: Option<Json<serde_json::Value>>,
    pub after: Option<Json<serde_json::Value>>,
    pub created_at: DateTime<Utc>,
    #[graphql(skip)]
    pub actor_user_id: Option<i64>,
}

impl TryFrom<audit_log::Model> for AuditEntry {
    type Error = AppError;

    fn try_from(a: audit_log::Model) -> Result<Self, AppError> {
        let action = AuditAction::parse(&a.action).ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("audit row {} has an unknown action", a.id))
        })?;
        let entity_type = EntityType::parse(&a.entity_type);
        // What the stored rows at the top of the payload are: the entity's own, except where an
        // action records a list of other rows about it.
        let rows = match action {
            AuditAction::PeriodGenerate => Some(Kind::Period),
            _ => entity_type.map(events::schema::kind_of),
        };
        let present = |value: Option<serde_json::Value>| {
            value.map(|value| Json(events::schema::present(&value, rows)))
        };
        Ok(Self {
            id: relay::global_id(Kind::AuditEntry, a.id),
            actor_name: a.actor,
            action,
            entity_type,
            entity_id: events::schema::entity_id(&a.entity_type, a.entity_id),
            before: present(a.before),
            after: present(a.after),
            created_at: a.created_at,
            actor_user_id: a.actor_user_id,
        })
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
    pub entity_type: Option<EntityType>,
    /// The global ID of the object (of any kind changes are recorded about).
    pub entity_id: Option<ID>,
    pub actor_id: Option<ID>,
    pub action: Option<AuditAction>,
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
        let page = relay::page_request(ctx, first, after.as_deref())?;
        let filter = filter.unwrap_or_default();
        let mut entity_type = filter.entity_type;
        let entity_id = match &filter.entity_id {
            None => None,
            Some(id) => {
                let bad = || {
                    AppError::bad_field(
                        "filter.entityId",
                        format!(
                            "`{}` is not the ID of an object changes are recorded about",
                            id.as_str()
                        ),
                    )
                };
                let (kind, raw) = parse_global_id(id).ok_or_else(bad)?;
                let entity = events::schema::entity_of(kind).ok_or_else(bad)?;
                if entity_type.is_some_and(|given| given != entity) {
                    return Err(AppError::bad_field(
                        "filter.entityId",
                        "the ID is not of the entity type the filter names",
                    )
                    .into());
                }
                entity_type = Some(entity);
                Some(raw)
            }
        };
        let filter = AuditFilter {
            entity_type,
            entity_id,
            actor_user_id: expect_optional_id(
                "filter.actorId",
                filter.actor_id.as_ref(),
                Kind::User,
            )?,
            action: filter.action,
        };
        let page = service::list(actor, ctx.db(), filter, page).await?;
        Ok(relay::connection(page.try_map(AuditEntry::try_from)?))
    }
}
