//! GraphQL face of a unit's own sign-off (审核签发).

use async_graphql::{ComplexObject, Context, Enum, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::report_signoffs;

use crate::graphql::context::{ContextExt, load};
use crate::graphql::relay::{self, Conn, Kind, expect_id};
use crate::obligations::ReportKey;
use crate::periods::loaders::PeriodById;
use crate::periods::schema::ReportingPeriod;
use crate::reports::schema::{SubmitReportInput, SubmitReportPayload};
use crate::reports::signoff::{self, Draft};
use crate::tasks::loaders::VisibleTaskById;
use crate::tasks::schema::Task;
use crate::units::loaders::UnitById;
use crate::units::schema::Unit;
use crate::users::loaders::UserReadableById;
use crate::users::schema::User;

/// Where a draft put to the unit's head stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::SignoffState")]
pub enum SignoffState {
    /// With the head.
    Pending,
    /// Approved: submitted to the bureau as `version`.
    Approved,
    /// Returned to the clerk, with the head's comment.
    Returned,
}

/// A clerk's draft put to the unit's head (审核签发).
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct ReportSignoff {
    pub id: ID,
    pub state: SignoffState,
    /// 进展情况, as the clerk wrote it.
    pub progress: Option<String>,
    pub percent: Option<i32>,
    pub drafted_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    /// The head's reason for returning it.
    pub comment: Option<String>,
    #[graphql(skip)]
    pub row: report_signoffs::Model,
}

impl From<report_signoffs::Model> for ReportSignoff {
    fn from(row: report_signoffs::Model) -> Self {
        let draft: Option<Draft> = serde_json::from_value(row.content.clone()).ok();
        Self {
            id: relay::global_id(Kind::Signoff, row.id),
            state: row.state.into(),
            progress: draft.as_ref().and_then(|d| d.progress.clone()),
            percent: draft.as_ref().and_then(|d| d.percent),
            drafted_at: row.drafted_at,
            decided_at: row.decided_at,
            comment: row.comment.clone(),
            row,
        }
    }
}

#[ComplexObject]
impl ReportSignoff {
    async fn task(&self, ctx: &Context<'_>) -> Result<Option<Task>> {
        load(ctx, VisibleTaskById(self.row.task_id)).await
    }

    async fn period(&self, ctx: &Context<'_>) -> Result<Option<ReportingPeriod>> {
        load(ctx, PeriodById(self.row.period_id)).await
    }

    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        load(ctx, UnitById(self.row.unit_id)).await
    }

    /// The clerk, if the caller may read the account (the bureau, or the clerk).
    async fn drafted_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        load(ctx, UserReadableById(self.row.drafted_by)).await
    }

    /// The head who decided, if the caller may read the account.
    async fn decided_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        match self.row.decided_by {
            Some(id) => load(ctx, UserReadableById(id)).await,
            None => Ok(None),
        }
    }
}

#[derive(SimpleObject, Debug)]
pub struct SignoffPayload {
    pub signoff: ReportSignoff,
}

#[derive(SimpleObject, Debug)]
pub struct ApproveSignoffPayload {
    pub signoff: ReportSignoff,
    /// The report as submitted to the bureau.
    pub submitted: SubmitReportPayload,
}

#[derive(Default)]
pub struct SignoffQuery;

#[Object]
impl SignoffQuery {
    /// Drafts put to units' heads, newest first: a unit's accounts their unit's, the bureau
    /// all; leaders none (FORBIDDEN: the step is inside the unit).
    #[graphql(complexity = "relay::connection_complexity(first, child_complexity)")]
    async fn report_signoffs(
        &self,
        ctx: &Context<'_>,
        state: Option<SignoffState>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<ReportSignoff>> {
        let actor = ctx.actor()?;
        let page = relay::page_request(ctx, first, after.as_deref())?;
        Ok(relay::connection(
            signoff::list(actor, ctx.db(), state.map(Into::into), page).await?,
        ))
    }
}

#[derive(Default)]
pub struct SignoffMutation;

#[Object]
impl SignoffMutation {
    /// Puts a report to the unit's head instead of submitting it (a clerk of a unit that signs
    /// its reports off). Idempotent by `idempotencyKey`; the content is required.
    async fn submit_for_signoff(
        &self,
        ctx: &Context<'_>,
        input: SubmitReportInput,
    ) -> Result<SignoffPayload> {
        let actor = ctx.actor()?;
        if input.on_behalf_of_unit_id.is_some() {
            return Err(crate::error::AppError::bad_field(
                "onBehalfOfUnitId",
                "a system reporting for a unit submits directly",
            )
            .into());
        }
        let key = ReportKey {
            task_id: expect_id("taskId", &input.task_id, Kind::Task)?,
            period_id: expect_id("periodId", &input.period_id, Kind::Period)?,
        };
        let draft = Draft {
            progress: input.progress,
            problems: input.problems,
            next_steps: input.next_steps,
            percent: input.percent,
            indicator_values: input
                .indicator_values
                .map(crate::reports::schema::decode_values)
                .transpose()?,
            attachment_ids: crate::graphql::relay::expect_ids(
                "attachmentIds",
                &input.attachment_ids,
                Kind::Attachment,
            )?,
        };
        let stored = signoff::put_to_head(
            actor,
            ctx.db(),
            ctx.now(),
            key,
            &input.idempotency_key,
            draft,
        )
        .await?;
        Ok(SignoffPayload {
            signoff: stored.into(),
        })
    }

    /// Approves a draft (the unit's HEAD): the report goes to the bureau now, naming who drafted
    /// and who approved it.
    async fn approve_signoff(&self, ctx: &Context<'_>, id: ID) -> Result<ApproveSignoffPayload> {
        let actor = ctx.actor()?;
        let id = expect_id("id", &id, Kind::Signoff)?;
        let (signoff, report, version) = signoff::approve(actor, ctx.db(), ctx.now(), id).await?;
        Ok(ApproveSignoffPayload {
            signoff: signoff.into(),
            submitted: SubmitReportPayload {
                report: report.into(),
                version: version.into(),
            },
        })
    }

    /// Returns a draft to its clerk with a comment (the unit's HEAD); the bureau sees nothing.
    async fn return_signoff(
        &self,
        ctx: &Context<'_>,
        id: ID,
        comment: String,
    ) -> Result<SignoffPayload> {
        let actor = ctx.actor()?;
        let id = expect_id("id", &id, Kind::Signoff)?;
        let stored = signoff::return_to_clerk(actor, ctx.db(), ctx.now(), id, &comment).await?;
        Ok(SignoffPayload {
            signoff: stored.into(),
        })
    }
}
