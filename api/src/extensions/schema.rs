//! GraphQL face of extension requests.

use async_graphql::{ComplexObject, Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::extension_requests;

use crate::extensions::service;
use crate::graphql::context::{ContextExt, load};
use crate::graphql::enums::ExtensionState;
use crate::graphql::relay::{self, Conn, Kind, expect_id};
use crate::obligations::ReportKey;
use crate::periods::loaders::PeriodById;
use crate::periods::schema::ReportingPeriod;
use crate::tasks::loaders::VisibleTaskById;
use crate::tasks::schema::Task;
use crate::units::loaders::UnitById;
use crate::units::schema::Unit;

/// A unit's request (延期申请) for a later due date, with the bureau's decision.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct ExtensionRequest {
    pub id: ID,
    pub state: ExtensionState,
    /// The period's first due date, kept whatever is approved.
    pub original_due_on: NaiveDate,
    pub requested_due_on: NaiveDate,
    pub reason: String,
    pub requested_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_comment: Option<String>,
    #[graphql(skip)]
    pub row: extension_requests::Model,
}

impl From<extension_requests::Model> for ExtensionRequest {
    fn from(e: extension_requests::Model) -> Self {
        Self {
            id: relay::global_id(Kind::Extension, e.id),
            state: e.state.into(),
            original_due_on: e.original_due_on,
            requested_due_on: e.requested_due_on,
            reason: e.reason.clone(),
            requested_at: e.requested_at,
            decided_at: e.decided_at,
            decision_comment: e.decision_comment.clone(),
            row: e,
        }
    }
}

#[ComplexObject]
impl ExtensionRequest {
    async fn task(&self, ctx: &Context<'_>) -> Result<Option<Task>> {
        load(ctx, VisibleTaskById(self.row.task_id)).await
    }

    async fn period(&self, ctx: &Context<'_>) -> Result<Option<ReportingPeriod>> {
        let Some(id) = self.row.period_id else {
            return Ok(None);
        };
        load(ctx, PeriodById(id)).await
    }

    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        load(ctx, UnitById(self.row.unit_id)).await
    }
}

#[derive(InputObject, Debug)]
pub struct RequestExtensionInput {
    pub task_id: ID,
    pub period_id: ID,
    pub requested_due_on: NaiveDate,
    pub reason: String,
}

#[derive(InputObject, Debug)]
pub struct DecideExtensionInput {
    pub id: ID,
    pub approve: bool,
    /// Required when rejecting.
    pub comment: Option<String>,
}

#[derive(SimpleObject, Debug)]
pub struct ExtensionPayload {
    pub extension: ExtensionRequest,
}

#[derive(Default)]
pub struct ExtensionQuery;

#[Object]
impl ExtensionQuery {
    /// Extension requests, newest first: a unit's own, a leader's tasks', all for the bureau.
    #[graphql(complexity = "relay::connection_complexity(first, child_complexity)")]
    async fn extension_requests(
        &self,
        ctx: &Context<'_>,
        state: Option<ExtensionState>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<ExtensionRequest>> {
        let actor = ctx.actor()?;
        let page = relay::page_request(ctx, first, after.as_deref())?;
        Ok(relay::connection(
            service::list(actor, ctx.db(), state.map(Into::into), page).await?,
        ))
    }
}

#[derive(Default)]
pub struct ExtensionMutation;

#[Object]
impl ExtensionMutation {
    /// Asks for a later due date (the UNIT that owes the report), before the due date.
    async fn request_extension(
        &self,
        ctx: &Context<'_>,
        input: RequestExtensionInput,
    ) -> Result<ExtensionPayload> {
        let actor = ctx.actor()?;
        let key = ReportKey {
            task_id: expect_id("taskId", &input.task_id, Kind::Task)?,
            period_id: expect_id("periodId", &input.period_id, Kind::Period)?,
        };
        let stored = service::request(
            actor,
            ctx.db(),
            ctx.now(),
            key,
            input.requested_due_on,
            &input.reason,
        )
        .await?;
        Ok(ExtensionPayload {
            extension: stored.into(),
        })
    }

    /// Approves or rejects a pending request (BUREAU).
    async fn decide_extension(
        &self,
        ctx: &Context<'_>,
        input: DecideExtensionInput,
    ) -> Result<ExtensionPayload> {
        let actor = ctx.actor()?;
        let id = expect_id("id", &input.id, Kind::Extension)?;
        let decided =
            service::decide(actor, ctx.db(), ctx.now(), id, input.approve, input.comment).await?;
        Ok(ExtensionPayload {
            extension: decided.into(),
        })
    }
}
