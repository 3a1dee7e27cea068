//! GraphQL face of partners' contributions to the lead (`LEAD_CONSOLIDATING`).

use async_graphql::{ComplexObject, Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::contributions;

use crate::graphql::context::{ContextExt, load};
use crate::graphql::relay::{Kind, expect_id};
use crate::obligations::ReportKey;
use crate::reports::contributions::{self as service, PartnerPart};
use crate::units::loaders::UnitById;
use crate::units::schema::Unit;

/// Where a partner's contribution stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::reports::contributions::ContributionState")]
pub enum ContributionState {
    /// Not yet sent; its date has not passed.
    Pending,
    Submitted,
    /// Sent after its date.
    Late,
    /// Not sent, and its date has passed.
    Missing,
}

/// A partner unit's part of a task's report for a period, sent to the lead.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct Contribution {
    pub state: ContributionState,
    /// The partner's date: the notice's `contributionLeadDays` working days before the lead's.
    pub due_on: NaiveDate,
    pub text: Option<String>,
    /// The first sending, which lateness is measured from.
    pub submitted_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    /// Consolidated into the lead's report (fixed from then on).
    pub consolidated: bool,
    #[graphql(skip)]
    pub unit_id: i64,
}

impl From<PartnerPart> for Contribution {
    fn from(p: PartnerPart) -> Self {
        Self {
            state: p.state.into(),
            due_on: p.due_on,
            text: p.row.as_ref().map(|r| r.text.clone()),
            submitted_at: p.row.as_ref().map(|r| r.submitted_at),
            updated_at: p.row.as_ref().map(|r| r.updated_at),
            consolidated: p.row.as_ref().is_some_and(|r| r.version_id.is_some()),
            unit_id: p.unit_id,
        }
    }
}

impl From<contributions::Model> for Contribution {
    fn from(row: contributions::Model) -> Self {
        PartnerPart {
            unit_id: row.unit_id,
            due_on: row.due_on,
            state: if row.late {
                service::ContributionState::Late
            } else {
                service::ContributionState::Submitted
            },
            row: Some(row),
        }
        .into()
    }
}

#[ComplexObject]
impl Contribution {
    /// The partner unit.
    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        load(ctx, UnitById(self.unit_id)).await
    }
}

#[derive(InputObject, Debug)]
pub struct SubmitContributionInput {
    pub task_id: ID,
    pub period_id: ID,
    pub text: String,
}

#[derive(SimpleObject, Debug)]
pub struct ContributionPayload {
    pub contribution: Contribution,
}

#[derive(Default)]
pub struct ContributionQuery;

#[Object]
impl ContributionQuery {
    /// The partners' contributions to a task's lead for a period, sent or not: the lead units,
    /// the task's leaders and the bureau read every partner's; a partner its own.
    async fn contributions(
        &self,
        ctx: &Context<'_>,
        task_id: ID,
        period_id: ID,
    ) -> Result<Vec<Contribution>> {
        let actor = ctx.actor()?;
        let key = ReportKey {
            task_id: expect_id("taskId", &task_id, Kind::Task)?,
            period_id: expect_id("periodId", &period_id, Kind::Period)?,
        };
        Ok(service::parts(actor, ctx.db(), ctx.now(), key)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }
}

#[derive(Default)]
pub struct ContributionMutation;

#[Object]
impl ContributionMutation {
    /// Sends the signed-in partner unit's contribution to the task's lead (or rewrites it
    /// until the lead has consolidated it).
    async fn submit_contribution(
        &self,
        ctx: &Context<'_>,
        input: SubmitContributionInput,
    ) -> Result<ContributionPayload> {
        let actor = ctx.actor()?;
        let key = ReportKey {
            task_id: expect_id("taskId", &input.task_id, Kind::Task)?,
            period_id: expect_id("periodId", &input.period_id, Kind::Period)?,
        };
        let stored = service::submit(actor, ctx.db(), ctx.now(), key, &input.text).await?;
        Ok(ContributionPayload {
            contribution: stored.into(),
        })
    }
}
