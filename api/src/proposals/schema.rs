//! GraphQL face of motions: `Task.proposal` (through the DataLoader) and the mutations that
//! record proposers, replies and ratings.

use async_graphql::{ComplexObject, Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::proposal_replies;

use crate::graphql::context::ContextExt;
use crate::graphql::enums::{Rating, ReplyClass};
use crate::graphql::relay::{Kind, expect_id};
use crate::proposals::service::{self, ProposalInput, ProposalWithReplies};
use crate::tasks::schema::Task;

/// A People's Congress motion (or CPPCC proposal) handled as a task.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct Proposal {
    /// The proposers as written (`张三等12名代表`).
    pub proposers: String,
    /// How many deputies signed it.
    pub deputy_count: Option<i32>,
    /// When the current round's reply is due.
    pub reply_deadline: Option<NaiveDate>,
    /// 1 for the first reply; each 不满意 rating opens the next round.
    pub round: i32,
    /// The current round's reply, once written.
    pub reply_text: Option<String>,
    pub replied_on: Option<NaiveDate>,
    pub reply_class: Option<ReplyClass>,
    /// The deputies' rating of the current reply (a 不满意 one moves to the next round).
    pub rating: Option<Rating>,
    /// Every reply so far, one per round, with its rating.
    pub replies: Vec<ProposalReply>,
    #[graphql(skip)]
    pub task_id: i64,
}

#[ComplexObject]
impl Proposal {
    /// The other tasks the motion spans, each with its units' latest reports: for the units
    /// that owe the reply (to write it), the leaders who see the motion and the bureau.
    async fn covered_tasks(&self, ctx: &Context<'_>) -> Result<Vec<CoveredTask>> {
        crate::graphql::context::load_all(
            ctx,
            crate::proposals::loaders::CoveredOfMotion(self.task_id),
        )
        .await
    }

    /// Its follow-up reviews (回头看), in the order they were scheduled.
    async fn follow_ups(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::proposals::follow_up_schema::FollowUp>> {
        crate::graphql::context::load_all(
            ctx,
            crate::proposals::loaders::FollowUpsOfTask(self.task_id),
        )
        .await
    }
}

/// One round's reply.
#[derive(SimpleObject, Debug, Clone)]
pub struct ProposalReply {
    pub round: i32,
    pub text: String,
    pub reply_class: ReplyClass,
    pub replied_on: NaiveDate,
    pub rating: Option<Rating>,
    pub rated_at: Option<DateTime<Utc>>,
}

impl From<proposal_replies::Model> for ProposalReply {
    fn from(r: proposal_replies::Model) -> Self {
        Self {
            round: r.round,
            text: r.reply_text,
            reply_class: r.reply_class.into(),
            replied_on: r.replied_on,
            rating: r.rating.map(Into::into),
            rated_at: r.rated_at,
        }
    }
}

impl From<ProposalWithReplies> for Proposal {
    fn from((p, replies): ProposalWithReplies) -> Self {
        Self {
            proposers: p.proposers,
            deputy_count: p.deputy_count,
            reply_deadline: p.reply_deadline,
            round: p.round,
            reply_text: p.reply_text,
            replied_on: p.replied_on,
            reply_class: p.reply_class.map(Into::into),
            rating: p.rating.map(Into::into),
            replies: replies.into_iter().map(Into::into).collect(),
            task_id: p.task_id,
        }
    }
}

/// Another task a motion spans, as the motion's readers see it.
#[derive(SimpleObject, Debug, Clone)]
pub struct CoveredTask {
    pub seq: String,
    pub text: String,
    pub status: crate::graphql::enums::TaskStatus,
    pub deadline: Option<NaiveDate>,
    /// Its units' latest submitted reports, the newest period first.
    pub reports: Vec<CoveredReport>,
}

/// A unit's latest submitted report on a covered task.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct CoveredReport {
    /// The period's label (`2026-Q1`).
    pub period: String,
    pub progress: String,
    pub percent: Option<i32>,
    pub submitted_at: DateTime<Utc>,
    #[graphql(skip)]
    pub unit_id: i64,
}

#[ComplexObject]
impl CoveredReport {
    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<crate::units::schema::Unit>> {
        crate::graphql::context::load(ctx, crate::units::loaders::UnitById(self.unit_id)).await
    }
}

impl From<crate::proposals::covered::Covered> for CoveredTask {
    fn from(c: crate::proposals::covered::Covered) -> Self {
        Self {
            seq: c.task.seq,
            text: c.task.text,
            status: c.task.status.into(),
            deadline: c.task.deadline,
            reports: c
                .reports
                .into_iter()
                .map(|(unit_id, period, version)| CoveredReport {
                    period,
                    progress: version.progress,
                    percent: version.percent,
                    submitted_at: version.submitted_at,
                    unit_id,
                })
                .collect(),
        }
    }
}

#[derive(InputObject, Debug)]
pub struct SetProposalTasksInput {
    /// The task carrying the motion.
    pub task_id: ID,
    /// The other tasks it spans (replaces the list; at most 50).
    pub covered_task_ids: Vec<ID>,
}

#[derive(InputObject, Debug)]
pub struct SetProposalInput {
    pub task_id: ID,
    pub proposers: String,
    pub deputy_count: Option<i32>,
    pub reply_deadline: Option<NaiveDate>,
}

#[derive(InputObject, Debug)]
pub struct ReplyToProposalInput {
    pub task_id: ID,
    /// The reply's text (答复意见).
    pub text: String,
    pub reply_class: ReplyClass,
}

#[derive(InputObject, Debug)]
pub struct RateProposalReplyInput {
    pub task_id: ID,
    pub rating: Rating,
    /// With DISSATISFIED: when the next round's reply is due.
    pub next_reply_deadline: Option<NaiveDate>,
}

#[derive(SimpleObject)]
pub struct ProposalPayload {
    pub task: Task,
}

#[derive(Default)]
pub struct ProposalMutation;

/// The task after the change, as the caller reads it (its `proposal` through the loader).
async fn payload(ctx: &Context<'_>, task_id: i64) -> Result<ProposalPayload> {
    let task = crate::tasks::query::get(ctx.actor()?, ctx.db(), task_id).await?;
    Ok(ProposalPayload { task: task.into() })
}

#[Object]
impl ProposalMutation {
    /// Records the motion's proposers and reply deadline on a task of a PROPOSAL document
    /// (BUREAU).
    async fn set_proposal(
        &self,
        ctx: &Context<'_>,
        input: SetProposalInput,
    ) -> Result<ProposalPayload> {
        let task_id = expect_id("taskId", &input.task_id, Kind::Task)?;
        let input_data = ProposalInput {
            proposers: input.proposers,
            deputy_count: input.deputy_count,
            reply_deadline: input.reply_deadline,
        };
        service::set(ctx.actor()?, ctx.db(), ctx.now(), task_id, input_data).await?;
        payload(ctx, task_id).await
    }

    /// Names the other tasks a motion spans (BUREAU); its one reply per round stays with the
    /// motion's task.
    async fn set_proposal_tasks(
        &self,
        ctx: &Context<'_>,
        input: SetProposalTasksInput,
    ) -> Result<ProposalPayload> {
        let task_id = expect_id("taskId", &input.task_id, Kind::Task)?;
        let covered = crate::graphql::relay::expect_ids(
            "coveredTaskIds",
            &input.covered_task_ids,
            Kind::Task,
        )?;
        crate::proposals::covered::set_covered(ctx.actor()?, ctx.db(), ctx.now(), task_id, covered)
            .await?;
        payload(ctx, task_id).await
    }

    /// Writes the current round's reply (an owing unit of the task, or BUREAU).
    async fn reply_to_proposal(
        &self,
        ctx: &Context<'_>,
        input: ReplyToProposalInput,
    ) -> Result<ProposalPayload> {
        let task_id = expect_id("taskId", &input.task_id, Kind::Task)?;
        service::reply(
            ctx.actor()?,
            ctx.db(),
            ctx.now(),
            task_id,
            &input.text,
            input.reply_class.into(),
        )
        .await?;
        payload(ctx, task_id).await
    }

    /// Records the deputies' rating of the current reply (BUREAU). DISSATISFIED opens the next
    /// round and reopens a completed task.
    async fn rate_proposal_reply(
        &self,
        ctx: &Context<'_>,
        input: RateProposalReplyInput,
    ) -> Result<ProposalPayload> {
        let task_id = expect_id("taskId", &input.task_id, Kind::Task)?;
        service::rate(
            ctx.actor()?,
            ctx.db(),
            ctx.now(),
            task_id,
            input.rating.into(),
            input.next_reply_deadline,
        )
        .await?;
        payload(ctx, task_id).await
    }
}
