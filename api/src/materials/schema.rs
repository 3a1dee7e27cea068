//! GraphQL face of leaders' material.

use async_graphql::{ComplexObject, Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{material_requests, material_submissions};

use crate::deadline::today_in_china;
use crate::documents::loaders::DocumentById;
use crate::documents::schema::Document;
use crate::graphql::context::{ContextExt, load};
use crate::graphql::relay::{self, Conn, Kind, expect_id};
use crate::leaders::loaders::LeaderById;
use crate::leaders::schema::Leader;
use crate::materials::loaders::SubmissionsOfRequest;
use crate::materials::service::{self, MaterialFilter, NewMaterial, NewRequest};
use crate::users::loaders::UserReadableById;
use crate::users::schema::User;

/// Where a request stands, computed from its first version and the day in China.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::materials::service::MaterialState")]
pub enum MaterialState {
    /// Nothing sent; not yet due.
    Pending,
    /// Nothing sent, and the due day has ended.
    Overdue,
    /// First sent by the end of the due day.
    Submitted,
    /// First sent after the due day.
    Late,
}

/// Material the bureau asked of a leader under a document (领导材料).
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct MaterialRequest {
    pub id: ID,
    pub title: String,
    pub due_on: NaiveDate,
    pub requested_at: DateTime<Utc>,
    #[graphql(skip)]
    pub row: material_requests::Model,
}

impl From<material_requests::Model> for MaterialRequest {
    fn from(r: material_requests::Model) -> Self {
        Self {
            id: relay::global_id(Kind::MaterialRequest, r.id),
            title: r.title.clone(),
            due_on: r.due_on,
            requested_at: r.requested_at,
            row: r,
        }
    }
}

#[ComplexObject]
impl MaterialRequest {
    async fn state(&self, ctx: &Context<'_>) -> Result<MaterialState> {
        let sent = self.sent(ctx).await?;
        let today = today_in_china(ctx.now());
        Ok(service::MaterialState::of(&self.row, sent.first(), today).into())
    }

    /// Every version sent, oldest first.
    async fn submissions(&self, ctx: &Context<'_>) -> Result<Vec<MaterialSubmission>> {
        Ok(self.sent(ctx).await?.into_iter().map(Into::into).collect())
    }

    async fn document(&self, ctx: &Context<'_>) -> Result<Option<Document>> {
        load(ctx, DocumentById(self.row.document_id)).await
    }

    /// The leader who owes it.
    async fn leader(&self, ctx: &Context<'_>) -> Result<Option<Leader>> {
        load(ctx, LeaderById(self.row.leader_id)).await
    }
}

impl MaterialRequest {
    async fn sent(&self, ctx: &Context<'_>) -> Result<Vec<material_submissions::Model>> {
        Ok(ctx
            .loader()
            .load_one(SubmissionsOfRequest(self.row.id))
            .await?
            .unwrap_or_default())
    }
}

/// A version of the material, as sent.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct MaterialSubmission {
    /// 1 for the first.
    pub version: i32,
    pub text: String,
    pub submitted_at: DateTime<Utc>,
    /// Sent after the due day ended in Beijing.
    pub is_late: bool,
    #[graphql(skip)]
    pub submitted_by: i64,
}

impl From<material_submissions::Model> for MaterialSubmission {
    fn from(s: material_submissions::Model) -> Self {
        Self {
            version: s.version,
            text: s.text,
            submitted_at: s.submitted_at,
            is_late: s.is_late,
            submitted_by: s.submitted_by,
        }
    }
}

#[ComplexObject]
impl MaterialSubmission {
    /// The account that sent it (the leader's or their secretary's): shown to the bureau and
    /// to that account.
    async fn submitted_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        load(ctx, UserReadableById(self.submitted_by)).await
    }
}

/// How requests stand, as the caller may see them.
#[derive(SimpleObject, Debug, Clone)]
pub struct MaterialFigures {
    pub requested: u64,
    pub pending: u64,
    pub overdue: u64,
    pub submitted: u64,
    pub late: u64,
}

#[derive(InputObject, Debug, Default)]
pub struct MaterialFilterInput {
    pub document_id: Option<ID>,
    pub leader_id: Option<ID>,
    pub state: Option<MaterialState>,
    /// Only those nothing has been sent for yet.
    #[graphql(default)]
    pub unsent: bool,
}

#[derive(InputObject, Debug)]
pub struct RequestMaterialInput {
    pub document_id: ID,
    /// Each leader asked gets a request of their own (at most 100).
    pub leader_ids: Vec<ID>,
    /// What is asked for: 分管领域2027年工作思路和重点项目清单.
    pub title: String,
    /// The last day, in China.
    pub due_on: NaiveDate,
}

#[derive(SimpleObject, Debug)]
pub struct RequestMaterialPayload {
    /// One per leader, in the order of their ids; those asked before are returned as they were.
    pub requests: Vec<MaterialRequest>,
}

#[derive(InputObject, Debug)]
pub struct SubmitMaterialInput {
    pub request_id: ID,
    pub text: String,
    /// Of the sender's choosing: a retry with the same key returns the stored version.
    pub idempotency_key: String,
}

#[derive(SimpleObject, Debug)]
pub struct SubmitMaterialPayload {
    pub request: MaterialRequest,
    pub submission: MaterialSubmission,
}

#[derive(Default)]
pub struct MaterialQuery;

#[Object]
impl MaterialQuery {
    /// Material asked of leaders, by due date: a leader what is asked of them, the bureau and
    /// machine accounts all; units and reviewing offices are refused.
    #[graphql(complexity = "relay::connection_complexity(first, child_complexity)")]
    async fn material_requests(
        &self,
        ctx: &Context<'_>,
        filter: Option<MaterialFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<MaterialRequest>> {
        let actor = ctx.actor()?;
        let filter = filter.unwrap_or_default();
        let filter = MaterialFilter {
            document_id: filter
                .document_id
                .map(|id| expect_id("filter.documentId", &id, Kind::Document))
                .transpose()?,
            leader_id: filter
                .leader_id
                .map(|id| expect_id("filter.leaderId", &id, Kind::Leader))
                .transpose()?,
            state: filter.state.map(Into::into),
            unsent: filter.unsent,
        };
        let page = relay::page_request(ctx, first, after.as_deref())?;
        Ok(relay::connection(
            service::list(actor, ctx.db(), ctx.now(), &filter, page).await?,
        ))
    }

    /// How the requests of a document (or all) stand, as the caller may see them. An aggregate:
    /// it counts for 2,000 against the complexity limit, like the other figures.
    #[graphql(complexity = 2000)]
    async fn material_figures(
        &self,
        ctx: &Context<'_>,
        document_id: Option<ID>,
    ) -> Result<MaterialFigures> {
        let actor = ctx.actor()?;
        let document_id = document_id
            .map(|id| expect_id("documentId", &id, Kind::Document))
            .transpose()?;
        let f = service::figures(actor, ctx.db(), ctx.now(), document_id).await?;
        Ok(MaterialFigures {
            requested: f.requested,
            pending: f.pending,
            overdue: f.overdue,
            submitted: f.submitted,
            late: f.late,
        })
    }
}

#[derive(Default)]
pub struct MaterialMutation;

#[Object]
impl MaterialMutation {
    /// Asks each leader for material under a document, by a date (BUREAU).
    async fn request_material(
        &self,
        ctx: &Context<'_>,
        input: RequestMaterialInput,
    ) -> Result<RequestMaterialPayload> {
        let actor = ctx.actor()?;
        let input = NewRequest {
            document_id: expect_id("documentId", &input.document_id, Kind::Document)?,
            leader_ids: input
                .leader_ids
                .iter()
                .map(|id| expect_id("leaderIds", id, Kind::Leader))
                .collect::<Result<_, _>>()?,
            title: input.title,
            due_on: input.due_on,
        };
        let requests = service::request(actor, ctx.db(), ctx.now(), input).await?;
        Ok(RequestMaterialPayload {
            requests: requests.into_iter().map(Into::into).collect(),
        })
    }

    /// Sends material asked of the signed-in leader (LEADER: their account or their
    /// secretary's), idempotent by key.
    async fn submit_material(
        &self,
        ctx: &Context<'_>,
        input: SubmitMaterialInput,
    ) -> Result<SubmitMaterialPayload> {
        let actor = ctx.actor()?;
        let input = NewMaterial {
            request_id: expect_id("requestId", &input.request_id, Kind::MaterialRequest)?,
            text: input.text,
            idempotency_key: input.idempotency_key,
        };
        let (request, submission) = service::submit(actor, ctx.db(), ctx.now(), input).await?;
        Ok(SubmitMaterialPayload {
            request: request.into(),
            submission: submission.into(),
        })
    }
}
