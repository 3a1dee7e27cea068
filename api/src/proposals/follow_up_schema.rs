//! GraphQL face of a PROPOSAL document's satisfaction figures and of follow-up reviews (回头看).

use async_graphql::{ComplexObject, Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::proposal_follow_ups;

use crate::graphql::context::{ContextExt, load};
use crate::graphql::relay::{self, Kind, expect_id};
use crate::proposals::{figures, follow_ups};
use crate::tasks::loaders::VisibleTaskById;
use crate::tasks::schema::Task;

/// A follow-up review (回头看) of a done motion.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct FollowUp {
    pub id: ID,
    /// The day it is scheduled for.
    pub due_on: NaiveDate,
    pub note: Option<String>,
    pub scheduled_at: DateTime<Utc>,
    /// The day it was held, once recorded.
    pub held_on: Option<NaiveDate>,
    pub findings: Option<String>,
    pub recorded_at: Option<DateTime<Utc>>,
    #[graphql(skip)]
    pub task_id: i64,
}

impl From<proposal_follow_ups::Model> for FollowUp {
    fn from(f: proposal_follow_ups::Model) -> Self {
        Self {
            id: relay::global_id(Kind::FollowUp, f.id),
            due_on: f.due_on,
            note: f.note,
            scheduled_at: f.scheduled_at,
            held_on: f.held_on,
            findings: f.findings,
            recorded_at: f.recorded_at,
            task_id: f.task_id,
        }
    }
}

#[ComplexObject]
impl FollowUp {
    async fn task(&self, ctx: &Context<'_>) -> Result<Option<Task>> {
        load(ctx, VisibleTaskById(self.task_id)).await
    }
}

/// A PROPOSAL document's motions as the caller may see them: replies, ratings and the
/// satisfaction rate (满意率) against the notice's target.
#[derive(SimpleObject, Debug, Clone)]
pub struct SatisfactionFigures {
    pub motions: u64,
    /// Replied in the current round.
    pub replied: u64,
    pub satisfied: u64,
    pub basically_satisfied: u64,
    /// Replies rated 不满意, over every round.
    pub dissatisfied_rounds: u64,
    /// Reply deadline passed without a reply.
    pub overdue_replies: u64,
    /// (满意 + 基本满意) ÷ motions, 0 to 1: a motion not yet rated counts against it.
    pub satisfaction_rate: Option<f64>,
    /// The notice's target, in percent.
    pub target: i32,
    pub meets_target: Option<bool>,
}

impl From<figures::SatisfactionFigures> for SatisfactionFigures {
    fn from(f: figures::SatisfactionFigures) -> Self {
        Self {
            meets_target: f.meets_target(),
            motions: f.motions,
            replied: f.replied,
            satisfied: f.satisfied,
            basically_satisfied: f.basically_satisfied,
            dissatisfied_rounds: f.dissatisfied_rounds,
            overdue_replies: f.overdue_replies,
            satisfaction_rate: f.satisfaction_rate,
            target: f.target,
        }
    }
}

#[derive(InputObject, Debug)]
pub struct ScheduleFollowUpInput {
    pub task_id: ID,
    pub due_on: NaiveDate,
    pub note: Option<String>,
}

#[derive(InputObject, Debug)]
pub struct RecordFollowUpInput {
    pub id: ID,
    pub held_on: NaiveDate,
    pub findings: String,
}

#[derive(SimpleObject, Debug)]
pub struct FollowUpPayload {
    pub follow_up: FollowUp,
}

#[derive(Default)]
pub struct ProposalQuery;

#[Object]
impl ProposalQuery {
    /// A PROPOSAL document's satisfaction figures, over the motions the caller may see. An
    /// aggregate: it counts for 2,000 against the complexity limit, like the other figures.
    #[graphql(complexity = 2000)]
    async fn proposal_figures(
        &self,
        ctx: &Context<'_>,
        document_id: ID,
    ) -> Result<SatisfactionFigures> {
        let actor = ctx.actor()?;
        let id = expect_id("documentId", &document_id, Kind::Document)?;
        Ok(figures::of_document(actor, ctx.db(), ctx.now(), id)
            .await?
            .into())
    }
}

#[derive(Default)]
pub struct FollowUpMutation;

#[Object]
impl FollowUpMutation {
    /// Schedules a follow-up review (回头看) of a done motion (BUREAU).
    async fn schedule_follow_up(
        &self,
        ctx: &Context<'_>,
        input: ScheduleFollowUpInput,
    ) -> Result<FollowUpPayload> {
        let actor = ctx.actor()?;
        let task_id = expect_id("taskId", &input.task_id, Kind::Task)?;
        let stored = follow_ups::schedule(
            actor,
            ctx.db(),
            ctx.now(),
            task_id,
            input.due_on,
            input.note,
        )
        .await?;
        Ok(FollowUpPayload {
            follow_up: stored.into(),
        })
    }

    /// Records a follow-up review's findings (BUREAU), once.
    async fn record_follow_up(
        &self,
        ctx: &Context<'_>,
        input: RecordFollowUpInput,
    ) -> Result<FollowUpPayload> {
        let actor = ctx.actor()?;
        let id = expect_id("id", &input.id, Kind::FollowUp)?;
        let stored = follow_ups::record_findings(
            actor,
            ctx.db(),
            ctx.now(),
            id,
            input.held_on,
            &input.findings,
        )
        .await?;
        Ok(FollowUpPayload {
            follow_up: stored.into(),
        })
    }
}
