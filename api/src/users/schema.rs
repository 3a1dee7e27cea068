//! GraphQL face of user accounts. The `User` type has no password field of any kind.

use async_graphql::{
    ComplexObject, Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject,
};
use chrono::{DateTime, Utc};
use entity::users;

use crate::graphql::context::{ContextExt, load};
use crate::graphql::enums::{Role, UnitPost};
use crate::graphql::relay::{self, Conn, Kind, expect_id, expect_optional_id};
use crate::leaders::loaders::LeaderById;
use crate::leaders::schema::Leader;
use crate::units::loaders::UnitById;
use crate::units::schema::Unit;
use crate::users::service::{self, NewUser, UserChanges, UserSearch};

/// A person or machine that signs in.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct User {
    pub id: ID,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub is_active: bool,
    /// Always null: accounts are no longer locked after failed sign-ins (attempts are
    /// throttled per client address instead).
    #[graphql(deprecation = "accounts are no longer locked; sign-ins are throttled per address")]
    pub locked_until: Option<DateTime<Utc>>,
    pub last_login_at: Option<DateTime<Utc>>,
    /// What a SERVICE account may do.
    pub scopes: Vec<String>,
    /// A unit account's post: its clerk (经办人) or its head (单位负责人).
    pub unit_post: Option<UnitPost>,
    pub created_at: DateTime<Utc>,
    #[graphql(skip)]
    pub unit_id: Option<i64>,
    #[graphql(skip)]
    pub leader_id: Option<i64>,
}

impl From<users::Model> for User {
    fn from(u: users::Model) -> Self {
        Self {
            id: relay::global_id(Kind::User, u.id),
            username: u.username,
            display_name: u.display_name,
            role: u.role.into(),
            is_active: u.is_active,
            locked_until: u.locked_until,
            last_login_at: u.last_login_at,
            scopes: serde_json::from_value(u.scopes).unwrap_or_default(),
            unit_post: u.unit_post.map(Into::into),
            created_at: u.created_at,
            unit_id: u.unit_id,
            leader_id: u.leader_id,
        }
    }
}

#[ComplexObject]
impl User {
    /// The unit of a UNIT user.
    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        let Some(id) = self.unit_id else {
            return Ok(None);
        };
        load(ctx, UnitById(id)).await
    }

    /// The leader a LEADER user is.
    async fn leader(&self, ctx: &Context<'_>) -> Result<Option<Leader>> {
        let Some(id) = self.leader_id else {
            return Ok(None);
        };
        load(ctx, LeaderById(id)).await
    }
}

#[derive(Default)]
pub struct UserQuery;

#[Object]
impl UserQuery {
    /// The signed-in user.
    async fn me(&self, ctx: &Context<'_>) -> Result<User> {
        let actor = ctx.actor()?;
        let id = actor
            .user_id
            .ok_or_else(|| crate::error::AppError::not_found("user"))?;
        Ok(service::get(actor, ctx.db(), id).await?.into())
    }

    /// All accounts. Bureau only.
    #[graphql(complexity = "relay::connection_complexity(first, child_complexity)")]
    async fn users(
        &self,
        ctx: &Context<'_>,
        role: Option<Role>,
        unit_id: Option<ID>,
        #[graphql(desc = "Part of the username or display name.")] search: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<User>> {
        let actor = ctx.actor()?;
        let page = relay::page_request(ctx, first, after.as_deref())?;
        let search = UserSearch {
            role: role.map(Into::into),
            unit_id: expect_optional_id("unitId", unit_id.as_ref(), Kind::Unit)?,
            text: search,
        };
        Ok(relay::connection(
            service::list(actor, ctx.db(), search, page).await?,
        ))
    }
}

#[derive(InputObject, Debug)]
pub struct CreateUserInput {
    pub username: String,
    pub display_name: Option<String>,
    /// At least 8 characters.
    pub password: String,
    pub role: Role,
    /// Required for UNIT users.
    pub unit_id: Option<ID>,
    /// Required for LEADER users.
    pub leader_id: Option<ID>,
    #[graphql(default)]
    pub scopes: Vec<String>,
    /// For a UNIT account of a unit that signs its reports off: CLERK or HEAD.
    pub unit_post: Option<UnitPost>,
}

#[derive(InputObject, Debug)]
pub struct UpdateUserInput {
    pub id: ID,
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub unit_id: MaybeUndefined<ID>,
    pub leader_id: MaybeUndefined<ID>,
    pub unit_post: MaybeUndefined<UnitPost>,
    pub is_active: Option<bool>,
    /// Resets the password and signs the user out everywhere.
    pub password: Option<String>,
    /// Clears a lockout after failed sign-ins.
    #[graphql(default)]
    pub unlock: bool,
    pub scopes: Option<Vec<String>>,
}

#[derive(SimpleObject, Debug)]
pub struct CreateUserPayload {
    pub user: User,
}

#[derive(SimpleObject, Debug)]
pub struct UpdateUserPayload {
    pub user: User,
}

#[derive(Default)]
pub struct UserMutation;

#[Object]
impl UserMutation {
    async fn create_user(
        &self,
        ctx: &Context<'_>,
        input: CreateUserInput,
    ) -> Result<CreateUserPayload> {
        let actor = ctx.actor()?;
        let new = NewUser {
            username: input.username,
            display_name: input.display_name,
            password: input.password,
            role: input.role.into(),
            unit_id: expect_optional_id("unitId", input.unit_id.as_ref(), Kind::Unit)?,
            leader_id: expect_optional_id("leaderId", input.leader_id.as_ref(), Kind::Leader)?,
            scopes: input.scopes,
            unit_post: input.unit_post.map(Into::into),
        };
        // Check the role before hashing a password for nobody.
        actor.require_bureau()?;
        let user = service::create(actor, ctx.db(), ctx.now(), new).await?;
        Ok(CreateUserPayload { user: user.into() })
    }

    async fn update_user(
        &self,
        ctx: &Context<'_>,
        input: UpdateUserInput,
    ) -> Result<UpdateUserPayload> {
        let actor = ctx.actor()?;
        actor.require_bureau()?;
        let id = expect_id("id", &input.id, Kind::User)?;
        let unit: Option<Option<ID>> = input.unit_id.into();
        let leader: Option<Option<ID>> = input.leader_id.into();
        let post: Option<Option<UnitPost>> = input.unit_post.into();
        let changes = UserChanges {
            display_name: input.display_name,
            role: input.role.map(Into::into),
            unit_id: unit
                .map(|u| expect_optional_id("unitId", u.as_ref(), Kind::Unit))
                .transpose()?,
            leader_id: leader
                .map(|l| expect_optional_id("leaderId", l.as_ref(), Kind::Leader))
                .transpose()?,
            unit_post: post.map(|p| p.map(Into::into)),
            is_active: input.is_active,
            password: input.password,
            unlock: input.unlock,
            scopes: input.scopes,
        };
        let user = service::update(actor, ctx.db(), ctx.now(), id, changes).await?;
        Ok(UpdateUserPayload { user: user.into() })
    }
}
