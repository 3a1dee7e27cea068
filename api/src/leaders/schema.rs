//! GraphQL face of the leader registry.

use async_graphql::{
    ComplexObject, Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject,
};
use chrono::{DateTime, Utc};
use entity::leaders;

use crate::graphql::context::ContextExt;
use crate::graphql::relay::{self, Conn, Kind, expect_id, expect_ids};
use crate::leaders::loaders::SupervisedUnitsOf;
use crate::leaders::service::{self, LeaderChanges, LeaderSearch, NewLeader};
use crate::tasks::loaders::VisibleTasksOfLeader;
use crate::tasks::schema::Task;
use crate::units::schema::Unit;

/// A city leader.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct Leader {
    pub id: ID,
    pub name: String,
    /// The post held now, e.g. 常务副市长. Tasks naming the post are this leader's.
    pub post: Option<String>,
    pub is_active: bool,
    pub sort_order: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[graphql(skip)]
    pub row_id: i64,
}

impl From<leaders::Model> for Leader {
    fn from(leader: leaders::Model) -> Self {
        Self {
            id: relay::global_id(Kind::Leader, leader.id),
            name: leader.name,
            post: leader.post,
            is_active: leader.is_active,
            sort_order: leader.sort_order,
            created_at: leader.created_at,
            updated_at: leader.updated_at,
            row_id: leader.id,
        }
    }
}

#[ComplexObject]
impl Leader {
    /// The units this leader supervises (分管单位).
    async fn supervised_units(&self, ctx: &Context<'_>) -> Result<Vec<Unit>> {
        let units = ctx
            .loader()
            .load_one(SupervisedUnitsOf(self.row_id))
            .await?;
        Ok(units
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// The tasks naming this leader in person or by post, among those the caller may see.
    #[graphql(complexity = "relay::connection_complexity(first, child_complexity)")]
    async fn tasks(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<Task>> {
        let page = relay::page_request(ctx, first, after.as_deref())?;
        let tasks = ctx
            .loader()
            .load_one(VisibleTasksOfLeader(self.row_id))
            .await?
            .unwrap_or_default();
        Ok(relay::connection(page.slice(&tasks)))
    }
}

#[derive(Default)]
pub struct LeaderQuery;

#[Object]
impl LeaderQuery {
    /// Leaders, searched by part of the name or post.
    #[graphql(complexity = "relay::connection_complexity(first, child_complexity)")]
    async fn leaders(
        &self,
        ctx: &Context<'_>,
        search: Option<String>,
        #[graphql(default = false)] include_inactive: bool,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<Leader>> {
        let actor = ctx.actor()?;
        let page = relay::page_request(ctx, first, after.as_deref())?;
        let search = LeaderSearch {
            text: search,
            include_inactive,
        };
        Ok(relay::connection(
            service::search(actor, ctx.db(), search, page).await?,
        ))
    }

    /// Null, with an error saying why, when there is no such leader or the caller may not see
    /// it: the other fields of the request are answered all the same.
    async fn leader(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Leader>> {
        let actor = ctx.actor()?;
        let id = expect_id("id", &id, Kind::Leader)?;
        Ok(Some(service::get(actor, ctx.db(), id).await?.into()))
    }
}

#[derive(InputObject, Debug)]
pub struct CreateLeaderInput {
    pub name: String,
    pub post: Option<String>,
    #[graphql(default)]
    pub supervised_unit_ids: Vec<ID>,
}

#[derive(InputObject, Debug)]
pub struct UpdateLeaderInput {
    pub id: ID,
    pub name: Option<String>,
    /// `null` clears the post (the leader left it).
    pub post: MaybeUndefined<String>,
    pub is_active: Option<bool>,
    pub sort_order: Option<i32>,
    /// Replaces the supervised units when given.
    pub supervised_unit_ids: Option<Vec<ID>>,
}

#[derive(SimpleObject, Debug)]
pub struct CreateLeaderPayload {
    pub leader: Leader,
}

#[derive(SimpleObject, Debug)]
pub struct UpdateLeaderPayload {
    pub leader: Leader,
}

#[derive(Default)]
pub struct LeaderMutation;

#[Object]
impl LeaderMutation {
    async fn create_leader(
        &self,
        ctx: &Context<'_>,
        input: CreateLeaderInput,
    ) -> Result<CreateLeaderPayload> {
        let actor = ctx.actor()?;
        let new = NewLeader {
            name: input.name,
            post: input.post,
            supervised_unit_ids: expect_ids(
                "supervisedUnitIds",
                &input.supervised_unit_ids,
                Kind::Unit,
            )?,
        };
        let leader = service::create(actor, ctx.db(), ctx.now(), new).await?;
        Ok(CreateLeaderPayload {
            leader: leader.into(),
        })
    }

    async fn update_leader(
        &self,
        ctx: &Context<'_>,
        input: UpdateLeaderInput,
    ) -> Result<UpdateLeaderPayload> {
        let actor = ctx.actor()?;
        let id = expect_id("id", &input.id, Kind::Leader)?;
        let changes = LeaderChanges {
            name: input.name,
            post: input.post.into(),
            is_active: input.is_active,
            sort_order: input.sort_order,
            supervised_unit_ids: input
                .supervised_unit_ids
                .map(|ids| expect_ids("supervisedUnitIds", &ids, Kind::Unit))
                .transpose()?,
        };
        let leader = service::update(actor, ctx.db(), ctx.now(), id, changes).await?;
        Ok(UpdateLeaderPayload {
            leader: leader.into(),
        })
    }
}
